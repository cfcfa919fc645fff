"""Where a tender is delivered: NUTS/ITL region codes and ISO 3166-1 countries.

Geography is a hard gate in matching, but publishers code it unevenly: FTS and the Scottish and
Welsh portals give NUTS/ITL codes in `deliveryAddresses[].region`, Contracts Finder gives region
*names*, ProZorro a singular `deliveryAddress`, some a gazetteer-coded `deliveryLocation`, and
countries come as codes, names, or only implied by a region code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from scanner.reference.regions import resolve_country, resolve_region

__all__ = [
    "countries_of",
    "country_of",
    "delivery_addresses",
    "place_names_of",
    "region_code",
    "regions_of",
]

_REGION_CODE_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")
_COUNTRY_RE = re.compile(r"[A-Za-z]{2}")
# Contracts Finder names UK regions instead of coding them: map to NUTS 1 / ITL 1 codes.
_UK_REGION_NAMES = {
    "north east": "UKC", "north west": "UKD", "yorkshire and the humber": "UKE",
    "east midlands": "UKF", "west midlands": "UKG", "east of england": "UKH", "london": "UKI",
    "south east": "UKJ", "south west": "UKK", "wales": "UKL", "scotland": "UKM",
    "northern ireland": "UKN", "united kingdom": "UK",
    "england": "UK",  # no one NUTS code: England is its nine regions; read as the country
}  # fmt: skip
_UK_COUNTRY_NAMES = frozenset(
    {"united kingdom", "uk", "great britain", "england", "scotland", "wales", "northern ireland"}
)
_NUTS_TO_ISO = {"UK": "GB", "EL": "GR", "TL": "GB"}
_GAZETTEER_SCHEMES = frozenset({"NUTS", "ITL", "NUTS3", "ITL3"})


def region_code(value: object) -> str | None:
    """A NUTS/ITL code as published ("UKM8", "TLC3"), or the code of a UK region's name."""
    if type(value) is str:  # exact type: the cache compares by equality
        return _region_code_cached(value)
    if not isinstance(value, str):
        return None
    return _region_code(value)


@lru_cache(maxsize=4096)
def _region_code_cached(value: str) -> str | None:
    """`_region_code`, memoised: every item of a tender usually names the same few regions."""
    return _region_code(value)


def _region_code(value: str) -> str | None:
    text = value.strip()
    if _REGION_CODE_RE.fullmatch(text):
        return text
    known = _UK_REGION_NAMES.get(" ".join(text.lower().split()))
    if known is not None or not text or len(text) > 120:
        return known
    return resolve_region(text)  # a region's name in any language ("Lazio", "Львівська область")


def delivery_addresses(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """`deliveryAddresses` (OCDS 1.1) and `deliveryAddress` (1.0, ProZorro) of an item or tender."""
    plural, singular = obj.get("deliveryAddresses"), obj.get("deliveryAddress")
    if plural is None and singular is None:
        return []
    found = _list(plural) + _list(singular)
    return [address for address in found if isinstance(address, dict)]


def regions_of(
    obj: Mapping[str, Any], addresses: list[Mapping[str, Any]] | None = None
) -> tuple[str, ...]:
    """NUTS/ITL codes of delivery addresses and gazetteer-coded delivery locations.

    `addresses`: `delivery_addresses(obj)` when the caller already has them (read once).
    """
    if addresses is None:
        addresses = delivery_addresses(obj)
    codes = [region_code(address.get("region")) for address in addresses]
    first, second = obj.get("deliveryLocations"), obj.get("deliveryLocation")
    if first is not None or second is not None:
        for location in _list(first) + _list(second):
            gazetteer = _obj(_obj(location).get("gazetteer"))
            scheme = gazetteer.get("scheme")
            if isinstance(scheme, str) and scheme.strip().upper() in _GAZETTEER_SCHEMES:
                codes += [region_code(code) for code in _list(gazetteer.get("identifiers"))]
    if len(codes) == 1:  # the usual single delivery address
        return () if codes[0] is None else (codes[0],)
    return _unique([code for code in codes if code is not None])


def place_names_of(
    obj: Mapping[str, Any], addresses: list[Mapping[str, Any]] | None = None
) -> tuple[str, ...]:
    """Region names of delivery addresses that no table reads as a code: kept, so matching
    can say which place it could not read instead of dropping it silently."""
    if addresses is None:
        addresses = delivery_addresses(obj)
    names = []
    for address in addresses:
        region = address.get("region")
        if isinstance(region, str) and region.strip() and region_code(region) is None:
            names.append(" ".join(region.split())[:120])
    return _unique(names)


def country_of(address: Mapping[str, Any]) -> str | None:
    """The ISO country code of an OCDS address: `country`, else a UK `countryName`."""
    country = address.get("country")
    if isinstance(country, str):
        if len(country) == 2 and country.isascii() and country.isalpha():  # the usual case
            return country.upper()
        if _COUNTRY_RE.fullmatch(country.strip()):
            return country.strip().upper()
    name = address.get("countryName")
    if isinstance(name, str) and " ".join(name.lower().split()) in _UK_COUNTRY_NAMES:
        return "GB"
    if isinstance(name, str) and 2 < len(name) < 80:
        return resolve_country(name)  # "Україна", "Italia"
    return None


def countries_of(addresses: Iterable[Mapping[str, Any]], regions: Iterable[str]) -> tuple[str, ...]:
    """Countries of addresses and those implied by region codes (NUTS "UK..."/ITL "TL..." -> GB)."""
    found = [country for address in addresses if (country := country_of(address)) is not None]
    found += [_NUTS_TO_ISO.get(region[:2], region[:2]) for region in regions]
    return _unique(found)


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(values) if len(values) < 2 else tuple(dict.fromkeys(values))
