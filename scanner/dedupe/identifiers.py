"""Identifiers a notice carries about itself and about the notices it refers to.

Kinds: `ocid:<ocid>`, `fts:<NNNNNN-YYYY>` (Find a Tender), `ted:<NNNNNN-YYYY>` (TED publication
number), `cf:<uuid>` (Contracts Finder). Own ids come from the notice's ocid, id and URL; refs
from `relatedProcesses` (configured relationships only: a *renewal* or *prior* process is another
procurement), document URLs and notice numbers quoted in the description ("FTS 012345-2026").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_FTS_URL = re.compile(r"find-tender\.service\.gov\.uk/Notice/(\d{6}-\d{4})", re.I)
_CF_URL = re.compile(
    r"contractsfinder\.service\.gov\.uk/(?:Notice|notice)/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12})",
    re.I,
)
_TED_URL = re.compile(
    r"ted\.europa\.eu/(?:udl\?uri=TED:NOTICE:|[a-z]{2}/notice/(?:-/detail/)?)(\d{1,8}-\d{4})", re.I
)
_FTS_TEXT = re.compile(
    r"\b(?:FTS|Find a Tender(?: Service)?(?: notice)?)\s*(?:ref\w*\s*)?[:#]?\s*(\d{6}-\d{4})\b",
    re.I,
)
_TED_TEXT = re.compile(
    r"\b(?:TED|OJEU|OJ S)\s*(?:notice\s*)?(?:no\.?\s*)?[:#]?\s*(\d{1,8}-\d{4})\b", re.I
)
_OCID = re.compile(r"\bocds-[a-z0-9]{6}-[A-Za-z0-9-]{3,120}\b")


@dataclass(frozen=True, slots=True)
class Identifiers:
    """`own` name this notice; `refs` name other notices it says are the same opportunity, with
    where each was found (for the merge's reasons)."""

    own: frozenset[str]
    refs: tuple[tuple[str, str], ...] = ()  # (identifier, where found)

    @property
    def ref_ids(self) -> frozenset[str]:
        return frozenset(i for i, _ in self.refs)

    def as_json(self) -> dict[str, Any]:
        return {"own": sorted(self.own), "refs": [list(r) for r in self.refs]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Identifiers:
        if not data:
            return cls(frozenset())
        return cls(
            frozenset(str(i) for i in data.get("own", ())),
            tuple((str(r[0]), str(r[1])) for r in data.get("refs", ()) if len(r) == 2),
        )


def identifiers_of(
    *,
    source: str,
    ocid: str | None,
    notice_id: str | None,
    notice_url: str | None,
    description: str | None,
    raw: Mapping[str, Any] | None,
    related_relationships: Iterable[str] = ("planning",),
) -> Identifiers:
    """Own and referenced identifiers of one stored notice (never raises on odd payloads)."""
    own: set[str] = set()
    if ocid:
        own.add(f"ocid:{ocid.strip()}")
    for found in _url_ids(notice_url or ""):
        own.add(found)
    own_kind = _source_kind(source, notice_url)
    if notice_id and own_kind and re.fullmatch(r"\d{1,8}-\d{4}", notice_id.strip()):
        number = notice_id.strip()
        own.add(f"{own_kind}:{_ted_number(number) if own_kind == 'ted' else number}")
    refs: dict[str, str] = {}
    payload = raw if isinstance(raw, Mapping) else {}
    release = payload.get("notice") if isinstance(payload.get("notice"), Mapping) else payload
    _related(release, set(related_relationships), refs)
    tender = release.get("tender") if isinstance(release, Mapping) else None
    if isinstance(tender, Mapping):
        for position, doc in enumerate(_list(tender.get("documents"))):
            if isinstance(doc, Mapping) and isinstance(doc.get("url"), str):
                for found in _url_ids(doc["url"]):
                    refs.setdefault(found, f"tender.documents[{position}].url")
    for found in _text_ids(description or ""):
        refs.setdefault(found, "description")
    return Identifiers(
        frozenset(own), tuple(sorted((i, w) for i, w in refs.items() if i not in own))
    )


def _related(release: Any, relationships: set[str], refs: dict[str, str]) -> None:
    if not isinstance(release, Mapping):
        return
    for position, process in enumerate(_list(release.get("relatedProcesses"))):
        if not isinstance(process, Mapping):
            continue
        kinds = {str(r) for r in _list(process.get("relationship"))}
        if relationships and not kinds & relationships:
            continue
        where = f"relatedProcesses[{position}]"
        scheme = str(process.get("scheme") or "").lower()
        identifier = process.get("identifier")
        if (
            isinstance(identifier, str)
            and identifier.strip()
            and (scheme == "ocid" or _OCID.fullmatch(identifier.strip()))
        ):
            refs.setdefault(f"ocid:{identifier.strip()}", where)
        if isinstance(process.get("uri"), str):
            for found in _url_ids(process["uri"]):
                refs.setdefault(found, where)


def _url_ids(url: str) -> set[str]:
    found = {f"fts:{m}" for m in _FTS_URL.findall(url)}
    found |= {f"cf:{m.lower()}" for m in _CF_URL.findall(url)}
    found |= {f"ted:{_ted_number(m)}" for m in _TED_URL.findall(url)}
    return found


def _text_ids(text: str) -> set[str]:
    found = {f"fts:{m}" for m in _FTS_TEXT.findall(text)}
    found |= {f"ted:{_ted_number(m)}" for m in _TED_TEXT.findall(text)}
    found |= _url_ids(text)
    return found


def _ted_number(number: str) -> str:
    """TED numbers are written with and without leading zeros: 12345-2024 = 012345-2024."""
    serial, year = number.split("-")
    return f"{int(serial):06d}-{year}"


def _source_kind(source: str, url: str | None) -> str | None:
    text = f"{source} {url or ''}".lower()
    if "find-tender" in text or "find_a_tender" in text or source.lower().startswith("fts"):
        return "fts"
    if "ted" in source.lower() or "ted.europa.eu" in text:
        return "ted"
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
