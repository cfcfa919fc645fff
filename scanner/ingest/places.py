"""Where a tender is delivered: NUTS/ITL region codes and ISO 3166-1 countries.

Geography is a hard gate in matching, but publishers code it unevenly: FTS and the Scottish and
Welsh portals give NUTS/ITL codes in `deliveryAddresses[].region`, Contracts Finder gives region
*names*, ProZorro a singular `deliveryAddress`, some a gazetteer-coded `deliveryLocation`, and
countries come as codes, names, or only implied by a region code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["countries_of", "country_of", "delivery_addresses", "region_code", "regions_of"]

_REGION_CODE_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")
_COUNTRY_RE = re.compile(r"[A-Za-z]{2}")
# Contracts Finder names UK regions instead of coding them: map to NUTS 1 / ITL 1 codes.
_UK_REGION_NAMES = {
    "north east": "UKC", "north west": "UKD", "yorkshire and the humber": "UKE",
    "east midlands": "UKF", "west midlands": "UKG", "east of england": "UKH", "london": "UKI",
    "south east": "UKJ", "south west": "UKK", "wales": "UKL", "scotland": "UKM",
    "northern ireland": "UKN", "united kingdom": "UK",
}  # fmt: skip
_UK_COUNTRY_NAMES = frozenset(
    {"united kingdom", "uk", "great britain", "england", "scotland", "wales", "northern ireland"}
)
_NUTS_TO_ISO = {"UK": "GB", "EL": "GR", "TL": "GB"}


def region_code(value: object) -> str | None:
    """A NUTS/ITL code as published ("UKM8", "TLC3"), or the code of a UK region's name."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _REGION_CODE_RE.fullmatch(text):
        return text
    return _UK_REGION_NAMES.get(" ".join(text.lower().split()))


def delivery_addresses(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """`deliveryAddresses` (OCDS 1.1) and `deliveryAddress` (1.0, ProZorro) of an item or tender."""
    found = _list(obj.get("deliveryAddresses")) + _list(obj.get("deliveryAddress"))
    return [address for address in found if isinstance(address, dict)]


def regions_of(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """NUTS/ITL codes of delivery addresses and gazetteer-coded delivery locations."""
    codes = [region_code(address.get("region")) for address in delivery_addresses(obj)]
    locations = _list(obj.get("deliveryLocations")) + _list(obj.get("deliveryLocation"))
    for location in locations:
        gazetteer = _obj(_obj(location).get("gazetteer"))
        scheme = gazetteer.get("scheme")
        if isinstance(scheme, str) and scheme.strip().upper() in {"NUTS", "ITL", "NUTS3", "ITL3"}:
            codes += [region_code(code) for code in _list(gazetteer.get("identifiers"))]
    return _unique(code for code in codes if code is not None)


def country_of(address: Mapping[str, Any]) -> str | None:
    """The ISO country code of an OCDS address: `country`, else a UK `countryName`."""
    country = address.get("country")
    if isinstance(country, str) and _COUNTRY_RE.fullmatch(country.strip()):
        return country.strip().upper()
    name = address.get("countryName")
    if isinstance(name, str) and " ".join(name.lower().split()) in _UK_COUNTRY_NAMES:
        return "GB"
    return None


def countries_of(addresses: Iterable[Mapping[str, Any]], regions: Iterable[str]) -> tuple[str, ...]:
    """Countries of addresses and those implied by region codes (NUTS "UK..."/ITL "TL..." -> GB)."""
    found = [country_of(address) for address in addresses]
    found += [_NUTS_TO_ISO.get(region[:2], region[:2]) for region in regions]
    return _unique(country for country in found if country is not None)


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
