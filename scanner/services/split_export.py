"""The splitter's answer as data: JSON (stored and `--json`), CSV rows and an OCDS release.

Pure functions over plain mappings, so a stored assessment exports without re-assessing.
Dataclasses are serialised field by field (all their fields, in declaration order): a field the
splitter adds later flows through to storage, JSON and CSV with no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Assessment, Package, Signal
from scanner.spreadsheet import safe_cell

OCDS_VERSION = "1.1"
PUBLISHER = {"name": "Lotwise (proposed division, not a published notice)"}
# `tender.lots` and `Item.relatedLot` come from the OCDS lots extension, declared in packages.
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
DAYS_PER_MONTH = 365.25 / 12
CSV_LEAD = (
    "tender_id",
    "ocid",
    "tender_title",
    "buyer_name",
    "should_split",
    "score",
    "rules_version",
    "currency",
    "package",
)
_LIST_SEPARATOR = "; "
# Lotwise's own remarks on a package stay inside Lotwise (pages and JSON), out of exports a
# buyer may publish or pass on; clauses have their own place in the note.
_NOT_EXPORTED = frozenset({"notes", "clauses"})
_ASSESSMENT_KEYS = tuple(f.name for f in fields(Assessment))
_SIGNAL_KEYS = tuple(f.name for f in fields(Signal))
_PACKAGE_KEYS = tuple(f.name for f in fields(Package))


def plain(value: Any) -> Any:
    """JSON-ready data: dataclasses by their fields (declaration order), money as decimal
    strings, tuples as lists. orjson walks the dataclasses in C: a Python walk cost as much
    as assessing."""
    return orjson.loads(orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_text(document: Any) -> str:
    """Indented JSON for `split check` and exports: orjson (as `plain` uses), with the layout of
    `json.dumps(indent=2, ensure_ascii=False)` and a final newline. Several times faster than
    the standard library on an answer with its clauses and note."""
    return (
        orjson.dumps(
            document, default=_json_default, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
        ).decode("utf-8")
        + "\n"
    )


def assessment_dict(assessment: Assessment) -> dict[str, Any]:
    """The stored and printed form of an assessment: its fields, in declaration order."""
    data: dict[str, Any] = plain(assessment)
    return data


def in_field_order(data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored assessment with its keys in declaration order again (PostgreSQL's JSONB
    keeps keys in its own order); keys the dataclasses no longer have come last."""
    ordered = _ordered(data, _ASSESSMENT_KEYS)
    ordered["signals"] = [_ordered(s, _SIGNAL_KEYS) for s in data.get("signals") or []]
    ordered["packages"] = [_ordered(p, _PACKAGE_KEYS) for p in data.get("packages") or []]
    return ordered


def _ordered(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    result = {key: data[key] for key in keys if key in data}
    result.update((key, value) for key, value in data.items() if key not in result)
    return result


def failed_assessment(reason: str, rules_version: str) -> dict[str, Any]:
    """The same keys as `assessment_dict` for a tender that could not be assessed."""
    empty: dict[str, Any] = {f.name: None for f in fields(Assessment)}
    empty.update(
        should_split=False,
        score=0.0,
        status="error",
        insufficient_reason=reason,
        signals=[],
        packages=[],
        civic_friendliness=0.0,
        rules_version=rules_version,
    )
    return empty


def tender_context(tender: NormalisedTender, tender_id: int | None = None) -> dict[str, Any]:
    """What exports need of a tender besides its assessment, in the shape storage keeps."""
    return {
        "id": tender_id,
        "source": tender.source,
        "ocid": tender.ocid,
        "title": tender.title,
        "description": tender.description,
        "buyer_name": tender.buyer_name,
        "buyer_id": tender.buyer_id,
        "value_amount": plain(tender.value_amount),
        "currency": tender.currency,
        "notice_url": tender.notice_url,
        "items": [plain(item) for item in tender.items],
    }


def first_reason(assessment: Mapping[str, Any]) -> str | None:
    """The reason to show first: the heaviest fired signal, else why nothing is suggested."""
    fired = [s for s in assessment.get("signals") or [] if s.get("fired")]
    if fired:
        best = max(fired, key=lambda s: float(s.get("weight") or 0))
        return str(best.get("reason"))
    return assessment.get("insufficient_reason")


# -- CSV -----------------------------------------------------------------------------------


def csv_table(
    entries: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> tuple[list[str], list[list[str]]]:
    """Header and rows, one row per proposed package, from (tender, assessment) pairs.

    Package columns are the union of the packages' keys in first-seen order, so a field the
    splitter adds appears as a column. Cells a spreadsheet would run as formulas are quoted
    (`scanner.spreadsheet`), for the web export and `split export` alike."""
    records: list[tuple[list[str], dict[str, Any]]] = []
    package_keys: dict[str, None] = {}
    for tender, assessment in entries:
        lead = [
            _cell(tender.get("id")),
            _cell(tender.get("ocid")),
            _cell(tender.get("title")),
            _cell(tender.get("buyer_name")),
            _cell(assessment.get("should_split")),
            _cell(assessment.get("score")),
            _cell(assessment.get("rules_version")),
            _cell(assessment.get("currency")),
        ]
        for number, package in enumerate(assessment.get("packages") or [], start=1):
            package_keys.update(dict.fromkeys(k for k in package if k not in _NOT_EXPORTED))
            records.append(([*lead, str(number)], dict(package)))
    keys = list(package_keys)
    header = [*CSV_LEAD, *keys]
    rows = [lead + [_cell(package.get(k)) for k in keys] for lead, package in records]
    return header, [[safe_cell(cell) for cell in row] for row in rows]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return _LIST_SEPARATOR.join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return _LIST_SEPARATOR.join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


# -- OCDS ----------------------------------------------------------------------------------


def ocds_release(
    tender: Mapping[str, Any], assessment: Mapping[str, Any], *, date: datetime
) -> dict[str, Any]:
    """An OCDS 1.1 release describing the proposed division as `tender.lots` and
    `tender.items` (each with its `relatedLot`), for a buyer to paste into their system.

    Items keep their published ids; an item that two packages share is repeated with the lot
    id appended, and a package with no items gets one item describing its scope (OCDS links an
    item to one lot only)."""
    ocid = str(tender.get("ocid") or f"lotwise-draft-{tender.get('id') or 'unsaved'}")
    currency = assessment.get("currency") or tender.get("currency")
    packages = list(assessment.get("packages") or [])
    lots = [_lot(str(n), p, currency) for n, p in enumerate(packages, start=1)]
    items = _items(packages, tender.get("items") or [])
    section: dict[str, Any] = {"id": ocid, "title": str(tender.get("title") or "")}
    description = _tender_description(tender, assessment)
    if description:
        section["description"] = description
    value = _value(assessment.get("aggregated_value"), currency)
    if value:
        section["value"] = value
    if lots:
        section["lots"] = lots
    if items:
        section["items"] = items
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-lotwise-{assessment.get('rules_version') or 'draft'}",
        "date": date.isoformat(),
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": section,
    }
    buyer = {k: str(tender[f"buyer_{k}"]) for k in ("id", "name") if tender.get(f"buyer_{k}")}
    if buyer:
        release["buyer"] = buyer
    return release


def ocds_release_package(
    releases: Sequence[Mapping[str, Any]], *, date: datetime
) -> dict[str, Any]:
    """Releases wrapped as an OCDS release package."""
    return {
        "uri": "urn:lotwise:split-proposals",
        "version": OCDS_VERSION,
        "publishedDate": date.isoformat(),
        "publisher": PUBLISHER,
        "extensions": [LOTS_EXTENSION],
        "releases": list(releases),
    }


def _lot(lot_id: str, package: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    lot: dict[str, Any] = {"id": lot_id, "title": str(package.get("title") or f"Lot {lot_id}")}
    parts = [str(package.get("scope") or "").strip()]
    if package.get("reason"):
        parts.append(f"Why a separate lot: {package['reason']}")
    if package.get("depends_on"):
        parts.append(f"Builds on: {', '.join(map(str, package['depends_on']))}.")
    # What a buyer publishes: scope, why it is a lot, what it builds on. Lotwise's own notes
    # (`notes`, e.g. a package still above the micro-contract ceiling) and verdict stay out.
    lot["description"] = "\n".join(p for p in parts if p)
    value = _value(package.get("estimated_value"), currency)
    if value:
        lot["value"] = value
    months = package.get("duration_months")
    if isinstance(months, int) and not isinstance(months, bool) and months > 0:
        lot["contractPeriod"] = {"durationInDays": round(months * DAYS_PER_MONTH)}
    return lot


def _items(
    packages: list[Mapping[str, Any]], published: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {str(item.get("id")): item for item in published if isinstance(item, Mapping)}
    items: list[dict[str, Any]] = []
    used: set[str] = set()
    for number, package in enumerate(packages, start=1):
        lot_id = str(number)
        ids = [str(i) for i in package.get("item_ids") or []]
        if not ids:
            item: dict[str, Any] = {
                "id": f"lot-{lot_id}-scope",
                "description": str(package.get("scope") or package.get("title") or ""),
                "relatedLot": lot_id,
            }
            if package.get("cpv"):
                item["classification"] = {"scheme": "CPV", "id": str(package["cpv"])}
            items.append(item)
            continue
        for item_id in ids:
            source = by_id.get(item_id, {})
            item = {"id": item_id if item_id not in used else f"{item_id}-lot-{lot_id}"}
            used.add(item_id)
            description = source.get("description") or package.get("scope")
            if description:
                item["description"] = str(description)
            classifications = [c for c in source.get("classifications") or [] if c.get("code")]
            if classifications:
                item["classification"] = _classification(classifications[0])
                if len(classifications) > 1:
                    item["additionalClassifications"] = [
                        _classification(c) for c in classifications[1:]
                    ]
            elif package.get("cpv"):
                item["classification"] = {"scheme": "CPV", "id": str(package["cpv"])}
            item["relatedLot"] = lot_id
            items.append(item)
    return items


def _classification(c: Mapping[str, Any]) -> dict[str, Any]:
    out = {"scheme": str(c.get("scheme") or "CPV"), "id": str(c.get("code"))}
    if c.get("description"):
        out["description"] = str(c["description"])
    return out


def _tender_description(tender: Mapping[str, Any], assessment: Mapping[str, Any]) -> str:
    """The buyer's description and a statement on the lots, in words a buyer can publish."""
    parts = [str(tender.get("description") or "").strip()]
    packages = assessment.get("packages") or []
    if len(packages) >= 2:
        parts.append(
            f"The requirement is divided into {len(packages)} lots, so that suppliers can bid "
            "for the parts they do best; suppliers may bid for one lot, several or all. The "
            "lots' values are added together to decide the procedure."
        )
    return "\n\n".join(p for p in parts if p)


def _value(amount: Any, currency: str | None) -> dict[str, Any] | None:
    if amount is None or amount == "":
        return None
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return None
    value: dict[str, Any] = {
        "amount": int(number) if number == number.to_integral_value() else float(number)
    }
    if currency:
        value["currency"] = currency
    return value
