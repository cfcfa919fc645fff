"""Crawl runs and errors: high-water marks, shortfalls, error de-duplication and resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scanner.models import CrawlError, CrawlRun
from scanner.storage import crawls
from scanner.storage.crawls import RunTotals

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_finished_run_advances_high_water_mark_and_flags_shortfall(engine: Engine) -> None:
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="fts", kind="ocds", url="http://x", now=T0)
        assert crawls.high_water_mark(conn, source) is None
        run = crawls.start_run(
            conn, source_id=source, now=T0, window_from=T0 - timedelta(days=1), window_to=T0, pid=1
        )
        status = crawls.finish_run(
            conn,
            run_id=run,
            totals=RunTotals(
                pages=3,
                items_seen=90,
                items_new=90,
                expected_total=100,
                last_page_at=T0 - timedelta(minutes=5),
            ),
            now=T0,
            advance_to=T0,
        )
        assert status == "partial"
        assert crawls.high_water_mark(conn, source) == T0
    with Session(engine) as session:
        row = session.execute(select(CrawlRun)).scalars().one()
    assert row.shortfall == 10 and "100" in (row.message or "")
    assert row.last_page_at == T0 - timedelta(minutes=5)  # when its last page came, not its end


def test_clean_run_is_ok_and_source_config_changes_are_followed(engine: Engine) -> None:
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="fts", kind="ocds", url="http://x", now=T0)
        same = crawls.ensure_source(conn, name="fts", kind="ocds", url="http://moved", now=T0)
        assert same == source
        run = crawls.start_run(
            conn, source_id=source, now=T0, window_from=None, window_to=T0, pid=1
        )
        status = crawls.finish_run(
            conn, run_id=run, totals=RunTotals(pages=1, items_seen=5), now=T0, advance_to=None
        )
        assert status == "ok"
        assert crawls.high_water_mark(conn, source) is None  # not advanced when told not to


def test_failing_url_is_one_error_row_with_attempts_until_resolved(engine: Engine) -> None:
    url = "http://127.0.0.1/page?cursor=abc"
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="fts", kind="ocds", url="http://x", now=T0)
        for attempt in range(3):
            crawls.record_error(
                conn,
                source_id=source,
                run_id=None,
                kind="http",
                reason=f"HTTP 500 (attempt {attempt})",
                url=url,
                status=500,
                excerpt="x" * 5000,
                now=T0,
            )
        assert crawls.pending_error_urls(conn, source) == [url]
        attempts, excerpt = conn.execute(select(CrawlError.attempts, CrawlError.excerpt)).one()
        assert attempts == 3 and len(excerpt or "") <= crawls.EXCERPT_LIMIT + 1
        assert crawls.resolve_errors(conn, source_id=source, url=url, now=T0) == 1
        assert crawls.pending_error_urls(conn, source) == []
        crawls.record_error(
            conn, source_id=source, run_id=None, kind="http", reason="again", url=url, now=T0
        )
        assert len(conn.execute(select(CrawlError.id)).all()) == 2


def test_run_that_fetched_nothing_is_failed_with_causes_and_keeps_the_mark(
    engine: Engine,
) -> None:
    errors = [
        ("connection", None, "ConnectionRefusedError: Connection was refused by other side"),
        ("connection", None, "ConnectionRefusedError: Connection was refused by other side"),
        ("http", 503, "503 Service Unavailable"),
        ("connection", None, "SSLError: [('SSL routines', '', 'certificate verify failed')]"),
        ("timeout", None, "TimeoutError: Getting http://x took longer than 5.0 seconds."),
    ]
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="dead", kind="ocds", url="http://x", now=T0)
        run = crawls.start_run(
            conn, source_id=source, now=T0, window_from=None, window_to=T0, pid=1
        )
        for n, (kind, status, reason) in enumerate(errors):
            crawls.record_error(
                conn, source_id=source, run_id=run, kind=kind, reason=reason, now=T0,
                url=f"http://x/{n}", status=status,
            )  # fmt: skip
        status = crawls.finish_run(
            conn, run_id=run, totals=RunTotals(errors=len(errors)), now=T0, advance_to=T0
        )
        assert status == "failed"
        assert crawls.high_water_mark(conn, source) is None  # nothing fetched: nothing passed
        assert crawls.run_message_of(conn, run) == (
            "nothing fetched, every request failed: connection refused (2), HTTP 5xx (1), "
            "TLS (1), timeout (1)"
        )
