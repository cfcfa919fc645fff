"""One definition of "open": the SQL clause every query uses agrees with `is_open` on
every status and deadline, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, String, literal, select

from scanner.models.base import UTCDateTime
from scanner.storage.open_tenders import open_clause
from scanner.tender_state import CLOSED_STATUSES, is_open

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
STATUSES = [None, "active", "planning", "Active", *CLOSED_STATUSES, "Cancelled", "COMPLETE"]
DEADLINES = [None, NOW - timedelta(days=1), NOW, NOW + timedelta(seconds=1)]


def test_sql_open_clause_agrees_with_is_open(engine: Engine) -> None:
    with engine.connect() as conn:
        for status in STATUSES:
            for deadline in DEADLINES:
                clause = open_clause(
                    literal(status, String()), literal(deadline, UTCDateTime()), NOW
                )
                in_sql = bool(conn.execute(select(clause)).scalar())
                assert in_sql == is_open(status, deadline, NOW), (status, deadline)
    assert is_open(None, None, NOW) and not is_open("Cancelled", None, NOW)
    assert not is_open("active", NOW, NOW)  # a deadline at `now` has passed
