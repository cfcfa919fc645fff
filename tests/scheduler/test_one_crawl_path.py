"""The web's "Crawl now", `lotwise crawl` and the scheduler's job take one path
(`services.crawl_cycle`): against one recorded publisher each is refused while another process
holds the source's lease, each stops a crawl that outlives the crawl timeout and marks its run
failed with the reason, and each refreshes split suggestions and duplicates for what the
crawl stored before it was stopped. The three timed-out crawls run at the same time, one
source each, as they would from three processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sched_support import counts, make_settings, runs, source_toml, two_page_routes
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.server import RecordedServer
from scanner.models import CanonicalMember, Source, SourceLock, SplitAssessment, Tender
from scanner.scheduler.runner import Runner
from scanner.services.schedule import Lease
from scanner.services.web_operator import CrawlLauncher
from scanner.settings import Settings
from scanner.sources import load_sources

ENTRY_POINTS = ("web", "cli", "scheduler")


def _web(settings: Settings, engine: Engine, name: str) -> str:
    launcher = CrawlLauncher(settings, engine)
    assert launcher.start(name)
    deadline = time.monotonic() + 120
    while name in launcher.running and time.monotonic() < deadline:
        time.sleep(0.05)
    return launcher.last[name]


def _cli(settings: Settings, engine: Engine, name: str) -> str:
    env = {
        "LOTWISE_DATABASE_URL": settings.database_url,
        "LOTWISE_SOURCES_FILE": str(settings.sources_file),
        "LOTWISE_HTTP_TIMEOUT": str(settings.http_timeout),
        "LOTWISE_HTTP_RETRIES": "0",
        "LOTWISE_CONTACT_URL": settings.contact_url,
        "LOTWISE_CRAWL_TIMEOUT": str(settings.crawl_timeout),
        "LOTWISE_STOP_GRACE": str(settings.stop_grace),
        "LOTWISE_LOCK_TTL": str(settings.lock_ttl),
        "LOTWISE_STORE_BATCH_SIZE": str(settings.store_batch_size),
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(app, ["crawl", name], env=env)
    return f"exit {result.exit_code}: {result.output}"


def _scheduler(settings: Settings, engine: Engine, name: str) -> str:
    report = Runner(settings, engine, load_sources(settings.sources_file)).crawl(name)
    return f"{report.status}: {report.message}"


CALLERS: dict[str, Callable[[Settings, Engine, str], str]] = {
    "web": _web,
    "cli": _cli,
    "scheduler": _scheduler,
}


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _assessed(engine: Engine, source: str) -> int:
    """Split assessments of `source`'s tenders."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(SplitAssessment)
                .join(Tender, Tender.id == SplitAssessment.tender_id)
                .join(Source, Source.id == Tender.source_id)
                .where(Source.name == source)
            ).scalar_one()
        )


def test_crawl_now_cli_and_scheduler_share_lease_timeout_and_refresh(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    routes = [r for n in ENTRY_POINTS for r in two_page_routes(f"/{n}/r", n, hold_second=True)]
    with RecordedServer({"routes": routes}) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(
            "".join(source_toml(n, f"{server.base_url}/{n}/r") for n in ENTRY_POINTS),
            encoding="utf-8",
        )
        # The held page 2 never answers: only the crawl timeout ends these crawls.
        settings = make_settings(
            database_url,
            sources_file,
            # Long enough for three crawl processes to start and store page 1 on a loaded
            # machine (8 s was not, at load 25: 0 of 5 stored); the test waits it out once.
            crawl_timeout=15.0,
            stop_grace=1.0,
            http_timeout=120.0,
            store_batch_size=1,  # page 1 is stored before the crawl is stopped and killed
        )
        for name, call in CALLERS.items():
            # Lease: another process holds the source, so nothing is requested or stored.
            with Lease(engine, [name], ttl=60):
                busy = call(settings, engine, name)
            assert "being crawled by" in busy, (name, busy)
            assert not runs(engine, name) and not [
                r for r in server.requests if f"/{name}/" in str(r)
            ]
        assert _count(engine, SplitAssessment) == 0

        # The three crawls at once, each on its own source (the CLI's in this thread: the
        # runner swaps sys.stdout), so the test waits for one crawl timeout, not three.
        with ThreadPoolExecutor(max_workers=2) as pool:
            others = {n: pool.submit(CALLERS[n], settings, engine, n) for n in ("web", "scheduler")}
            said = {"cli": _cli(settings, engine, "cli")}
            said.update({n: future.result(timeout=300) for n, future in others.items()})

        for name in ENTRY_POINTS:
            (run,) = runs(engine, name)
            assert run.status == "failed", (name, said[name])
            assert "timed out after 15 s" in said[name].replace("\n", " "), (name, said[name])
            stored, _ = counts(engine, name)
            assert stored == 5, (name, said[name])  # page 1 was stored before the timeout
            # Refresh ran after the stopped crawl: page 1's tenders were assessed and placed.
            assert _assessed(engine, name) == stored, name
        with engine.connect() as conn:
            assert conn.execute(select(SourceLock)).first() is None  # every lease released
        assert _count(engine, SplitAssessment) == 15
        assert _count(engine, CanonicalMember) == 15
