"""Commands are quiet when they succeed: `ingest`, `orgs import`, `status`, `schedule jobs`,
`match` and `digest send` (one digest mailed to aiosmtpd) print no traceback and no library
log line on a normal run (`crawl`'s output is checked in tests/scheduler/test_status_truth.py); an unexpected error is one line
and a non-zero exit, and `--debug` shows its traceback."""

from __future__ import annotations

import json
import re
import socket
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
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


ORGANISATION = """[[organisation]]
id = "quiet-audits"
name = "Quiet Audits"
emails = ["bids@quiet.example"]
description = "Small team doing website accessibility audits for councils."
capabilities = "Accessibility audit, WCAG testing, website accessibility"
keywords = ["accessibility audit", "website accessibility"]
cpv = ["72000000"]
regions = ["UK"]
national = true
remote = true
value_min = 1000
value_max = 100000
currency = "GBP"
digest = "daily"
active = true
"""


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd hook
        self.recipients += getattr(envelope, "rcpt_tos", [])
        return "250 OK"


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
    orgs = tmp_path / "orgs.toml"
    orgs.write_text(ORGANISATION, encoding="utf-8")
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        env = {**env, "LOTWISE_SMTP_HOST": "127.0.0.1", "LOTWISE_SMTP_PORT": str(smtp.port)}
        commands = [
            ["ingest", str(_package(tmp_path / "p.json"))],
            ["orgs", "import", str(orgs)],
            ["status"],
            ["schedule", "jobs"],
            ["match"],
            ["digest", "send"],
        ]
        for args in commands:
            result = runner.invoke(app, args, env=env)
            assert result.exit_code == 0, (args, result.output)
            assert "Traceback" not in result.output, args
            assert not LOG_LINE.search(result.output), (args, result.output)
    finally:
        smtp.stop()
    assert inbox.recipients == ["bids@quiet.example"]  # a real send, not an empty run


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
