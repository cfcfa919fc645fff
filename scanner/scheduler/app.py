"""`lotwise schedule`: APScheduler 3 with its job store in the Lotwise database.

Jobs (ids are stable, so a restart finds them in the store):

- `crawl:NAME` per scheduled source, on its cron `schedule` or `interval`;
- `digests:daily`, `digests:weekly` at `digest_daily_at` local time (weekly on its day);
- `tick` every minute: marks failed the runs whose process died, and queues `retry:NAME`
  for failed sources with retries left.

Every job is coalesced (a backlog of missed runs becomes one run) and has `max_instances` 1;
the per-source lease makes crawls exclusive across processes as well, so several schedulers
on one database only cost skipped duplicates. The scheduler only maps schedules to jobs; the
work is in `Runner` and the services, and each job can be run once from the CLI.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined
from sqlalchemy import Engine

from scanner.logs import log_context
from scanner.scheduler import jobs
from scanner.scheduler.runner import Runner, RunReport
from scanner.services.digests import DigestBuilder, DigestConfig, send_digests
from scanner.services.schedule import (
    Clock,
    digest_triggers,
    expected_interval,
    recover_orphaned_runs,
    scheduled_sources,
    sources_to_retry,
    utc_now,
)
from scanner.settings import Settings
from scanner.sources import SourceConfig
from scanner.storage.crawls import last_success_at
from scanner.storage.digests import recipients

logger = logging.getLogger("lotwise.scheduler")
TICK_SECONDS = 60
JOB_TABLE = "apscheduler_jobs"


def job_defaults() -> dict[str, Any]:
    # misfire_grace_time None: a run missed while no scheduler was up still happens (once).
    return {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


class LotwiseScheduler:
    """The scheduler of one process. Pass `scheduler` (e.g. a `SteppedScheduler`) and
    `clock` to drive it by hand; by default a background scheduler on the system clock."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        sources: Mapping[str, SourceConfig],
        *,
        clock: Clock = utc_now,
        scheduler: BaseScheduler | None = None,
        executor: Any = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sources = dict(sources)
        self.clock = clock
        self.runner = Runner(settings, engine, self.sources, clock=clock)
        self.scheduler = scheduler or BackgroundScheduler()
        self.scheduler.configure(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
            executors={"default": executor or ThreadPoolExecutor(len(self.sources) + 3)},
            job_defaults=job_defaults(),
            timezone=ZoneInfo(settings.timezone),
        )
        self.reports: list[RunReport] = []

    # Life cycle

    def start(self) -> None:
        jobs.install(self)
        self.scheduler.start(paused=True)
        self.sync_jobs()
        self.scheduler.resume()
        logger.info("scheduler started with %d jobs", len(self.scheduler.get_jobs()))

    def shutdown(self) -> None:
        """Stop taking jobs, stop running crawls cleanly (they are marked), wait for them."""
        logger.info("scheduler stopping")
        self.runner.stop_all()
        self.scheduler.shutdown(wait=True)
        jobs.uninstall(self)

    def sync_jobs(self) -> None:
        """Make the stored jobs match the configuration. A job whose trigger is unchanged is
        kept as stored, so a run missed while the scheduler was down still happens."""
        now = self.clock()
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        wanted: dict[str, tuple[Any, BaseTrigger, list[str]]] = {}
        for name, trigger in scheduled_sources(self.sources, self.settings.timezone).items():
            wanted[f"crawl:{name}"] = (jobs.crawl_source, trigger, [name])
        for frequency, cron in digest_triggers(self.settings).items():
            wanted[f"digests:{frequency}"] = (jobs.send_digests, cron, [frequency])
        wanted["tick"] = (jobs.tick, IntervalTrigger(seconds=TICK_SECONDS), [])
        for job_id, (func, trigger, args) in wanted.items():
            job = existing.get(job_id)
            overdue = job_id.startswith("crawl:") and self.overdue(args[0], now)
            if job is not None and repr(job.trigger) == repr(trigger):
                if overdue and job.next_run_time is not None and job.next_run_time > now:
                    self.scheduler.modify_job(job_id, next_run_time=now)
                continue
            first: Any = now if overdue else undefined  # no success within its interval
            self.scheduler.add_job(
                func,
                trigger,
                args=args,
                id=job_id,
                name=job_id,
                replace_existing=True,
                next_run_time=first,
            )
        for job_id in existing:
            if job_id.startswith("crawl:") and job_id not in wanted:
                self.scheduler.remove_job(job_id)

    def overdue(self, name: str, now: datetime) -> bool:
        """True when the source has no finished run within its expected interval."""
        interval = expected_interval(self.sources[name], now)
        with self.engine.connect() as conn:
            last = last_success_at(conn, name)
        return last is None or (interval is not None and now - last > interval)

    # The jobs' work (also run once by `lotwise schedule run ...`)

    def crawl(self, name: str) -> RunReport:
        if name not in self.sources:
            raise LookupError(f"unknown source {name!r}")
        report = self.runner.crawl(name)
        self.reports.append(report)
        return report

    def retry(self, name: str) -> RunReport | None:
        """Crawl a source queued for a retry, unless another run succeeded meanwhile."""
        still = sources_to_retry(
            self.engine, [name], now=self.clock(), retries=self.settings.crawl_retries, delay=0
        )
        if not still:
            logger.info("retry of %s not needed any more", name, extra={"source": name})
            return None
        return self.crawl(name)

    def tick(self) -> dict[str, list[Any]]:
        """Recover runs whose process died; queue retries of failed sources."""
        now = self.clock()
        with log_context(job="tick"):
            recovered = recover_orphaned_runs(self.engine, now=now)
            if recovered:
                logger.warning("marked %d orphaned run(s) failed: %s", len(recovered), recovered)
            retry = sources_to_retry(
                self.engine,
                [n for n, c in self.sources.items() if c.enabled],
                now=now,
                retries=self.settings.crawl_retries,
                delay=self.settings.crawl_retry_delay,
            )
            for name in retry:
                if self.runner.stopping.is_set():
                    break
                logger.info("retrying failed source %s", name, extra={"source": name})
                self.scheduler.add_job(
                    jobs.retry_source,
                    DateTrigger(run_date=now),
                    args=[name],
                    id=f"retry:{name}",
                    name=f"retry:{name}",
                    replace_existing=True,
                    next_run_time=now,
                )
        return {"recovered": recovered, "retrying": retry}

    def send_digests(self, frequency: str) -> dict[str, Any]:
        """Send the due digests of organisations receiving them `frequency`."""
        now = self.clock()
        keys = ("recorded", "sent", "nothing_new", "retrying", "failed", "errors")
        summary: dict[str, Any] = {"frequency": frequency, **{key: [] for key in keys}}
        with log_context(job=f"digests:{frequency}"):
            config = DigestConfig.from_settings(self.settings)
            builder = DigestBuilder(config)  # templates compiled once for every organisation
            with self.engine.connect() as conn:
                orgs = [r.slug for r in recipients(conn) if r.frequency == frequency and r.emails]
            for slug in orgs:
                try:
                    report = send_digests(self.engine, config, now=now, org=slug, builder=builder)
                except Exception as exc:  # one organisation never stops the others
                    logger.exception("digest for %s failed", slug)
                    summary["errors"].append({"organisation": slug, "error": str(exc)})
                    continue
                for key in keys:
                    summary[key] += getattr(report, key)
            logger.info(
                "%s digests: %d sent, %d errors",
                frequency,
                len(summary["sent"]),
                len(summary["errors"]),
            )
        return summary

    def next_runs(self) -> list[tuple[str, datetime | None]]:
        return [(job.id, job.next_run_time) for job in self.scheduler.get_jobs()]
