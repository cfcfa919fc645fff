"""Sources, crawl runs and crawl errors: the bookkeeping that makes a crawl resumable and its
failures visible. Errors are rows, not log lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scanner.models import CrawlError, CrawlRun, Source, Tender

EXCERPT_LIMIT = 2000


@dataclass(frozen=True)
class RunTotals:
    pages: int = 0
    items_seen: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    errors: int = 0
    expected_total: int | None = None
    listed: int = 0  # entries received in the unit the source announces (records or releases)
    last_page_at: datetime | None = None  # when the last page was fetched

    @property
    def received(self) -> int:
        """What to hold against `expected_total`: entries listed, else releases seen."""
        return self.listed or self.items_seen

    @property
    def shortfall(self) -> int | None:
        if self.expected_total is None or self.received >= self.expected_total:
            return None
        return self.expected_total - self.received


def run_message(totals: RunTotals) -> str | None:
    """Why a run is partial, in words an operator can act on; None for a clean run."""
    parts = []
    if totals.errors:
        parts.append(f"{totals.errors} error(s) recorded")
    if totals.shortfall:
        parts.append(f"source announced {totals.expected_total} items, {totals.received} received")
    return "; ".join(parts) or None


def ensure_source(conn: Connection, *, name: str, kind: str, url: str, now: datetime) -> int:
    """The id of source `name`, creating it on first use; kind and URL follow the configuration.

    An upsert, not check-then-insert: two first runs of a new source at once both succeed."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(Source)
        .values(name=name, kind=kind, url=url, created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    row = conn.execute(select(Source.id, Source.kind, Source.url).where(Source.name == name)).one()
    if (row.kind, row.url) != (kind, url):
        conn.execute(update(Source).where(Source.id == row.id).values(kind=kind, url=url))
    return int(row.id)


def high_water_mark(conn: Connection, source_id: int) -> datetime | None:
    return conn.execute(
        select(Source.high_water_mark).where(Source.id == source_id)
    ).scalar_one_or_none()


def start_run(
    conn: Connection,
    *,
    source_id: int,
    now: datetime,
    window_from: datetime | None,
    window_to: datetime | None,
    pid: int | None,
) -> int:
    return int(
        conn.execute(
            insert(CrawlRun)
            .values(
                source_id=source_id,
                status="running",
                started_at=now,
                window_from=window_from,
                window_to=window_to,
                pid=pid,
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


def finish_run(
    conn: Connection, *, run_id: int, totals: RunTotals, now: datetime, advance_to: datetime | None
) -> str:
    """Close a run with its totals and return its status. The source's high-water mark moves
    to `advance_to` (the run's window end) when given: failed pages are retried from the error
    log, so the mark can advance past them without losing them. A run that fetched no page
    because every request failed is `failed` (naming the cause), never `partial`, and keeps
    the mark."""
    message = run_message(totals)
    status = "partial" if message else "ok"
    if totals.pages == 0 and totals.errors:  # every request failed: nothing was fetched
        status, advance_to = "failed", None
        message = f"nothing fetched, every request failed: {failure_cause(conn, run_id)}"
    conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values(
            status=status,
            finished_at=now,
            pages=totals.pages,
            # A run that fetched pages without saying when (a file ingest): its end.
            last_page_at=totals.last_page_at or (now if totals.pages else None),
            items_seen=totals.items_seen,
            items_new=totals.items_new,
            items_updated=totals.items_updated,
            items_unchanged=totals.items_unchanged,
            errors=totals.errors,
            expected_total=totals.expected_total,
            shortfall=totals.shortfall,
            message=message,
        )
    )
    if advance_to is not None:
        source_id = conn.execute(
            select(CrawlRun.source_id).where(CrawlRun.id == run_id)
        ).scalar_one()
        conn.execute(
            update(Source).where(Source.id == source_id).values(high_water_mark=advance_to)
        )
    return status


def run_message_of(conn: Connection, run_id: int) -> str | None:
    return conn.execute(select(CrawlRun.message).where(CrawlRun.id == run_id)).scalar_one()


def failure_cause(conn: Connection, run_id: int) -> str:
    """The causes of a run's page errors in an operator's words, most frequent first:
    "connection refused (2)", "HTTP 5xx (1)", "timeout", "TLS", "parse"..."""
    rows = conn.execute(
        select(CrawlError.kind, CrawlError.status, CrawlError.reason).where(
            CrawlError.run_id == run_id
        )
    ).all()
    found: dict[str, int] = {}
    for kind, status, reason in rows:
        cause = error_cause(kind, status, reason)
        found[cause] = found.get(cause, 0) + 1
    ranked = sorted(found.items(), key=lambda item: -item[1])
    return ", ".join(f"{cause} ({n})" for cause, n in ranked) or "no error recorded"


def error_cause(kind: str, status: int | None, reason: str) -> str:
    """One error row's cause: connection refused, HTTP 5xx, HTTP 4xx, timeout, TLS, DNS,
    truncated body, parse, or the row's kind."""
    text = reason.lower()
    if kind == "http" and status is not None:
        return f"HTTP {status // 100}xx"
    if "ssl" in text or "tls" in text or "certificate" in text:
        return "TLS"
    if kind == "timeout" or "timed out" in text or "timeout" in text:
        return "timeout"
    if "refused" in text:
        return "connection refused"
    if "dns" in text or "lookup" in text:
        return "DNS"
    if kind == "truncated":
        return "truncated body"
    if kind in ("parse", "record", "spider"):
        return "parse"
    return "connection failed" if kind == "connection" else kind


def fail_run(conn: Connection, *, run_id: int, now: datetime, message: str) -> None:
    conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values(status="failed", finished_at=now, message=message)
    )


def record_error(
    conn: Connection,
    *,
    source_id: int,
    run_id: int | None,
    kind: str,
    reason: str,
    now: datetime,
    url: str | None = None,
    status: int | None = None,
    excerpt: str | None = None,
    record_key: str | None = None,
) -> None:
    """Store a failure. A URL (or, for a record error without URL, a record key) that
    already has an unresolved error gets its attempt count bumped instead of a second row, so
    a page or record failing every run stays one visible problem. Text is made storable on
    every database (no NUL, keys and URLs cut to their columns): the log of bad data must not
    fail on the bad data."""
    reason = _storable(reason) or ""
    excerpt = _storable(excerpt)
    record_key = _storable(record_key, 300)
    url = _storable(url, 4000)
    if url is not None or record_key is not None:
        same = (
            CrawlError.url == url
            if url is not None
            else (CrawlError.url.is_(None) & (CrawlError.record_key == record_key))
        )
        existing = conn.execute(
            select(CrawlError.id).where(
                CrawlError.source_id == source_id,
                same,
                CrawlError.resolved_at.is_(None),
            )
        ).scalar_one_or_none()
        if existing is not None:
            conn.execute(
                update(CrawlError)
                .where(CrawlError.id == existing)
                .values(
                    attempts=CrawlError.attempts + 1,
                    run_id=run_id,
                    kind=kind,
                    status=status,
                    reason=reason,
                    excerpt=_clip(excerpt),
                    created_at=now,
                )
            )
            return
    conn.execute(
        insert(CrawlError).values(
            source_id=source_id,
            run_id=run_id,
            kind=kind,
            url=url,
            status=status,
            reason=reason,
            excerpt=_clip(excerpt),
            record_key=record_key,
            attempts=1,
            created_at=now,
        )
    )


def pending_error_urls(conn: Connection, source_id: int) -> list[str]:
    """URLs of unresolved page errors: the next run of the source requests them again."""
    rows = conn.execute(
        select(CrawlError.url)
        .where(
            CrawlError.source_id == source_id,
            CrawlError.resolved_at.is_(None),
            CrawlError.url.is_not(None),
        )
        .order_by(CrawlError.id)
    )
    return [url for (url,) in rows if url]


def resolve_errors(conn: Connection, *, source_id: int, url: str, now: datetime) -> int:
    """Mark the unresolved errors of `url` resolved after a successful fetch."""
    return conn.execute(
        update(CrawlError)
        .where(
            CrawlError.source_id == source_id,
            CrawlError.url == url,
            CrawlError.resolved_at.is_(None),
        )
        .values(resolved_at=now)
    ).rowcount


def _storable(text: str | None, limit: int | None = None) -> str | None:
    if text is None:
        return None
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if limit is None else text[:limit]


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= EXCERPT_LIMIT else text[:EXCERPT_LIMIT] + "…"


def last_success_at(conn: Connection, source: str) -> datetime | None:
    """When the latest `ok` or `partial` run of `source` finished."""
    return conn.execute(
        select(CrawlRun.finished_at)
        .join(Source, Source.id == CrawlRun.source_id)
        .where(Source.name == source, CrawlRun.status.in_(("ok", "partial")))
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).scalar()


def latest_run_id(conn: Connection, source: str) -> int | None:
    value = conn.execute(
        select(func.max(CrawlRun.id))
        .join(Source, Source.id == CrawlRun.source_id)
        .where(Source.name == source)
    ).scalar()
    return int(value) if value is not None else None


def run_outcome(conn: Connection, run_id: int) -> tuple[str, int, int, str | None]:
    """A run's status, new and updated counts and message."""
    row = conn.execute(
        select(CrawlRun.status, CrawlRun.items_new, CrawlRun.items_updated, CrawlRun.message).where(
            CrawlRun.id == run_id
        )
    ).one()
    return str(row.status), int(row.items_new or 0), int(row.items_updated or 0), row.message


def running_runs(conn: Connection) -> list[Any]:
    """(id, pid, source name) of every run still marked `running`."""
    return list(
        conn.execute(
            select(CrawlRun.id, CrawlRun.pid, Source.name)
            .join(Source, Source.id == CrawlRun.source_id)
            .where(CrawlRun.status == "running")
        ).all()
    )


def fail_running_run(conn: Connection, *, run_id: int, now: datetime, message: str) -> bool:
    """Fail a run that is still `running` (never one that finished meanwhile)."""
    changed = conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")
        .values(status="failed", finished_at=now, message=message)
        .returning(CrawlRun.id)
    ).first()
    return changed is not None


def latest_outcomes(conn: Connection, source: str, *, limit: int) -> list[Any]:
    """(status, finished_at) of the source's `limit` latest runs, newest first."""
    return list(
        conn.execute(
            select(CrawlRun.status, CrawlRun.finished_at)
            .join(Source, Source.id == CrawlRun.source_id)
            .where(Source.name == source)
            .order_by(CrawlRun.id.desc())
            .limit(limit)
        ).all()
    )


def first_seen_since(conn: Connection | Session, start: datetime) -> list[Any]:
    """(source name, first seen) of every tender first seen at or after `start`."""
    return list(
        conn.execute(
            select(Source.name, Tender.first_seen)
            .join(Source, Source.id == Tender.source_id)
            .where(Tender.first_seen >= start)
        ).all()
    )


def error_source(conn: Connection | Session, error_id: int) -> str | None:
    """The source of an error row (what a retry re-crawls), or None."""
    return conn.execute(
        select(Source.name)
        .join(CrawlError, CrawlError.source_id == Source.id)
        .where(CrawlError.id == error_id)
    ).scalar_one_or_none()
