"""Region names read as codes in the notice's language; names nothing reads are kept."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from scanner.ingest.normalise import normalise_release
from scanner.ingest.tender import NormalisedTender, _hash_default
from scanner.matching.opportunities import buyer_regions, opportunities_of
from scanner.reference.regions import (
    NUTS_FILE,
    NUTS_HISTORY_FILE,
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


def test_older_codes_point_only_at_current_regions() -> None:
    """Every older code is one the current table lacks, read as regions it holds, with shares
    of one population that never add up to more than all of it."""
    current = {code for code, _level, _name in json.loads(NUTS_FILE.read_text())["regions"]}
    history = json.loads(NUTS_HISTORY_FILE.read_text())["codes"]
    assert len(history) > 500 and "HU101" in history and "FR241" in history
    for old, parts in history.items():
        assert old not in current
        assert parts and all(new in current for new, _share in parts)
        shares = [share for _new, share in parts]
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.005


def test_converter_reads_population_shares(tmp_path: Path) -> None:
    """The JRC matrices' rows are parts of an older region inside a newer one: shares come
    from their 2021 population (the area where nobody lives), slivers are dropped, the newest
    version's reading wins and the UK is read against NUTS 2016."""
    converter = _converter()
    header = "code_v{0},code_v{1},uniqueID,areaKm,pop11,pop21,artif_surf12,artif_surf18,bu_vol\n"
    (tmp_path / "n3_cm_v2013_v2024.csv").write_text(
        header.format("2013", "2024")
        + "HU101,HU110,x,525,0,1700000,0,0,0\n"
        + "HU102,HU120,x,6000,0,1200000,0,0,0\n"
        + "HU102,HU110,x,2,0,100,0,0,0\n"  # a sliver of boundary redrawing
        + "HU110,HU110,x,525,0,1700000,0,0,0\n"  # unchanged: not an older code
        + "XX999,HU999,x,1,0,5,0,0,0\n",  # a region nothing current holds
        encoding="utf-8",
    )
    (tmp_path / "n3_cm_v2010_v2024.csv").write_text(
        header.format("2010", "2024") + "HU101,HU120,x,9,0,9,0,0,0\n", encoding="utf-8"
    )
    (tmp_path / "n3_cm_v2010_v2016.csv").write_text(
        header.format("2010", "2016")
        + "UKI11,UKI31,x,10,0,0,0,0,0\n"
        + "UKI11,UKI32,x,30,0,0,0,0,0\n",  # nobody lives there: shares of the area
        encoding="utf-8",
    )
    history = converter.history(tmp_path, {"HU110", "HU120", "UKI31", "UKI32"})
    assert history == {
        "HU101": [("HU110", 1.0)],  # 2013 replaces 2010's reading
        "HU102": [("HU120", 1.0)],
        "UKI11": [("UKI32", 0.75), ("UKI31", 0.25)],
    }


def _converter() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "convert_nuts_history.py"
    spec = importlib.util.spec_from_file_location("convert_nuts_history", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
