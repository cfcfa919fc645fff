"""Run one source's crawl for the scheduler: take its lease, run the crawl (a local child
process, or a Scrapyd job), make sure its run ends marked, and refresh split suggestions and
matches when something changed.

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

from sqlalchemy import Engine, func, select

from scanner.logs import bind, log_context
from scanner.models import CrawlRun, Source
from scanner.scheduler.process import CrawlProcess, ProcessOutcome
from scanner.scheduler.scrapyd import ScrapydClient, ScrapydError, wait_for_job
from scanner.services.crawl import CrawlEvent, settings_environment
from scanner.services.dedupe import CanonicalConfig, refresh_canonical
from scanner.services.matching import MatchingConfig, refresh_matches
from scanner.services.schedule import Clock, Lease, SourceBusyError, mark_failed, utc_now
from scanner.services.split_rules import split_rules
from scanner.services.splitting import refresh_assessments
from scanner.settings import PROJECT_ROOT, Settings
from scanner.sources import SourceConfig
from scanner.storage.crawls import ensure_source, fail_run, start_run

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
        self.stopping = threading.Event()
        self._active: set[CrawlProcess] = set()
        self._lock = threading.Lock()

    def crawl(self, name: str) -> RunReport:
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
                logger.info("crawl started")
                if self.settings.scrapyd_url:
                    report = self._crawl_scrapyd(name, lease)
                else:
                    report = self._crawl_local(name, lease)
                logger.info(
                    "crawl %s: %d new, %d updated%s",
                    report.status,
                    report.new,
                    report.updated,
                    f" ({report.message})" if report.message else "",
                    extra={"status": report.status, "new": report.new},
                )
            finally:
                lease.release()
            if report.new or report.updated:
                report.refreshed = self.refresh_after_crawl()
            return report

    def stop_all(self) -> None:
        """Shutdown: ask every running crawl to stop cleanly (killed after the grace)."""
        self.stopping.set()
        with self._lock:
            active = list(self._active)
        for process in active:
            process.stop(reason="scheduler shutdown")

    # Local child process

    def _crawl_local(self, name: str, lease: Lease) -> RunReport:
        env = settings_environment(self.settings)
        env["LOTWISE_RUN_TOKEN"] = lease.holder.token

        def on_event(event: CrawlEvent) -> None:
            if event.get("event") == "start" and event.get("run_id"):
                bind(run_id=event["run_id"])
                lease.beat(name, run_id=int(event["run_id"]))
            if lease.lost.is_set():
                logger.error("lease lost to another process; stopping the crawl")
                process.stop(reason="lease lost to another process")

        process = CrawlProcess(
            [name],
            env=env,
            cwd=PROJECT_ROOT,
            timeout=self.settings.crawl_timeout,
            grace=self.settings.stop_grace,
            on_event=on_event,
        )
        with self._lock:
            self._active.add(process)
        if self.stopping.is_set():
            process.stop(reason="scheduler shutdown")
        try:
            outcome = process.wait()
        finally:
            with self._lock:
                self._active.discard(process)
        return self._report_local(name, lease.holder.token, outcome)

    def _report_local(self, name: str, token: str, outcome: ProcessOutcome) -> RunReport:
        start = outcome.event("start")
        finish = outcome.event("finish")
        run_id = int(start["run_id"]) if start and start.get("run_id") else None
        report = RunReport(name, token, "failed", run_id=run_id)
        if finish is not None:
            report.status = str(finish.get("status") or "failed")
            report.new = int(finish.get("new") or 0)
            report.updated = int(finish.get("updated") or 0)
            report.message = finish.get("message")
        why = _ending(outcome, self.settings)
        if why is not None:
            report.status = "failed"
            report.message = why if finish is None else f"{why}; {report.message or ''}".strip()
        if run_id is not None:
            if why is not None or finish is None:
                mark_failed(
                    self.engine, run_id, now=self.clock(), message=report.message or why or ""
                )
        elif report.status == "failed":
            report.run_id = self._record_failed_run(name, report.message or _tail(outcome))
            report.message = report.message or _tail(outcome)
        return report

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
            row = conn.execute(
                select(
                    CrawlRun.status, CrawlRun.items_new, CrawlRun.items_updated, CrawlRun.message
                ).where(CrawlRun.id == run_id)
            ).one()
        report.status, report.new, report.updated, report.message = row
        return report

    def _last_run_id(self, name: str) -> int | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(func.max(CrawlRun.id))
                .join(Source, Source.id == CrawlRun.source_id)
                .where(Source.name == name)
            ).scalar()
        return int(value) if value is not None else None

    def _status(self, run_id: int) -> str:
        with self.engine.connect() as conn:
            return str(
                conn.execute(select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar_one()
            )

    # After a crawl

    def refresh_after_crawl(self) -> bool:
        """Assess new and changed tenders, then re-rank matches. A broken configuration file
        is logged, never fatal: what the crawl stored stays stored."""
        now = self.clock()
        try:
            thresholds = split_rules(self.settings)
            counts = refresh_assessments(self.engine, thresholds=thresholds, now=now)
            logger.info("split suggestions: %d tenders assessed", counts.assessed)
            merged = refresh_canonical(
                self.engine,
                CanonicalConfig.load(self.settings.dedupe_file, self.settings.rates_file),
                now,
            )
            logger.info("de-duplication: %s", merged)
            config = MatchingConfig.load(
                self.settings.matching_file, self.settings.rates_file, top=self.settings.match_top
            )
            run = refresh_matches(self.engine, config, now=now)
            logger.info("matches: %d stored, %d new", run.stored, run.new)
        except Exception:
            logger.exception("refresh after the crawl failed")
            return False
        return True


def _ending(outcome: ProcessOutcome, settings: Settings) -> str | None:
    """Why the process ended abnormally, or None when it ended by itself."""
    if outcome.timed_out:
        return f"timed out after {settings.crawl_timeout:g} s and was stopped"
    if outcome.stopped:
        return f"stopped ({outcome.stop_reason})" + (" and killed" if outcome.killed else "")
    if outcome.returncode < 0:
        return f"crawl process (pid {outcome.pid}) killed by signal {-outcome.returncode}"
    return None


def _tail(outcome: ProcessOutcome) -> str:
    lines = [line for line in outcome.log_tail.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return f"crawl process exited with code {outcome.returncode}: {last}"[:2000]


def as_dict(report: RunReport) -> dict[str, Any]:
    return dict(report.__dict__)
