"""Case 7 of issue 19: a database that accepts connections and never answers, and a statement
that runs too long, end in one line naming the setting; nothing hangs."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from scanner.cli.main import main
from scanner.settings import Settings
from scanner.storage.database import database_failure, make_engine
from scanner.web import create_app


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on loopback that accepts every connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_database_server_ends_in_one_line_naming_the_setting(
    silent_server: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lotwise tenders list` through `main()`, the `lotwise` entry point, in this process (a
    hang would end at pytest's timeout; the connect timeout is the database driver's, not the
    process's)."""
    monkeypatch.setenv(
        "LOTWISE_DATABASE_URL", f"postgresql+psycopg://lotwise@127.0.0.1:{silent_server}/x"
    )
    monkeypatch.setenv("LOTWISE_DATABASE_CONNECT_TIMEOUT", "1")
    monkeypatch.setattr(sys, "argv", ["lotwise", "tenders", "list"])
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main()
    stderr = capsys.readouterr().err
    assert ended.value.code == 1
    assert stderr.count("\n") == 1, stderr
    assert "Database unavailable: no answer (LOTWISE_DATABASE_CONNECT_TIMEOUT)" in stderr
    assert "Traceback" not in stderr


def test_a_statement_over_the_timeout_is_cancelled_and_named(postgres_url: str) -> None:
    engine = make_engine(postgres_url, connect_timeout=5, statement_timeout=0.2)
    try:
        with pytest.raises(OperationalError) as caught, engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
    line = database_failure(caught.value)
    assert line.startswith("Database statement timed out (LOTWISE_DATABASE_STATEMENT_TIMEOUT)")
    assert "\n" not in line


def test_the_web_app_built_from_settings_answers_503_naming_the_setting(
    silent_server: int,
) -> None:
    """Not the CLI: `create_app` without an engine makes the settings' one (as `lotwise serve`,
    the scheduler and the crawl child do through `settings_engine`), timeouts included."""
    settings = Settings(
        database_url=f"postgresql+psycopg://lotwise@127.0.0.1:{silent_server}/x",
        database_connect_timeout=1,
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            answer = client.get("/healthz")
        assert answer.status_code == 503
        line = answer.json()["database"]
        assert line.startswith("Database unavailable: no answer (LOTWISE_DATABASE_CONNECT_TIMEOUT)")
        assert "\n" not in line
    finally:
        app.state.engine.dispose()
