"""Idempotent storage of outcomes, called from the tender store for every tender it stores.

Each tender's outcome is read from what its source published (`outcome_of_tender`) and written
only when its digest changed: the same release twice changes nothing, a later release (an award,
a contract) replaces the tender's awards. Suppliers are upserted by register identifier, so a
supplier named by several sources is one row. One unreadable outcome is stored as unknown,
never an error that stops the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from scanner.ingest.outcome import Outcome, bid_json, contract_json
from scanner.ingest.tender import NormalisedTender
from scanner.ingest.tender_outcome import outcome_of_tender
from scanner.models import Award, AwardSupplier, Supplier, Tender, TenderOutcome

__all__ = ["OutcomeCounts", "backfill_outcomes", "store_outcomes", "store_outcomes_by_id"]

_IN_CHUNK = 500


class OutcomeCounts:
    """How many outcomes a call wrote (new or changed) and left as they were."""

    def __init__(self) -> None:
        self.written = 0
        self.unchanged = 0


def store_outcomes(
    conn: Connection, *, source_id: int, tenders: Sequence[NormalisedTender], now: datetime
) -> OutcomeCounts:
    """Store the outcome of each of `tenders` (already stored under `source_id`)."""
    ids: dict[str, int] = {}
    for chunk in _chunks([t.source_key for t in tenders]):
        rows = conn.execute(
            select(Tender.source_key, Tender.id).where(
                Tender.source_id == source_id, Tender.source_key.in_(chunk)
            )
        )
        ids.update({key: tender_id for key, tender_id in rows})
    return store_outcomes_by_id(
        conn, [(ids[t.source_key], t) for t in tenders if t.source_key in ids], now=now
    )


def store_outcomes_by_id(
    conn: Connection, tenders: Sequence[tuple[int, NormalisedTender]], *, now: datetime
) -> OutcomeCounts:
    """Store outcomes for (tender id, tender) pairs; unchanged ones are skipped by digest."""
    counts = OutcomeCounts()
    known = _stored_hashes(conn, [tender_id for tender_id, _ in tenders])
    changed: list[tuple[int, Outcome, str]] = []
    for tender_id, tender in tenders:
        outcome = _read(tender)
        digest = outcome.content_hash()
        if known.get(tender_id) == digest:
            counts.unchanged += 1
            continue
        changed.append((tender_id, outcome, digest))
    if not changed:
        return counts
    # every changed tender, not only those known: a concurrent ingest may have stored its
    # awards since `known` was read (its tender row lock has since made them visible)
    replaced = [tender_id for tender_id, _, _ in changed]
    for chunk in _chunks(replaced):
        conn.execute(delete(AwardSupplier).where(AwardSupplier.tender_id.in_(chunk)))
        conn.execute(delete(Award).where(Award.tender_id.in_(chunk)))
    _upsert_outcomes(conn, changed, now)
    supplier_ids = _upsert_suppliers(conn, [o for _, o, _ in changed], now)
    award_rows, supplier_rows = _award_rows(changed, supplier_ids)
    if award_rows:
        conn.execute(insert(Award), _without_nul(award_rows))
    if supplier_rows:
        conn.execute(insert(AwardSupplier), _without_nul(supplier_rows))
    counts.written = len(changed)
    return counts


def backfill_outcomes(conn: Connection, *, now: datetime, limit: int = 500) -> int:
    """Store the outcome of up to `limit` tenders that have none yet (stored before outcomes
    were), read from each tender's stored `raw`; returns how many were done."""
    rows = conn.execute(
        select(Tender.id, Tender.source_key, Tender.title, Tender.procedure_type, Tender.raw)
        .outerjoin(TenderOutcome, TenderOutcome.tender_id == Tender.id)
        .where(TenderOutcome.tender_id.is_(None))
        .order_by(Tender.id)
        .limit(limit)
    ).all()
    pending = [
        (
            tender_id,
            NormalisedTender(
                source="", source_key=key, title=title, procedure_type=procedure, raw=raw or {}
            ),
        )
        for tender_id, key, title, procedure, raw in rows
    ]
    store_outcomes_by_id(conn, pending, now=now)
    return len(pending)


def _read(tender: NormalisedTender) -> Outcome:
    try:
        return outcome_of_tender(tender)
    except Exception as exc:  # a surprise in one record is kept as unknown, never fatal
        return Outcome(unknowns=(f"outcome not readable: {type(exc).__name__}: {exc}"[:500],))


def _stored_hashes(conn: Connection, tender_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(tender_ids):
        rows = conn.execute(
            select(TenderOutcome.tender_id, TenderOutcome.content_hash).where(
                TenderOutcome.tender_id.in_(chunk)
            )
        )
        found.update({tender_id: digest for tender_id, digest in rows})
    return found


def _upsert_outcomes(
    conn: Connection, changed: list[tuple[int, Outcome, str]], now: datetime
) -> None:
    rows = [
        {
            "tender_id": tender_id,
            "method": outcome.method,
            "method_details": (outcome.method_details or "")[:200] or None,
            "method_field": outcome.method_field,
            "period_start": outcome.period_start,
            "period_end": outcome.period_end,
            "bid_count": outcome.bid_count,
            "bid_count_field": outcome.bid_count_field,
            "lot_bid_counts": [[lot, count] for lot, count in outcome.lot_bid_counts],
            "bids": [bid_json(b) for b in outcome.bids],
            "contracts": [contract_json(c) for c in outcome.contracts],
            "unknowns": list(outcome.unknowns),
            "content_hash": digest,
            "updated_at": now,
        }
        for tender_id, outcome, digest in changed
    ]
    stmt = _insert(conn, TenderOutcome)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["tender_id"],
            set_={column: stmt.excluded[column] for column in rows[0] if column != "tender_id"},
        ),
        _without_nul(rows),
    )


def _upsert_suppliers(
    conn: Connection, outcomes: list[Outcome], now: datetime
) -> dict[tuple[str, str], int]:
    """Supplier ids by (scheme, identifier); a name or size once known is not forgotten when a
    later notice omits it."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for outcome in outcomes:
        for award in outcome.awards:
            for party in award.suppliers:
                if party.scheme and party.identifier:
                    row = wanted.setdefault(
                        (party.scheme, party.identifier),
                        {
                            "scheme": party.scheme,
                            "identifier": party.identifier,
                            "name": None,
                            "scale": None,
                            "first_seen": now,
                            "last_seen": now,
                        },
                    )
                    row["name"] = row["name"] or (party.name and party.name[:1000])
                    row["scale"] = row["scale"] or party.scale
    ids: dict[tuple[str, str], int] = {}
    keys = sorted(wanted)  # one order for every writer: concurrent upserts cannot deadlock
    for chunk in _chunks(keys):
        stmt = _insert(conn, Supplier)
        upsert = stmt.on_conflict_do_update(
            index_elements=["scheme", "identifier"],
            set_={
                "name": func.coalesce(stmt.excluded.name, Supplier.name),
                "scale": func.coalesce(stmt.excluded.scale, Supplier.scale),
                "last_seen": stmt.excluded.last_seen,
            },
        ).returning(Supplier.scheme, Supplier.identifier, Supplier.id)
        rows = conn.execute(upsert, _without_nul([wanted[key] for key in chunk]))
        ids.update({(scheme, identifier): sid for scheme, identifier, sid in rows})
    return ids


def _award_rows(
    changed: list[tuple[int, Outcome, str]], supplier_ids: dict[tuple[str, str], int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    awards: list[dict[str, Any]] = []
    suppliers: list[dict[str, Any]] = []
    for tender_id, outcome, _ in changed:
        for position, award in enumerate(outcome.awards):
            awards.append(
                {
                    "tender_id": tender_id,
                    "position": position,
                    "award_id": award.award_id,
                    "status": award.status,
                    "date": award.date,
                    "value_amount": award.value_amount,
                    "currency": award.currency,
                    "lot_ids": list(award.lot_ids),
                    "related_bid": award.related_bid,
                }
            )
            for index, party in enumerate(award.suppliers):
                key = (party.scheme or "", party.identifier or "")
                suppliers.append(
                    {
                        "tender_id": tender_id,
                        "award_position": position,
                        "position": index,
                        "supplier_id": supplier_ids.get(key),
                        "party_ref": party.ref,
                        "name": party.name,
                        "scale": party.scale,
                    }
                )
    return awards, suppliers


def _without_nul(value: Any) -> Any:
    """`value` with NUL characters removed from every string: PostgreSQL refuses them in text
    and JSON, and one such identifier must not roll back a whole file. One serialisation (C
    speed) finds that there is none, the usual case: then `value` is returned as it is."""
    try:
        if b"\\u0000" not in orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS):
            return value
    except (TypeError, orjson.JSONEncodeError):
        pass  # not JSON text (a lone surrogate, a huge integer): the walk decides
    return _strip_nul(value)


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_strip_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _strip_nul(item) for key, item in value.items()}
    return value


def _insert(conn: Connection, model: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]
