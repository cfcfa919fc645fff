"""An organisation's decisions about its opportunities, and its calendar feed key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from scanner.models import CalendarFeed, Match, Tender, Tracking

# States that keep an opportunity out of the organisation's digests: it said it is not going.
QUIET_STATES = ("dismissed", "no_bid")


def save_state(
    conn: Connection,
    *,
    organisation_id: int,
    tender_id: int,
    opportunity_id: str,
    state: str,
    reason: str | None,
    note: str,
    user_email: str | None,
    now: datetime,
) -> None:
    """Insert or replace the organisation's state of one opportunity."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values: dict[str, Any] = {
        "organisation_id": organisation_id,
        "tender_id": tender_id,
        "opportunity_id": opportunity_id,
        "state": state,
        "reason": reason,
        "note": note,
        "user_email": user_email,
        "created_at": now,
        "updated_at": now,
    }
    stmt = dialect.insert(Tracking).values(**values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["organisation_id", "opportunity_id"],
            set_={
                k: stmt.excluded[k] for k in ("state", "reason", "note", "user_email", "updated_at")
            },
        )
    )


def clear_state(conn: Connection, organisation_id: int, opportunity_id: str) -> bool:
    """Forget the organisation's state of one opportunity; False when there was none."""
    done = conn.execute(
        delete(Tracking).where(
            Tracking.organisation_id == organisation_id, Tracking.opportunity_id == opportunity_id
        )
    )
    return bool(done.rowcount)


def state_of(conn: Connection, organisation_id: int, opportunity_id: str) -> RowMapping | None:
    return (
        conn.execute(
            select(Tracking.__table__).where(
                Tracking.organisation_id == organisation_id,
                Tracking.opportunity_id == opportunity_id,
            )
        )
        .mappings()
        .one_or_none()
    )


def states(conn: Connection, organisation_id: int) -> dict[str, RowMapping]:
    """Opportunity id -> the organisation's state of it."""
    rows = conn.execute(
        select(Tracking.__table__).where(Tracking.organisation_id == organisation_id)
    ).mappings()
    return {row["opportunity_id"]: row for row in rows}


def tracked(conn: Connection, organisation_id: int) -> list[RowMapping]:
    """Every tracked opportunity with its tender's title, buyer and deadline, and its match's
    title and kind while it still matches (a closed tender's match is gone; its state stays)."""
    stmt = (
        select(
            Tracking.__table__,
            Tender.title.label("tender_title"),
            Tender.buyer_name,
            Tender.deadline_at,
            Tender.status.label("tender_status"),
            Match.title.label("match_title"),
            Match.kind,
        )
        .join(Tender, Tender.id == Tracking.tender_id)
        .outerjoin(
            Match,
            and_(
                Match.organisation_id == Tracking.organisation_id,
                Match.opportunity_id == Tracking.opportunity_id,
            ),
        )
        .where(Tracking.organisation_id == organisation_id)
        .order_by(Tracking.state, Tender.deadline_at, Tracking.id)
    )
    return list(conn.execute(stmt).mappings())


def match_tender(conn: Connection, organisation_id: int, opportunity_id: str) -> int | None:
    """The tender of the organisation's match (or earlier tracked state) of `opportunity_id`."""
    found = conn.scalar(
        select(Match.tender_id).where(
            Match.organisation_id == organisation_id, Match.opportunity_id == opportunity_id
        )
    )
    if found is None:
        found = conn.scalar(
            select(Tracking.tender_id).where(
                Tracking.organisation_id == organisation_id,
                Tracking.opportunity_id == opportunity_id,
            )
        )
    return found


def calendar_key(conn: Connection, organisation_id: int) -> str | None:
    return conn.scalar(
        select(CalendarFeed.key).where(CalendarFeed.organisation_id == organisation_id)
    )


def set_calendar_key(conn: Connection, organisation_id: int, key: str, now: datetime) -> None:
    """Make `key` the organisation's feed key (a new key revokes the old URL)."""
    changed = conn.execute(
        update(CalendarFeed)
        .where(CalendarFeed.organisation_id == organisation_id)
        .values(key=key, created_at=now)
    )
    if not changed.rowcount:
        conn.execute(
            insert(CalendarFeed).values(organisation_id=organisation_id, key=key, created_at=now)
        )


__all__ = [
    "QUIET_STATES",
    "calendar_key",
    "clear_state",
    "match_tender",
    "save_state",
    "set_calendar_key",
    "state_of",
    "states",
    "tracked",
]
