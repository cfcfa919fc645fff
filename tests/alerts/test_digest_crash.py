"""A real `lotwise digest send` process killed mid-transaction by the SMTP server itself:
killed after the whole message arrived (before the server answered) the digest is never sent
again automatically; killed before DATA it is sent on the next run, exactly once. The runs
after the kill are in-process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from digest_fixtures import Seeder, SmtpServer
from sqlalchemy import select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.models import Digest
from scanner.settings import PROJECT_ROOT


def _env(database_url: str, smtp: SmtpServer) -> dict[str, str]:
    return {
        "LOTWISE_DATABASE_URL": database_url,
        "LOTWISE_SMTP_HOST": "127.0.0.1",
        "LOTWISE_SMTP_PORT": str(smtp.port),
        "LOTWISE_SMTP_SECURITY": "none",
        "COLUMNS": "200",
    }


def lotwise(database_url: str, smtp: SmtpServer, *args: str) -> subprocess.Popen[str]:
    """The process that is killed: a real `lotwise` process."""
    return subprocess.Popen(
        [sys.executable, "-m", "scanner.cli.main", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **_env(database_url, smtp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(database_url: str, smtp: SmtpServer, *args: str) -> tuple[int, str]:
    """The runs after the kill, in this process (what they do is tested, not their process);
    an exception escaping the command fails the test, as a traceback would."""
    result = CliRunner().invoke(app, list(args), env=_env(database_url, smtp))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def statuses(seed: Seeder) -> list[tuple[str, int]]:
    with seed.engine.connect() as conn:
        return [
            (row.status, row.attempts)
            for row in conn.execute(select(Digest.status, Digest.attempts).order_by(Digest.id))
        ]


@pytest.fixture
def one_digest(seed: Seeder) -> Seeder:
    now = datetime.now(UTC)
    org = seed.org("crash-org", digest="daily")
    tender = seed.tender("Crash-tested opportunity", deadline=now + timedelta(days=30))
    seed.match(org, tender, found_at=now - timedelta(hours=1))
    return seed


def test_killed_after_the_message_arrived_is_never_resent(
    one_digest: Seeder, database_url: str, smtp: SmtpServer
) -> None:
    holder: dict[str, subprocess.Popen[str]] = {}
    smtp.handler.on_data = lambda: os.kill(holder["p"].pid, signal.SIGKILL)
    holder["p"] = lotwise(database_url, smtp, "digest", "send")
    holder["p"].communicate(timeout=120)
    assert holder["p"].returncode == -signal.SIGKILL
    assert len(smtp.handler.messages) == 1  # the server has the message ...
    assert statuses(one_digest) == [("in_data", 1)]  # ... the sender never heard back
    smtp.handler.on_data = None

    code, output = run(database_url, smtp, "digest", "send")
    assert code == 1, output
    assert "1 marked unknown" in output and "sent 0" in output
    assert statuses(one_digest) == [("unknown", 1)]
    code, output = run(database_url, smtp, "digest", "send")
    assert code == 0 and len(smtp.handler.messages) == 1, output

    code, output = run(database_url, smtp, "digest", "outbox", "--status", "unknown", "--json")
    [shown] = json.loads(output)
    assert shown["organisation"] == "crash-org" and "may or may not" in shown["last_error"]
    code, output = run(database_url, smtp, "digest", "resolve", str(shown["id"]), "--sent")
    assert code == 0 and "marked sent" in output
    assert statuses(one_digest) == [("sent", 1)]


def test_killed_before_data_is_sent_on_the_next_run_exactly_once(
    one_digest: Seeder, database_url: str, smtp: SmtpServer
) -> None:
    holder: dict[str, subprocess.Popen[str]] = {}
    smtp.handler.on_rcpt = lambda: os.kill(holder["p"].pid, signal.SIGKILL)
    holder["p"] = lotwise(database_url, smtp, "digest", "send")
    holder["p"].communicate(timeout=120)
    assert holder["p"].returncode == -signal.SIGKILL
    assert smtp.handler.messages == [] and statuses(one_digest) == [("sending", 0)]
    smtp.handler.on_rcpt = None

    code, output = run(database_url, smtp, "digest", "send")
    assert code == 0, output
    assert "1 requeued" in output and "sent 1" in output
    code, output = run(database_url, smtp, "digest", "send")
    assert code == 0 and "sent 0" in output
    assert len(smtp.handler.messages) == 1 and statuses(one_digest) == [("sent", 1)]
