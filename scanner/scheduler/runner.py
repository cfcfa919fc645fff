"""Run one source's crawl for the scheduler: a local crawl is `services.crawl_cycle` (the
same path as `lotwise crawl` and the web's "Crawl now"); a Scrapyd job takes the same lease,
makes sure its run ends marked, and refreshes split suggestions, duplicates and matches.

A crawl that dies (SIGKILL, out of memory), times out or is stopped by a shutdown leaves its
run `running`; the runner marks it failed with the reason, and `sources_to_retry` brings the
source back on the next tick. Nothing is lost: the pipeline advances the high-water mark only
after a finished listing, and storage only upserts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from scanner.logs import bind, log_context
from scanner.scheduler.scrapyd import ScrapydClient, ScrapydError, wait_for_job
from scanner.services.crawl import CrawlEvent
from scanner.services.crawl_cycle import CrawlControl, crawl_and_refresh
from scanner.services.refresh import refresh_after_store
from scanner.services.schedule import Clock, Lease, SourceBusyError, mark_failed, utc_now
from scanner.settings import Settings
from scanner.sources import SourceConfig
from scanner.storage.crawls import (
    ensure_source,
    fail_run,
    latest_run_id,
    run_outcome,
    start_run,
)

logger = logging.getLogger("lotwise.scheduler")


@dataclass
class RunReport:
    """What one scheduled crawl did. `status`: ok, partial, failed, busy (another process
    holds the source's lease) or skipped (shutting down); nothing was run for the last two."""

    source: str
    token: str
    status: str
    run_id: int | None = None
    new: int = 0
    updated: int = 0
    message: str | None = None
    refreshed: bool = False


class Runner:
    """Runs crawls; `stop_all` stops the running ones cleanly (shutdown)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        sources: Mapping[str, SourceConfig],
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sources = sources
        self.clock = clock
        self.control = CrawlControl()

    @property
    def stopping(self) -> threading.Event:
        return self.control.stopping

    def crawl(self, name: str) -> RunReport:
        if self.settings.scrapyd_url:
            return self._crawl_remote(name)
        with log_context(source=name):
            cycle = crawl_and_refresh(
                self.settings,
                self.engine,
                [name],
                clock=self.clock,
                control=self.control,
                configs=self.sources,
                on_event=_bind_run,
                on_start=_started,
            )
            if cycle.status == "busy":
                logger.info("skipped: %s", cycle.message)
            report = RunReport(name, cycle.token, cycle.status, message=cycle.message)
            if cycle.outcomes:
                first = cycle.outcomes[0]
                report.run_id, report.new, report.updated = first.run_id, first.new, first.updated
                report.message = report.message or first.message
            if cycle.refresh is not None:
                report.refreshed = cycle.refresh.ok
                for failure in cycle.refresh.failures:
                    logger.error(
                        "refresh after the crawl failed (%s): %s", failure.step, failure.reason
                    )
            _log(report)
        return report

    def _crawl_remote(self, name: str) -> RunReport:
        """A Scrapyd job under the lease; then the same refresh as a local crawl."""
        lease = Lease(self.engine, [name], ttl=self.settings.lock_ttl, clock=self.clock)
        if self.stopping.is_set():  # a job that fired during shutdown
            return RunReport(name, lease.holder.token, "skipped", message="shutting down")
        with log_context(source=name, run_token=lease.holder.token):
            try:
                lease.acquire()
            except SourceBusyError as exc:
                logger.info("skipped: %s", exc)
                return RunReport(name, lease.holder.token, "busy", message=str(exc))
            lease.start_heartbeat()
            try:
                report = self._crawl_scrapyd(name, lease)
            finally:
                lease.release()
            _log(report)
            report.refreshed = self.refresh_after_crawl()
            return report

    def stop_all(self) -> None:
        """Shutdown: ask every running crawl to stop cleanly (killed after the grace)."""
        self.control.stop_all("scheduler shutdown")

    def _record_failed_run(self, name: str, message: str) -> int | None:
        """A crawl that died before opening its run still leaves a failed run: errors are
        data, and the retry logic and health see it."""
        config = self.sources.get(name)
        if config is None:
            return None
        now = self.clock()
        with self.engine.begin() as conn:
            source_id = ensure_source(conn, name=name, kind=config.spider, url=config.url, now=now)
            run_id = start_run(
                conn, source_id=source_id, now=now, window_from=None, window_to=None, pid=None
            )
            fail_run(conn, run_id=run_id, now=now, message=message[:2000])
        return run_id

    # Scrapyd

    def _crawl_scrapyd(self, name: str, lease: Lease) -> RunReport:
        config = self.sources[name]
        client = ScrapydClient(self.settings.scrapyd_url, self.settings.scrapyd_project)
        report = RunReport(name, lease.holder.token, "failed")
        before = self._last_run_id(name)
        try:
            job = client.schedule(config.spider, name)
        except ScrapydError as exc:
            report.message = str(exc)
            report.run_id = self._record_failed_run(name, str(exc))
            return report
        bind(scrapyd_job=job)
        lease.beat(name, job_id=job)

        def on_poll() -> None:
            run_id = self._last_run_id(name)
            if run_id != before and run_id is not None:
                lease.beat(name, run_id=run_id)

        try:
            ending = wait_for_job(
                client,
                job,
                timeout=self.settings.crawl_timeout,
                grace=self.settings.stop_grace,
                should_stop=lambda: self.stopping.is_set() or lease.lost.is_set(),
                on_poll=on_poll,
            )
        except ScrapydError as exc:
            ending = f"lost contact with Scrapyd: {exc}"
        run_id = self._last_run_id(name)
        if run_id is None or run_id == before:
            report.message = f"Scrapyd job {job} ended without opening a run ({ending})"
            report.run_id = self._record_failed_run(name, report.message)
            return report
        report.run_id = run_id
        bind(run_id=run_id)
        if ending != "finished" or self._status(run_id) == "running":
            mark_failed(
                self.engine,
                run_id,
                now=self.clock(),
                message=f"Scrapyd job {job} ended ({ending}) without closing its run",
            )
        with self.engine.connect() as conn:
            report.status, report.new, report.updated, report.message = run_outcome(conn, run_id)
        return report

    def _last_run_id(self, name: str) -> int | None:
        with self.engine.connect() as conn:
            return latest_run_id(conn, name)

    def _status(self, run_id: int) -> str:
        with self.engine.connect() as conn:
            return run_outcome(conn, run_id)[0]

    # After a crawl

    def refresh_after_crawl(self) -> bool:
        """Assess, de-duplicate and re-rank (`services.refresh`); failures are logged."""
        refresh = refresh_after_store(self.settings, self.engine, now=self.clock())
        for failure in refresh.failures:
            logger.error("refresh after the crawl failed (%s): %s", failure.step, failure.reason)
        return refresh.ok


def _started(token: str) -> None:
    bind(run_token=token)
    logger.info("crawl started")


def _bind_run(event: CrawlEvent) -> None:
    if event.get("event") == "start" and event.get("run_id"):
        bind(run_id=event["run_id"])


def _log(report: RunReport) -> None:
    logger.info(
        "crawl %s: %d new, %d updated%s",
        report.status,
        report.new,
        report.updated,
        f" ({report.message})" if report.message else "",
        extra={"status": report.status, "new": report.new},
    )


def as_dict(report: RunReport) -> dict[str, Any]:
    return dict(report.__dict__)
