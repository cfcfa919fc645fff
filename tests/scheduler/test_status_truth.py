"""`lotwise status` tells the truth: a source whose every request is refused or answered
with a 5xx is `failed` after its first run (not `partial`) and `failing` with its cause and
since when; `--json`'s `healthy` and the exit code agree; the web's operator page shows the
same verdicts; the next good run flips the source back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sched_support import free_port, make_settings, package, route, runs, source_toml
from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.server import RecordedServer
from scanner.services.web_operator import overview
from scanner.settings import Settings
from scanner.sources import load_sources

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d.*\b(DEBUG|INFO|WARNING|ERROR)\b", re.M)


def _env(settings: Settings) -> dict[str, str]:
    return {
        "LOTWISE_DATABASE_URL": settings.database_url,
        "LOTWISE_SOURCES_FILE": str(settings.sources_file),
        "LOTWISE_HTTP_TIMEOUT": "5",
        "LOTWISE_HTTP_RETRIES": "0",
        "LOTWISE_CONTACT_URL": settings.contact_url,
        "COLUMNS": "80",
    }


def _status(settings: Settings) -> tuple[int, dict[str, dict[str, object]], bool]:
    result = CliRunner().invoke(app, ["status", "--json"], env=_env(settings))
    report = json.loads(result.stdout)
    return result.exit_code, {s["name"]: s for s in report["sources"]}, report["healthy"]


def test_refused_and_5xx_sources_fail_at_once_with_cause_and_recover(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broken = [route("/b/r", "upstream down", status=503)]
    with RecordedServer({"routes": broken}) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(
            source_toml("dead", f"http://127.0.0.1:{free_port()}/r", 'interval = "6h"')
            + source_toml("broken", f"{server.base_url}/b/r", 'interval = "6h"'),
            encoding="utf-8",
        )
        settings = make_settings(database_url, sources_file)
        crawl = CliRunner().invoke(app, ["crawl", "dead", "broken"], env=_env(settings))
        assert crawl.exit_code == 1, crawl.output
        assert "Traceback" not in crawl.output
        assert not LOG_LINE.search(crawl.output), crawl.output  # Scrapy's log stays in the child
        for name in ("dead", "broken"):
            (run,) = runs(engine, name)
            assert run.status == "failed" and run.pages == 0, (name, run.message)

        code, sources, healthy = _status(settings)
        assert code == 1 and healthy is False
        assert sources["dead"]["state"] == "failing" and not sources["dead"]["healthy"]
        assert "connection refused" in str(sources["dead"]["reason"])
        assert "HTTP 5xx" in str(sources["broken"]["reason"])
        assert all(sources[n]["failing_since"] for n in ("dead", "broken"))
        page = {
            row["name"]: row
            for row in overview(engine, load_sources(sources_file), now=datetime.now(UTC))
        }
        assert {n: page[n]["health"] for n in ("dead", "broken")} == {
            n: sources[n]["state"] for n in ("dead", "broken")
        }
        assert "connection refused" in page["dead"]["health_reason"]

        table = CliRunner().invoke(app, ["status"], env=_env(settings))
        assert table.exit_code == 1 and "Traceback" not in table.output
        assert max(len(line) for line in table.output.splitlines()) <= 80
        assert "Schedules (times in Europe/London)" in table.output

        # The publisher comes back: the next good run flips `broken` back to ok.
        server.load({"routes": [route("/b/r", package("bro", range(0, 3), None))]})
        again = CliRunner().invoke(app, ["crawl", "broken"], env=_env(settings))
        assert again.exit_code == 0, again.output
        code, sources, healthy = _status(settings)
        assert sources["broken"]["state"] == "ok" and sources["broken"]["healthy"]
        assert sources["broken"]["failing_since"] is None
        assert sources["dead"]["state"] == "failing" and code == 1 and healthy is False
