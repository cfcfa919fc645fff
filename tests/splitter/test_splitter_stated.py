"""A division the notice states in words ("in 17 lots", "en 3 lots", "w podziale na 4 części")
is read as the buyer's own division, in each language; a notice without a value gets advice that
says which threshold questions stay open, never an invented value. Texts written for the tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.splitter.stated import stated_lots
from tests.splitter.test_splitter_note import note_of
from tests.splitter.test_splitter_signals import run, signal, tender


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Road maintenance across the county, procured in 17 lots.", 17),
        ("Entretien des espaces verts de la commune, en 3 lots.", 3),
        ("Réservation de berceaux (4 lots).", 4),
        ("Le marché est divisé en deux lots géographiques.", 2),
        ("Servizio di pulizia degli uffici comunali, suddiviso in 2 lotti.", 2),
        ("Servicio de vigilancia en playas (3 Lotes).", 3),
        ("Die Vergabe der Leistung erfolgt in 5 Losen.", 5),
        ("Dostawa energii w podziale na 4 części.", 4),
        ("Ochrona obiektów na 3 samodzielne zadania.", 3),
        ("Доставка на хранителни продукти в 3 обособени позиции.", 3),
    ],
)
def test_a_stated_count_of_lots_is_read_in_each_language(text: str, count: int) -> None:
    stated = stated_lots(text)
    assert stated is not None and stated.count == count


@pytest.mark.parametrize(
    "text",
    [
        "Le marché n'est pas alloti en 3 lots: les prestations sont indissociables.",
        "Der Auftrag wird nicht in 2 Lose aufgeteilt.",
        "Il servizio non è suddiviso in 2 lotti.",
        "Sukcesywne dostawy 2 części zamiennych do autobusów.",  # spare parts, not lots
        "Lot 1 only: supply of one tractor.",  # one lot heading is no division
        "Supply of 2 tractors with 130 and 230 hp.",
    ],
)
def test_negations_single_lots_and_other_parts_are_not_a_division(text: str) -> None:
    assert stated_lots(text) is None


def test_lot_headings_and_words_without_a_count_are_read() -> None:
    headings = stated_lots("Zadanie I - szkolenie z obsługi programów; Zadanie II - kurs języka")
    assert headings is not None and headings.headings == 2 and headings.count is None
    assert stated_lots("Prestations réparties en plusieurs lots.") is not None
    assert stated_lots("Die Schulen sind den Angaben zu den entsprechenden Losen zu entnehmen.")


def test_a_stated_division_is_the_buyers_not_a_suggestion() -> None:
    result = run(
        title="Entretien des espaces verts",
        description="Entretien des espaces verts des écoles de la ville, en 3 lots.",
        currency="EUR",
        countries=("FR",),
        value_amount=Decimal("300000"),
    )
    stated = signal(result, "lots_stated")
    assert stated.fired and "3 lots" in stated.reason and "en 3 lots" in stated.reason
    assert "not named" in stated.reason
    # Divided: no "not divided into lots" and no missing reasons for not dividing.
    assert not signal(result, "no_lots_above_threshold").fired
    assert not signal(result, "no_reasons_for_not_dividing").fired
    assert not result.should_split
    assert all("already divided this into 3 lots" in p.optional_reason for p in result.packages)


def test_stated_lots_too_large_at_an_equal_share_are_said_so() -> None:
    result = run(
        title="Reinigung der Schulen",
        description="Unterhaltsreinigung der städtischen Schulen, vergeben in 2 Losen.",
        currency="EUR",
        countries=("DE",),
        value_amount=Decimal("4000000"),
    )
    assert signal(result, "lots_stated").fired
    too_large = signal(result, "lots_too_large")
    assert too_large.fired and "equal share" in too_large.reason


def test_the_note_reports_the_stated_division() -> None:
    _, note = note_of(
        tender(
            title="Dostawa energii elektrycznej",
            description="Dostawa energii elektrycznej dla szkół w podziale na 4 części.",
            currency="PLN",
            countries=("PL",),
            value_amount=Decimal("2000000"),
        )
    )
    text = note.text
    assert "Already divided by the buyer" in text
    assert "not divided into lots because" not in text


def test_without_a_value_the_advice_names_the_open_threshold_question() -> None:
    result = run(
        title="Servizi per le scuole",
        description=(
            "Il comune affida i seguenti servizi:\n"
            "1. Pulizia delle palestre\n2. Manutenzione del verde\n3. Trasporto scolastico"
        ),
        currency="EUR",
        countries=("IT",),
        buyer_name="Comune di Pontevecchio",
    )
    assert result.aggregated_value is None
    assert len(result.packages) >= 2 and not result.should_split
    why = result.packages[0].optional_reason
    assert "no value is published" in why and "stays open" in why
    assert "EU sub-central threshold" in why and "EUR 216,000" in why
    assert all(p.estimated_value is None for p in result.packages)  # never invented
    gaps = result.insufficient_reason or ""
    assert "stays open" in gaps


def test_lots_named_in_the_text_are_the_packages_and_the_buyers_division() -> None:
    result = run(
        title="Охрана на имоти",
        description=(
            "Услуги по охрана по обособени позиции, както следва: Обособена позиция № 1: "
            "„Невъоръжена физическа охрана“ и Обособена позиция № 2: „Охрана със СОТ“."
        ),
        currency="BGN",
        countries=("BG",),
    )
    titles = [p.title for p in result.packages]
    assert len(titles) == 2 and titles[0].startswith("Обособена позиция № 1")
    stated = signal(result, "lots_stated")
    assert stated.fired and "as the notice names them" in stated.reason
    assert not result.should_split


def test_a_concession_is_not_told_it_failed_to_divide() -> None:
    """TED form F24 (Directive 2014/23/EU): the lots duty with reasons is for public
    contracts, so it is not claimed; the structure is still read."""
    fields = {
        "title": "Délégation de service public pour l'exploitation du centre aquatique",
        "description": "Gestion et exploitation du centre aquatique de la commune.",
        "currency": "EUR",
        "countries": ("FR",),
        "value_amount": Decimal("9000000"),
    }
    contract = run(**fields)
    assert signal(contract, "no_lots_above_threshold").fired
    concession = run(**fields, raw={"format": "ted-xml", "form": "F24",
                                    "document_type": "Services concession"})  # fmt: skip
    duty = signal(concession, "no_lots_above_threshold")
    assert not duty.fired and "Directive 2014/23/EU" in duty.reason
    assert "Services concession" in duty.reason
    assert not signal(concession, "no_reasons_for_not_dividing").fired
    eforms = run(**fields, raw={"format": "eforms", "notice_subtype": "19"})
    assert not signal(eforms, "no_lots_above_threshold").fired


def test_lots_named_in_the_title_are_read_when_the_description_heads_none() -> None:
    result = run(
        title=(
            "Extension du collège - lot no 03: charpente métallique et lot no 05: menuiseries "
            "extérieures"
        ),
        description="L'opération porte sur l'extension et la restructuration du collège.",
        currency="EUR",
        countries=("FR",),
    )
    titles = [p.title for p in result.packages]
    assert len(titles) == 2
    assert "charpente métallique" in titles[0] and "menuiseries" in titles[1]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Lot 1: roofing and Lot 2: windows", "Lot 1: roofing"),
        ("Lot 1 : voirie et Lot 2 : espaces verts", "Lot 1: voirie"),
        ("Zadanie 1 – ochrona Dęblin oraz Zadanie 2 – konwojowanie", "Zadanie 1: ochrona Dęblin"),
        (
            "Обособена позиция № 1: „Охрана“ и Обособена позиция № 2: „СОТ“",
            "Обособена позиция № 1: „Охрана“",
        ),
    ],
)
def test_a_lot_name_does_not_keep_the_conjunction_before_the_next_lot(
    text: str, first: str
) -> None:
    from scanner.splitter.deliverables import deliverable_sections

    kind, sections = deliverable_sections(text)
    assert kind == "headed" and sections[0][0] == first
