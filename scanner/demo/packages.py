"""Release and record packages as publishers put them on the wire: compact JSON bytes with
Find a Tender's invalid `1e9999`, and Contracts Finder's ISO-8859-1."""

from __future__ import annotations

import json
from typing import Any

import orjson

from scanner.demo.releases import INFINITY

OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
POLICY = "https://www.gov.uk/government/publications/open-contracting"
CABINET_OFFICE = {
    "name": "Cabinet Office",
    "scheme": "GB-GOR",
    "uid": "D2",
    "uri": "https://www.gov.uk/government/organisations/cabinet-office",
}
_OCE = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_{}_extension/master/extension.json"
_CCS = "https://raw.githubusercontent.com/Crown-Commercial-Service/ocds_{}_extension/main/extension.json"
EXTENSIONS = {
    "fts": (
        "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json",
        *(_OCE.format(n) for n in ("documentation", "pagination", "suitability", "lots")),
        "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    ),
    "cf": (
        "https://standard.open-contracting.org/profiles/eu/master/en/extension.json",
        _OCE.format("budget_breakdown"),
        _CCS.format("partyDetails_vcse"),
        _CCS.format("tender_suitability"),
        _OCE.format("pagination"),
    ),
}


def release_package(
    releases: list[dict[str, Any]],
    *,
    uri: str,
    published: str,
    next_url: str | None = None,
    flavour: str = "fts",
) -> dict[str, Any]:
    """A Cabinet Office release package (Find a Tender or Contracts Finder); `links.next` only
    when there is a next page, as the live APIs do."""
    package: dict[str, Any] = {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS[flavour]),
        "publishedDate": published,
        "publisher": dict(CABINET_OFFICE),
        "license": OGL,
        "publicationPolicy": POLICY,
        "releases": releases,
    }
    if next_url:
        package["links"] = {"next": next_url}
    return package


def record_package(
    records: list[dict[str, Any]],
    *,
    uri: str,
    published: str,
    publisher: str,
    total: int,
    total_key: str = "totalCount",
) -> dict[str, Any]:
    """A record package of a page-indexed portal announcing its total number of records."""
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": publisher},
        "license": OGL,
        "publicationPolicy": uri.split("/api/", 1)[0] + "/open-data",
        total_key: total,
        "records": records,
    }


def encode_json(data: Any) -> bytes:
    """Compact UTF-8 JSON, with the bare token `1e9999` where Find a Tender publishes it."""
    return orjson.dumps(data).replace(f'"{INFINITY}"'.encode(), b"1e9999")


def encode_latin1(data: Any) -> bytes:
    """JSON encoded in ISO-8859-1 as Contracts Finder has served it: `£` is the byte 0xA3.
    Characters outside Latin-1 become JSON `\\uXXXX` escapes, so the bytes stay valid JSON."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace(f'"{INFINITY}"', "1e9999")
    return text.encode("iso-8859-1", errors="backslashreplace")
