"""The per-source lease: atomic on SQLite and PostgreSQL, heartbeated, taken over only after
expiry or from a dead holder; runs left `running` by a dead process are recovered."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from scanner.models import CrawlRun, Source
from scanner.services.schedule import (
    Lease,
    SourceBusyError,
    process_is_dead,
    recover_orphaned_runs,
    sources_to_retry,
)
from scanner.storage import locks

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ALIVE = locks.Holder(host="other-host", pid=4242, token="a" * 16)
OTHER = locks.Holder(host="other-host", pid=4343, token="b" * 16)


def _acquire(engine: Engine, holder: locks.Holder, now: datetime = NOW, ttl: float = 60) -> bool:
    with engine.begin() as conn:
        return locks.try_acquire(conn, "alpha", holder, now=now, ttl=ttl)


def test_second_holder_is_refused_until_the_lease_expires(engine: Engine) -> None:
    assert _acquire(engine, ALIVE)
    assert not _acquire(engine, OTHER, NOW + timedelta(seconds=59))
    with engine.begin() as conn:  # the loser cannot heartbeat or release someone else's lock
        assert not locks.heartbeat(conn, "alpha", OTHER, now=NOW, ttl=60)
        assert not locks.release(conn, "alpha", OTHER)
        assert locks.heartbeat(conn, "alpha", ALIVE, now=NOW + timedelta(seconds=50), ttl=60)
    assert not _acquire(engine, OTHER, NOW + timedelta(seconds=100))  # heartbeat extended it
    assert _acquire(engine, OTHER, NOW + timedelta(seconds=111))  # expired: taken over
    with engine.begin() as conn:
        assert locks.get(conn, "alpha").holder == OTHER.key  # type: ignore[union-attr]
        assert not locks.heartbeat(conn, "alpha", ALIVE, now=NOW, ttl=60)  # the old holder lost it


def test_racing_processes_get_the_lock_exactly_once(engine: Engine) -> None:
    holders = [locks.Holder("h", 1000 + n, f"{n:016d}") for n in range(8)]
    barrier = threading.Barrier(len(holders))
    won: list[locks.Holder] = []

    def contend(holder: locks.Holder) -> None:
        barrier.wait()
        if _acquire(engine, holder):
            won.append(holder)

    threads = [threading.Thread(target=contend, args=(h,)) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    with engine.begin() as conn:
        assert locks.get(conn, "alpha").holder == won[0].key  # type: ignore[union-attr]


def test_a_dead_holder_on_this_host_is_taken_over_before_expiry(engine: Engine) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    me = Lease(engine, ["alpha"], ttl=600, clock=lambda: NOW)
    dead = locks.Holder(host=me.holder.host, pid=dead_pid, token="d" * 16)
    assert process_is_dead(dead.host, dead.pid)
    assert _acquire(engine, dead, ttl=600)
    me.acquire()
    assert me.held == ["alpha"]
    me.release()
    with engine.begin() as conn:
        assert locks.get(conn, "alpha") is None


def test_lease_is_all_or_nothing_and_names_the_holder(engine: Engine) -> None:
    with engine.begin() as conn:
        assert locks.try_acquire(conn, "beta", ALIVE, now=NOW, ttl=600)
    lease = Lease(engine, ["alpha", "beta"], ttl=600, clock=lambda: NOW)
    with pytest.raises(SourceBusyError, match=r"'beta' is being crawled by other-host:4242:a+"):
        lease.acquire()
    with engine.begin() as conn:
        assert locks.get(conn, "alpha") is None  # the part already taken was given back


def _run(engine: Engine, source: str, status: str, pid: int | None, minutes: int = 0) -> int:
    with engine.begin() as conn:
        source_id = conn.execute(select(Source.id).where(Source.name == source)).scalar()
        if source_id is None:
            source_id = conn.execute(
                insert(Source)
                .values(name=source, kind="ocds", url="http://x", created_at=NOW)
                .returning(Source.id)
            ).scalar_one()
        started = NOW + timedelta(minutes=minutes)
        return int(
            conn.execute(
                insert(CrawlRun)
                .values(
                    source_id=source_id,
                    status=status,
                    started_at=started,
                    pid=pid,
                    finished_at=None if status == "running" else started + timedelta(minutes=1),
                    pages=0,
                    items_seen=0,
                    items_new=0,
                    items_updated=0,
                    items_unchanged=0,
                    errors=0,
                )
                .returning(CrawlRun.id)
            ).scalar_one()
        )


def test_runs_of_dead_processes_are_marked_failed_and_live_ones_kept(engine: Engine) -> None:
    orphan = _run(engine, "alpha", "running", pid=999_999)  # no lease, pid gone
    covered = _run(engine, "beta", "running", pid=999_998)  # lease of a live holder
    superseded = _run(engine, "gamma", "running", pid=None)  # lease notes another run
    with engine.begin() as conn:
        locks.try_acquire(conn, "beta", ALIVE, now=NOW, ttl=600)
        locks.try_acquire(conn, "gamma", ALIVE, now=NOW, ttl=600)
        locks.heartbeat(conn, "gamma", ALIVE, now=NOW, ttl=600, run_id=superseded + 100)
    recovered = recover_orphaned_runs(engine, now=NOW, is_dead=lambda host, pid: pid == 999_999)
    assert sorted(recovered) == sorted([orphan, superseded])
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(CrawlRun.id, CrawlRun.status)).all())
        message = conn.execute(select(CrawlRun.message).where(CrawlRun.id == orphan)).scalar()
    assert statuses == {orphan: "failed", covered: "running", superseded: "failed"}
    assert "pid 999999" in message
    # Once the live holder's lease expires, its run is recovered too.
    later = NOW + timedelta(seconds=601)
    assert recover_orphaned_runs(engine, now=later, is_dead=lambda h, p: False) == [covered]


def test_failed_sources_are_retried_per_slot_after_the_delay(engine: Engine) -> None:
    _run(engine, "alpha", "ok", None, minutes=0)
    _run(engine, "alpha", "failed", None, minutes=10)  # finished at +11 min
    _run(engine, "beta", "failed", None, minutes=10)
    _run(engine, "beta", "failed", None, minutes=20)
    _run(engine, "beta", "failed", None, minutes=30)  # slot + 2 retries: wait for the next slot
    _run(engine, "gamma", "ok", None, minutes=30)
    at = NOW + timedelta(minutes=11, seconds=59)
    names = ["alpha", "beta", "gamma", "never"]
    assert sources_to_retry(engine, names, now=at, retries=2, delay=60) == []
    at = NOW + timedelta(minutes=12)
    assert sources_to_retry(engine, names, now=at, retries=2, delay=60) == ["alpha"]
    assert sources_to_retry(engine, names, now=at, retries=0, delay=60) == []
