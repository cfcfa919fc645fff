"""Commands are quiet when they succeed: `ingest`, `status`, `schedule jobs`, `match` and
`digest send` print no traceback and no library log line on a normal run (the crawl's own
output is checked in tests/scheduler/test_status_truth.py); an unexpected error is one line
and a non-zero exit, and `--debug` shows its traceback."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import main as cli_main
from scanner.cli.main import app

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d.*\b(DEBUG|INFO|WARNING|ERROR)\b", re.M)


def _package(path: Path) -> Path:
    release = {
        "ocid": "ocds-quiet-1",
        "id": "ocds-quiet-1-tender",
        "date": "2026-11-01T09:00:00Z",
        "tag": ["tender"],
        "buyer": {"id": "GB-1", "name": "Quiet Borough"},
        "tender": {
            "id": "1",
            "title": "Website accessibility audit",
            "status": "active",
            "value": {"amount": 20000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2099-01-01T12:00:00Z"},
        },
    }
    path.write_text(json.dumps({"uri": "x", "releases": [release]}), encoding="utf-8")
    return path


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.quiet]\nurl = "http://127.0.0.1:9/r"\ninterval = "6h"\n')
    return {
        "LOTWISE_DATABASE_URL": database_url,
        "LOTWISE_SOURCES_FILE": str(sources),
        "COLUMNS": "80",
    }


def test_normal_runs_print_no_traceback_and_no_log_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    commands = [
        ["ingest", str(_package(tmp_path / "p.json"))],
        ["status"],
        ["schedule", "jobs"],
        ["match"],
        ["digest", "send", "--dry-run"],
    ]
    for args in commands:
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output, args
        assert not LOG_LINE.search(result.output), (args, result.output)


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the [b]disk[/b] is on fire\nsecond line")

    monkeypatch.setattr("scanner.cli.status.healthz", broken)
    for argv, traced in ((["lotwise", "status"], False), (["lotwise", "status", "--debug"], True)):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as ended:
            cli_main.main()
        assert ended.value.code == 1
        err = capsys.readouterr().err
        last = err.strip().splitlines()[-1]
        assert last.startswith("Error: RuntimeError: the [b]disk[/b] is on fire second line")
        assert ("Traceback" in err) is traced
        if not traced:
            assert len(err.strip().splitlines()) == 1 and "--debug" in last
