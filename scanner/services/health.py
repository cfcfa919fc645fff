"""Crawl health for operators: per-source state, Prometheus metrics and a liveness check.

The API is three functions, all read-only and cheap enough for a scrape every 15 s:

- `source_health(engine, now, sources, *, recent=10, stale_intervals=3, silent_days=7)
  -> list[SourceHealth]`: per source (configured or stored): last run and last success, lag
  (time since the last success), error rate (failed or partial runs among the `recent` last),
  stale when no page was fetched for `stale_intervals` schedule intervals (from the last page
  actually fetched, `crawl_runs.last_page_at`, not the end of its run), silent when its runs
  kept fetching pages for `silent_days` after the last one that saw a notice (a portal whose
  layout or API changed answers every request and yields nothing), and who holds its lease.
- `prometheus_text(engine, now, sources=None, *, stale_intervals=3, silent_days=7) -> str`: the Prometheus text exposition
  (`prometheus_client`) of runs, items, errors, durations, lag and digests sent/pending;
  serve it with content type `CONTENT_TYPE`.
- `healthz(engine) -> (ok, detail)`: the database answers and its schema is at the latest
  migration; `detail` says what was checked (HTTP 200 when ok, else 503).
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from scanner.services.schedule import expected_interval
from scanner.sources import SourceConfig
from scanner.storage import health_reads as reads
from scanner.storage import locks
from scanner.storage.database import alembic_config, database_failure

CONTENT_TYPE = CONTENT_TYPE_LATEST
SUCCESS = ("ok", "partial")
UNHEALTHY = ("failing", "stale", "silent")


@dataclass(frozen=True)
class SourceHealth:
    """One source's health. `state`: ok, running, failing (last run failed), stale, silent
    (pages fetched, no notice seen for too long), never (no run yet); unscheduled-idle
    sources are `ok` unless failing or silent."""

    name: str
    configured: bool
    schedule: str | None
    interval_seconds: float | None
    last_run_id: int | None
    last_run_status: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_fetch_at: datetime | None
    lag_seconds: float | None
    recent_runs: int
    recent_failures: int
    error_rate: float
    unresolved_errors: int
    stale: bool
    running: bool
    lease_holder: str | None
    state: str
    failing_since: datetime | None = None
    reason: str | None = None
    silent: bool = False
    last_item_at: datetime | None = None

    @property
    def healthy(self) -> bool:
        """False when the source is failing, stale or silent: what `lotwise status` exits 1
        for."""
        return self.state not in UNHEALTHY

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["healthy"] = self.healthy
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        return data


def source_health(
    engine: Engine,
    now: datetime,
    sources: Mapping[str, SourceConfig],
    *,
    recent: int = 10,
    stale_intervals: int = 3,
    silent_days: float = 7.0,
) -> list[SourceHealth]:
    """Health of every configured source and every stored one, by name. `silent_days` 0
    turns the silent check off."""
    with engine.connect() as conn:
        facts = reads.run_facts(conn, recent=recent, success=SUCCESS)
        leases = {lock.source_name: lock for lock in locks.all_locks(conn)}
    stored, runs, unresolved = facts.stored, facts.runs, facts.unresolved
    last_success, last_fetch = facts.last_success, facts.last_fetch
    result = []
    for name in [*sources, *sorted(set(stored) - set(sources))]:
        config = sources.get(name)
        source_id = stored.get(name)
        history = runs.get(source_id, []) if source_id is not None else []
        interval = expected_interval(config, now) if config is not None else None
        success = last_success.get(source_id) if source_id is not None else None
        fetched = last_fetch.get(source_id) if source_id is not None else None
        failures = sum(run.status not in SUCCESS and run.status != "running" for run in history)
        finished = sum(run.status != "running" for run in history)
        lease = leases.get(name)
        running = bool(history and history[0].status == "running") or (
            lease is not None and lease.expires_at >= now
        )
        stale = _stale(interval, stale_intervals, fetched, history, now)
        last = history[0] if history else None
        settled = [run for run in history if run.status != "running"]
        seen = facts.last_item.get(source_id) if source_id is not None else None
        first = facts.first_run.get(source_id) if source_id is not None else None
        silent = _silent(settled, seen or first, silent_days)
        streak = list(itertools.takewhile(lambda run: run.status == "failed", settled))
        result.append(
            SourceHealth(
                name=name,
                configured=config is not None,
                schedule=(config.schedule or config.interval) if config else None,
                interval_seconds=interval.total_seconds() if interval else None,
                last_run_id=last.id if last else None,
                last_run_status=last.status if last else None,
                last_run_at=last.started_at if last else None,
                last_success_at=success,
                last_fetch_at=fetched,
                lag_seconds=(now - success).total_seconds() if success else None,
                recent_runs=finished,
                recent_failures=failures,
                error_rate=failures / finished if finished else 0.0,
                unresolved_errors=unresolved.get(source_id, 0) if source_id else 0,
                stale=stale,
                running=running,
                lease_holder=lease.holder
                if lease is not None and lease.expires_at >= now
                else None,
                state=_state(settled[0] if settled else None, running, stale, silent),
                failing_since=(streak[-1].finished_at or streak[-1].started_at) if streak else None,
                reason=_why(streak, stale, fetched, interval, stale_intervals)
                or (_why_silent(seen, first, silent_days) if silent else None),
                silent=silent,
                last_item_at=seen,
            )
        )
    return result


def _stale(
    interval: timedelta | None,
    intervals: int,
    fetched: datetime | None,
    history: list[Any],
    now: datetime,
) -> bool:
    """Nothing fetched for `intervals` schedule intervals (counted from the first run when
    nothing was ever fetched); unscheduled sources are never stale."""
    if interval is None:
        return False
    since = fetched or (history[-1].started_at if history else None)
    return since is not None and now - since > interval * intervals


def _silent(settled: list[Any], since: datetime | None, days: float) -> bool:
    """The last finished run fetched pages and succeeded, and runs have gone on doing so for
    more than `days` after the last one that saw a notice (or after the first run, when none
    ever did): the source answers but yields nothing. A source nobody crawls is not silent."""
    if days <= 0 or not settled or since is None:
        return False
    last = settled[0]
    if last.status not in SUCCESS or not last.pages:
        return False
    ended = last.finished_at or last.started_at
    return bool(ended - since > timedelta(days=days))


def _why_silent(seen: datetime | None, first: datetime | None, days: float) -> str:
    limit = f"{days:g} days allowed, LOTWISE_SILENT_DAYS"
    if seen is not None:
        return f"pages fetched, but no notice seen since {seen:%Y-%m-%d %H:%M} UTC ({limit})"
    started = f" since the first run on {first:%Y-%m-%d}" if first else ""
    return f"pages fetched, but no notice ever seen{started} ({limit})"


def _state(last: Any, running: bool, stale: bool, silent: bool = False) -> str:
    """The verdict: a failed last finished run is `failing` even while a retry runs, so a
    crawl in progress never hides a dead source; a source that answers and yields nothing
    for too long is `silent`, not `ok`."""
    if last is not None and last.status == "failed":
        return "failing"
    if running:
        return "running"
    if last is None:
        return "never"
    if stale:
        return "stale"
    return "silent" if silent else "ok"


def _why(
    streak: list[Any],
    stale: bool,
    fetched: datetime | None,
    interval: timedelta | None,
    intervals: int,
) -> str | None:
    """Why a source is unhealthy, in one line: the last failed run's message, or how long
    nothing was fetched."""
    if streak:
        runs = f" ({len(streak)} failed runs in a row)" if len(streak) > 1 else ""
        return f"{streak[0].message or 'the crawl failed'}{runs}"
    if stale and interval is not None:
        since = f"since {fetched:%Y-%m-%d %H:%M} UTC" if fetched else "ever"
        return f"nothing fetched {since}; expected every {_span(interval)} ({intervals}x allowed)"
    return None


def _span(interval: timedelta) -> str:
    seconds = interval.total_seconds()
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def all_healthy(database_ok: bool, health: list[SourceHealth]) -> bool:
    """The one verdict of `lotwise status` (its `healthy` and its exit code) and the web's."""
    return database_ok and all(h.healthy for h in health)


# Prometheus


class _Collector(Collector):
    def __init__(
        self,
        engine: Engine,
        now: datetime,
        sources: Mapping[str, SourceConfig] | None,
        stale_intervals: int,
        silent_days: float,
    ) -> None:
        self.engine = engine
        self.now = now
        self.sources = sources or {}
        self.stale_intervals = stale_intervals
        self.silent_days = silent_days

    def collect(self) -> Iterator[Any]:
        runs = CounterMetricFamily(
            "lotwise_crawl_runs", "Crawl runs by source and status.", labels=["source", "status"]
        )
        items = CounterMetricFamily(
            "lotwise_crawl_items", "Items stored by crawls, by outcome.", labels=["source", "kind"]
        )
        errors = CounterMetricFamily(
            "lotwise_crawl_errors", "Errors recorded by crawl runs.", labels=["source"]
        )
        unresolved = GaugeMetricFamily(
            "lotwise_crawl_errors_unresolved",
            "Failed pages and records not yet recovered by a retry.",
            labels=["source"],
        )
        durations = SummaryMetricFamily(
            "lotwise_crawl_duration_seconds",
            "Duration of finished crawl runs.",
            labels=["source"],
        )
        with self.engine.connect() as conn:
            facts = reads.metric_totals(conn)
        totals, spans, open_errors = facts.totals, facts.spans, facts.open_errors
        digest_counts = facts.digests
        per_kind: dict[tuple[str, str], int] = defaultdict(int)
        per_source_errors: dict[str, int] = defaultdict(int)
        for name, status, count, new, updated, unchanged, errs in totals:
            runs.add_metric([name, status], count)
            per_kind[name, "new"] += int(new)
            per_kind[name, "updated"] += int(updated)
            per_kind[name, "unchanged"] += int(unchanged)
            per_source_errors[name] += int(errs)
        for (name, kind), value in sorted(per_kind.items()):
            items.add_metric([name, kind], value)
        for name, value in sorted(per_source_errors.items()):
            errors.add_metric([name], value)
        for name, count in open_errors:
            unresolved.add_metric([name], count)
        spent: dict[str, list[float]] = defaultdict(list)
        for name, started, finished in spans:
            if finished is not None:
                spent[name].append(max((finished - started).total_seconds(), 0.0))
        for name, values in sorted(spent.items()):
            durations.add_metric([name], count_value=len(values), sum_value=sum(values))
        yield from (runs, items, errors, unresolved, durations)
        yield from self._sources()
        sent = CounterMetricFamily("lotwise_digests_sent", "Digest emails accepted by SMTP.")
        sent.add_metric([], digest_counts.get("sent", 0))
        pending = GaugeMetricFamily(
            "lotwise_digests", "Digests in the outbox by status.", labels=["status"]
        )
        for status in ("pending", "sending", "in_data", "failed", "unknown"):
            pending.add_metric([status], digest_counts.get(status, 0))
        yield sent
        yield pending

    def _sources(self) -> Iterator[Any]:
        health = source_health(
            self.engine,
            self.now,
            self.sources,
            stale_intervals=self.stale_intervals,
            silent_days=self.silent_days,
        )
        success = GaugeMetricFamily(
            "lotwise_source_last_success_timestamp_seconds",
            "When the source's last successful run finished (Unix time).",
            labels=["source"],
        )
        lag = GaugeMetricFamily(
            "lotwise_source_lag_seconds",
            "Seconds since the last successful run.",
            labels=["source"],
        )
        stale = GaugeMetricFamily(
            "lotwise_source_stale", "1 when nothing was fetched for N intervals.", labels=["source"]
        )
        silent = GaugeMetricFamily(
            "lotwise_source_silent",
            "1 when pages were fetched but no notice seen for N days.",
            labels=["source"],
        )
        running = GaugeMetricFamily(
            "lotwise_source_running", "1 while a crawl of the source runs.", labels=["source"]
        )
        rate = GaugeMetricFamily(
            "lotwise_source_error_rate", "Failed share of the recent runs.", labels=["source"]
        )
        for h in health:
            if h.last_success_at is not None:
                success.add_metric([h.name], h.last_success_at.timestamp())
            if h.lag_seconds is not None:
                lag.add_metric([h.name], h.lag_seconds)
            stale.add_metric([h.name], float(h.stale))
            silent.add_metric([h.name], float(h.silent))
            running.add_metric([h.name], float(h.running))
            rate.add_metric([h.name], h.error_rate)
        yield from (success, lag, stale, silent, running, rate)


def prometheus_text(
    engine: Engine,
    now: datetime,
    sources: Mapping[str, SourceConfig] | None = None,
    *,
    stale_intervals: int = 3,
    silent_days: float = 7.0,
) -> str:
    """Every Lotwise metric in the Prometheus text format, read from the database now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(engine, now, sources, stale_intervals, silent_days))
    return generate_latest(registry).decode()


# Liveness


@functools.lru_cache(maxsize=1)
def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory  # alembic for this check only: not at every start

    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return script.get_current_head()


def healthz(engine: Engine) -> tuple[bool, dict[str, Any]]:
    """The database answers and its schema is at the latest migration."""
    detail: dict[str, Any] = {"database": "ok", "schema": None, "head": _head_revision()}
    try:
        with engine.connect() as conn:
            detail["schema"] = reads.schema_revision(conn)
    except (OperationalError, PoolTimeout) as exc:  # unreachable, a timeout: the line names which
        detail["database"] = database_failure(exc)
        return False, detail
    except Exception as exc:
        detail["database"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
        return False, detail
    ok = detail["schema"] == detail["head"]
    if not ok:
        detail["problem"] = "schema is not at the latest migration: run `lotwise init`"
    return ok, detail
