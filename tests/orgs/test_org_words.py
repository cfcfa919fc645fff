"""Profiles typed as people type them (issue 18): amounts with signs, separators and "k"/"m",
places and kinds of work by name, with the choices when a name could mean several."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.orgs import validate_records
from scanner.orgs.amounts import TypedAmount, parse_typed_amount
from scanner.orgs.words import resolve_cpv_words, resolve_region_words


@pytest.mark.parametrize(
    ("typed", "amount", "currency"),
    [
        ("£5k", "5000", "GBP"), ("150,000", "150000", None), ("€1.2m", "1200000", "EUR"),
        ("5 000 EUR", "5000", "EUR"), ("2.5 million", "2500000", None), ("£150K", "150000", "GBP"),
        ("GBP 40k", "40000", "GBP"), ("1.234,50 €", "1234.5", "EUR"), ("$2bn", "2000000000", "USD"),
        (120000, "120000", None), ("  75000  ", "75000", None), ("12.5k", "12500", None),
    ],
)  # fmt: skip
def test_amounts_are_read_as_typed(typed: object, amount: str, currency: str | None) -> None:
    assert parse_typed_amount(typed) == TypedAmount(Decimal(amount), currency)


@pytest.mark.parametrize(
    "typed", ["lots", "-5", "£5kk", "5k£€", "£5 EUR", "k", "", True, "1e9999", "9" * 20 + "m"]
)
def test_unreadable_amounts_say_how_to_write_one(typed: object) -> None:
    with pytest.raises(ValueError, match=r"amount|negative|two currencies"):
        parse_typed_amount(typed)


@pytest.mark.parametrize(
    ("name", "code"),
    [("London", "UKI"), ("Greater Manchester", "UKD3"), ("wales", "UKL"), ("Cornwall", "UKK3"),
     ("Italia", "IT"), ("United Kingdom", "GB"), ("Lazio", "ITI4"), ("California", "US-CA")],
)  # fmt: skip
def test_places_by_name(name: str, code: str) -> None:
    assert resolve_region_words(name) == code


def test_a_name_several_places_share_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"several places are called 'Limburg'.*BE22.*NL42"):
        resolve_region_words("Limburg")
    with pytest.raises(ValueError, match="no region or country is called"):
        resolve_region_words("Atlantis Prime")


def test_kinds_of_work_by_words_in_the_readers_language() -> None:
    assert resolve_cpv_words("Research services") == "7311"
    assert resolve_cpv_words("servizi informatici", "it") == "725"  # the label said exactly
    assert resolve_cpv_words("research services", "it") == "7311"  # English when no Italian
    with pytest.raises(ValueError, match=r"could mean \d+ kinds of work.*\(72413000\)"):
        resolve_cpv_words("web")


def test_a_profile_file_takes_words_amounts_and_bracketed_codes_alike() -> None:
    loaded = validate_records(
        [
            {
                "id": "civic-coop", "name": "Civic", "emails": ["a@civic.example"],
                "cpv": ["Research services", "IT services: consulting (72)", "79311000"],
                "regions": ["London", "Kent (UKJ4)", "GB"],
                "value_min": "€5k", "value_max": "€1.2m",
            }
        ]
    )  # fmt: skip
    assert loaded.errors == []
    profile = loaded.profiles[0]
    assert profile.cpv == ("7311", "72", "79311000") and profile.regions == ("UKI", "UKJ4", "GB")
    assert (profile.value_min, profile.value_max, profile.currency) == (5000, 1200000, "EUR")
    clash = validate_records(
        [{"id": "x-y", "name": "X", "emails": ["a@x.example"], "currency": "GBP",
          "value_min": "5000", "value_max": "€150k"}]
    )  # fmt: skip
    assert [(e.field, e.message) for e in clash.errors] == [
        (
            "value_max",
            "'€150k' is in EUR but the currency is GBP; write every amount in one currency",
        )
    ]


def test_an_imported_profile_searches_words_in_its_own_language() -> None:
    loaded = validate_records(
        [{"id": "coop-it", "name": "Coop", "emails": ["a@coop.example"], "language": "it",
          "cpv": ["Servizi informatici"]}]
    )  # fmt: skip
    assert loaded.errors == [] and loaded.profiles[0].cpv == ("725",)
