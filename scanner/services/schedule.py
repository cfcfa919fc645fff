"""What the scheduler decides, as plain functions it and the CLI share: when each source and
digest is due (APScheduler triggers from `sources.toml` and the settings), the per-source
lease that keeps crawls of one source exclusive across processes, recovery of runs whose
process died, and which failed sources to retry.

The lease is a row in `source_locks` (scanner.storage.locks). It is taken by the scheduler
and by `lotwise crawl`, heartbeated while the crawl runs, and taken over only once its lease
expired or its holder's process on this host is gone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from scanner.settings import Settings
from scanner.sources import SourceConfig
from scanner.storage import crawls, locks

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


# Triggers


def source_trigger(config: SourceConfig, timezone: str) -> BaseTrigger | None:
    """The trigger of a source's scheduled crawls: its cron `schedule` (read in `timezone`)
    or its `interval`; None for a source crawled only on demand or disabled."""
    if not config.enabled:
        return None
    if config.schedule:
        return CronTrigger.from_crontab(config.schedule, timezone=ZoneInfo(timezone))
    if config.interval_seconds:
        return IntervalTrigger(seconds=int(config.interval_seconds), timezone=ZoneInfo(timezone))
    return None


def digest_triggers(settings: Settings) -> dict[str, CronTrigger]:
    """`daily` and `weekly` digest triggers at `digest_daily_at` local time."""
    hour, minute = (int(part) for part in settings.digest_daily_at.split(":"))
    zone = ZoneInfo(settings.timezone)
    return {
        "daily": CronTrigger(hour=hour, minute=minute, timezone=zone),
        "weekly": CronTrigger(
            day_of_week=settings.digest_weekly_on, hour=hour, minute=minute, timezone=zone
        ),
    }


def expected_interval(config: SourceConfig, now: datetime) -> timedelta | None:
    """How often a source is meant to be crawled: its interval, or the gap between the next
    two cron fire times after `now` (None when it is not scheduled)."""
    if config.interval_seconds:
        return timedelta(seconds=config.interval_seconds)
    if not config.schedule:
        return None
    trigger = CronTrigger.from_crontab(config.schedule, timezone=UTC)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    return second - first if first and second else None


# The lease


class SourceBusyError(Exception):
    """A source is being crawled by another process; the message says by whom and until."""

    def __init__(self, source: str, lock: locks.LockRow | None) -> None:
        self.source = source
        self.lock = lock
        who = f"{lock.holder} (run {lock.run_id or '?'})" if lock else "another process"
        until = f", lease until {lock.expires_at:%Y-%m-%d %H:%M:%S} UTC" if lock else ""
        super().__init__(f"source {source!r} is being crawled by {who}{until}")


def process_is_dead(host: str, pid: int) -> bool:
    """True when `pid` on `host` is this machine's and no longer runs (or is a zombie).
    Processes on other hosts are never judged dead here: their lease expiry decides."""
    if host != socket.gethostname() or pid <= 0:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] == "Z"
    return False


def new_holder() -> locks.Holder:
    return locks.Holder(host=socket.gethostname(), pid=os.getpid(), token=uuid.uuid4().hex[:16])


@dataclass
class Lease:
    """The locks of some sources, held from `acquire` to `release` and heartbeated on a
    thread in between. `lost` is set when a heartbeat finds a lock taken over: the crawl
    must then stop, since another process believes it owns the source."""

    engine: Engine
    sources: list[str]
    ttl: float
    clock: Clock = utc_now
    holder: locks.Holder = field(default_factory=new_holder)
    is_dead: Callable[[str, int], bool] = process_is_dead
    held: list[str] = field(default_factory=list)
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def acquire(self) -> Lease:
        """Take every source's lock, or none: raises SourceBusyError naming the first busy one."""
        for source in self.sources:
            if not self._take(source):
                with self.engine.begin() as conn:
                    current = locks.get(conn, source)
                self.release()
                raise SourceBusyError(source, current)
            self.held.append(source)
        return self

    def _take(self, source: str) -> bool:
        now = self.clock()
        with self.engine.begin() as conn:
            if locks.try_acquire(conn, source, self.holder, now=now, ttl=self.ttl):
                return True
            current = locks.get(conn, source)
            if current is not None and self.is_dead(current.host, current.pid):
                return locks.take_over(
                    conn, source, self.holder, previous=current.holder, now=now, ttl=self.ttl
                )
        return False

    def beat(self, source: str, *, run_id: int | None = None, job_id: str | None = None) -> bool:
        """Extend one source's lease (noting its run or Scrapyd job); False when lost."""
        with self.engine.begin() as conn:
            kept = locks.heartbeat(
                conn,
                source,
                self.holder,
                now=self.clock(),
                ttl=self.ttl,
                run_id=run_id,
                job_id=job_id,
            )
        if not kept:
            self.lost.set()
        return kept

    def hand_to(self, pid: int) -> None:
        """Record process `pid` (on this host) as the holder of every held lock: the crawl
        child, which dies with us, so the lease names the process that actually crawls."""
        to = locks.Holder(host=self.holder.host, pid=pid, token=self.holder.token)
        with self.engine.begin() as conn:
            for source in self.held:
                locks.transfer(conn, source, self.holder, to)
        self.holder = to

    def start_heartbeat(self) -> None:
        """Heartbeat every third of the lease on a daemon thread."""

        def loop() -> None:
            while not self._stop.wait(self.ttl / 3):
                for source in list(self.held):
                    with contextlib.suppress(Exception):  # a database blip: next beat retries
                        self.beat(source)

        self._thread = threading.Thread(target=loop, name="lotwise-lease", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self.engine.begin() as conn:
            for source in self.held:
                locks.release(conn, source, self.holder)
        self.held.clear()

    def __enter__(self) -> Lease:
        self.acquire()
        self.start_heartbeat()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


# Recovery and retries


def recover_orphaned_runs(
    engine: Engine,
    *,
    now: datetime,
    is_dead: Callable[[str, int], bool] = process_is_dead,
    this_host: str | None = None,
) -> list[int]:
    """Mark failed the runs left `running` by a process that died: no live lease covers
    them, and their process is not running on this host. Returns their ids.

    A run is covered while its source's lock is unexpired, its holder alive, and the lock
    notes this run (or no run yet: the crawl may still be starting)."""
    host = this_host or socket.gethostname()
    failed: list[int] = []
    with engine.connect() as conn:
        running = crawls.running_runs(conn)
        leases = {lock.source_name: lock for lock in locks.all_locks(conn)}
    for run_id, pid, source in running:
        lock = leases.get(source)
        if (
            lock is not None
            and lock.expires_at >= now
            and not is_dead(lock.host, lock.pid)
            and lock.run_id in (None, run_id)
        ):
            continue
        if lock is None and pid is not None and not is_dead(host, pid):
            continue  # an unlocked crawl (bare `python -m spiders`) still running here
        reason = "lease expired" if lock is not None and lock.expires_at < now else "no lease"
        if mark_failed(
            engine,
            run_id,
            now=now,
            message=f"the crawl process (pid {pid}) died; {reason}; marked failed on recovery",
        ):
            failed.append(run_id)
    return failed


def mark_failed(engine: Engine, run_id: int, *, now: datetime, message: str) -> bool:
    """Fail a run that is still `running` (never one that finished meanwhile)."""
    with engine.begin() as conn:
        return crawls.fail_running_run(conn, run_id=run_id, now=now, message=message)


def sources_to_retry(
    engine: Engine,
    names: Iterable[str],
    *,
    now: datetime,
    retries: int,
    delay: float,
) -> list[str]:
    """Sources whose latest run failed at least `delay` seconds ago and whose failure streak
    still has retries left: a slot is tried once and retried `retries` times, then waits for
    its next slot (streak length modulo retries + 1)."""
    due = []
    with engine.connect() as conn:
        for name in names:
            statuses = crawls.latest_outcomes(conn, name, limit=50)
            if not statuses or statuses[0].status != "failed":
                continue
            streak = next(
                (i for i, row in enumerate(statuses) if row.status != "failed"), len(statuses)
            )
            finished = statuses[0].finished_at or now
            if streak % (retries + 1) != 0 and finished + timedelta(seconds=delay) <= now:
                due.append(name)
    return due


def scheduled_sources(sources: Mapping[str, SourceConfig], timezone: str) -> dict[str, BaseTrigger]:
    """Each scheduled source's trigger, by name."""
    triggers = {}
    for name, config in sources.items():
        trigger = source_trigger(config, timezone)
        if trigger is not None:
            triggers[name] = trigger
    return triggers
