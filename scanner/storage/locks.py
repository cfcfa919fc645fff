"""Per-source crawl locks in the database, so that schedulers, `lotwise crawl` and workers on
several machines never crawl one source at the same time.

Every change is one atomic statement (an insert that does nothing on conflict, or an update
conditioned on the row as read), so it behaves the same on SQLite and PostgreSQL without
table locks: of two contenders exactly one statement affects a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from scanner.models import SourceLock


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: a process on a host, and the token of one run of it."""

    host: str
    pid: int
    token: str

    @property
    def key(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"


@dataclass(frozen=True)
class LockRow:
    source_name: str
    holder: str
    host: str
    pid: int
    token: str
    run_id: int | None
    job_id: str | None
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


def try_acquire(
    conn: Connection, source: str, holder: Holder, *, now: datetime, ttl: float
) -> bool:
    """Take the free lock of `source`, or one whose lease expired. True when taken."""
    values = {
        "source_name": source,
        "holder": holder.key,
        "host": holder.host,
        "pid": holder.pid,
        "token": holder.token,
        "run_id": None,
        "job_id": None,
        "acquired_at": now,
        "heartbeat_at": now,
        "expires_at": now + timedelta(seconds=ttl),
    }
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = conn.execute(
        insert(SourceLock)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["source_name"])
        .returning(SourceLock.source_name)
    ).first()
    if inserted is not None:
        return True
    return _changed(
        conn,
        update(SourceLock)
        .where(SourceLock.source_name == source, SourceLock.expires_at < now)
        .values(**{k: v for k, v in values.items() if k != "source_name"}),
    )


def take_over(
    conn: Connection,
    source: str,
    holder: Holder,
    *,
    previous: str,
    now: datetime,
    ttl: float,
) -> bool:
    """Take the lock from `previous` (a holder known to be dead), only if it still holds it:
    a compare-and-swap, so two processes noticing the same dead holder cannot both win."""
    return _changed(
        conn,
        update(SourceLock)
        .where(SourceLock.source_name == source, SourceLock.holder == previous)
        .values(
            holder=holder.key,
            host=holder.host,
            pid=holder.pid,
            token=holder.token,
            run_id=None,
            job_id=None,
            acquired_at=now,
            heartbeat_at=now,
            expires_at=now + timedelta(seconds=ttl),
        ),
    )


def heartbeat(
    conn: Connection,
    source: str,
    holder: Holder,
    *,
    now: datetime,
    ttl: float,
    run_id: int | None = None,
    job_id: str | None = None,
) -> bool:
    """Extend the lease (and note the crawl run or Scrapyd job once known). False when the
    lock is no longer ours: the caller must stop its crawl."""
    values: dict[str, object] = {
        "heartbeat_at": now,
        "expires_at": now + timedelta(seconds=ttl),
    }
    if run_id is not None:
        values["run_id"] = run_id
    if job_id is not None:
        values["job_id"] = job_id
    return _changed(
        conn,
        update(SourceLock)
        .where(SourceLock.source_name == source, SourceLock.holder == holder.key)
        .values(**values),
    )


def transfer(conn: Connection, source: str, holder: Holder, to: Holder) -> bool:
    """Hand a lock we hold to `to` (the crawl child that actually works on the source), so
    a takeover judges the crawling process alive or dead, not the one that started it."""
    return _changed(
        conn,
        update(SourceLock)
        .where(SourceLock.source_name == source, SourceLock.holder == holder.key)
        .values(holder=to.key, host=to.host, pid=to.pid, token=to.token),
    )


def release(conn: Connection, source: str, holder: Holder) -> bool:
    """Drop the lock if it is still ours."""
    return _changed(
        conn,
        delete(SourceLock).where(SourceLock.source_name == source, SourceLock.holder == holder.key),
    )


def _changed(conn: Connection, statement: Any) -> bool:
    """Whether the statement touched the row; RETURNING rather than rowcount, which some
    drivers leave at -1."""
    return conn.execute(statement.returning(SourceLock.source_name)).first() is not None


def get(conn: Connection, source: str) -> LockRow | None:
    row = conn.execute(_COLUMNS.where(SourceLock.source_name == source)).first()
    return LockRow(**row._mapping) if row is not None else None


def all_locks(conn: Connection) -> list[LockRow]:
    return [LockRow(**row._mapping) for row in conn.execute(_COLUMNS)]


_COLUMNS = select(*SourceLock.__table__.c)
