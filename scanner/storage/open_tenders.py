"""The SQL form of "open at `now`" (`scanner.tender_state`): status not closed (or none),
deadline after `now` (or none). Every query for open tenders uses this clause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_

from scanner.models import Tender, TenderListing
from scanner.tender_state import CLOSED_STATUSES


def open_clause(status: Any, deadline: Any, now: datetime | ColumnElement[Any]) -> Any:
    """The condition on a status and a deadline column (of `tenders` or `tender_listing`);
    `now` a moment or a bound parameter (a statement built once)."""
    return and_(
        or_(status.is_(None), func.lower(status).not_in(CLOSED_STATUSES)),
        or_(deadline.is_(None), deadline > now),
    )


def tender_is_open(now: datetime | ColumnElement[Any]) -> Any:
    """The condition on the `tenders` table."""
    return open_clause(Tender.status, Tender.deadline_at, now)


def listing_is_open(now: datetime) -> Any:
    """The condition on `tender_listing` (the officer list): its `closed` column is the status
    test, kept by triggers from `CLOSED_STATUSES`, so the status part stays on the list's
    indexes (`should_split, closed, ...`); the deadline is tested as on `tenders`."""
    deadline = TenderListing.deadline_at
    return and_(TenderListing.closed.is_(False), or_(deadline.is_(None), deadline > now))
