"""Drafts read the way officers write them: listed deliverables become packages with the value
and months written beside them, the buyer is read from the text, words are never cut."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds
from scanner.splitter.amounts import first_money, money_in_text, months_in, span_in, total_in_text
from scanner.splitter.buyers import buyer_in_text
from scanner.splitter.prose import article, clip
from scanner.splitter.work import short_title, work_packages

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
COUNCIL_DRAFT = """Buyer: Riverside Borough Council
Total budget: £2,000,000 over 36 months

Riverside wants residents to report housing repairs online. The services are built to the
GOV.UK Service Standard and tested with residents throughout.

Deliverables:
1. Discovery of housing repairs reporting (months 1-4), £120,000
2. Alpha and beta of the new repairs service built to the GOV.UK Service Standard (months 5-18)
3. Accessibility audit of 12 existing online services, £40,000
4. Digital skills training for 200 frontline staff (6 months), £60,000
5. Tenancy management platform integration with the housing system
6. Hosting, support and continuous improvement for 36 months

We expect a single supplier to manage the whole programme end-to-end.
"""


def council() -> Assessment:
    value, currency = total_in_text(COUNCIL_DRAFT)
    tender = NormalisedTender(
        source="draft",
        source_key="draft",
        title="Digital housing services programme",
        description=COUNCIL_DRAFT,
        buyer_name=buyer_in_text(COUNCIL_DRAFT),
        value_amount=value,
        currency=currency,
    )
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def test_every_numbered_deliverable_becomes_a_named_package() -> None:
    result = council()
    titles = [p.title for p in result.packages]
    for name in (
        "Discovery of housing repairs reporting",
        "Accessibility audit of 12 existing online services",
        "Digital skills training for 200 frontline staff",
        "Tenancy management platform integration with the housing system",
    ):
        assert name in titles
    assert any(t.startswith("Alpha and beta of the new repairs service") for t in titles)
    assert any(t.startswith("Hosting, support and continuous improvement") for t in titles)
    assert not any(p.strategy.startswith("by service phase") for p in result.packages)


def test_stated_values_and_months_are_used_and_the_rest_apportioned_by_a_named_method() -> None:
    packages = {p.title: p for p in council().packages}
    audit = packages["Accessibility audit of 12 existing online services"]
    assert audit.estimated_value == Decimal("40000") and audit.value_method == "stated in the text"
    discovery = packages["Discovery of housing repairs reporting"]
    assert discovery.duration_months == 4 and discovery.period == "months 1-4"
    training = packages["Digital skills training for 200 frontline staff"]
    assert training.duration_months == 6
    integration = packages["Tenancy management platform integration with the housing system"]
    assert "split equally between the 3 deliverables with no value stated" in (
        integration.value_method
    )
    assert sum(p.estimated_value or 0 for p in council().packages) == Decimal("2000000")


def test_a_listed_deliverable_is_cut_in_time_only_beyond_18_months_and_keeps_its_months() -> None:
    alpha = [p for p in council().packages if p.title.startswith("Alpha and beta")]
    assert [p.period for p in alpha] == ["months 5-18"]  # 14 months, above the ceiling: whole
    long = council_with("2. Alpha and beta of the new repairs service (months 7-36)")
    alpha = [p for p in long.packages if p.title.startswith("Alpha and beta")]
    assert [p.period for p in alpha] == ["months 7-21", "months 22-36"]


def council_with(line: str) -> Assessment:
    text = COUNCIL_DRAFT.replace(
        "2. Alpha and beta of the new repairs service built to the GOV.UK Service Standard "
        "(months 5-18)",
        line,
    )
    value, currency = total_in_text(text)
    tender = NormalisedTender(
        source="draft",
        source_key="draft",
        title="Digital housing services programme",
        description=text,
        buyer_name=buyer_in_text(text),
        value_amount=value,
        currency=currency,
    )
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def test_the_buyer_and_its_type_are_read_from_the_text() -> None:
    result = council()
    assert result.regime is not None
    assert result.regime.buyer_name == "Riverside Borough Council"
    assert result.regime.buyer_type == "sub-central"
    assert result.regime.threshold == "UK sub-central threshold"


def test_text_is_never_cut_inside_a_word_or_a_name() -> None:
    for package in council().packages:
        assert "GOV." not in package.scope.replace("GOV.UK", "")
        assert "GOV." not in package.title.replace("GOV.UK", "")
    assert clip("Built to the GOV.UK Service Standard", 20) == "Built to the…"
    assert clip("short", 20) == "short"


def test_reasons_are_grammatical() -> None:
    reasons = " ".join(p.reason for p in council().packages)
    assert "names a alpha" not in reasons and "a discovery phase" in reasons
    assert "the alpha and beta phases" in reasons
    assert article("alpha") == "an" and article("beta") == "a" and article("user") == "a"
    result = council()
    open_source = next(s for s in result.signals if s.code == "open_source")
    assert open_source.reason == "No sign that it asks for an open-source licence."


def test_a_deliverable_list_wins_over_phase_words_and_a_facts_list_is_not_work() -> None:
    text = (
        "Key facts:\n- Budget: £300,000\n- Duration: 12 months\n\nWe need:\n"
        "- discovery and alpha of a booking service\n- a content audit\n- staff training\n"
    )
    work, kind = work_packages(text)
    assert kind == "bulleted" and [w.title for w in work] == [
        "discovery and alpha of a booking service",
        "a content audit",
        "staff training",
    ]


def test_amounts_and_durations_in_prose() -> None:
    assert first_money("£45,000 over 6 months") == (Decimal("45000"), "GBP")
    assert first_money("45 000 zł netto") == (Decimal("45000"), "PLN")
    assert first_money("no money here 2027") == (None, None)
    assert money_in_text("Lot A £5k deposit.\nBudget: £2.4m") == (Decimal(2400000), "GBP")
    assert total_in_text("1. Audit, estimated £40,000\n2. Training") == (None, None)
    span = span_in("(months 5-18)")
    assert span is not None and (span.start, span.end, span.months) == (5, 18, 14)
    assert months_in("a 2 year contract") == 24 and months_in("12 weeks") == 3
    assert short_title("Training for 12 staff over 3 months, £9,000") == "Training for 12 staff"


def test_values_in_a_budget_line_go_to_their_deliverables() -> None:
    text = (
        "1. Discovery and user research (months 1-4)\n"
        "2. Accessibility audit of the website (months 1-4)\n"
        "3. Content migration (months 10-16)\n\n"
        "Indicative split of the £400,000: discovery £120,000; accessibility audit £45,000; "
        "content migration £235,000."
    )
    work, _ = work_packages(text)
    assert [w.value for w in work] == [Decimal("120000"), Decimal("45000"), Decimal("235000")]


def test_continental_numbers_and_month_words_of_other_languages() -> None:
    assert first_money("Geschätzter Auftragswert: 910.000 EUR netto") == (Decimal(910000), "EUR")
    assert first_money("Importo stimato: € 182.000,00") == (Decimal(182000), "EUR")
    span = span_in("(Monate 5–18)")
    assert span is not None and span.months == 14
    work, _ = work_packages(
        "1. Integrazione dei servizi (mesi 1-8)\n   – importo stimato € 118.000.\n"
        "2. Verifica di accessibilità (mesi 1-3)\n   – importo stimato € 24.000.\n"
        "3. Formazione dei dipendenti (mesi 6-14) – importo stimato € 40.000.\n"
    )
    assert [w.title for w in work] == [
        "Integrazione dei servizi",
        "Verifica di accessibilità",
        "Formazione dei dipendenti",
    ]
    assert [w.value for w in work] == [Decimal(118000), Decimal(24000), Decimal(40000)]
