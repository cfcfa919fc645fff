"""`lotwise status` tells the truth: a source whose every request is refused, answered with
a 5xx, left unanswered past the HTTP timeout or fails its TLS handshake is `failed` after its first run (not `partial`) and `failing` with its cause and
since when; `--json`'s `healthy` and the exit code agree; the web's operator page shows the
same verdicts; the next good run flips the source back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from sched_support import free_port, make_settings, package, route, runs, source_toml
from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.cli.status import _schedule_table, next_runs
from scanner.demo.server import RecordedServer
from scanner.services.web_operator import overview
from scanner.settings import Settings
from scanner.sources import SourceConfig, load_sources

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d.*\b(DEBUG|INFO|WARNING|ERROR)\b", re.M)


def _env(settings: Settings) -> dict[str, str]:
    return {
        "LOTWISE_DATABASE_URL": settings.database_url,
        "LOTWISE_SOURCES_FILE": str(settings.sources_file),
        "LOTWISE_HTTP_TIMEOUT": "1",  # the silent source's wait
        "LOTWISE_HTTP_RETRIES": "0",
        "LOTWISE_CONTACT_URL": settings.contact_url,
        "COLUMNS": "80",
    }


def _status(settings: Settings) -> tuple[int, dict[str, dict[str, object]], bool]:
    result = CliRunner().invoke(app, ["status", "--json"], env=_env(settings))
    report = json.loads(result.stdout)
    return result.exit_code, {s["name"]: s for s in report["sources"]}, report["healthy"]


def test_refused_5xx_timeout_and_tls_sources_fail_at_once_with_cause_and_recover(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broken = [
        route("/b/r", "upstream down", status=503),
        route("/s/r", "never sent", fault="timeout"),
        route("/t/r", "plain HTTP where TLS was asked for"),
    ]
    causes = {
        "dead": "connection refused",
        "broken": "HTTP 5xx",
        "silent": "timeout",
        "tls": "TLS",
    }
    with RecordedServer({"routes": broken}) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(
            source_toml("dead", f"http://127.0.0.1:{free_port()}/r", 'interval = "6h"')
            + source_toml("broken", f"{server.base_url}/b/r", 'interval = "6h"')
            + source_toml("silent", f"{server.base_url}/s/r", 'interval = "6h"')
            + source_toml("tls", f"https://127.0.0.1:{server.port}/t/r", 'interval = "6h"'),
            encoding="utf-8",
        )
        settings = make_settings(database_url, sources_file)
        crawl = CliRunner().invoke(app, ["crawl", *causes], env=_env(settings))
        assert crawl.exit_code == 1, crawl.output
        assert "Traceback" not in crawl.output
        assert not LOG_LINE.search(crawl.output), crawl.output  # Scrapy's log stays in the child
        for name in causes:
            (run,) = runs(engine, name)
            assert run.status == "failed" and run.pages == 0, (name, run.message)

        code, sources, healthy = _status(settings)
        assert code == 1 and healthy is False
        for name, cause in causes.items():  # after one run each, with its cause and since when
            assert sources[name]["state"] == "failing" and not sources[name]["healthy"], name
            assert cause in str(sources[name]["reason"]), (name, sources[name]["reason"])
            assert sources[name]["failing_since"], name
        page = {
            row["name"]: row
            for row in overview(engine, load_sources(sources_file), now=datetime.now(UTC))
        }
        assert {n: page[n]["health"] for n in causes} == {n: sources[n]["state"] for n in causes}
        assert "connection refused" in page["dead"]["health_reason"]

        table = CliRunner().invoke(app, ["status"], env=_env(settings))
        assert table.exit_code == 1 and "Traceback" not in table.output
        assert max(len(line) for line in table.output.splitlines()) <= 80
        assert "Schedules (times in Europe/London)" in table.output

        # The publisher comes back: the next good run flips `broken` back to ok.
        server.load({"routes": [route("/b/r", package("bro", range(0, 3), None))]})
        again = CliRunner().invoke(app, ["crawl", "broken"], env=_env(settings))
        assert again.exit_code == 0, again.output
        assert "Traceback" not in again.output and not LOG_LINE.search(again.output)
        code, sources, healthy = _status(settings)
        assert sources["broken"]["state"] == "ok" and sources["broken"]["healthy"]
        assert sources["broken"]["failing_since"] is None
        assert sources["dead"]["state"] == "failing" and code == 1 and healthy is False


def test_status_shows_each_schedule_and_its_next_run_in_local_time() -> None:
    """A 06:00 cron in Europe/London in summer next runs at 06:00 local (05:00 UTC), shown as
    local time in a table that fits 80 columns."""
    sources = {
        "daily": SourceConfig(name="daily", url="http://x", schedule="0 6 * * *"),
        "often": SourceConfig(name="often", url="http://y", interval="6h"),
    }
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    rows = {name: (when, at) for name, when, at in next_runs(sources, "Europe/London", now)}
    assert rows["daily"][0] == "cron 0 6 * * *" and rows["often"][0] == "every 6h"
    assert rows["daily"][1] is not None
    assert rows["daily"][1].astimezone(UTC) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    console = Console(width=80, record=True)
    console.print(_schedule_table(list(next_runs(sources, "Europe/London", now)), "Europe/London"))
    text = console.export_text()
    assert "2026-07-02 06:00" in text and "Schedules (times in Europe/London)" in text
    assert max(len(line) for line in text.splitlines()) <= 80
