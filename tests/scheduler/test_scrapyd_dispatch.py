"""With `scrapyd_url` set, scheduled crawls go to a real Scrapyd (started here on 127.0.0.1)
that runs the same spiders and `StorePipeline`; results arrive in the shared database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sched_support import REPO, counts, free_port, make_settings, runs, source_toml, two_page_routes
from schema_template import migrate
from sqlalchemy import Engine, func, select

from scanner.demo.server import RecordedServer
from scanner.models import SourceLock
from scanner.scheduler.runner import Runner
from scanner.scheduler.scrapyd import ScrapydClient, ScrapydError
from scanner.sources import load_sources
from scanner.storage.database import make_engine

PATH = "/remote/releases"


@pytest.fixture
def publisher() -> Iterator[RecordedServer]:
    with RecordedServer({"routes": two_page_routes(PATH, "rem")}) as server:
        yield server


def _start_scrapyd(workdir: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    workdir.mkdir()
    (workdir / "scrapyd.conf").write_text(
        f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {workdir}/eggs
logs_dir = {workdir}/logs
dbs_dir = {workdir}/dbs
poll_interval = 0.2
max_proc = 2
""",
        encoding="utf-8",
    )
    # Scrapyd's project-directory mode: a scrapy.cfg naming the project's settings module,
    # read by Scrapyd (project list) and by Scrapy in each job (no egg to deploy).
    (workdir / "scrapy.cfg").write_text("[settings]\nlotwise = spiders.settings\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=workdir,
        env=env,
        stdout=(workdir / "scrapyd.out").open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/daemonstatus.json").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError((workdir / "scrapyd.out").read_text())


@pytest.fixture
def shared_engine(postgres_url: str) -> Iterator[Engine]:
    """PostgreSQL: the store a Scrapyd worker on another host would share."""
    engine = make_engine(postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_scrapyd_crawl_stores_through_the_same_pipeline(
    shared_engine: Engine, postgres_url: str, tmp_path: Path, publisher: RecordedServer
) -> None:
    engine, database_url = shared_engine, postgres_url
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(source_toml("remote", publisher.base_url + PATH), encoding="utf-8")
    port = free_port()
    settings = make_settings(
        database_url, sources_file, scrapyd_url=f"http://127.0.0.1:{port}", crawl_timeout=60.0
    )
    # The Scrapyd host's environment names the shared database and the sources, as a worker's
    # systemd unit would (docs/deploy.md).
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "LOTWISE_DATABASE_URL": database_url,
        "LOTWISE_SOURCES_FILE": str(sources_file),
        "LOTWISE_HTTP_TIMEOUT": "5",
        "LOTWISE_HTTP_RETRIES": "0",
        "LOTWISE_CONTACT_URL": "https://example.org/lotwise-tests",
    }
    scrapyd = _start_scrapyd(tmp_path / "scrapyd", port, env)
    try:
        client = ScrapydClient(settings.scrapyd_url, "lotwise")
        assert client.daemon_status()["status"] == "ok"
        runner = Runner(settings, engine, load_sources(sources_file))
        report = runner.crawl("remote")
        assert report.status == "ok", report.message
        assert (report.new, report.updated) == (10, 0)
        (run,) = runs(engine, "remote")
        assert run.id == report.run_id and run.status == "ok" and run.pages == 2
        assert run.pid != os.getpid()  # crawled by Scrapyd's process, not ours
        assert counts(engine, "remote") == (10, 10)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(SourceLock)).scalar() == 0
        with pytest.raises(ScrapydError, match="nosuchproject"):
            ScrapydClient(settings.scrapyd_url, "nosuchproject").schedule("ocds", "remote")
    finally:
        scrapyd.terminate()
        scrapyd.wait(timeout=30)
