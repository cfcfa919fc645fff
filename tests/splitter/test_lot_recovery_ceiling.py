"""The lot-recovery ceiling's rules: a lot counts as recoverable only when the visible input
names it (text found together, a CPV code or a NUTS region unique to it), never when it only
echoes the notice; and the oracle built from what the rules found is what the scorer credits."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TITLE = "Estate services framework"
NOTICE = (
    "The council seeks suppliers for its estate. Services including window cleaning, pest "
    "control and grounds maintenance across the county."
)


def _module(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def _lot(title: str, scope: str = "", codes: tuple[str, ...] = ()) -> Any:
    return _module("lot_recovery_cases").Proposal(title, scope, codes, ())


def _tender(**fields: Any) -> NormalisedTender:
    base: dict[str, Any] = {
        "source": "test",
        "source_key": "ceiling-1",
        "title": TITLE,
        "description": NOTICE,
    }
    return NormalisedTender(**{**base, **fields})


def _judge(lots: list[Any], lot_regions: list[tuple[str, ...]] | None = None, **fields: Any) -> Any:
    ceiling = _module("lot_recovery_ceiling")
    return ceiling.judge(_tender(**fields), lots, lot_regions or [() for _ in lots])


def test_a_lot_named_in_the_description_is_recoverable_by_text() -> None:
    found = _judge([_lot("Lot 1 - Window Cleaning"), _lot("Lot 2: Pest Controls")])
    assert [f.rules for f in found] == [{"text"}, {"text"}]
    assert found[0].fragment == "window cleaning"
    assert found[1].fragment == "pest control"  # plural and "Lot 2:" do not hide it


def test_words_scattered_over_the_description_are_not_a_name() -> None:
    description = (
        "Cleaning of the offices is needed every week, and the council also wants the "
        "gardens, verges and the windows of the depot looked after by the supplier."
    )
    found = _judge([_lot("Window Cleaning"), _lot("Grounds")], description=description)
    assert "text" not in found[0].rules  # "windows" and "cleaning" 15 words apart


def test_a_lot_echoing_the_notice_description_is_not_recoverable() -> None:
    lots = [_lot("Lot 1", NOTICE), _lot("Lot 2", f"{NOTICE} This lot is the second.")]
    found = _judge(lots)
    assert [f.rules for f in found] == [frozenset(), frozenset()]


def test_a_lot_echoing_the_notice_title_is_not_recoverable() -> None:
    lots = [_lot("ESTATE SERVICES FRAMEWORK"), _lot("Estate Services Framework (Lot 2)")]
    found = _judge(lots)
    assert [f.words for f in found] == [(), ()]
    assert [f.rules for f in found] == [frozenset(), frozenset()]


def test_only_what_a_lot_adds_to_the_notice_title_counts() -> None:
    found = _judge([_lot("Estate services framework - Pest control"), _lot("Cleaning")])
    assert found[0].words == ("pest", "control")
    assert found[0].rules == {"text"}


def test_a_short_lot_description_names_a_lot_with_an_empty_title() -> None:
    lots = [_lot("Lot 1", "Grounds maintenance."), _lot("Lot 2", "Pest control.")]
    assert [f.rules for f in _judge(lots)] == [{"text"}, {"text"}]


def test_lots_the_visible_text_cannot_tell_apart_are_not_recoverable_by_text() -> None:
    lots = [_lot("Lot 1 - Window cleaning"), _lot("Lot 2 - Window cleaning")]
    assert [f.rules for f in _judge(lots)] == [frozenset(), frozenset()]


def test_lots_found_at_the_same_span_are_not_told_apart() -> None:
    # Six of seven words found (80% is enough): both lots land on the same visible span.
    lots = [
        _lot("Window cleaning, pest control and grounds maintenance: offices"),
        _lot("Window cleaning, pest control and grounds maintenance: depots"),
    ]
    found = _judge(lots)
    assert found[0].words != found[1].words
    assert [f.rules for f in found] == [frozenset(), frozenset()]


def test_a_code_listed_for_the_tender_and_unique_to_the_lot_is_recoverable() -> None:
    lots = [
        _lot("Alpha", codes=("90911300",)),  # listed, unique: recoverable
        _lot("Beta", codes=("90922000", "77310000")),  # 90922 shared with Gamma, 77310 unlisted
        _lot("Gamma", codes=("90922100",)),  # same five digits as Beta's: not unique
    ]
    found = _judge(lots, description="Various services.", cpv_codes=("90911300", "90922000"))
    assert [f.rules for f in found] == [{"code"}, frozenset(), frozenset()]
    assert found[0].code == "90911300"


def test_a_region_listed_and_unique_to_the_lot_is_recoverable() -> None:
    lots = [_lot("North"), _lot("South"), _lot("Inner"), _lot("Outer")]
    regions = [("UKM81",), ("UKM82",), ("UKM9",), ("UKM91", "UKC1")]
    found = _judge(lots, regions, description="Works.", regions=("UKM81", "UKM82", "UKM9"))
    # UKM9 contains UKM91 (another lot's region); UKC1 is not listed for the tender.
    assert [f.region for f in found] == ["UKM81", "UKM82", "", ""]


def test_the_scorer_credits_the_oracle_for_text_and_labelled_codes_only() -> None:
    ceiling = _module("lot_recovery_ceiling")
    match = _module("lot_recovery_match")
    labels = (Classification("CPV", "90922000", "Pest-control services"),)
    tender = _tender(
        description="Services including window cleaning.",
        cpv_codes=("90911300", "90922000", "77310000"),
        classifications=labels,
    )
    lots = [
        _lot("Lot 1 - Window cleaning", codes=("90911300",)),
        _lot("Lot 2 - Pest control", codes=("90922000",)),
        _lot("Lot 3 - Planting", codes=("77310000",)),
    ]
    found = ceiling.judge(tender, lots, [(), (), ()])
    # A published CPV label is visible text: lot 2 is named by it.
    assert [f.rules for f in found] == [{"text", "code"}, {"text", "code"}, {"code"}]
    packages = ceiling.oracle(tender, lots, found)
    assert [p.title for p in packages] == ["window cleaning", "pest control", "CPV 77310000"]
    given = (tender.title, tender.description or "")
    _, pairs = match.match_pairs(packages, lots, 0.5, given)
    assert sorted(pairs) == [0, 1]  # an unlabelled code scores 0.3 at most echo-free
    _, same = match.match_pairs(packages, lots, 1.0, codes_only=True)
    assert sorted(same) == [0, 1, 2]


def test_the_ceiling_is_measured_per_half_with_the_oracle_beside_the_answers() -> None:
    cases = _module("lot_recovery_cases")
    ceiling = _module("lot_recovery_ceiling")
    tender = _tender(
        regions=("UKM81", "UKM82"),
        lots=(
            Lot("1", "Lot 1 - Window cleaning", "Windows."),
            Lot("2", "Lot 2 - Bute", "Island services."),
            Lot("3", "Lot 3 - Other", "Everything else."),
        ),
        items=(
            Item("i1", related_lot="1", regions=("UKM81",)),
            Item("i2", related_lot="2", regions=("UKM82",)),
            Item("i3", related_lot="3"),
        ),
    )
    (case,) = cases._case("Test corpus", "test.json", tender)
    assert ceiling.regions_of_lots(case) == [("UKM81",), ("UKM82",), ()]
    assert [f.rules for f in ceiling.findings_of(case)] == [
        {"text", "region"},
        {"region"},
        frozenset(),
    ]

    def one_package(hidden: NormalisedTender) -> list[Any]:
        return [cases.Proposal(hidden.title, hidden.description or "", (), ())]

    tallies = ceiling.measure_ceiling([case], {"one package": one_package}, 0.5)
    mine = ceiling.total(tallies, "all", "all", "one package")
    best = ceiling.total(tallies, case.half, "Test corpus", ceiling.ORACLE)
    assert (mine.lots, mine.recoverable, mine.hits) == (3, 2, 0)
    # The region-only lot is recoverable but no text names it: the scorer cannot see it.
    assert (best.hits, best.recoverable_hits, best.seen, best.seen_hits) == (1, 1, 1, 1)
