"""Stored matches: the tenders worth matching, and the upsert that keeps `found_at` stable.

A pair keeps its row (and its `found_at`) while it stays in the organisation's ranked list, so
a digest can ask for "found since the last digest"; a pair that drops out is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from scanner.models import (
    CanonicalMember,
    Match,
    Organisation,
    Source,
    SplitAssessment,
    Tender,
)
from scanner.models import Lot as LotRow
from scanner.storage.assessments import _TENDER_COLUMNS, StaleTender
from scanner.storage.open_tenders import tender_is_open


def open_tenders(
    conn: Connection, *, now: datetime, after_id: int, limit: int
) -> list[tuple[StaleTender, list[dict[str, Any]]]]:
    """Up to `limit` tenders still open at `now` (id above `after_id`, in id order), each with
    the packages its stored split assessment proposes (empty when not assessed yet); of a
    tender published by several sources, only the one its canonical opportunity is named by."""
    stmt = (
        select(
            *_TENDER_COLUMNS,
            Source.name.label("source_name"),
            SplitAssessment.data.label("assessment"),
        )
        .join(Source, Source.id == Tender.source_id)
        .outerjoin(SplitAssessment, SplitAssessment.tender_id == Tender.id)
        .outerjoin(CanonicalMember, CanonicalMember.tender_id == Tender.id)
        .where(
            Tender.id > after_id,
            # One opportunity published by several sources is matched once, through the
            # member that stands for its canonical opportunity.
            or_(CanonicalMember.tender_id.is_(None), CanonicalMember.canonical_id == Tender.id),
            tender_is_open(now),
        )
        .order_by(Tender.id)
        .limit(limit)
    )
    rows = conn.execute(stmt).mappings().all()
    lots: dict[int, list[Mapping[Any, Any]]] = {}
    if rows:
        for lot in conn.execute(
            select(LotRow.__table__)
            .where(LotRow.tender_id.in_([r["id"] for r in rows]))
            .order_by(LotRow.tender_id, LotRow.position)
        ).mappings():
            lots.setdefault(lot["tender_id"], []).append(lot)
    found = []
    for row in rows:
        stale = StaleTender(row["id"], row["version"], False, row, tuple(lots.get(row["id"], ())))
        assessment = row["assessment"] if isinstance(row["assessment"], dict) else {}
        packages = assessment.get("packages") or []
        found.append((stale, [p for p in packages if isinstance(p, dict)]))
    return found


def organisation_keys(conn: Connection) -> dict[str, tuple[int, int]]:
    """Active organisations: slug -> (row id, profile version)."""
    rows = conn.execute(
        select(Organisation.slug, Organisation.id, Organisation.version).where(
            Organisation.active.is_(True)
        )
    )
    return {slug: (key, version) for slug, key, version in rows}


def replace_matches(
    conn: Connection, organisation_id: int, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Make `rows` the organisation's matches: upsert them (a known pair keeps `found_at`, and
    so does a known tender matched through another of its parts) and delete the pairs no
    longer among them."""
    first_found = dict(
        conn.execute(
            select(Match.tender_id, func.min(Match.found_at))
            .where(Match.organisation_id == organisation_id)
            .group_by(Match.tender_id)
        ).all()
    )
    # A tender now fitting through another part (its package instead of the whole) is not new.
    rows = [{**row, "found_at": first_found.get(row["tender_id"], row["found_at"])} for row in rows]
    keep = [row["opportunity_id"] for row in rows]
    conn.execute(
        delete(Match).where(
            and_(Match.organisation_id == organisation_id, Match.opportunity_id.not_in(keep))
            if keep
            else Match.organisation_id == organisation_id
        )
    )
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Match)
    refreshed = {
        column: stmt.excluded[column]
        for column in rows[0]
        if column not in ("organisation_id", "opportunity_id", "found_at")
    }
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["organisation_id", "opportunity_id"], set_=refreshed
        ),
        list(rows),
    )


def known_opportunities(conn: Connection, organisation_id: int) -> set[str]:
    """The opportunity ids the organisation already has stored matches for."""
    rows = conn.execute(
        select(Match.opportunity_id).where(Match.organisation_id == organisation_id)
    )
    return set(rows.scalars())


def _stored_matches_statement(*, one_organisation: bool, open_only: bool) -> Any:
    stmt = (
        select(
            Match.__table__,
            Organisation.slug.label("organisation"),
            Tender.source_key,
            Tender.title.label("tender_title"),
            Tender.buyer_name,
            Tender.value_amount,
            Tender.currency,
            Tender.deadline_at,
            Tender.notice_url,
        )
        .join(Organisation, Organisation.id == Match.organisation_id)
        .join(Tender, Tender.id == Match.tender_id)
        .order_by(Organisation.slug, Match.score.desc(), Match.opportunity_id)
    )
    if one_organisation:
        stmt = stmt.where(Match.organisation_id == bindparam("organisation_id"))
    if open_only:  # scanner.tender_state
        stmt = stmt.where(tender_is_open(bindparam("open_at", type_=Tender.deadline_at.type)))
    return stmt


# Built once (an organisation's matches page asks for them on every request; building the
# statement took more of the process's time than running it).
_STORED_MATCHES = {
    (one, open_only): _stored_matches_statement(one_organisation=one, open_only=open_only)
    for one in (False, True)
    for open_only in (False, True)
}


def stored_matches(
    conn: Connection, *, organisation_id: int | None = None, open_at: datetime | None = None
) -> list[RowMapping]:
    """Stored matches with their tender's buyer, value, deadline and link, best first; with
    `open_at`, only those whose tender is still open then (a deadline passed since the last
    refresh leaves the list at once, as it leaves digests and the calendar)."""
    stmt = _STORED_MATCHES[(organisation_id is not None, open_at is not None)]
    params: dict[str, Any] = {}
    if organisation_id is not None:
        params["organisation_id"] = organisation_id
    if open_at is not None:
        params["open_at"] = open_at
    return list(conn.execute(stmt, params).mappings())


__all__ = [
    "known_opportunities",
    "open_tenders",
    "organisation_keys",
    "replace_matches",
    "stored_matches",
]
