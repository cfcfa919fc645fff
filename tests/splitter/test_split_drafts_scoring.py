"""The drafts benchmark scores as its rules say: deliverables covered by packages that name them
(not by one that repeats the whole draft), one-to-one package matching, time increments counted
once, citations wrong only outside the buyer's jurisdiction and unmarked, thresholds wrong only
when they do not apply to the buyer, and answers read through the documented JSON keys."""

from __future__ import annotations

import importlib
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
DRAFT = """Resident services
Buyer: Riverside Borough Council
1. Discovery and user research with residents (months 1-4).
2. Accessibility audit of the council website against WCAG 2.2 AA.
3. Digital-skills training for residents in six libraries."""


def _module(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


labels = _module("split_drafts_labels")
scoring = _module("split_drafts_scoring")
cite = _module("split_drafts_citations")

REGISTRY = [
    labels.ThresholdRef("UK.central", Decimal("135018"), "GBP"),
    labels.ThresholdRef("UK.sub_central", Decimal("207720"), "GBP"),
    labels.ThresholdRef("EU.central", Decimal("140000"), "EUR"),
    labels.ThresholdRef("IT.affidamento_diretto", Decimal("140000"), "EUR"),
]


def label(
    *,
    should_split: bool = True,
    groups: tuple[tuple[str, ...], ...] = (("1",), ("2",), ("3",)),
    threshold: str = "UK.sub_central",
    status: str = "configured",
    allowed: tuple[str, ...] = ("UK-Act", "UK-guidance"),
    items: bool = False,
) -> Any:
    texts = {
        "1": "Discovery and user research with residents",
        "2": "Accessibility audit of the council website",
        "3": "Digital-skills training for residents in six libraries",
    }
    return labels.DraftLabel(
        id="case",
        file="case.txt",
        should_split=should_split,
        deliverables=tuple(
            labels.Deliverable(i, t, i if items else None) for i, t in texts.items()
        ),
        packages=tuple(
            labels.ExpectedPackage(f"package {'+'.join(g)}", g, Decimal("100"), 4) for g in groups
        ),
        threshold_key=threshold,
        threshold_status=status,
        allowed_thresholds=(threshold,),
        allowed_families=allowed,
        config_jurisdiction="UK",
        raw={},
    )


def answer(*packages: dict[str, Any], split: bool = True, **extra: Any) -> Any:
    return scoring.answer_from_json(
        {"should_split": split, "packages": list(packages), "jurisdiction": "UK", **extra}
    )


def package(title: str, scope: str = "", value: str = "100", months: int = 4, **extra: Any) -> Any:
    return {
        "title": title,
        "scope": scope,
        "item_ids": [],
        "estimated_value": value,
        "duration_months": months,
        **extra,
    }


def score(case: Any, said: Any, text: str = DRAFT) -> Any:
    return scoring.score_draft(case, said, text, (), REGISTRY)


GOOD = (
    package("Discovery and user research with residents"),
    package("Accessibility audit of the council website"),
    package("Digital-skills training in six libraries for residents"),
)


def test_the_packages_a_good_officer_proposes_score_full_marks() -> None:
    result = score(label(), answer(*GOOD))
    assert result.covered == ("1", "2", "3") and not result.missing
    assert len(result.matched) == 3 and result.found_packages == 3
    assert (result.values_right, result.values_stated) == (3, 3)
    assert (result.durations_right, result.durations_stated) == (3, 3)
    assert result.verdict_agrees and result.jurisdiction_agrees


def test_a_package_repeating_the_whole_draft_covers_nothing() -> None:
    increments = (package("Lot 1 (months 1-12)", DRAFT), package("Lot 1 (months 13-24)", DRAFT))
    result = score(label(), answer(*increments))
    assert result.covered == () and result.matched == ()
    assert result.found_packages == 1  # time increments of one subject count once


def test_phase_packages_with_truncated_scope_cover_only_what_they_name() -> None:
    cut = DRAFT[: DRAFT.index("3.")]  # the scope stops before the third deliverable
    result = score(label(), answer(package("Discovery", cut), package("Alpha", cut)))
    assert result.missing == ("3",)


def test_saying_do_not_split_is_one_contract_for_the_whole_draft() -> None:
    whole = label(should_split=False, groups=(("1", "2", "3"),))
    kept = score(whole, answer(package("Anything"), split=False))
    assert kept.verdict_agrees and kept.covered == ("1", "2", "3") and len(kept.matched) == 1
    refused = score(label(), answer(split=False))
    assert not refused.verdict_agrees and refused.covered == () and refused.matched == ()
    divided = score(whole, answer(*GOOD))
    assert not divided.verdict_agrees and divided.matched == ()


def test_matching_is_one_to_one_by_the_deliverables_held() -> None:
    grouped = label(groups=(("1", "2"), ("3",)))
    result = score(grouped, answer(*GOOD))
    assert len(result.matched) == 2  # "1+2" takes one of the two halves (Jaccard 0.5), "3" its own
    assert result.found_packages == 3 and result.covered == ("1", "2", "3")


def test_time_increments_count_once_with_their_values_and_months_added() -> None:
    result = score(
        label(groups=(("1",), ("2",), ("3",))),
        answer(
            package(
                "Discovery and user research with residents (months 1-2)", value="50", months=2
            ),
            package(
                "Discovery and user research with residents (months 3-4)", value="50", months=2
            ),
            *GOOD[1:],
        ),
    )
    assert result.found_packages == 3 and len(result.matched) == 3
    assert result.values_right == 3 and result.durations_right == 3


def test_items_are_claimed_by_id_and_shared_words_do_not_claim() -> None:
    by_items = label(items=True)
    listed = dict(package("CPV group 722"), item_ids=["1", "2"])
    result = score(by_items, answer(listed, package("Other")))
    assert result.covered == ("1", "2")
    # "residents" is in deliverables 1 and 3: a package naming only residents claims neither.
    assert score(label(), answer(package("Residents"))).covered == ()


def test_foreign_law_is_wrong_unless_marked_as_an_analogy_a_predecessor_or_a_quote() -> None:
    signals = [
        {"code": "a", "fired": True, "reason": "Consolidated.", "source": "FAR 7.107 (by analogy)"},
        {"code": "b", "fired": True, "reason": "Lots.", "source": "Directive 2014/24/EU Art. 46"},
        {"code": "c", "fired": False, "reason": "Modular.", "source": "FAR 39.103; OMB M-16-21"},
        {"code": "d", "fired": True, "reason": "Lots.", "source": "Procurement Act 2023 s.18"},
    ]
    note = "Aggregation: Procurement Act 2023 Sch. 3 (formerly PCR 2015 reg. 6)."
    said = answer(*GOOD, signals=signals, aggregation_note=note)
    wrong = {c.cited: c.advice for c in score(label(), said).wrong_citations}
    assert wrong == {"Directive 2014/24/EU": True, "FAR 39.103": False, "OMB": False}
    french = label(allowed=("EU", "FR"))
    assert {c.cited for c in score(french, said).wrong_citations} == {
        "FAR 39.103",
        "OMB",
        "Procurement Act 2023",
    }
    quoting = score(label(allowed=("UK-Act",)), said, DRAFT + "\nSee the Service Manual.")
    assert "Service Manual" not in {c.cited for c in quoting.wrong_citations}


def test_clauses_and_the_note_are_read_when_the_splitter_adds_them() -> None:
    clause = {"id": "oss", "title": "Open source", "text": "Publish the code.", "source": "TechFAR"}
    said = answer(
        dict(GOOD[0], clauses=[clause], unknown_field=1), *GOOD[1:], note="# Lotting note\nOMB"
    )
    cited = {c.cited: c.where for c in score(label(), said).wrong_citations}
    assert cited == {"TechFAR": "package 1 clause oss", "OMB": "note"}


def test_a_threshold_for_another_buyer_type_is_wrong_and_the_right_one_counts() -> None:
    reason = "GBP 2,000,000 reaches the UK central government threshold (GBP 135,018)."
    said = answer(*GOOD, signals=[{"code": "t", "fired": True, "reason": reason, "source": ""}])
    council = score(label(threshold="UK.sub_central"), said)
    assert [m.candidates for m in council.wrong_thresholds] == [frozenset({"UK.central"})]
    assert not council.right_threshold
    agency = score(label(threshold="UK.central"), said)
    assert agency.wrong_thresholds == () and agency.right_threshold


def test_an_amount_two_thresholds_share_is_wrong_only_if_neither_applies() -> None:
    said = answer(*GOOD, procedure="Below the soglia of EUR 140,000 a direct award is possible.")
    italian = label(threshold="IT.affidamento_diretto", allowed=("EU", "IT"))
    assert score(italian, said).wrong_thresholds == ()
    assert len(score(label(), said).wrong_thresholds) == 1


def test_no_threshold_rules_is_the_right_answer_where_none_are_configured() -> None:
    said = answer(*GOOD, insufficient_reason="no thresholds configured for currency UAH")
    assert score(label(threshold="UA.goods", status="to be added"), said).right_threshold
    assert not score(label(threshold="UK.sub_central"), said).right_threshold


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("135,018", "135018"),
        ("140 000", "140000"),
        ("46 200,00", "46200"),
        ("1.481.000.000", "1481000000"),
        ("2,350,000.50", "2350000.50"),
    ],
)
def test_amounts_are_read_as_buyers_write_them(written: str, amount: str) -> None:
    assert cite.parse_amount(written) == Decimal(amount)


def test_a_failed_check_agrees_with_nothing_and_the_summary_pools_drafts() -> None:
    failed = score(label(), scoring.failed_answer("exit 2: empty file"))
    assert failed.error and not failed.verdict_agrees and failed.covered == ()
    good = score(label(), answer(*GOOD))
    summary = scoring.summarise([good, failed])
    assert (summary.covered, summary.deliverables) == (3, 6)
    assert (summary.matched, summary.expected_packages, summary.found_packages) == (3, 6, 3)
    assert summary.precision == 1.0 and summary.recall == 0.5 and summary.macro_recall == 0.5
    assert summary.verdict_accuracy == 0.5 and summary.errors == 1


def test_the_benchmark_asks_split_check_itself_and_records_a_refused_file(tmp_path: Path) -> None:
    bench = _module("bench_split_drafts")
    runner = bench.CliRunner(env={"LOTWISE_DATABASE_URL": bench.UNREACHABLE_DB})
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT + "\nEstimated value: £400,000\n", encoding="utf-8")
    said = bench.check(runner, draft)
    assert said.error is None and isinstance(said.should_split, bool)
    assert said.texts and all(t.text for t in said.texts)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    refused = bench.check(runner, empty)
    assert refused.should_split is None and refused.error.startswith("exit 2")


def test_devolved_service_standards_are_their_nations_own_citations() -> None:
    """ "Digital Scotland Service Standard" is Scotland's; the UK Service Standard is not."""
    texts = [
        cite.Text("clause", "Open-source licence (Digital Scotland Service Standard): ...", True),
        cite.Text("clause", "Time for user research (Digital Service Standards for Wales).", True),
        cite.Text("signal", "GOV.UK Service Standard point 12.", True),
    ]
    found = {(c.family, c.cited, c.wrong) for c in cite.citations(texts, ("Scotland", "Wales"), "")}
    assert found == {
        ("Scotland", "Digital Scotland Service Standard", False),
        ("Wales", "Digital Service Standards for Wales", False),
        ("UK-guidance", "GOV.UK Service Standard", True),
    }
