"""The data generation (migration 0028, issue 16) and the results kept under it, on both
databases: every table a kept page reads raises the number on every committed change, from any
connection or process; a kept result is reused while the number and "open" are unchanged,
read again otherwise, and the cache holds at most its size."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, text, update
from test_listing_search import NOW, stored

from scanner.models import Base, Match, SplitAssessment, Tender
from scanner.storage.data_generation import (
    UNWATCHED_TABLES,
    WATCHED_TABLES,
    DataCache,
    read_generation,
)

__all__ = ["stored"]  # the fixture, shared with test_listing_search

MIGRATION = importlib.import_module("scanner.migrations.versions.0028_data_generation")


def generation(engine: Engine) -> int:
    with engine.connect() as conn:
        value = read_generation(conn)
    assert value is not None
    return value


class Reads:
    """A result maker that counts how often it ran and returns what the database says now."""

    def __init__(self, engine: Engine, tender_id: int) -> None:
        self.engine, self.tender_id, self.calls = engine, tender_id, 0

    def __call__(self) -> str:
        self.calls += 1
        with self.engine.connect() as conn:
            return str(conn.scalar(select(Tender.title).where(Tender.id == self.tender_id)))


def test_every_table_is_watched_or_named_as_never_read_by_a_kept_page() -> None:
    tables = set(Base.metadata.tables)
    assert not WATCHED_TABLES & UNWATCHED_TABLES
    assert tables - {"alembic_version"} <= WATCHED_TABLES | UNWATCHED_TABLES, (
        "a new table: watch it (a migration adds its triggers) or name it in UNWATCHED_TABLES",
        sorted(tables - WATCHED_TABLES - UNWATCHED_TABLES),
    )
    assert set(MIGRATION.TABLES) == WATCHED_TABLES


def test_every_watched_table_has_its_triggers(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = set(
                conn.execute(
                    text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
                ).all()
            )
            expected = {
                (table, f"data_generation_{table}_{event}")
                for table in WATCHED_TABLES
                for event in ("insert", "update", "delete")
            }
        else:
            found = set(
                conn.execute(
                    text(
                        "SELECT c.relname, t.tgname FROM pg_trigger t"
                        " JOIN pg_class c ON c.oid = t.tgrelid"
                        " WHERE c.relnamespace = current_schema()::regnamespace"
                        " AND t.tgdeferrable AND t.tginitdeferred"
                    )
                ).all()
            )
            expected = {(table, "data_generation") for table in WATCHED_TABLES}
    assert expected <= found, sorted(expected - found)


def test_a_committed_change_raises_it_once_per_transaction_on_postgresql_at_commit(
    engine: Engine, stored: dict[str, int]
) -> None:
    first = generation(engine)
    with engine.begin() as conn:
        conn.execute(update(Tender).values(title="renamed"))
        conn.execute(update(SplitAssessment).values(score=0.5))
        if engine.dialect.name == "postgresql":
            assert generation(engine) == first  # others see it rise with the data, not before
    after = generation(engine)
    assert after > first
    if engine.dialect.name == "postgresql":
        assert after == first + 1  # once per transaction, however many rows and tables
    with engine.begin() as conn:  # a change the officer list's keys do not see still counts
        conn.execute(update(Tender).where(Tender.id == stored["ocds-c"]).values(title="Roads"))
    assert generation(engine) > after
    after = generation(engine)
    with engine.begin() as conn:
        conn.execute(delete(Match))  # no rows: nothing changed, nothing raised
    assert generation(engine) == after
    with engine.begin() as conn:
        conn.execute(delete(SplitAssessment).where(SplitAssessment.tender_id == stored["ocds-a"]))
    assert generation(engine) > after
    with engine.begin() as conn:  # rolled back: nothing committed, nothing raised
        after = generation(engine)
        conn.execute(update(Tender).values(title="never seen"))
        conn.rollback()
    assert generation(engine) == after


def test_a_kept_result_is_reused_until_another_connection_commits_a_change(
    engine: Engine, stored: dict[str, int]
) -> None:
    cache = DataCache()
    read = Reads(engine, stored["ocds-a"])
    assert cache.get(engine, "k", read, now=NOW) == "Software for children's services"
    assert cache.get(engine, "k", read, now=NOW) == "Software for children's services"
    assert read.calls == 1
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == stored["ocds-a"]).values(title="Renamed"))
    assert cache.get(engine, "k", read, now=NOW) == "Renamed"
    assert read.calls == 2
    assert cache.get(engine, "other key", read, now=NOW) == "Renamed"  # each key its own
    assert read.calls == 3


def test_a_change_committed_by_another_process_is_read_again(
    engine: Engine, stored: dict[str, int]
) -> None:
    cache = DataCache()
    read = Reads(engine, stored["ocds-b"])
    assert cache.get(engine, "k", read, now=NOW) == "School meals"
    script = textwrap.dedent(
        f"""
        from sqlalchemy import text
        from scanner.storage.database import make_engine
        engine = make_engine({str(engine.url.render_as_string(hide_password=False))!r})
        with engine.begin() as conn:
            conn.execute(text("UPDATE tenders SET title = 'From a crawl' WHERE id = {stored["ocds-b"]}"))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert cache.get(engine, "k", read, now=NOW) == "From a crawl"
    assert read.calls == 2


def test_a_kept_result_is_read_again_once_a_deadline_has_passed(
    engine: Engine, stored: dict[str, int]
) -> None:
    cache = DataCache()
    read = Reads(engine, stored["ocds-a"])
    cache.get(engine, "k", read, now=NOW)
    cache.get(engine, "k", read, now=datetime(2026, 12, 1, 11, 59, tzinfo=UTC))
    assert read.calls == 1  # ocds-b closes at 12:00 that day
    cache.get(engine, "k", read, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert read.calls == 2
    cache.get(engine, "k", read, now=NOW)  # earlier than the kept one: read again
    assert read.calls == 3


def test_the_cache_keeps_at_most_its_size_and_none_at_size_zero(
    engine: Engine, stored: dict[str, int]
) -> None:
    cache = DataCache(size=2)
    read = Reads(engine, stored["ocds-a"])
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
        cache.get(engine, key, read, now=NOW)
    assert len(cache) == 2
    assert read.calls == 3
    cache.get(engine, "a", read, now=NOW)
    assert read.calls == 3
    cache.get(engine, "b", read, now=NOW)
    assert read.calls == 4
    none = DataCache(size=0)
    none.get(engine, "a", read, now=NOW)
    none.get(engine, "a", read, now=NOW)
    assert read.calls == 6
    assert len(none) == 0


def test_an_error_is_not_kept(engine: Engine, stored: dict[str, int]) -> None:
    cache = DataCache()
    calls: list[Any] = []

    def failing() -> str:
        calls.append(1)
        raise LookupError("no such organisation")

    for _ in range(2):
        with pytest.raises(LookupError):
            cache.get(engine, "k", failing, now=NOW)
    assert len(calls) == 2
    assert len(cache) == 0


def test_a_result_read_in_the_numbers_session_takes_one_connection_and_is_kept(
    engine: Engine, stored: dict[str, int]
) -> None:
    """`get_in_session`: the number and the result are read on one connection taken from the
    pool (not two one after the other); the result is kept and read again after a change."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    checkouts: list[int] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(1))
    calls: list[int] = []

    def read(session: Session) -> str | None:
        calls.append(1)
        return session.scalar(select(Tender.title).where(Tender.id == stored["ocds-a"]))

    cache = DataCache()
    assert cache.get_in_session(engine, "k", read, now=NOW) == "Software for children's services"
    assert (len(checkouts), len(calls)) == (1, 1)
    assert cache.get_in_session(engine, "k", read, now=NOW) == "Software for children's services"
    assert (len(checkouts), len(calls)) == (2, 1)
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == stored["ocds-a"]).values(title="Renamed"))
    checkouts.clear()
    assert cache.get_in_session(engine, "k", read, now=NOW) == "Renamed"
    assert (len(checkouts), len(calls)) == (1, 2)
    assert DataCache(size=0).get_in_session(engine, "k", read, now=NOW) == "Renamed"
    assert len(calls) == 3


def test_the_next_deadline_is_read_once_per_generation_while_it_is_ahead(
    engine: Engine, stored: dict[str, int]
) -> None:
    """Results read one after another under one generation share one read of the next
    deadline (each tender page is a new key); a later moment past it, or a change, reads it
    again, and a result kept past that deadline is still read again."""
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def deadline_reads() -> int:
        return sum("min(tenders.deadline_at)" in s.lower() for s in statements)

    cache = DataCache()
    read = Reads(engine, stored["ocds-a"])
    for key in ("a", "b", "c"):
        cache.get(engine, key, read, now=NOW)
    assert deadline_reads() == 1
    cache.get(engine, "d", read, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # ocds-b closed
    assert deadline_reads() == 2
    cache.get(engine, "a", read, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert read.calls == 5  # kept until 12:00 that day: read again
    assert deadline_reads() == 2  # the one read at 12:00 for "d" still ahead
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == stored["ocds-a"]).values(title="Renamed"))
    cache.get(engine, "e", read, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert deadline_reads() == 3  # a new generation
