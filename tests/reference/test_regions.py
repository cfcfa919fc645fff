"""Region names read as codes in the notice's language; names nothing reads are kept."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields

import orjson
import pytest

from scanner.ingest.normalise import normalise_release
from scanner.ingest.tender import NormalisedTender, _hash_default
from scanner.matching.opportunities import buyer_regions, opportunities_of
from scanner.reference.regions import (
    NUTS_FILE,
    area_names,
    country_names,
    nuts_name,
    resolve_country,
    resolve_region,
)


@pytest.mark.parametrize(
    ("name", "country", "code"),
    [
        ("Lazio", None, "ITI4"),
        ("Regione Lazio", "IT", "ITI4"),
        ("Friuli-Venezia Giulia", None, "ITH4"),
        ("Greater Manchester", None, "UKD3"),
        ("Львівська область", "UA", "UA-46"),
        ("Львівська обл.", None, "UA-46"),
        ("California", None, "US-CA"),
        ("Wien", None, "AT13"),
        ("Limburg", "NL", "NL42"),
        ("Limburg", None, None),  # Belgian and Dutch: the country must decide
        ("Atlantide", None, None),
        ("", None, None),
    ],
)
def test_names_in_their_language(name: str, country: str | None, code: str | None) -> None:
    assert resolve_region(name, country) == code


def test_tables_and_countries() -> None:
    regions = json.loads(NUTS_FILE.read_text())["regions"]
    assert len(regions) > 1500 and ["ITI4", 2, "Lazio"] in regions
    assert nuts_name("TLD3") == "Greater Manchester" and nuts_name("XX9") is None
    assert [resolve_country(n) for n in ("Україна", "Italia", "Deutschland", "Oz")] == [
        "UA", "IT", "DE", None,
    ]  # fmt: skip


def release(place: object, **buyer: object) -> dict[str, object]:
    return {
        "ocid": "ocds-x-1",
        "id": "1",
        "tender": {
            "id": "t",
            "title": "Servizi",
            "items": [{"id": "1", "deliveryAddresses": [{"region": place}]}],
        },
        "parties": [{"id": "b", "roles": ["buyer"], "address": buyer}],
        "buyer": {"id": "b"},
    }


def test_names_become_codes_and_unread_names_are_kept() -> None:
    read = normalise_release(release("Lazio"), source="t")
    assert read.regions == ("ITI4",) and read.countries == ("IT",) and read.place_names == ()
    unread = normalise_release(release("Atlantide"), source="t")
    assert unread.regions == () and unread.place_names == ("Atlantide",)
    assert unread.content_hash() != read.content_hash()
    plain = normalise_release(release(None), source="t")
    assert plain.content_hash() == _hash_without_place_names(plain)  # stored hashes still hold


def _hash_without_place_names(tender: NormalisedTender) -> str:
    """The content hash as computed before `place_names` existed."""
    data = {f.name: getattr(tender, f.name) for f in fields(tender)}
    del data["raw"], data["place_names"]
    options = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return hashlib.sha256(orjson.dumps(data, default=_hash_default, option=options)).hexdigest()


def test_the_buyers_region_stands_in_for_matching_when_no_place_is_given() -> None:
    data = release(None, region="Львівська область", countryName="Україна")
    data["tender"]["items"] = [{"id": "1"}]  # type: ignore[index]
    tender = normalise_release(data, source="t")
    assert tender.regions == () and tender.countries == ("UA",)  # as published
    assert buyer_regions(tender) == ("UA-46",)
    whole = opportunities_of(tender, 1, to_reporting=lambda amount, currency: amount)[0]
    assert whole.regions == ("UA-46",)


def test_area_names_hold_the_region_those_holding_it_and_those_it_holds() -> None:
    stuttgart = area_names("DE11")
    assert stuttgart[:2] == ("Baden-Württemberg", "Stuttgart") and "Esslingen" in stuttgart
    assert "Oberbayern" not in stuttgart and "Deutschland" not in stuttgart
    assert "Glasgow City" in area_names("TLM8")  # ITL codes read as the NUTS codes they share
    assert area_names("DE") == () and area_names("UA-46") == () and area_names("ZZ9") == ()


def test_country_names_of_a_country_or_region_code_in_english_and_the_languages_asked() -> None:
    assert country_names("EL", ("el",)) == ("Greece", "Ελλάδα")  # NUTS "EL" is ISO "GR"
    assert country_names("EL52", ("el", None, "el")) == ("Greece", "Ελλάδα")
    assert country_names("PL71", ("pl",)) == ("Poland", "Polska")
    assert country_names("UKM8") == ("United Kingdom",)
    assert country_names("CY000", ("xx",)) == ("Cyprus",)  # a language without names: English
    assert country_names("ZZ") == ()
