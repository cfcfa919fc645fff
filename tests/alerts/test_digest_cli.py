"""`lotwise digest ...` run as an operator would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from digest_fixtures import Seeder, SmtpServer
from typer.testing import CliRunner

from scanner.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOTWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOTWISE_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("LOTWISE_BASE_URL", "https://lotwise.test")
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["digest", *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(seed: Seeder) -> Seeder:
    now = datetime.now(UTC)
    org = seed.org("open-data-works", name="Open Data Works")
    seed.org("quiet-org")
    tender = seed.tender('Data <b>platform</b> "beta"', deadline=now + timedelta(days=12))
    seed.match(org, tender, found_at=now - timedelta(hours=1))
    return seed


def test_dry_run_writes_eml_files_and_says_where(cli: Any, seeded: Seeder, tmp_path: Path) -> None:
    result = cli("send", "--dry-run", "--outbox", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 digest(s) written as .eml in" in result.stdout
    assert str(tmp_path / "out") in result.stdout.replace("\n", "")
    [eml] = (tmp_path / "out").glob("*.eml")
    assert eml.name.startswith("open-data-works-") and "Data <b>platform</b>" in eml.read_text()
    assert json.loads(cli("outbox", "--json").stdout) == []


def test_send_then_outbox_lists_it(cli: Any, seeded: Seeder, smtp: SmtpServer) -> None:
    result = cli("send")
    assert result.exit_code == 0, result.output
    assert "Recorded 1 new digest(s) (1 with nothing new" in result.stdout
    assert "sent 1, retrying 0, failed 0, unknown 0" in result.stdout
    [row] = json.loads(cli("outbox", "--json").stdout)
    assert row["organisation"] == "open-data-works" and row["status"] == "sent"
    assert "open-data-works" in cli("outbox").stdout
    assert len(smtp.handler.messages) == 1
    again = cli("send", "--org", "open-data-works")
    assert "1 already recorded for this period" in again.stdout and len(smtp.handler.messages) == 1


def test_preview_shows_text_html_or_the_whole_message(cli: Any, seeded: Seeder) -> None:
    text = cli("preview", "open-data-works")
    assert text.exit_code == 0 and "Subject: 1 new opportunity for Open Data Works" in text.stdout
    assert 'Data <b>platform</b> "beta"' in text.stdout and "12 days left" in text.stdout
    html = cli("preview", "open-data-works", "--part", "html")
    assert "Data &lt;b&gt;platform&lt;/b&gt;" in html.stdout
    eml = cli("preview", "open-data-works", "--part", "eml")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in eml.stdout
    assert cli("preview", "quiet-org").stdout.startswith("Nothing new for quiet-org")
    assert cli("preview", "quiet-org", "--part", "pdf").exit_code == 2
    missing = cli("preview", "nobody")
    assert missing.exit_code == 1 and "no organisation with id 'nobody'" in missing.output
    assert json.loads(cli("outbox", "--json").stdout) == []


def test_unsafe_settings_are_refused_before_anything_is_recorded(
    cli: Any, seeded: Seeder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTWISE_SMTP_HOST", "smtp.example.org")
    result = cli("send")
    assert result.exit_code == 1 and "LOTWISE_SECRET_KEY" in result.output
    monkeypatch.setenv("LOTWISE_SECRET_KEY", "a real secret")
    monkeypatch.setenv("LOTWISE_SMTP_USERNAME", "user")
    result = cli("send")
    assert result.exit_code == 1 and "LOTWISE_SMTP_SECURITY" in result.output
    assert json.loads(cli("outbox", "--json").stdout) == []


def test_operator_commands_check_their_arguments(cli: Any, seeded: Seeder) -> None:
    assert cli("resolve", "1").exit_code == 2
    assert "No digest with id 99" in cli("resolve", "99", "--resend").output
    cli("send")
    sent = cli("resolve", "1", "--resend")
    assert sent.exit_code == 1 and "is sent; only unknown or failed" in sent.output
    assert cli("outbox", "--status", "lost").exit_code == 2
    revoked = cli("revoke-links", "open-data-works")
    assert revoked.exit_code == 0 and "new links use version 2" in revoked.stdout
    assert cli("send", "--org", "nobody").exit_code == 1
