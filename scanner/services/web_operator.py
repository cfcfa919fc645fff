"""What operators watch: each source's last run, health and counts, unresolved errors, the
schedule, opportunities found per day, and crawls started from the web page."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.services import queries
from scanner.services.crawl_cycle import CrawlControl, CycleReport, crawl_and_refresh
from scanner.services.health import SourceHealth, source_health
from scanner.services.queries import list_errors, source_stats
from scanner.settings import Settings
from scanner.sources import SourceConfig
from scanner.storage import crawls


def overview(
    engine: Engine,
    configured: Mapping[str, SourceConfig],
    *,
    now: datetime,
    stale_intervals: int = 3,
    silent_days: float = 7.0,
) -> list[dict[str, Any]]:
    """One row per configured or stored source: counts from the store, state, lag and error
    rate from `services.health` (the same figures `/metrics` exports). One connection at a
    time, never two at once."""
    with Session(engine) as session:
        stats = source_stats(session)
    rows = []
    health_rows = source_health(
        engine, now, configured, stale_intervals=stale_intervals, silent_days=silent_days
    )
    for health in health_rows:
        found = stats.get(health.name, {"tenders": 0})
        config = configured.get(health.name)
        rows.append(
            {
                "name": health.name,
                "tenders": found["tenders"],
                "health": health.state,
                "healthy": health.healthy,
                "health_reason": _reason(health),
                "last_run_status": health.last_run_status,
                "last_run_at": health.last_run_at.isoformat() if health.last_run_at else None,
                "unresolved_errors": health.unresolved_errors,
                "error_rate": health.error_rate,
                "schedule": _schedule(config),
                "enabled": bool(config and config.enabled),
            }
        )
    return rows


def _reason(health: SourceHealth) -> str:
    """The same verdict and cause `lotwise status` prints."""
    parts = []
    if health.reason:
        parts.append(health.reason)
    if health.failing_since is not None:
        parts.append(f"failing since {health.failing_since:%Y-%m-%d %H:%M} UTC")
    if health.last_success_at is not None and health.lag_seconds is not None:
        parts.append(f"last success {health.lag_seconds / 3600:.1f} h ago")
    elif health.last_run_at is None:
        parts.append("no crawl recorded yet")
    else:
        parts.append("never succeeded")
    if health.recent_runs:
        parts.append(f"{health.recent_failures} of the last {health.recent_runs} runs failed")
    if health.lease_holder:
        parts.append(f"running on {health.lease_holder}")
    return "; ".join(parts)


def _schedule(config: SourceConfig | None) -> str:
    if config is None:
        return "not configured"
    if config.schedule:
        return config.schedule
    return f"every {config.interval}" if config.interval else "manual"


def found_per_day(session: Session, *, now: datetime, days: int = 14) -> dict[str, list[int]]:
    """Tenders first seen per source and UTC day over the last `days` days, oldest day first."""
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = crawls.first_seen_since(session, start)
    counts: dict[str, list[int]] = {}
    for name, seen in rows:
        index = (seen.date() - start.date()).days
        if 0 <= index < days:
            counts.setdefault(name, [0] * days)[index] += 1
    return counts


def error_source(session: Session, error_id: int) -> str | None:
    """The source of an error row (what a retry re-crawls), or None."""
    return crawls.error_source(session, error_id)


def unresolved_errors(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    return list_errors(session, limit=limit)


def tender_count(session: Session) -> int:
    return queries.tender_count(session)


CycleRunner = Callable[[Settings, list[str]], CycleReport]


@dataclass
class CrawlLauncher:
    """Starts crawls in a background thread, one at a time per source, and remembers the last
    outcome so the page can show it. The crawl is `services.crawl_cycle`, the same path as
    `lotwise crawl` and the scheduler (lease, timeout, failure marking, refresh); a retry of
    an error row is a crawl of its source, whose first requests are the failed URLs."""

    settings: Settings
    engine: Engine | None = None
    runner: CycleRunner | None = None
    running: set[str] = field(default_factory=set)
    last: dict[str, str] = field(default_factory=dict)
    control: CrawlControl = field(default_factory=CrawlControl)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, source: str) -> bool:
        """False when a crawl of `source` started here is still running."""
        with self._lock:
            if source in self.running:
                return False
            self.running.add(source)
        thread = threading.Thread(target=self._run, args=(source,), daemon=True)
        thread.start()
        return True

    def _cycle(self, settings: Settings, sources: list[str]) -> CycleReport:
        if self.engine is None:
            raise RuntimeError("the crawl launcher has no database engine")
        return crawl_and_refresh(settings, self.engine, sources, control=self.control)

    def _run(self, source: str) -> None:
        try:
            report = (self.runner or self._cycle)(self.settings, [source])
            self.last[source] = report.summary()
        except Exception as exc:  # shown on the page; the thread must not die silently
            self.last[source] = f"could not start: {type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self.running.discard(source)
