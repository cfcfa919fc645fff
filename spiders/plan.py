"""What a crawl covers: its time window, the date windows it is cut into, and the failed
pages of earlier runs it retries first. Pure functions: the pipeline feeds them the clock and
the high-water mark, the spider turns the plan into requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from scanner.sources import DateWindow


@dataclass(frozen=True)
class CrawlPlan:
    """The window a run covers (`window_from` None: everything the listing offers) and the
    URLs of unresolved page errors to request again before the regular listing."""

    window_from: datetime | None
    window_to: datetime
    retry_urls: tuple[str, ...] = field(default=())


def parse_instant(value: str | datetime | None) -> datetime | None:
    """An aware UTC datetime from an ISO date or datetime; a naive value is read as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def plan_window(
    dates: DateWindow | None,
    *,
    since: datetime | None,
    until: datetime | None,
    high_water_mark: datetime | None,
    now: datetime,
) -> tuple[datetime | None, datetime]:
    """The run's window: from `since` when given, else the high-water mark minus the overlap
    (so late-published changes near the mark are read again), else `initial_days` back; up to
    `until` or now. Sources without date parameters read their whole listing."""
    window_to = until or now
    if dates is None:
        return since, window_to
    if since is not None:
        return since, window_to
    if high_water_mark is not None:
        return high_water_mark - timedelta(hours=dates.overlap_hours), window_to
    return window_to - timedelta(days=dates.initial_days), window_to


def date_windows(
    start: datetime, end: datetime, *, window_hours: float, overlap_hours: float
) -> Iterator[tuple[datetime, datetime]]:
    """Cut [start, end] into windows of `window_hours`, each starting `overlap_hours` before
    the previous one ended: sources that silently drop results on long windows are asked
    short, overlapping questions instead. An overlap as long as the window is ignored."""
    length = timedelta(hours=window_hours)
    step = length - timedelta(hours=overlap_hours)
    if step <= timedelta(0):
        step = length
    window_start = start
    if start >= end:
        return
    while True:
        window_end = min(window_start + length, end)
        yield window_start, window_end
        if window_end >= end:
            return
        window_start += step
