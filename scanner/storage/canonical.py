"""Stored canonical opportunities: what de-duplication reads (tenders with their last
placement, exclusions) and writes (placements with reasons, reporting values, canonical rows
rebuilt from their members), and the operator's unmerge."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scanner.models import (
    CanonicalMember,
    CanonicalOpportunity,
    DedupeExclusion,
    Lot,
    Source,
    Tender,
    TenderValue,
)

_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredTender:
    """A tender's columns de-duplication needs, its last placement and its converted value."""

    id: int
    source: str
    version: int
    title: str
    buyer_name: str | None
    deadline_at: datetime | None
    published_at: datetime | None
    updated_at: datetime | None
    value_amount: Any
    currency: str | None
    canonical_id: int | None
    member_version: int | None
    method: str | None
    identifiers: dict[str, Any] | None
    value_version: int | None
    rates_key: str | None
    value_reporting: Any


@dataclass(frozen=True, slots=True)
class TenderDetail:
    """What identifiers and lot values are read from (only for tenders being refreshed)."""

    ocid: str | None
    notice_id: str | None
    notice_url: str | None
    description: str | None
    raw: dict[str, Any]
    lots: tuple[tuple[str, Any, str | None], ...]  # (lot id, amount, currency)


class NotMergedError(LookupError):
    """`unmerge` of a tender that is not merged with any other (the message says which)."""


def load_tenders(conn: Connection) -> list[StoredTender]:
    """Every tender, in id order, without its raw payload."""
    stmt = (
        select(
            Tender.id,
            Source.name,
            Tender.version,
            Tender.title,
            Tender.buyer_name,
            Tender.deadline_at,
            Tender.published_at,
            Tender.updated_at,
            Tender.value_amount,
            Tender.currency,
            CanonicalMember.canonical_id,
            CanonicalMember.tender_version,
            CanonicalMember.method,
            CanonicalMember.identifiers,
            TenderValue.tender_version,
            TenderValue.rates_key,
            TenderValue.value_reporting,
        )
        .join(Source, Source.id == Tender.source_id)
        .outerjoin(CanonicalMember, CanonicalMember.tender_id == Tender.id)
        .outerjoin(TenderValue, TenderValue.tender_id == Tender.id)
        .order_by(Tender.id)
    )
    return [StoredTender(*tuple(row)) for row in conn.execute(stmt)]


def load_details(conn: Connection, ids: Sequence[int]) -> dict[int, TenderDetail]:
    lots: dict[int, list[tuple[str, Any, str | None]]] = {}
    details: dict[int, TenderDetail] = {}
    for chunk in _chunks(list(ids)):
        for tender_id, lot_id, amount, currency in conn.execute(
            select(Lot.tender_id, Lot.lot_id, Lot.value_amount, Lot.currency)
            .where(Lot.tender_id.in_(chunk))
            .order_by(Lot.tender_id, Lot.position)
        ):
            lots.setdefault(tender_id, []).append((lot_id, amount, currency))
        for row in conn.execute(
            select(
                Tender.id,
                Tender.ocid,
                Tender.notice_id,
                Tender.notice_url,
                Tender.description,
                Tender.raw,
            ).where(Tender.id.in_(chunk))
        ):
            details[row[0]] = TenderDetail(
                row[1], row[2], row[3], row[4], row[5] or {}, tuple(lots.get(row[0], ()))
            )
    return details


def load_exclusions(conn: Connection) -> set[tuple[int, int]]:
    return {
        (a, b) for a, b in conn.execute(select(DedupeExclusion.tender_a, DedupeExclusion.tender_b))
    }


def save_members(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    _upsert(conn, CanonicalMember, rows, "tender_id")


def save_values(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    _upsert(conn, TenderValue, rows, "tender_id")


def refresh_members(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """New version and identifiers of tenders that keep their place (`key`, `version`,
    `identifiers` per row)."""
    if rows:
        conn.execute(
            update(CanonicalMember)
            .where(CanonicalMember.tender_id == bindparam("key"))
            .values(tender_version=bindparam("version"), identifiers=bindparam("identifiers")),
            list(rows),
        )


def rebuild_canonicals(conn: Connection, canonical_ids: Iterable[int], now: datetime) -> None:
    """Make each canonical row equal to its members: every field from the most recently
    updated member that has it (so a later notice's change shows); no members, no row."""
    ids = sorted(set(canonical_ids))
    for chunk in _chunks(ids):
        conn.execute(delete(CanonicalOpportunity).where(CanonicalOpportunity.id.in_(chunk)))
        groups: dict[int, list[Any]] = {}
        for row in conn.execute(
            select(
                CanonicalMember.canonical_id,
                Tender.title,
                Tender.buyer_name,
                Tender.deadline_at,
                Tender.value_amount,
                Tender.currency,
                TenderValue.value_reporting,
                func.coalesce(Tender.updated_at, Tender.last_seen).label("moment"),
                Tender.id,
            )
            .join(Tender, Tender.id == CanonicalMember.tender_id)
            .outerjoin(TenderValue, TenderValue.tender_id == Tender.id)
            .where(CanonicalMember.canonical_id.in_(chunk))
        ):
            groups.setdefault(row[0], []).append(row)
        rows = [_canonical_row(cid, members, now) for cid, members in groups.items()]
        if rows:
            conn.execute(insert(CanonicalOpportunity), rows)


def _canonical_row(canonical_id: int, members: list[Any], now: datetime) -> dict[str, Any]:
    newest = sorted(members, key=lambda m: (_sortable(m.moment), m.id), reverse=True)

    def first(name: str) -> Any:
        return next((getattr(m, name) for m in newest if getattr(m, name) is not None), None)

    with_value = next((m for m in newest if m.value_amount is not None), None)
    return {
        "id": canonical_id,
        "title": first("title") or "",
        "buyer_name": first("buyer_name"),
        "deadline_at": first("deadline_at"),
        "value_amount": with_value.value_amount if with_value else None,
        "currency": with_value.currency if with_value else None,
        "value_reporting": first("value_reporting"),
        "member_count": len(members),
        "updated_at": now,
    }


def _sortable(moment: Any) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment or "")


def group_members(conn: Connection, canonical_id: int) -> list[dict[str, Any]]:
    """The members of one canonical opportunity with their source and merge reasons."""
    stmt = (
        select(
            CanonicalMember.tender_id,
            Source.name,
            Tender.title,
            Tender.notice_url,
            CanonicalMember.method,
            CanonicalMember.matched_tender_id,
            CanonicalMember.score,
            CanonicalMember.reasons,
        )
        .join(Tender, Tender.id == CanonicalMember.tender_id)
        .join(Source, Source.id == Tender.source_id)
        .where(CanonicalMember.canonical_id == canonical_id)
        .order_by(CanonicalMember.tender_id)
    )
    return [
        {
            "tender_id": r[0],
            "source": r[1],
            "title": r[2],
            "notice_url": r[3],
            "method": r[4],
            "matched_tender_id": r[5],
            "score": None if r[6] is None else round(r[6], 3),
            "reasons": r[7] or [],
        }
        for r in conn.execute(stmt)
    ]


def canonical_of(conn: Connection, tender_id: int) -> int | None:
    return conn.execute(
        select(CanonicalMember.canonical_id).where(CanonicalMember.tender_id == tender_id)
    ).scalar()


def canonical_rows(conn: Connection, *, merged_only: bool, ids: Sequence[int] = ()) -> list[Any]:
    stmt = select(CanonicalOpportunity).order_by(CanonicalOpportunity.id)
    if merged_only:
        stmt = stmt.where(CanonicalOpportunity.member_count > 1)
    if ids:
        stmt = stmt.where(CanonicalOpportunity.id.in_(list(ids)))
    return list(conn.execute(stmt).all())


def unmerge(conn: Connection, tender_id: int, now: datetime) -> list[int]:
    """Take a tender out of its canonical opportunity into one of its own, and remember it is
    not the same as any member it leaves. Returns those members' ids."""
    canonical_id = canonical_of(conn, tender_id)
    if canonical_id is None:
        raise NotMergedError(f"tender {tender_id} has not been de-duplicated yet")
    others = [
        i
        for (i,) in conn.execute(
            select(CanonicalMember.tender_id).where(
                CanonicalMember.canonical_id == canonical_id, CanonicalMember.tender_id != tender_id
            )
        )
    ]
    if not others:
        raise NotMergedError(f"tender {tender_id} is not merged with any other tender")
    known = load_exclusions(conn)
    fresh = [
        {"tender_a": min(tender_id, o), "tender_b": max(tender_id, o), "created_at": now}
        for o in others
        if (min(tender_id, o), max(tender_id, o)) not in known
    ]
    if fresh:
        conn.execute(insert(DedupeExclusion), fresh)
    reason = {
        "field": "unmerged",
        "score": 0.0,
        "passed": False,
        "detail": f"split by an operator at {now.isoformat()}; never merged again with "
        + ", ".join(f"#{o}" for o in others),
    }
    conn.execute(
        update(CanonicalMember)
        .where(CanonicalMember.tender_id == tender_id)
        .values(
            canonical_id=tender_id,
            method="unmerged",
            matched_tender_id=None,
            score=None,
            reasons=[reason],
            linked_at=now,
        )
    )
    remaining = canonical_id
    if canonical_id == tender_id:  # it named the group: the others take the smallest id left
        remaining = min(others)
        conn.execute(
            update(CanonicalMember)
            .where(CanonicalMember.tender_id.in_(others))
            .values(canonical_id=remaining)
        )
    rebuild_canonicals(conn, {tender_id, canonical_id, remaining}, now)
    return others


def _upsert(conn: Connection, model: Any, rows: Sequence[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), _IN_CHUNK):
        chunk = rows[start : start + _IN_CHUNK]
        stmt = dialect.insert(model)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[key],
                set_={c: stmt.excluded[c] for c in chunk[0] if c != key},
            ),
            chunk,
        )


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def tender_value(session: Session, tender_id: int) -> TenderValue | None:
    """The tender's stored reporting value (tender and lots), or None."""
    return session.get(TenderValue, tender_id)
