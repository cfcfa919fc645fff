"""One crawl and what follows it, for every caller: `lotwise crawl`, `lotwise demo`, the
scheduler's job and the web's "Crawl now".

1. Take the sources' lease (none is crawled twice at once, across processes and hosts) and
   hand it to the crawl child, which dies with its caller.
2. Run `python -m spiders crawl` as a child process with the crawl timeout; stop it cleanly
   on timeout, on shutdown (`CrawlControl.stop_all`) or when the lease is lost.
3. Make sure every run ends marked: a run left `running` by a child that died, timed out or
   was stopped is failed with the reason; a source whose child died before opening a run gets
   a failed run, so health and retries see it.
4. Refresh splits, duplicates and matches (`services.refresh`), each step's failure recorded
   and the others still run, even after a failed crawl: what was stored counts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from scanner.services.crawl import CrawlEvent, settings_environment
from scanner.services.crawl_process import CrawlProcess, ProcessOutcome
from scanner.services.refresh import RefreshReport, refresh_after_store
from scanner.services.schedule import Clock, Lease, SourceBusyError, mark_failed, utc_now
from scanner.settings import PROJECT_ROOT, Settings
from scanner.sources import SourceConfig, load_sources
from scanner.storage.crawls import ensure_source, fail_run, start_run

#: Worst first: the status of a crawl of several sources is its worst source's.
_ORDER = ("failed", "partial", "ok")


@dataclass
class SourceOutcome:
    """One source's run: its id, status, counts and message (the finish event's)."""

    source: str
    status: str = "failed"
    run_id: int | None = None
    pages: int = 0
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    message: str | None = None
    finish: CrawlEvent | None = None


@dataclass
class CycleReport:
    """What a crawl cycle did. `status`: ok, partial, failed, busy (another process holds a
    source's lease: nothing ran) or skipped (shutting down: nothing ran)."""

    sources: list[str]
    status: str = "ok"
    token: str = ""
    message: str | None = None
    outcomes: list[SourceOutcome] = field(default_factory=list)
    returncode: int = 0
    log_tail: str = ""
    refresh: RefreshReport | None = None

    @property
    def ok(self) -> bool:
        """The crawl ran and every source finished (`ok` or `partial`)."""
        return self.status in ("ok", "partial")

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.outcomes)

    def summary(self) -> str:
        """One line for a page or a log."""
        if not self.ok:
            return f"{self.status}: {self.message or 'see the crawl runs'}"
        return f"{self.status}: {self.new} new, {self.updated} updated"


class CrawlControl:
    """The crawls running in this process, so a shutdown can stop them all cleanly."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._active: set[CrawlProcess] = set()
        self._lock = threading.Lock()

    def add(self, process: CrawlProcess) -> None:
        with self._lock:
            self._active.add(process)
        if self.stopping.is_set():
            process.stop(reason="shutdown")

    def discard(self, process: CrawlProcess) -> None:
        with self._lock:
            self._active.discard(process)

    def stop_all(self, reason: str = "shutdown") -> None:
        """Ask every running crawl to stop cleanly (killed after the grace)."""
        self.stopping.set()
        with self._lock:
            active = list(self._active)
        for process in active:
            process.stop(reason=reason)


def crawl_and_refresh(
    settings: Settings,
    engine: Engine,
    sources: Sequence[str],
    *,
    since: datetime | None = None,
    on_event: Callable[[CrawlEvent], None] | None = None,
    clock: Clock = utc_now,
    control: CrawlControl | None = None,
    configs: Mapping[str, SourceConfig] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> CycleReport:
    """Crawl `sources` in one child process under their lease, then refresh (see the module
    docstring). Never raises for a crawl that failed: the report says how. `on_start` is
    called with the lease's token once the lease is held."""
    names = list(dict.fromkeys(sources))
    lease = Lease(engine, names, ttl=settings.lock_ttl, clock=clock)
    report = CycleReport(names, token=lease.holder.token)
    if control is not None and control.stopping.is_set():
        report.status, report.message = "skipped", "shutting down"
        return report
    try:
        lease.acquire()
    except SourceBusyError as exc:
        report.status, report.message = "busy", str(exc)
        return report
    if on_start is not None:
        on_start(lease.holder.token)
    try:
        outcome = _run_child(settings, lease, names, since, on_event, control)
    finally:
        lease.release()
    _settle(report, outcome, settings, engine, clock, configs)
    if control is None or not control.stopping.is_set():  # a shutdown does not wait for it:
        report.refresh = refresh_after_store(settings, engine, now=clock())  # next one catches up
    return report


def _run_child(
    settings: Settings,
    lease: Lease,
    names: list[str],
    since: datetime | None,
    on_event: Callable[[CrawlEvent], None] | None,
    control: CrawlControl | None,
) -> ProcessOutcome:
    env = settings_environment(settings)
    env["LOTWISE_RUN_TOKEN"] = lease.holder.token

    def relay(event: CrawlEvent) -> None:
        if event.get("event") == "start" and event.get("run_id") and event.get("source"):
            lease.beat(str(event["source"]), run_id=int(event["run_id"]))
        if lease.lost.is_set():
            process.stop(reason="lease lost to another process")
        if on_event is not None:
            on_event(event)

    process = CrawlProcess(
        names,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=settings.crawl_timeout,
        grace=settings.stop_grace,
        on_event=relay,
        since=since.isoformat() if since else None,
    )
    try:
        lease.hand_to(process.pid)
    except Exception:  # a child crawling without its lease recorded must not live on
        process.kill()
        process.wait()
        raise
    lease.start_heartbeat()
    if control is not None:
        control.add(process)
    try:
        return process.wait()
    finally:
        if control is not None:
            control.discard(process)


def _settle(
    report: CycleReport,
    outcome: ProcessOutcome,
    settings: Settings,
    engine: Engine,
    clock: Clock,
    configs: Mapping[str, SourceConfig] | None,
) -> None:
    """Fill the report from the child's events and mark every run that did not end."""
    report.returncode = outcome.returncode
    report.log_tail = outcome.log_tail
    why = ending(outcome, settings)
    for name in report.sources:
        result = SourceOutcome(name)
        start = _event(outcome, "start", name)
        finish = _event(outcome, "finish", name)
        if start and start.get("run_id"):
            result.run_id = int(start["run_id"])
        if finish is not None:
            result.finish = finish
            result.status = str(finish.get("status") or "failed")
            result.message = finish.get("message")
            for key in ("pages", "seen", "new", "updated", "unchanged", "errors"):
                setattr(result, key, int(finish.get(key) or 0))
            if finish.get("run_id"):
                result.run_id = int(finish["run_id"])
        if why is not None and finish is None:
            result.status, result.message = "failed", why
        elif finish is None:
            result.message = tail(outcome)
        if result.status == "failed" and finish is None:
            if result.run_id is not None:
                mark_failed(engine, result.run_id, now=clock(), message=result.message or "")
            else:
                result.run_id = _record_failed_run(
                    engine, settings, configs, name, result.message or "", clock()
                )
        report.outcomes.append(result)
    statuses = [o.status for o in report.outcomes] or ["failed"]
    report.status = min(statuses, key=lambda s: _ORDER.index(s) if s in _ORDER else 0)
    if why is not None:
        report.status = "failed"
    failed = [o for o in report.outcomes if o.status == "failed"]
    if why is not None:
        report.message = why
    elif failed:
        report.message = "; ".join(f"{o.source}: {o.message or 'failed'}" for o in failed)


def _event(outcome: ProcessOutcome, kind: str, source: str) -> CrawlEvent | None:
    return next(
        (e for e in outcome.events if e.get("event") == kind and e.get("source") == source),
        None,
    )


def _record_failed_run(
    engine: Engine,
    settings: Settings,
    configs: Mapping[str, SourceConfig] | None,
    name: str,
    message: str,
    now: datetime,
) -> int | None:
    """A crawl that died before opening its run still leaves a failed run: errors are data,
    and the retry logic and health see it."""
    if configs is None:
        try:
            configs = load_sources(settings.sources_file)
        except Exception:  # the crawl's own failure is what we report
            return None
    config = configs.get(name)
    if config is None:
        return None
    with engine.begin() as conn:
        source_id = ensure_source(conn, name=name, kind=config.spider, url=config.url, now=now)
        run_id = start_run(
            conn, source_id=source_id, now=now, window_from=None, window_to=None, pid=None
        )
        fail_run(conn, run_id=run_id, now=now, message=message[:2000])
    return run_id


def ending(outcome: ProcessOutcome, settings: Settings) -> str | None:
    """Why the process ended abnormally, or None when it ended by itself."""
    if outcome.timed_out:
        return f"timed out after {settings.crawl_timeout:g} s and was stopped" + (
            " and killed" if outcome.killed else ""
        )
    if outcome.stopped:
        return f"stopped ({outcome.stop_reason})" + (" and killed" if outcome.killed else "")
    if outcome.returncode < 0:
        return f"crawl process (pid {outcome.pid}) killed by signal {-outcome.returncode}"
    return None


def tail(outcome: ProcessOutcome) -> str:
    """The crawl process's exit code and last log line."""
    lines = [line for line in outcome.log_tail.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return f"crawl process exited with code {outcome.returncode}: {last}"[:2000]


def as_dict(report: CycleReport) -> dict[str, Any]:
    """The report as plain data (`--json`)."""
    return {
        "sources": report.sources,
        "status": report.status,
        "token": report.token,
        "message": report.message,
        "returncode": report.returncode,
        "runs": [{k: v for k, v in o.__dict__.items() if k != "finish"} for o in report.outcomes],
        "refresh_failures": [f.__dict__ for f in report.refresh.failures] if report.refresh else [],
    }
