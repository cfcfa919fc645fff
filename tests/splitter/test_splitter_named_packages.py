"""Packages of undivided notices without items, named the way buyers name their lots: a listed
CPV code by its label in the notice's language, a listed place of performance by its name;
and places before codes when a notice lists several of both."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.ingest.tender import Classification, NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds
from scanner.splitter.strategies.by_region import place

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def run(**fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "ted-test-1",
        "title": "Assistance à la concession des aéroports",
        "currency": "EUR",
        "countries": ("FR",),
        "description": "Assistance à la personne publique.",
        "value_amount": Decimal("900000"),
        "raw": {"language": "FR"},
    }
    return assess(NormalisedTender(**{**defaults, **fields}), now=NOW, thresholds=THRESHOLDS)


def test_listed_codes_without_words_are_named_by_their_cpv_label_in_the_notices_language() -> None:
    result = run(cpv_codes=("79111000", "66170000"))
    titles = {p.cpv: p.title for p in result.packages}
    assert titles["79111000"] == "Services de conseil juridique"
    assert titles["66170000"].startswith("Services de conseils financiers")
    legal = next(p for p in result.packages if p.cpv == "79111000")
    assert legal.strategy == "by CPV"
    assert "CPV 79111000 (Services de conseil juridique)" in legal.reason


def test_the_label_follows_the_notices_language() -> None:
    result = run(
        title="Lieferung von Erdgas und Strom",
        description="Rahmenverträge.",
        countries=("DE",),
        cpv_codes=("65210000", "65310000"),
        raw={"language": "DE"},
    )
    assert sorted(p.title for p in result.packages) == ["Gasversorgung", "Stromversorgung"]


def test_a_published_description_of_a_code_still_wins_over_the_vocabulary() -> None:
    result = run(
        cpv_codes=("79111000", "66170000"),
        classifications=(Classification("CPV", "79111000", "Conseil juridique aéroportuaire"),),
    )
    assert "Conseil juridique aéroportuaire" in {p.title for p in result.packages}


def test_listed_places_of_performance_are_named_with_their_codes() -> None:
    result = run(regions=("FRM01", "FRM02"), title="Nettoyage des bâtiments de Corse")
    assert [p.title for p in result.packages] == [
        "Nettoyage des bâtiments de Corse – Corse-du-Sud (FRM01)",
        "Nettoyage des bâtiments de Corse – Haute-Corse (FRM02)",
    ]
    assert [p.region for p in result.packages] == ["FRM01", "FRM02"]
    first = result.packages[0]
    assert first.reason == (
        "The notice lists 2 places of performance; this part serves Corse-du-Sud (FRM01)."
    )
    assert first.estimated_value == Decimal("450000.00")


def test_several_places_come_before_several_codes() -> None:
    # The codes describe every lot; the places tell the lots apart (real calls listing both
    # were divided by place).
    result = run(regions=("FRM01", "FRM02"), cpv_codes=("70000000", "71000000"))
    assert {p.strategy for p in result.packages} == {"by region"}
    assert {p.region for p in result.packages} == {"FRM01", "FRM02"}


def test_one_place_leaves_the_listed_codes_to_divide() -> None:
    result = run(regions=("FRM01",), cpv_codes=("79111000", "66170000"))
    assert {p.strategy for p in result.packages} == {"by CPV"}


def test_a_code_the_tables_do_not_hold_is_shown_as_it_is() -> None:
    assert place("FRM01, XX999") == "Corse-du-Sud (FRM01), XX999"
    assert place("unspecified") == "unspecified"
