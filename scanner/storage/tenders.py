"""Idempotent storage of tenders: the same notice twice is one row, a changed notice updates
its row and bumps its version, and nothing an earlier crawl stored is deleted.

Writes go through SQLAlchemy Core with executemany and the dialect's ON CONFLICT upsert: the
ORM unit of work is an order of magnitude slower for bulk ingest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from scanner.ingest.normalise import NormaliseError, normalise_release
from scanner.ingest.ocds import compile_releases, strip_personal_data
from scanner.ingest.tender import NormalisedTender
from scanner.models import Lot, Release, Tender

_IN_CHUNK = 500


@dataclass
class StoreResult:
    """What one batch did. `errors` are records that could not be stored, as
    (record key, reason, excerpt) for the crawl error log."""

    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str | None, str, str]] = field(default_factory=list)

    def add(self, other: StoreResult) -> None:
        self.seen += other.seen
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


def release_date_key(release: Mapping[str, Any]) -> str:
    date = release.get("date")
    return date[:40] if isinstance(date, str) else ""


def store_releases(
    conn: Connection,
    *,
    source_id: int,
    source_name: str,
    releases: Iterable[Mapping[str, Any]],
    now: datetime,
    default_tz: str = "UTC",
) -> StoreResult:
    """Store OCDS releases and compile each touched ocid into its tender's current state.

    Releases already stored (same ocid, id and date) change nothing but the tender's
    `last_seen`. The caller owns the transaction: a file ingest can make a whole file atomic.
    """
    result = StoreResult()
    by_ocid: dict[str, list[Mapping[str, Any]]] = {}
    for release in releases:
        result.seen += 1
        ocid = release.get("ocid") if isinstance(release, Mapping) else None
        if not isinstance(ocid, str) or not ocid.strip():
            result.errors.append((None, "release has no ocid", _excerpt(release)))
            continue
        by_ocid.setdefault(ocid.strip(), []).append(release)  # stripped below, if new
    if not by_ocid:
        return result

    stored_keys = _stored_keys(conn, source_id, list(by_ocid))
    all_stored = {
        ocid for ocid, incoming in by_ocid.items() if _all_stored(incoming, stored_keys.get(ocid))
    }
    stored = _stored_releases(conn, source_id, [o for o in stored_keys if o not in all_stored])
    new_release_rows: list[dict[str, Any]] = []
    tenders: list[NormalisedTender] = []
    unchanged_keys: list[str] = []
    for ocid, incoming in by_ocid.items():
        if ocid in all_stored:
            unchanged_keys.append(ocid)
            continue
        known = stored.get(ocid, [])
        known_keys = {(str(r.get("id")), release_date_key(r)) for r in known}
        fresh: list[dict[str, Any]] = []
        for release in incoming:
            key = (str(release.get("id")), release_date_key(release))
            if key not in known_keys:
                known_keys.add(key)
                fresh.append(strip_personal_data(release))
        if not fresh:
            unchanged_keys.append(ocid)
            continue
        new_release_rows.extend(
            {
                "source_id": source_id,
                "ocid": ocid,
                "release_id": str(r.get("id"))[:300],
                "date_key": release_date_key(r),
                "received_at": now,
                "payload": r,
            }
            for r in fresh
        )
        history = known + fresh
        try:
            compiled = history[0] if len(history) == 1 else compile_releases(history)
            tenders.append(normalise_release(compiled, source=source_name, default_tz=default_tz))
        except NormaliseError as exc:
            result.errors.append((ocid, f"release not usable: {exc.reason}", _excerpt(fresh[-1])))
        except Exception as exc:  # a schema surprise in one record never aborts the batch
            result.errors.append((ocid, f"{type(exc).__name__}: {exc}", _excerpt(fresh[-1])))

    if new_release_rows:
        conn.execute(_insert(conn, Release).on_conflict_do_nothing(), new_release_rows)
    tender_result = store_tenders(conn, source_id=source_id, tenders=tenders, now=now)
    result.new += tender_result.new
    result.updated += tender_result.updated
    result.unchanged += tender_result.unchanged + _touch(conn, source_id, unchanged_keys, now)
    return result


def store_tenders(
    conn: Connection, *, source_id: int, tenders: Sequence[NormalisedTender], now: datetime
) -> StoreResult:
    """Upsert normalised tenders by (source, source_key); count new, updated, unchanged."""
    result = StoreResult(seen=len(tenders))
    if not tenders:
        return result
    latest: dict[str, NormalisedTender] = {t.source_key: t for t in tenders}
    existing = _existing_hashes(conn, source_id, list(latest))
    changed_rows: list[dict[str, Any]] = []
    unchanged: list[str] = []
    digests = _content_hashes(latest)
    for key, tender in latest.items():
        digest = digests[key]
        if existing.get(key) == digest:
            unchanged.append(key)
            continue
        if key in existing:
            result.updated += 1
        else:
            result.new += 1
        changed_rows.append(_tender_row(tender, source_id, digest, now))
    result.unchanged += _touch(conn, source_id, unchanged, now)
    if changed_rows:
        stmt = _insert(conn, Tender)
        excluded = stmt.excluded
        refreshed = {
            column: excluded[column]
            for column in changed_rows[0]
            if column not in {"source_id", "source_key", "first_seen", "version"}
        }
        refreshed["version"] = Tender.version + 1
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["source_id", "source_key"], set_=refreshed),
            changed_rows,
        )
        _replace_lots(conn, source_id, [latest[row["source_key"]] for row in changed_rows])
    return result


def _tender_row(
    tender: NormalisedTender, source_id: int, digest: str, now: datetime
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "source_key": tender.source_key,
        "ocid": tender.ocid,
        "notice_id": tender.notice_id,
        "notice_url": tender.notice_url,
        "notice_type": tender.notice_type,
        "title": tender.title,
        "description": tender.description,
        "buyer_name": tender.buyer_name,
        "buyer_id": tender.buyer_id,
        "value_amount": tender.value_amount,
        "currency": tender.currency,
        "published_at": tender.published_at,
        "deadline_at": tender.deadline_at,
        "updated_at": tender.updated_at,
        "status": tender.status,
        "procedure_type": tender.procedure_type,
        "main_cpv": tender.main_cpv,
        "cpv_codes": list(tender.cpv_codes),
        "classifications": [_classification(c) for c in tender.classifications],
        "regions": list(tender.regions),
        "countries": list(tender.countries),
        "items": [
            {
                "id": item.id,
                "description": item.description,
                "classifications": [_classification(c) for c in item.classifications],
                "related_lot": item.related_lot,
                "regions": list(item.regions),
            }
            for item in tender.items
        ],
        "suitable_sme": tender.suitable_sme,
        "suitable_vcse": tender.suitable_vcse,
        "content_hash": digest,
        "version": 1,
        "first_seen": now,
        "last_seen": now,
        "raw": tender.raw,
    }


def _classification(c: Any) -> dict[str, Any]:
    return {"scheme": c.scheme, "code": c.code, "description": c.description}


def _replace_lots(conn: Connection, source_id: int, tenders: list[NormalisedTender]) -> None:
    ids = _tender_ids(conn, source_id, [t.source_key for t in tenders])
    tender_ids = list(ids.values())
    for chunk in _chunks(tender_ids):
        conn.execute(delete(Lot).where(Lot.tender_id.in_(chunk)))
    rows = [
        {
            "tender_id": ids[t.source_key],
            "position": position,
            "lot_id": lot.lot_id[:300],
            "title": lot.title,
            "description": lot.description,
            "value_amount": lot.value_amount,
            "currency": lot.currency,
            "status": lot.status,
            "cpv_codes": [c.code for c in lot.classifications if c.scheme.upper() == "CPV"],
            "related_items": list(lot.related_items),
        }
        for t in tenders
        for position, lot in enumerate(_unique_lots(t))
    ]
    if rows:
        conn.execute(insert(Lot), rows)


def _unique_lots(tender: NormalisedTender) -> list[Any]:
    seen: dict[str, Any] = {}
    for lot in tender.lots:
        seen.setdefault(lot.lot_id[:300], lot)
    return list(seen.values())


def _touch(conn: Connection, source_id: int, keys: list[str], now: datetime) -> int:
    """Mark tenders seen again without changing them; returns how many exist."""
    touched = 0
    for chunk in _chunks(keys):
        touched += conn.execute(
            update(Tender)
            .where(Tender.source_id == source_id, Tender.source_key.in_(chunk))
            .values(last_seen=now)
        ).rowcount
    return touched


def _existing_hashes(conn: Connection, source_id: int, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(Tender.source_key, Tender.content_hash).where(
                Tender.source_id == source_id, Tender.source_key.in_(chunk)
            )
        )
        found.update({key: digest for key, digest in rows})
    return found


def _tender_ids(conn: Connection, source_id: int, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(Tender.source_key, Tender.id).where(
                Tender.source_id == source_id, Tender.source_key.in_(chunk)
            )
        )
        found.update({key: tender_id for key, tender_id in rows})
    return found


def _content_hashes(tenders: Mapping[str, NormalisedTender]) -> dict[str, str]:
    """`NormalisedTender.content_hash()` of each tender, computed without `dataclasses.asdict`,
    which deep-copies the whole raw release only to drop it (half the ingest time). The first
    digest is checked against `content_hash()`: should that definition change, every tender
    falls back to it rather than being wrongly judged changed or unchanged."""
    digests = {key: _content_hash(tender) for key, tender in tenders.items()}
    first_key = next(iter(tenders), None)
    if first_key is not None and digests[first_key] != tenders[first_key].content_hash():
        return {key: tender.content_hash() for key, tender in tenders.items()}
    return digests


def _content_hash(tender: NormalisedTender) -> str:
    data = _field_values(tender)
    del data["raw"]
    options = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return hashlib.sha256(orjson.dumps(data, default=_hash_default, option=options)).hexdigest()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_values(obj: Any) -> dict[str, Any]:
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    return {name: getattr(obj, name) for name in names}


def _hash_default(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _field_values(value)  # nested Item, Lot, Classification: as asdict makes them
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def _stored_keys(
    conn: Connection, source_id: int, ocids: list[str]
) -> dict[str, set[tuple[str, str]]]:
    """(release id, date key) of the stored releases of `ocids`, read from their columns."""
    keys: dict[str, set[tuple[str, str]]] = {}
    for chunk in _chunks(ocids):
        rows = conn.execute(
            select(Release.ocid, Release.release_id, Release.date_key).where(
                Release.source_id == source_id, Release.ocid.in_(chunk)
            )
        )
        for ocid, release_id, date_key in rows:
            keys.setdefault(ocid, set()).add((release_id, date_key))
    return keys


def _all_stored(incoming: list[Mapping[str, Any]], stored: set[tuple[str, str]] | None) -> bool:
    """Whether every incoming release is stored already, without decoding stored payloads:
    the common case when overlapping windows read a listing again. Ids of 300 characters or
    more are cut in their column, so those are left to the payload comparison."""
    if not stored:
        return False
    for release in incoming:
        release_id = str(release.get("id"))
        if len(release_id) >= 300 or (release_id, release_date_key(release)) not in stored:
            return False
    return True


def _stored_releases(
    conn: Connection, source_id: int, ocids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    stored: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(ocids):
        rows = conn.execute(
            select(Release.ocid, Release.payload)
            .where(Release.source_id == source_id, Release.ocid.in_(chunk))
            .order_by(Release.id)
        )
        for ocid, payload in rows:
            stored.setdefault(ocid, []).append(payload)
    return stored


def _insert(conn: Connection, model: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _excerpt(value: Any, limit: int = 500) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = ["StoreResult", "store_releases", "store_tenders"]
