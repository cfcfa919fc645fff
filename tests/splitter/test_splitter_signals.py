"""Each rule of DOMAIN.md section 2 fires on a small hand-built tender, with reason and source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.splitter import Assessment, Signal, assess, load_thresholds

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def cpv(code: str, label: str | None = None) -> tuple[Classification, ...]:
    return (Classification("CPV", code, label),)


def tender(**fields: Any) -> NormalisedTender:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "ocds-test-1",
        "title": "Digital services",
        "currency": "GBP",
        "countries": ("GB",),
        "description": "Support for the council's website.",
    }
    return NormalisedTender(**{**defaults, **fields})


def signal(assessment: Assessment, code: str) -> Signal:
    found = [s for s in assessment.signals if s.code == code]
    assert len(found) == 1, code
    return found[0]


def run(**fields: Any) -> Assessment:
    return assess(tender(**fields), now=NOW, thresholds=THRESHOLDS)


def test_undivided_requirement_above_uk_threshold_cites_section_18() -> None:
    fired = signal(run(value_amount=Decimal("450000")), "no_lots_above_threshold")
    assert fired.fired and fired.source == "Procurement Act 2023 s.18"
    assert "135,018" in fired.reason
    assert not signal(run(value_amount=Decimal("90000")), "no_lots_above_threshold").fired


def test_eu_tender_cites_article_46_and_reasons_for_not_dividing() -> None:
    result = run(value_amount=Decimal("300000"), currency="EUR", countries=("FR",))
    source = signal(result, "no_lots_above_threshold").source
    assert source.startswith("Code de la commande publique art. L2113-10")  # France's own law
    assert "Directive 2014/24/EU Art. 46" in source
    finnish = run(value_amount=Decimal("300000"), currency="EUR", countries=("FI",))
    assert signal(finnish, "no_lots_above_threshold").source == "Directive 2014/24/EU Art. 46"
    assert signal(result, "no_reasons_for_not_dividing").fired
    stated = run(
        value_amount=Decimal("300000"),
        currency="EUR",
        description="The contract is not divided into lots because the work is indivisible.",
    )
    assert not signal(stated, "no_reasons_for_not_dividing").fired


def test_works_use_the_works_threshold() -> None:
    items = (Item("1", "Resurfacing", cpv("45233000")),)
    result = run(value_amount=Decimal("2000000"), main_cpv="45233000", items=items)
    assert not signal(result, "no_lots_above_threshold").fired


def test_items_in_several_cpv_divisions_fire_subject_matter_signal() -> None:
    items = (Item("1", "Research", cpv("79310000")), Item("2", "Web build", cpv("72413000")))
    assert signal(run(items=items), "several_cpv_groups").fired
    same = (Item("1", "A", cpv("72413000")), Item("2", "B", cpv("72420000")))
    assert not signal(run(items=same), "several_cpv_groups").fired


def test_several_regions_ignore_a_region_that_contains_another() -> None:
    assert signal(run(regions=("UKM", "UKL")), "several_regions").fired
    assert not signal(run(regions=("UKM", "UKM8")), "several_regions").fired


def test_value_far_above_small_supplier_turnover_cites_the_buyers_own_law() -> None:
    fired = signal(run(value_amount=Decimal("2000000")), "above_small_supplier_turnover")
    assert fired.fired and fired.source.startswith("Procurement Act 2023 s.22")
    assert "Directive" not in fired.source  # a UK buyer is not bound by the EU directive
    assert not signal(run(value_amount=Decimal("60000")), "above_small_supplier_turnover").fired
    eu = signal(
        run(value_amount=Decimal("3000000"), currency="EUR", countries=("IE",)),
        "above_small_supplier_turnover",
    )
    assert eu.fired and eu.source.startswith("Directive 2014/24/EU Art. 58(3)")
    assert "twice the contract value" in eu.reason


def test_long_it_delivery_cites_far_39_103() -> None:
    raw = {"tender": {"contractPeriod": {"durationInDays": 1095}}}
    it = run(items=(Item("1", "Case system", cpv("72212000")),), raw=raw)
    assert signal(it, "long_it_delivery").fired
    # The 18-month increment is FAR's: for a UK buyer it is cited as an analogy, said so.
    assert signal(it, "long_it_delivery").source == (
        "by analogy: FAR 39.103 modular contracting (US), not law here"
    )
    us = run(
        items=(Item("1", "Case system", cpv("72212000")),),
        raw=raw,
        currency="USD",
        countries=("US",),
    )
    assert signal(us, "long_it_delivery").source == "FAR 39.103"
    catering = run(items=(Item("1", "Meals", cpv("55520000")),), raw=raw)
    assert not signal(catering, "long_it_delivery").fired


def test_duration_is_read_from_the_text_when_no_period_is_published() -> None:
    it = run(items=(Item("1", "Hosting", cpv("72415000")),), description="A 4 year contract.")
    assert signal(it, "long_it_delivery").fired


def test_consolidation_wording_quotes_the_words() -> None:
    fired = signal(
        run(description="A single supplier will run an end-to-end service."),
        "consolidation_wording",
    )
    assert fired.fired and "single supplier" in fired.reason
    assert fired.source.startswith("Procurement Act 2023 s.18")  # not a US rule for a UK buyer
    us = signal(
        run(description="A single supplier.", currency="USD", countries=("US",)),
        "consolidation_wording",
    )
    assert us.source.startswith("FAR 7.107")


def test_phases_and_deliverables_fire_separable_work() -> None:
    phases = run(description="Discovery, then alpha and beta of a new service.")
    assert signal(phases, "separable_phases_or_deliverables").fired
    listed = run(description="Lot 1: user research. Lot 2: accessibility audit.")
    assert signal(listed, "separable_phases_or_deliverables").fired
    assert not signal(
        run(description="We go live in May."), "separable_phases_or_deliverables"
    ).fired


def test_divided_tender_with_large_lots_is_flagged() -> None:
    lots = (
        Lot("1", "North", value_amount=Decimal("900000")),
        Lot("2", "South", value_amount=Decimal("50000")),
    )
    result = run(value_amount=Decimal("950000"), lots=lots)
    assert signal(result, "already_divided").fired
    too_large = signal(result, "lots_too_large")
    assert too_large.fired and "1 of 2 lots" in too_large.reason
    small = run(value_amount=Decimal("100000"), lots=(Lot("1"), Lot("2")))
    assert not signal(small, "lots_too_large").fired
    assert not small.should_split


def test_short_submission_window_uses_published_date_or_now() -> None:
    published = datetime(2026, 11, 20, tzinfo=UTC)
    short = run(published_at=published, deadline_at=published + timedelta(days=10))
    assert signal(short, "short_submission_window").fired
    assert "10 days" in signal(short, "short_submission_window").reason
    long = run(published_at=published, deadline_at=published + timedelta(days=30))
    assert not signal(long, "short_submission_window").fired
    unpublished = run(deadline_at=NOW + timedelta(days=5))
    assert signal(unpublished, "short_submission_window").fired


def test_openness_signals_give_a_civic_friendliness_read_out() -> None:
    text = (
        "Agile delivery with user research; code published on GitHub under an open-source licence."
    )
    result = run(description=text)
    assert {s.code for s in result.fired} >= {
        "open_source",
        "user_research",
        "agile",
        "published_code",
    }
    assert result.civic_friendliness == 1.0
    assert run(description="Cleaning of offices.").civic_friendliness == 0.0


def test_every_signal_has_a_reason_and_a_source() -> None:
    result = run(
        value_amount=Decimal("2500000"), description="A managed service; phase 1: x; phase 2: y."
    )
    assert result.signals
    assert all(s.reason and s.source for s in result.signals)


def test_a_grant_call_gets_no_packages_and_says_why() -> None:
    """A fund's total is no contract's size: nothing to divide, whatever its structure."""
    items = tuple(Item(str(n), f"Voucher for firm {n}", ()) for n in range(6))
    fields: dict[str, Any] = {
        "value_amount": Decimal("2000000"),
        "currency": "EUR",
        "countries": ("IT",),
        "items": items,
        "description": "Sostegno alle imprese del territorio, sei linee di intervento.",
    }
    grant = run(title="Contributi a fondo perduto per le imprese", **fields)
    stop = signal(grant, "not_a_purchase")
    assert stop.fired and "grant" in stop.reason and "fondo perduto" in stop.reason
    assert grant.packages == () and not grant.should_split and grant.score == 0.0
    bought = run(title="Servizi di consulenza per le imprese", main_cpv="79411000", **fields)
    assert not [s for s in bought.signals if s.code == "not_a_purchase"]
    assert len(bought.packages) >= 2
