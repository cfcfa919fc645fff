"""The lot-recovery benchmark's scoring is fair: a package that only repeats the notice does
not recover a lot under echo-free scoring, time increments count once, empty texts never
match, and the tuning/held-out halves are fixed by the tender's identity alone."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path
from types import ModuleType

from scanner.ingest.tender import NormalisedTender

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NOTICE = "Composting of organic green waste collected by the Council across the authority."


def _module(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def _proposal(title: str, scope: str = "", codes: tuple[str, ...] = ("90500000",)) -> object:
    return _module("lot_recovery_cases").Proposal(title, scope, codes, ())


def test_a_package_repeating_the_notice_matches_only_as_before() -> None:
    match = _module("lot_recovery_match")
    title = "Composting of Organic Green Waste"
    package = _proposal(f"{title} (CPV 90500000)", NOTICE)
    lot = _proposal("Lot 2 - South of the Authority", NOTICE)
    assert match.matched([package], [lot], 0.5) == 1  # the echo scores it
    assert match.matched([package], [lot], 0.5, (title, NOTICE)) == 0


def test_a_fragment_picked_out_of_the_notice_still_matches_echo_free() -> None:
    match = _module("lot_recovery_match")
    notice = "Lots:\nLot 1 - Groundworks\nLot 2 - Roofing"
    packages = [_proposal("Lot 1: Groundworks", notice), _proposal("Lot 2: Roofing", notice)]
    lots = [_proposal("Lot 1 - Groundworks", notice), _proposal("Lot 2 - Roofing", notice)]
    assert match.matched(packages, lots, 0.5, ("Capital works", notice)) == 2


def test_texts_that_are_all_echo_never_match_each_other() -> None:
    match = _module("lot_recovery_match")
    title = "Capital works framework"
    package = _proposal(title, NOTICE)
    lot = _proposal(title, NOTICE)
    assert match.text_similarity(package, lot, (title, NOTICE)) == 0.0


def test_time_increments_of_one_package_count_once() -> None:
    match = _module("lot_recovery_match")
    parts = [_proposal(f"Haulage (months {a}-{b})", "Haulage") for a, b in ((1, 18), (19, 36))]
    assert len(match.distinct(parts)) == 1
    assert match.matched(parts, [_proposal("Haulage"), _proposal("Haulage")], 0.5) == 1


def test_the_same_cpv_view_ignores_text() -> None:
    match = _module("lot_recovery_match")
    package = _proposal("Anything at all", codes=("31120000",))
    lots = [_proposal("Generators", codes=("31120000",)), _proposal("Pumps", codes=("42122000",))]
    assert match.matched([package], lots, 1.0, codes_only=True) == 1


def test_halves_depend_on_the_tender_identity_only() -> None:
    cases = _module("lot_recovery_cases")
    tender = NormalisedTender(source="t", source_key="k", title="T")
    case = cases.Case("corpus", "file.json|ocds-1", tender, (), ())
    other = dataclasses.replace(case, tender=dataclasses.replace(tender, title="Changed"))
    assert case.half == other.half
    halves = {cases.Case("c", f"file.json|ocds-{n}", tender, (), ()).half for n in range(40)}
    assert halves == {cases.TUNING, cases.HELD_OUT}
