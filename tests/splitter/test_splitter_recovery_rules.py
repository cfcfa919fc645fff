"""Rules added from the lot-recovery benchmark's tuning half: line breaks a source lost as
"rn" after a word, and numbered entries glued to their marker ("1.Edinburgh")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds
from scanner.splitter.deliverables import deliverables_in, unglue

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GLUED_LOTS = (
    "The Council is setting up a capital works framework split into the following lotsrn "
    "Lot 1 - Groundworksrn Lot 2 – Bricklaying (Labour and Plant Only)rn Lot 3 – Carpentryrn "
    "Lot 4 – Attic Clearance & Refusern The Council intends to appoint six contractors per lot."
)


def run(**fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "ocds-test-recovery",
        "title": "Framework for capital building works",
        "currency": "GBP",
        "countries": ("GB",),
        "value_amount": Decimal("400000"),
    }
    return assess(NormalisedTender(**{**defaults, **fields}), now=NOW, thresholds=THRESHOLDS)


def test_a_word_glued_to_a_lost_line_break_loses_the_rn() -> None:
    assert deliverables_in(GLUED_LOTS) == [
        "Lot 1: Groundworks",
        "Lot 2: Bricklaying (Labour and Plant Only)",
        "Lot 3: Carpentry",
        "Lot 4: Attic Clearance & Refuse",
    ]


def test_the_glued_lots_become_packages_with_clean_titles_and_reasons() -> None:
    result = run(description=GLUED_LOTS)
    titles = [p.title for p in result.packages]
    assert titles[:4] == [
        "Lot 1: Groundworks",
        "Lot 2: Bricklaying (Labour and Plant Only)",
        "Lot 3: Carpentry",
        "Lot 4: Attic Clearance & Refuse",
    ]
    assert all(p.reason for p in result.packages)
    assert sum(p.estimated_value or 0 for p in result.packages) == Decimal("400000")


def test_words_that_end_in_rn_themselves_are_kept() -> None:
    text = "Scope:rn Modern Slavery Act duties applyrn Northern Ireland sites are excludedrn Lot 1"
    restored = unglue(text)
    assert "Modern Slavery" in restored
    assert "Northern Ireland" in restored
    assert "apply\n Northern" in restored


def test_without_a_certain_glued_break_a_trailing_rn_is_left_alone() -> None:
    # No "rn" after punctuation or before a capital: nothing shows the text lost its breaks.
    text = "Works at the Hepburn site and the Kern depot for the southern area"
    assert unglue(text) == text


def test_numbered_entries_glued_to_their_marker_are_a_list() -> None:
    text = (
        "Partners are sought in these locations:rn 1.Edinburghrn 2.Glasgowrn "
        "3.North-east Scotlandrn 4.Tayside"
    )
    assert deliverables_in(text) == ["Edinburgh", "Glasgow", "North-east Scotland", "Tayside"]


def test_roman_numerals_after_lost_breaks_are_a_list() -> None:
    text = "The cleaning elements include;rn I. Windowsrn II. Guttersrn III. Glass lifts"
    assert deliverables_in(text) == ["Windows", "Gutters", "Glass lifts"]


def test_decimals_and_plain_prose_are_not_read_as_a_numbered_list() -> None:
    text = "1.5 metres of fencing is needed.\n2.5 metres of gate is needed too."
    assert deliverables_in(text) == []


def test_bad_input_in_glued_text_never_raises() -> None:
    for text in ("rn", "rnrnrn", "arn Brn C.rn ", "1.rn 2.rn", "Lot 1rn" * 50):
        deliverables_in(text)
        run(description=text, value_amount=Decimal("-1"))


def test_capitalised_names_after_supply_of_are_a_list() -> None:
    text = (
        "Supply of Hot Rolled Asphalt, Close Graded & Dense Bitumen Macadam, Aggregates for "
        "Unbound and Hydraulically Bound Materials, Ready Mix Concrete"
    )
    assert deliverables_in(text) == [
        "Hot Rolled Asphalt",
        "Close Graded & Dense Bitumen Macadam",
        "Aggregates for Unbound and Hydraulically Bound Materials",
        "Ready Mix Concrete",
    ]


def test_a_lower_case_supply_sentence_is_prose_not_a_list() -> None:
    assert deliverables_in("The supply of fresh fruit, vegetables and bread to schools.") == []
    assert (
        deliverables_in("Provision of Legal Services to the Council, its partners, others.") == []
    )


def test_german_los_headings_are_lots() -> None:
    text = (
        "Schwerpunkte sind die in den Losen genannten Leistungen:\n"
        "Los 1: Interne Veranstaltungen ohne Beteiligung Dritter.\n"
        "Los 2: Veranstaltungen und Messen mit Beteiligung Dritter."
    )
    assert deliverables_in(text) == [
        "Los 1: Interne Veranstaltungen ohne Beteiligung Dritter",
        "Los 2: Veranstaltungen und Messen mit Beteiligung Dritter",
    ]
    assert deliverables_in("Fachlos 1 – Rohbau; Fachlos 2 – Elektro") == [
        "Fachlos 1: Rohbau",
        "Fachlos 2: Elektro",
    ]


def test_lots_named_by_a_letter_are_lots() -> None:
    text = "Lotto A — Servizi per il ponte di volo. Lotto B — Servizi per i ponti interni."
    assert deliverables_in(text) == [
        "Lotto A: Servizi per il ponte di volo",
        "Lotto B: Servizi per i ponti interni",
    ]


def test_the_spanish_article_los_and_a_lot_of_are_no_headings() -> None:
    text = "Los 2 lotes son independientes. Los 3 contratos: limpieza. A lot a day: nothing."
    assert deliverables_in(text) == []


def test_lettered_sub_lots_beside_numbered_lots_are_not_lots() -> None:
    text = (
        "Lot 1: Haulage of road salt, subdivided by area: Sub Lot A: North; Sub Lot B: South.\n"
        "Lot 2: Haulage of aggregates.\nLot C: Spare haulage."
    )
    assert [t.split(":")[0] for t in deliverables_in(text)] == ["Lot 1", "Lot 2"]
