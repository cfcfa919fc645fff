"""The reads behind crawl health (`scanner.services.health`): each source's recent runs,
last success, last page fetched and unresolved errors; the totals Prometheus exposes; the
schema revision the liveness check compares with the migrations' head."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from scanner.models import CrawlError, CrawlRun, Digest, Source


@dataclass(frozen=True)
class RunFacts:
    """By source id: its `recent` latest runs (newest first), the end of its last run with
    status in `success`, when its last page was fetched, when a run last saw a notice (its
    last page, else its end), when its first run started, its unresolved errors; and the
    stored sources by name."""

    stored: dict[str, int]
    runs: dict[int, list[Any]]
    last_success: dict[int, datetime | None]
    last_fetch: dict[int, datetime | None]
    last_item: dict[int, datetime | None]
    first_run: dict[int, datetime | None]
    unresolved: dict[int, int]


def run_facts(conn: Connection, *, recent: int, success: Sequence[str]) -> RunFacts:
    stored = dict(conn.execute(select(Source.name, Source.id)).all())
    runs: dict[int, list[Any]] = defaultdict(list)
    ranked = select(
        CrawlRun.source_id,
        CrawlRun.id,
        CrawlRun.status,
        CrawlRun.started_at,
        CrawlRun.finished_at,
        CrawlRun.pages,
        CrawlRun.items_seen,
        CrawlRun.message,
        func.row_number()
        .over(partition_by=CrawlRun.source_id, order_by=CrawlRun.id.desc())
        .label("rank"),
    ).subquery()
    for row in conn.execute(select(ranked).where(ranked.c.rank <= recent)):
        runs[row.source_id].append(row)
    last_success = dict(
        conn.execute(
            select(CrawlRun.source_id, func.max(CrawlRun.finished_at))
            .where(CrawlRun.status.in_(success))
            .group_by(CrawlRun.source_id)
        ).all()
    )
    last_fetch = dict(  # the last page actually fetched, not the end of its run
        conn.execute(
            select(CrawlRun.source_id, func.max(CrawlRun.last_page_at))
            .where(CrawlRun.pages > 0)
            .group_by(CrawlRun.source_id)
        ).all()
    )
    last_item: dict[int, datetime | None] = (
        dict(  # the last run that saw a notice at all, new or not
            conn.execute(
                select(
                    CrawlRun.source_id,
                    func.max(func.coalesce(CrawlRun.last_page_at, CrawlRun.finished_at)),
                )
                .where(CrawlRun.items_seen > 0)
                .group_by(CrawlRun.source_id)
            ).all()
        )
    )
    first_run: dict[int, datetime | None] = dict(
        conn.execute(
            select(CrawlRun.source_id, func.min(CrawlRun.started_at)).group_by(CrawlRun.source_id)
        ).all()
    )
    unresolved = dict(
        conn.execute(
            select(CrawlError.source_id, func.count())
            .where(CrawlError.resolved_at.is_(None))
            .group_by(CrawlError.source_id)
        ).all()
    )
    return RunFacts(stored, dict(runs), last_success, last_fetch, last_item, first_run, unresolved)


@dataclass(frozen=True)
class MetricTotals:
    """Per (source, status): runs and items new, updated, unchanged and errors; each finished
    run's (source, start, end); unresolved errors per source; digests per status."""

    totals: list[Any]
    spans: list[Any]
    open_errors: list[Any]
    digests: dict[str, int]


def metric_totals(conn: Connection) -> MetricTotals:
    totals = conn.execute(
        select(
            Source.name,
            CrawlRun.status,
            func.count(),
            func.coalesce(func.sum(CrawlRun.items_new), 0),
            func.coalesce(func.sum(CrawlRun.items_updated), 0),
            func.coalesce(func.sum(CrawlRun.items_unchanged), 0),
            func.coalesce(func.sum(CrawlRun.errors), 0),
        )
        .select_from(CrawlRun)
        .join(Source, Source.id == CrawlRun.source_id)
        .group_by(Source.name, CrawlRun.status)
    ).all()
    spans = conn.execute(
        select(Source.name, CrawlRun.started_at, CrawlRun.finished_at)
        .select_from(CrawlRun)
        .join(Source, Source.id == CrawlRun.source_id)
        .where(CrawlRun.finished_at.is_not(None))
    ).all()
    open_errors = conn.execute(
        select(Source.name, func.count())
        .select_from(CrawlError)
        .join(Source, Source.id == CrawlError.source_id)
        .where(CrawlError.resolved_at.is_(None))
        .group_by(Source.name)
    ).all()
    digests = dict(conn.execute(select(Digest.status, func.count()).group_by(Digest.status)).all())
    return MetricTotals(list(totals), list(spans), list(open_errors), digests)


def schema_revision(conn: Connection) -> str | None:
    """The migration the database is at (raises when the database does not answer)."""
    conn.execute(text("SELECT 1"))
    found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if found is None else str(found)
