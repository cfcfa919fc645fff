"""A notice coded only with its country reads the regions its title names (NUTS names of that
country, in its language), and says where it read them; a field's code always wins.

Titles and codes as the real TED notices publish them (gathered-pl: 2017/S 123-250429, Poczta
Polska's occupational medicine, coded only "PL")."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from matchers.geography import IN_NATION, PLAUSIBLE, geography
from matchers.types import OrgProfile
from matchers.weights import Weights
from scanner.ingest.tender import Lot, NormalisedTender
from scanner.matching.opportunities import Languages, opportunities_of
from scanner.reference.regions import regions_named

POCZTA = NormalisedTender(
    source="ted",
    source_key="2017/S 123-250429",
    title=(
        "Świadczenie usług medycznych w zakresie medycyny pracy dla pracowników Poczty "
        "Polskiej S.A. w podziale na części (Wrocław, Dzierżoniów, Sosnowiec, Tarnowskie "
        "Góry, Rybnik, Częstochowa)."
    ),
    description="Przedmiotem zamówienia jest świadczenie usług medycznych.",
    value_amount=None,
    currency="PLN",
    deadline_at=None,
    status="active",
    cpv_codes=("85147000",),
    regions=("PL",),
    countries=("PL",),
    lots=(
        Lot("1", "Świadczenie usług medycznych w zakresie medycyny pracy dla pracowników "
            "Poczty Polskiej S.A. w podziale na części", None, None, None),
    ),
)  # fmt: skip
POLISH = Languages("pl", "pl")


def same(amount: Decimal | None, currency: str | None) -> Decimal | None:
    return amount


def test_a_country_only_notice_reads_the_region_its_title_names() -> None:
    whole, lot = opportunities_of(POCZTA, 1, to_reporting=same, languages=POLISH)
    assert whole.regions == ("PL514",)  # Miasto Wrocław; the other towns are no NUTS name
    assert whole.regions_named == (("PL514", "Wrocław named in the title"),)
    assert whole.countries == ("PL",)
    assert lot.regions == ("PL514",)
    assert lot.regions_named == (("PL514", "Wrocław named in the tender's title"),)


def test_a_region_code_from_the_fields_wins_over_the_title() -> None:
    coded = replace(POCZTA, regions=("PL711",))
    whole, lot = opportunities_of(coded, 1, to_reporting=same, languages=POLISH)
    assert (whole.regions, whole.regions_named) == (("PL711",), ())
    assert (lot.regions, lot.regions_named) == (("PL711",), ())


def test_the_explanation_says_where_the_region_was_read() -> None:
    whole = opportunities_of(POCZTA, 1, to_reporting=same, languages=POLISH)[0]
    lodz = OrgProfile(id="pl-medpraca-lodz", name="MedPraca Łódź", regions=("PL71",), remote=False)
    found = geography(lodz, whole, Weights())
    assert found.score == IN_NATION
    assert found.detail == "Wrocław named in the title (PL514): outside your regions, on site"
    wroclaw = OrgProfile(id="pl-wroclaw", name="Wrocław clinic", regions=("PL51",), remote=False)
    served = geography(wroclaw, whole, Weights())
    assert served.detail == (
        "Wrocław named in the title (PL514), in your region Dolnośląskie (PL51)"
    )
    unread = opportunities_of(POCZTA, 1, to_reporting=same, languages=Languages(None, None))[0]
    assert geography(lodz, unread, Weights()).score == PLAUSIBLE  # no language: not read


@pytest.mark.parametrize(
    ("text", "country", "language"),
    [
        ("Essen auf Rädern für Schulen", "DE", "de"),  # Essen (DEA13) is "food" first
        ("Lieferung von Essen für Kitas in der Stadt", "DE", "de"),
        ("Travaux dans l'Ain", "FR", "fr"),  # too short to read safely
        ("Usługi ochrony w Berlinie i Berlin", "PL", "pl"),  # Berlin is not a Polish region
        ("dostawy do wrocław", "PL", "pl"),  # not capitalised as a name
        ("Dostawy Wrocławskie", "PL", "pl"),  # part of a longer word
        ("Agencja Wrocław", "PL", None),  # language unknown
        ("Wrocław", "UA", "uk"),  # a country without NUTS
    ],
)
def test_no_reading_of_words_other_countries_or_short_names(
    text: str, country: str, language: str | None
) -> None:
    assert regions_named(text, country, language) == ()


def test_names_are_read_whole_longest_first_in_the_notice_language() -> None:
    assert regions_named("Entretien à Annecy, Haute-Savoie", "FR", "fr") == (
        ("FRK28", "Haute-Savoie"),
    )
    assert regions_named("Reinigung in Stuttgart und Berlin", "DE", "de") == (
        ("DE11", "Stuttgart"),
        ("DE3", "Berlin"),
    )
