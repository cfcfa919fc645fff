"""The officer list's counts kept per filter (migration 0023, issue 16), on both databases: a
kept count is reused without counting while nothing changed, and is counted again after any
committed change to the listing or once a deadline has passed ("open" tenders)."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session
from statements import recorded_statements
from test_listing_search import NOW, stored

from scanner.models import SplitAssessment, Tender, TenderListing, TenderListingVersion
from scanner.services.web_officer import ListingCounts, OfficerFilter, list_flagged
from scanner.storage.officer_listing import _count_conditions

__all__ = ["stored"]  # the fixture, shared with test_listing_search


def counting(engine: Engine) -> AbstractContextManager[list[str]]:
    """The COUNT statements `engine` runs while the block runs."""
    return recorded_statements(engine, keep=lambda statement: "count(" in statement.lower())


def total(engine: Engine, counts: ListingCounts, **filters: Any) -> tuple[int, bool]:
    """The list's total, and whether it was counted (not reused)."""
    with counting(engine) as statements, Session(engine) as session:
        _, found = list_flagged(session, OfficerFilter(**{"now": NOW, **filters}), counts)
    return found, bool(statements)


def version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(TenderListingVersion.version)) or 0)


def test_a_kept_count_is_reused_until_the_listing_changes(
    engine: Engine, stored: dict[str, int]
) -> None:
    counts = ListingCounts()
    assert total(engine, counts) == (3, True)
    assert total(engine, counts) == (3, False)
    assert total(engine, counts, cpv="72") == (1, True)  # each filter its own count
    assert total(engine, counts, page=2, sort="value") == (3, False)  # page and sort: the same
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == stored["ocds-b"]).values(status="cancelled"))
    assert total(engine, counts) == (2, True)
    assert total(engine, counts, status="all") == (3, True)
    with engine.begin() as conn:
        conn.execute(delete(SplitAssessment).where(SplitAssessment.tender_id == stored["ocds-c"]))
    assert total(engine, counts) == (1, True)
    assert total(engine, counts, status="all") == (2, True)
    assert total(engine, counts, status="all") == (2, False)


def test_an_open_count_is_counted_again_once_a_deadline_has_passed(
    engine: Engine, stored: dict[str, int]
) -> None:
    counts = ListingCounts()
    assert total(engine, counts) == (3, True)
    before = datetime(2026, 12, 1, 11, 59, tzinfo=UTC)  # ocds-b closes at 12:00 that day
    assert total(engine, counts, now=before) == (3, False)
    after = datetime(2026, 12, 1, 12, 1, tzinfo=UTC)
    assert total(engine, counts, now=after) == (2, True)
    assert total(engine, counts, now=after, status="all") == (3, True)  # not "open": no deadline
    assert total(engine, counts, now=NOW) == (3, True)  # earlier than the kept count: counted


def test_the_version_rises_once_per_committed_transaction_that_changes_the_listing(
    engine: Engine, stored: dict[str, int]
) -> None:
    first = version(engine)
    assert first > 0  # the fixture's assessments
    with engine.begin() as conn:
        conn.execute(update(Tender).values(status="cancelled"))
        conn.execute(update(SplitAssessment).values(score=0.5))
        if engine.dialect.name == "postgresql":
            # At commit (a deferred trigger): others do not see it rise before the data.
            assert version(engine) == first
    after = version(engine)
    assert after > first
    if engine.dialect.name == "postgresql":
        assert after == first + 1  # once per transaction, however many rows
    with engine.begin() as conn:
        conn.execute(update(Tender).values(title="unchanged listing keys"))
    assert version(engine) == after  # the listing did not change


@pytest.mark.parametrize(
    "database_url", ["sqlite"], indirect=True
)  # PostgreSQL plans by statistics
@pytest.mark.parametrize(
    "filters",
    [
        {"flagged": False},
        {"flagged": False, "band": "1m-10m"},
        {"flagged": False, "min_score": 0.5},
    ],
    ids=["all open", "all open in a value band", "all open above a score"],
)
def test_sqlite_counts_all_open_rows_from_the_deadline_index_alone(
    engine: Engine, stored: dict[str, int], filters: dict[str, Any]
) -> None:
    """Migration 0026: before it SQLite found "all open" rows through the deadline index and
    read each row for `closed` (287 ms CPU at 100,000 tenders; 32 ms from the index alone)."""
    with Session(engine) as session:
        conditions = _count_conditions(OfficerFilter(now=NOW, **filters), session)
        statement = select(func.count()).select_from(TenderListing).where(*conditions)
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert any(re.search(r"COVERING INDEX ix_tender_listing_deadline\b", step) for step in plan), (
        plan
    )
