"""`lotwise schedule jobs` and `lotwise schedule run ...`: each job runs once from the CLI as
the scheduler runs it, including the crawl timeout that stops a hung spider."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from sched_support import route, runs, source_toml
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.server import RecordedServer
from scanner.storage.database import make_engine


def _lotwise(*args: str, env: dict[str, str]) -> Result:
    """`lotwise ARGS` in this process (its crawl is still a real child process, stopped at
    the timeout); an exception escaping the command fails the test, as a traceback would."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_jobs_list_and_a_hung_crawl_is_stopped_at_its_timeout(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = "/hung/releases"
    with RecordedServer({"routes": [route(path, "", fault="timeout")]}) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            source_toml("hung", server.base_url + path, 'schedule = "0 6 * * *"'),
            encoding="utf-8",
        )
        env = {
            "LOTWISE_DATABASE_URL": sqlite_url,
            "LOTWISE_SOURCES_FILE": str(sources),
            "LOTWISE_HTTP_TIMEOUT": "60",
            "LOTWISE_CRAWL_TIMEOUT": "2",
            "LOTWISE_STOP_GRACE": "1",
            "LOTWISE_DIGEST_DAILY_AT": "08:15",
        }
        listed = _lotwise("schedule", "jobs", "--json", env=env)
        assert listed.exit_code == 0, listed.stderr
        jobs = {job["id"]: job for job in json.loads(listed.stdout)}
        assert set(jobs) == {"crawl:hung", "digests:daily", "digests:weekly", "tick"}
        assert "hour='6'" in jobs["crawl:hung"]["trigger"]
        assert "hour='8', minute='15'" in jobs["digests:daily"]["trigger"]

        crawled = _lotwise("schedule", "run", "crawl", "hung", "--json", env=env)
    assert crawled.exit_code == 1, crawled.stderr
    (report,) = json.loads(crawled.stdout)
    assert report["status"] == "failed"
    assert report["message"].startswith("timed out after 2 s and was stopped")
    engine = make_engine(sqlite_url)
    (run,) = runs(engine, "hung")
    engine.dispose()
    assert run.status == "failed" and run.id == report["run_id"]

    unknown = _lotwise("schedule", "run", "crawl", "nope", env=env)
    assert unknown.exit_code == 2 and "Unknown source(s): nope" in unknown.stderr
