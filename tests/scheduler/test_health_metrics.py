"""Crawl health: last success, lag, error rate and staleness per source; the Prometheus
exposition; the liveness check; `lotwise status` and the `crawl` lock from the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result
from prometheus_client.parser import text_string_to_metric_families
from schema_template import migrate
from sqlalchemy import Engine, insert, text
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.models import CrawlError, CrawlRun, Source
from scanner.services.health import healthz, prometheus_text, source_health
from scanner.sources import SourceConfig
from scanner.storage import locks
from scanner.storage.database import make_engine

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        for number, name in enumerate(("alpha", "gamma"), start=1):
            conn.execute(
                insert(Source).values(
                    id=number, name=name, kind="ocds", url="http://x", created_at=NOW
                )
            )

        def run(source_id: int, status: str, hours_ago: float, pages: int, new: int) -> None:
            started = NOW - timedelta(hours=hours_ago)
            conn.execute(
                insert(CrawlRun).values(
                    source_id=source_id,
                    status=status,
                    started_at=started,
                    finished_at=started + timedelta(minutes=2),
                    last_page_at=started + timedelta(minutes=2) if pages else None,
                    pages=pages,
                    items_seen=new,
                    items_new=new,
                    items_updated=1,
                    items_unchanged=0,
                    errors=0 if status == "ok" else 2,
                )
            )

        run(1, "ok", 5, 3, 30)
        run(1, "partial", 3, 2, 5)
        run(1, "failed", 1, 0, 0)
        run(2, "ok", 0.5, 1, 4)
        conn.execute(
            insert(CrawlError).values(
                source_id=1,
                kind="http",
                url="http://x/p2",
                status=500,
                reason="HTTP 500",
                attempts=1,
                created_at=NOW,
            )
        )


SOURCES = {
    "alpha": SourceConfig(name="alpha", url="http://x", interval="1h"),
    "beta": SourceConfig(name="beta", url="http://y", schedule="0 */6 * * *"),
}


def test_source_health_reports_lag_error_rate_and_staleness(engine: Engine) -> None:
    _seed(engine)
    health = {h.name: h for h in source_health(engine, NOW, SOURCES, stale_intervals=2)}
    assert list(health) == ["alpha", "beta", "gamma"]  # configured first, then stored only
    alpha = health["alpha"]
    assert alpha.last_success_at == NOW - timedelta(hours=3) + timedelta(minutes=2)
    assert alpha.lag_seconds == (3 * 60 - 2) * 60
    assert (alpha.recent_runs, alpha.recent_failures) == (3, 1)
    assert alpha.error_rate == 1 / 3
    assert alpha.interval_seconds == 3600
    assert alpha.stale  # last fetch 2 h 58 min ago: more than 2 intervals of 1 h
    assert alpha.state == "failing" and alpha.unresolved_errors == 1
    assert health["beta"].state == "never" and health["beta"].interval_seconds == 6 * 3600
    assert not health["beta"].stale
    gamma = health["gamma"]
    assert not gamma.configured and gamma.state == "ok" and not gamma.stale
    with engine.begin() as conn:  # a live lease shows as running, with its holder
        locks.try_acquire(conn, "beta", locks.Holder("h", 1, "t" * 16), now=NOW, ttl=60)
    beta = next(h for h in source_health(engine, NOW, SOURCES) if h.name == "beta")
    assert beta.running and beta.state == "running" and beta.lease_holder == "h:1:" + "t" * 16
    assert source_health(engine, NOW, SOURCES, stale_intervals=3)[0].stale is False


def test_stale_counts_from_the_last_page_fetched_not_the_end_of_its_run(engine: Engine) -> None:
    """A run that fetched its last page 2 h 30 min ago and then hung until its timeout ended
    10 min ago: the source is stale after two 1-hour intervals all the same."""
    with engine.begin() as conn:
        conn.execute(
            insert(Source).values(id=1, name="alpha", kind="ocds", url="http://x", created_at=NOW)
        )
        conn.execute(
            insert(CrawlRun).values(
                source_id=1, status="partial", started_at=NOW - timedelta(hours=2, minutes=40),
                finished_at=NOW - timedelta(minutes=10), pages=4, items_seen=8, items_new=8,
                items_updated=0, items_unchanged=0, errors=1,
                last_page_at=NOW - timedelta(hours=2, minutes=30),
            )
        )  # fmt: skip
    alpha = source_health(engine, NOW, SOURCES, stale_intervals=2)[0]
    assert alpha.last_fetch_at == NOW - timedelta(hours=2, minutes=30)
    assert alpha.stale and alpha.state == "stale" and not alpha.healthy
    assert not source_health(engine, NOW, SOURCES, stale_intervals=3)[0].stale


def test_prometheus_text_exposes_runs_items_errors_durations_and_digests(
    engine: Engine,
) -> None:
    _seed(engine)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(
            prometheus_text(engine, NOW, SOURCES, stale_intervals=2)
        )
        for s in family.samples
    }
    assert samples["lotwise_crawl_runs_total", (("source", "alpha"), ("status", "ok"))] == 1
    assert samples["lotwise_crawl_runs_total", (("source", "alpha"), ("status", "failed"))] == 1
    assert samples["lotwise_crawl_items_total", (("kind", "new"), ("source", "alpha"))] == 35
    assert samples["lotwise_crawl_errors_total", (("source", "alpha"),)] == 4
    assert samples["lotwise_crawl_errors_unresolved", (("source", "alpha"),)] == 1
    assert samples["lotwise_crawl_duration_seconds_count", (("source", "alpha"),)] == 3
    assert samples["lotwise_crawl_duration_seconds_sum", (("source", "alpha"),)] == 360
    assert samples["lotwise_source_stale", (("source", "alpha"),)] == 1
    assert samples["lotwise_source_lag_seconds", (("source", "gamma"),)] == 28 * 60
    assert samples["lotwise_digests_sent_total", ()] == 0
    assert samples["lotwise_digests", (("status", "pending"),)] == 0


def test_healthz_checks_the_database_and_schema(engine: Engine) -> None:
    ok, detail = healthz(engine)
    assert ok and detail["schema"] == detail["head"] and detail["database"] == "ok"
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    ok, detail = healthz(engine)
    assert not ok and "lotwise init" in detail["problem"]


def _lotwise(*args: str, env: dict[str, str]) -> Result:
    """`lotwise ARGS` in this process (the exit code and messages are what is tested, not the
    process: the `crawl` process is tested in test_orphan_crawl.py); an exception escaping
    the command fails the test, as a traceback would."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_status_and_crawl_commands_respect_health_and_the_lock(
    sqlite_url: str, tmp_path: Path
) -> None:
    database_url = sqlite_url
    engine = make_engine(sqlite_url)
    migrate(engine)
    _seed(engine)
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.alpha]\nurl = "http://127.0.0.1:9/a"\ninterval = "1h"\n')
    env = {"LOTWISE_DATABASE_URL": database_url, "LOTWISE_SOURCES_FILE": str(sources)}
    status = _lotwise("status", "--json", env=env)
    assert status.exit_code == 1, status.stderr  # alpha is failing
    report = json.loads(status.stdout)
    assert report["healthy"] is False  # `healthy` and the exit code agree
    assert [s["name"] for s in report["sources"]] == ["alpha", "gamma"]
    assert report["sources"][0]["state"] == "failing"
    with engine.begin() as conn:  # another process is crawling alpha
        locks.try_acquire(
            conn,
            "alpha",
            locks.Holder("elsewhere", 7, "e" * 16),
            now=datetime.now(UTC),
            ttl=600,
        )
    crawl = _lotwise("crawl", "alpha", env=env)
    assert crawl.exit_code == 1
    assert "source 'alpha' is being crawled by elsewhere:7:" in crawl.stderr
    assert "Traceback" not in crawl.stderr


def _runs_of(engine: Engine, *runs: tuple[float, int, int]) -> None:
    """Source `alpha` with finished `ok` runs, each (days ago, pages, notices seen)."""
    with engine.begin() as conn:
        conn.execute(
            insert(Source).values(id=1, name="alpha", kind="html", url="http://x", created_at=NOW)
        )
        for days_ago, pages, seen in runs:
            started = NOW - timedelta(days=days_ago)
            conn.execute(
                insert(CrawlRun).values(
                    source_id=1, status="ok", started_at=started,
                    finished_at=started + timedelta(minutes=1),
                    last_page_at=started + timedelta(seconds=30) if pages else None,
                    pages=pages, items_seen=seen, items_new=seen, items_updated=0,
                    items_unchanged=0, errors=0,
                )
            )  # fmt: skip


DAILY = {"alpha": SourceConfig(name="alpha", url="http://x", interval="1d")}


def test_a_source_that_answers_but_yields_no_notice_for_a_week_is_silent(engine: Engine) -> None:
    """A portal whose layout changed: every daily run fetches its page and finds nothing. Up
    to `silent_days` after the last run that saw a notice it is ok (a quiet week happens);
    past that it is silent, unhealthy, with the day it last saw one and the setting named."""
    _runs_of(engine, (10, 2, 25), *((day, 1, 0) for day in range(9, -1, -1)))
    alpha = source_health(engine, NOW, DAILY)[0]
    assert alpha.silent and alpha.state == "silent" and not alpha.healthy
    assert alpha.last_item_at == NOW - timedelta(days=10) + timedelta(seconds=30)
    assert alpha.reason == (
        "pages fetched, but no notice seen since 2026-11-17 12:00 UTC "
        "(7 days allowed, LOTWISE_SILENT_DAYS)"
    )
    assert source_health(engine, NOW, DAILY, silent_days=11)[0].state == "ok"
    assert source_health(engine, NOW, DAILY, silent_days=0)[0].state == "ok"
    samples = {
        s.labels.get("source"): s.value
        for family in text_string_to_metric_families(prometheus_text(engine, NOW, DAILY))
        if family.name == "lotwise_source_silent"
        for s in family.samples
    }
    assert samples == {"alpha": 1.0}
    with engine.begin() as conn:  # a run sees a notice again: ok at once
        conn.execute(text("UPDATE crawl_runs SET items_seen = 1 WHERE id = (SELECT max(id) FROM crawl_runs)"))  # fmt: skip
    assert source_health(engine, NOW, DAILY)[0].state == "ok"


def test_a_source_that_never_yielded_a_notice_is_silent_from_its_first_run(
    engine: Engine,
) -> None:
    _runs_of(engine, *((day, 3, 0) for day in range(8, -1, -1)))
    alpha = source_health(engine, NOW, DAILY)[0]
    assert alpha.state == "silent" and alpha.last_item_at is None
    assert alpha.reason == (
        "pages fetched, but no notice ever seen since the first run on 2026-11-19 "
        "(7 days allowed, LOTWISE_SILENT_DAYS)"
    )


def test_a_source_nobody_crawled_lately_is_not_silent(engine: Engine) -> None:
    """Silence is about runs that went on and found nothing: a source whose last run (with
    notices) was 30 days ago and that is not scheduled is neither silent nor stale."""
    _runs_of(engine, (40, 2, 5), (30, 2, 5))
    alpha = source_health(engine, NOW, {})[0]
    assert not alpha.silent and alpha.state == "ok"
