"""Idempotent storage of tenders: the same notice twice is one row, a changed notice updates
its row and bumps its version, and nothing an earlier crawl stored is deleted.

Writes go through SQLAlchemy Core with executemany and the dialect's ON CONFLICT upsert: the
ORM unit of work is an order of magnitude slower for bulk ingest.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from scanner.ingest.dates import parse_datetime
from scanner.ingest.normalise import NormaliseError, normalise_release
from scanner.ingest.ocds import compile_releases, latest_release, strip_personal_data
from scanner.ingest.storable import IDENTIFIER_LIMIT, release_problem, text_problem
from scanner.ingest.tender import NormalisedTender
from scanner.models import Lot, Release, Tender
from scanner.storage.keys import among
from scanner.storage.outcomes import store_outcomes_by_id

_IN_CHUNK = 500
_ROWS_CHUNK = 100  # release rows serialised per executemany: bounds the batch's peak memory
_LOT_KEY = ("tender_id", "lot_id")


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


def _release_date_key(release: Mapping[str, Any]) -> str:
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
    `last_seen`. An ocid whose stored releases could not be made into a tender is tried again
    whenever it is seen, so a fixed normaliser or a corrective release recovers it. The caller
    owns the transaction: a file ingest can make a whole file atomic.
    """
    result = StoreResult()
    # each release with its content hash and its serialisation (None where orjson refused it)
    by_ocid: dict[str, list[tuple[Mapping[str, Any], str, bytes | None]]] = {}
    for release in releases:
        result.seen += 1
        ocid = release.get("ocid") if isinstance(release, Mapping) else None
        if not isinstance(ocid, str) or not ocid.strip():
            result.errors.append((None, "release has no ocid", _excerpt(release)))
            continue
        encoded = _encode(release)  # one serialisation: checked for NUL, then hashed
        problem = release_problem(release, encoded)
        if problem is not None:  # refused alike on SQLite and PostgreSQL
            result.errors.append((_clean_key(ocid), problem, _excerpt(release)))
            continue
        by_ocid.setdefault(ocid.strip(), []).append(
            (release, release_hash(release, encoded), encoded)
        )
    if not by_ocid:
        return result

    stored_keys = _stored_keys(conn, source_id, list(by_ocid))
    existing = _existing_hashes(conn, source_id, list(by_ocid))
    fresh_by_ocid: dict[str, list[dict[str, Any]]] = {}
    hashes: dict[tuple[str, str, str], str] = {}  # (ocid, id, date) -> hash of what arrived
    unchanged: list[str] = []
    for ocid, incoming in by_ocid.items():
        known = stored_keys.get(ocid, {})
        fresh = []
        first_seen: dict[tuple[str, str], Mapping[str, Any]] = {}
        for release, digest, encoded in incoming:
            key = _release_key(release)
            if key not in known:
                known[key] = hashes[(ocid, *key)] = digest
                first_seen[key] = release
                fresh.append(strip_personal_data(release, encoded))  # only what is stored
                result.errors.extend(
                    (ocid, why, _excerpt(release)) for why in _date_problems(release)
                )
            elif key in first_seen:
                if first_seen[key] != release:
                    reason = (
                        f"release {key[0]!r} dated {key[1]!r} appears again with other "
                        "content; the first was kept"
                    )
                    result.errors.append((_clean_key(ocid), reason, _excerpt(release)))
            elif known[key] is not None and digest != known[key]:
                reason = (
                    f"release {key[0]!r} dated {key[1]!r} arrived again with other content "
                    f"(stored sha256 {str(known[key])[:12]}, received {digest[:12]}); "
                    "the stored one was kept"
                )
                result.errors.append((_clean_key(ocid), reason, _excerpt(release)))
        if fresh or ocid not in existing:
            fresh_by_ocid[ocid] = fresh
        else:
            unchanged.append(ocid)

    history = _stored_releases(conn, source_id, [o for o in fresh_by_ocid if o in stored_keys])
    new_release_rows: list[dict[str, Any]] = []
    tenders: list[NormalisedTender] = []
    single: set[str] = set()  # tenders whose raw payload is their one stored release
    for ocid, fresh in fresh_by_ocid.items():
        new_release_rows.extend(_release_row(source_id, ocid, r, now, hashes) for r in fresh)
        releases_of_ocid = history.get(ocid, []) + fresh
        try:
            tender = _compile_tender(
                releases_of_ocid, source_name, default_tz, stripped=ocid not in history
            )
            tenders.append(tender)
            if len(releases_of_ocid) == 1 and tender.source_key == ocid:
                single.add(ocid)
        except NormaliseError as exc:
            reason = f"release not usable: {exc.reason}"
            result.errors.append((ocid, reason, _excerpt(releases_of_ocid[-1])))
        except Exception as exc:  # a schema surprise in one record never aborts the batch
            reason = f"{type(exc).__name__}: {exc}"
            result.errors.append((ocid, reason, _excerpt(releases_of_ocid[-1])))

    insert_release = _insert(conn, Release).on_conflict_do_nothing()
    for start in range(0, len(new_release_rows), _ROWS_CHUNK):  # their JSON, a part at a time
        conn.execute(insert_release, new_release_rows[start : start + _ROWS_CHUNK])
    stored = store_tenders(
        conn, source_id=source_id, tenders=tenders, now=now, known=existing, raw_in_releases=single
    )
    result.new += stored.new
    result.updated += stored.updated
    result.errors.extend(stored.errors)
    result.unchanged += stored.unchanged + _touch(conn, source_id, unchanged, now)
    return result


_CHECKED_DATES = (("date",), ("tender", "datePublished"), ("tender", "tenderPeriod", "endDate"))


def _date_problems(release: Mapping[str, Any]) -> list[str]:
    """Dates present but unreadable: the release is stored, and the loss is an error row (a
    null `published_at` would silently hide the tender from `--since`)."""
    problems = []
    for path in _CHECKED_DATES:
        value: Any = release
        for step in path:
            value = value.get(step) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value.strip() and parse_datetime(value) is None:
            problems.append(
                f"unreadable date {value[:60]!r} in {'.'.join(path)}; stored without it"
            )
    return problems


def _compile_tender(
    releases: list[dict[str, Any]], source_name: str, default_tz: str, *, stripped: bool = False
) -> NormalisedTender:
    """The tender's current state from all its releases, named by its latest notice (a
    compiled release's own id is `ocid-date`, which is no notice anyone can look up).
    `stripped`: the releases are this batch's, already without personal data."""
    if len(releases) == 1:
        return normalise_release(
            releases[0], source=source_name, default_tz=default_tz, personal_data_stripped=stripped
        )
    tender = normalise_release(
        compile_releases(releases), source=source_name, default_tz=default_tz
    )
    notice_id = latest_release(releases).get("id")
    if isinstance(notice_id, str | int) and not isinstance(notice_id, bool):
        tender = replace(tender, notice_id=str(notice_id))
    return tender


def _release_key(release: Mapping[str, Any]) -> tuple[str, str]:
    return str(release.get("id"))[:300], _release_date_key(release)


def _release_row(
    source_id: int,
    ocid: str,
    release: dict[str, Any],
    now: datetime,
    hashes: Mapping[tuple[str, str, str], str],
) -> dict[str, Any]:
    release_id, date_key = _release_key(release)
    return {
        "source_id": source_id,
        "ocid": ocid,
        "release_id": release_id,
        "date_key": date_key,
        "received_at": now,
        "payload": release,
        "content_hash": hashes.get((ocid, release_id, date_key)),
    }


def release_hash(release: Mapping[str, Any], encoded: bytes | None = None) -> str:
    """sha256 of a release as received, keys sorted: the same release sent again has the
    same hash, one with other content under the same ocid, id and date has another.
    `encoded` is `_encode(release)` when the caller already made it."""
    data = encoded if encoded is not None else _encode(release)
    if data is None:  # integers beyond 64 bits
        data = json.dumps(release, default=_hash_default, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _encode(release: Mapping[str, Any]) -> bytes | None:
    """The release as hashed (orjson, keys sorted), or None where orjson refuses it."""
    try:
        return orjson.dumps(release, default=_hash_default, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


def _hash_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def store_tenders(
    conn: Connection,
    *,
    source_id: int,
    tenders: Sequence[NormalisedTender],
    now: datetime,
    known: Mapping[str, str] | None = None,
    raw_in_releases: Set[str] = frozenset(),
) -> StoreResult:
    """Upsert normalised tenders by (source, source_key); count new, updated, unchanged.
    `known` maps source keys to stored content hashes when the caller has read them.

    The raw payload of a tender in `raw_in_releases` is its only release, stored as received
    in `releases`: `tenders.raw` is left NULL and `Tender.raw` reads that release instead, so
    the payload is written once. The upsert is an executemany without RETURNING (RETURNING
    makes SQLAlchemy expand a batch into statements of thousands of parameters, which
    PostgreSQL re-parses every time); the ids are then read in one query per 500 keys."""
    result = StoreResult(seen=len(tenders))
    if not tenders:
        return result
    latest: dict[str, NormalisedTender] = {}
    rows: dict[str, dict[str, Any]] = {}  # each tender's row, built once: checked, then written
    for tender in tenders:
        row = _tender_row(tender, source_id, "", now)  # checked without `raw`, then given it
        problem = _tender_problem(tender, row)
        if problem is None:
            row["raw"] = tender.raw
            latest[tender.source_key] = tender
            rows[tender.source_key] = row
        else:
            result.errors.append((_clean_key(tender.source_key), problem, _excerpt(tender.raw)))
    if not latest:
        return result
    existing = known if known is not None else _existing_hashes(conn, source_id, list(latest))
    changed_rows: list[dict[str, Any]] = []
    unchanged: list[str] = []
    for key, tender in latest.items():
        digest = tender.content_hash()
        if existing.get(key) == digest:
            unchanged.append(key)
            continue
        if key in existing:
            result.updated += 1
        else:
            result.new += 1
        row = rows[key]
        row["content_hash"] = digest
        if key in raw_in_releases:
            row["raw"] = None
        changed_rows.append(row)
    result.unchanged += _touch(conn, source_id, unchanged, now)
    ids: dict[str, int] = {}
    if changed_rows:
        stmt = _insert(conn, Tender)
        excluded = stmt.excluded
        refreshed = {
            column: excluded[column]
            for column in changed_rows[0]
            if column not in {"source_id", "source_key", "first_seen", "version"}
        }
        refreshed["version"] = Tender.version + 1
        upsert = stmt.on_conflict_do_update(
            index_elements=["source_id", "source_key"], set_=refreshed
        )
        conn.execute(upsert, changed_rows)
        ids = _tender_ids(conn, source_id, [row["source_key"] for row in changed_rows])
        _replace_lots(
            conn,
            [(ids[key], latest[key]) for key in (row["source_key"] for row in changed_rows)],
        )
    if unchanged:
        ids.update(_tender_ids(conn, source_id, unchanged))
    # the outcome hook of every tender seen (an award changes the outcome, not the tender's
    # content hash), with the ids already read instead of reading them all again
    pairs = [(ids[key], tender) for key, tender in latest.items() if key in ids]
    store_outcomes_by_id(conn, pairs, now=now)
    return result


def _tender_problem(tender: NormalisedTender, row: dict[str, Any]) -> str | None:
    """Why `tender` (whose row, still without `raw`, is `row`) does not fit its columns
    (PostgreSQL enforces their widths, SQLite not)."""
    for name, limit in _text_limits(Tender).items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > limit:
            return f"{name} is {len(value)} characters long, over the limit of {limit}"
    lot_limits = _text_limits(Lot)
    for lot in tender.lots:
        for name in ("status", "currency"):
            value = getattr(lot, name)
            if isinstance(value, str) and len(value) > lot_limits[name]:
                return f"lot {lot.lot_id[:40]!r}: {name} is over the limit of {lot_limits[name]}"
    # the raw payload of a tender from releases was checked as its releases; orjson writes
    # the lots' dataclasses itself: no copy of each through `asdict`, which was 2.3 s of a
    # 10,000-release crawl
    return text_problem([row, list(tender.lots)])


@functools.cache
def _text_limits(model: Any) -> dict[str, int]:
    return {
        column.name: column.type.length
        for column in model.__table__.columns
        if getattr(column.type, "length", None)
    }


def _clean_key(key: str) -> str:
    """A record key the error log can hold on every database."""
    return key.replace("\x00", "\\u0000")[:IDENTIFIER_LIMIT]


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
        "place_names": list(tender.place_names),
        "language": None,  # detected again by the next matching run
        "title_language": None,
        "content_hash": digest,
        "version": 1,
        "first_seen": now,
        "last_seen": now,
    }  # and "raw", added once the row is checked


def _classification(c: Any) -> dict[str, Any]:
    return {"scheme": c.scheme, "code": c.code, "description": c.description}


def _replace_lots(conn: Connection, tenders: list[tuple[int, NormalisedTender]]) -> None:
    """Write the lots of upserted tenders, replacing what is stored.

    Every upserted tender's lots are deleted first, not only those known to be updated: a
    concurrent ingest may have stored the tender (and its lots) since this one read the hashes.
    The insert is an upsert for the same reason (the delete cannot see uncommitted rows)."""
    for chunk in _chunks([tender_id for tender_id, _ in tenders]):
        conn.execute(delete(Lot).where(among(conn, Lot.tender_id, chunk)))
    rows = [
        {
            "tender_id": tender_id,
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
        for tender_id, tender in tenders
        for position, lot in enumerate(_unique_lots(tender))
    ]
    if rows:
        stmt = _insert(conn, Lot)
        refreshed = {column: stmt.excluded[column] for column in rows[0] if column not in _LOT_KEY}
        upsert = stmt.on_conflict_do_update(index_elements=list(_LOT_KEY), set_=refreshed)
        conn.execute(upsert, rows)


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
            .where(Tender.source_id == source_id, among(conn, Tender.source_key, chunk))
            .values(last_seen=now)
        ).rowcount
    return touched


def _tender_ids(conn: Connection, source_id: int, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(Tender.source_key, Tender.id).where(
                Tender.source_id == source_id, among(conn, Tender.source_key, chunk)
            )
        )
        found.update({key: tender_id for key, tender_id in rows})
    return found


def _existing_hashes(conn: Connection, source_id: int, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(Tender.source_key, Tender.content_hash).where(
                Tender.source_id == source_id, among(conn, Tender.source_key, chunk)
            )
        )
        found.update({key: digest for key, digest in rows})
    return found


def _stored_keys(
    conn: Connection, source_id: int, ocids: list[str]
) -> dict[str, dict[tuple[str, str], str | None]]:
    """(release id, date key) -> content hash of the stored releases of `ocids`, read from
    their columns (the hash is NULL for releases stored before it was kept)."""
    keys: dict[str, dict[tuple[str, str], str | None]] = {}
    for chunk in _chunks(ocids):
        rows = conn.execute(
            select(Release.ocid, Release.release_id, Release.date_key, Release.content_hash).where(
                Release.source_id == source_id, among(conn, Release.ocid, chunk)
            )
        )
        for ocid, release_id, date_key, digest in rows:
            keys.setdefault(ocid, {})[(release_id, date_key)] = digest
    return keys


def _stored_releases(
    conn: Connection, source_id: int, ocids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    stored: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(ocids):
        rows = conn.execute(
            select(Release.ocid, Release.payload)
            .where(Release.source_id == source_id, among(conn, Release.ocid, chunk))
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


__all__ = ["StoreResult", "save_languages", "store_releases", "store_tenders"]


def save_languages(conn: Connection, languages: Mapping[int, tuple[str, str]]) -> None:
    """Store detected (description, title) languages by tender id ("und": undetermined)."""
    if not languages:
        return
    table = cast(Table, Tender.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("tender_id"))
        .values(language=bindparam("language"), title_language=bindparam("title_language"))
    )
    conn.execute(
        stmt,
        [
            {"tender_id": tid, "language": text, "title_language": title}
            for tid, (text, title) in languages.items()
        ],
    )
