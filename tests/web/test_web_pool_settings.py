"""The connection pool is sized by the settings (`LOTWISE_DATABASE_POOL_SIZE`, `..._MAX_OVERFLOW`,
`..._POOL_TIMEOUT`), and a request that finds every pooled connection busy gets a 503 saying so,
with a log line naming those settings, not a hang or a bare 500."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from schema_template import migrate
from web_fixtures import NOW, add_accounts, org_slugs, seed, sign_in, web_settings

from scanner.settings import Settings
from scanner.storage.database import make_engine, settings_engine
from scanner.web import create_app


def test_pool_sizes_come_from_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOTWISE_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("LOTWISE_DATABASE_MAX_OVERFLOW", "2")
    monkeypatch.setenv("LOTWISE_DATABASE_POOL_TIMEOUT", "7.5")
    engine = settings_engine(Settings())
    try:
        assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (3, 2, 7.5)  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_an_in_memory_database_keeps_its_single_connection() -> None:
    engine = settings_engine(Settings(database_url="sqlite://", database_pool_size=3))
    with engine.connect() as first, engine.connect() as second:  # no pool arguments refused
        assert first.connection.dbapi_connection is second.connection.dbapi_connection
    engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_finding_the_pool_busy_is_told_so(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    setup = make_engine(database_url)
    migrate(setup)
    seed(setup, tmp_path)
    slugs = org_slugs(setup)
    officer = add_accounts(setup, slugs[0], slugs[1])["officer"]
    setup.dispose()
    settings = web_settings(
        database_url, database_pool_size=1, database_max_overflow=0, database_pool_timeout=0.2
    )
    app = create_app(settings, now=lambda: NOW)
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, officer)
    assert client.get("/api/v1/tenders").status_code == 200  # one free connection: served
    with app.state.engine.connect(), caplog.at_level(logging.ERROR):  # the only one, held
        answer = client.get("/api/v1/tenders")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "The database is busy; try again shortly."}
    assert "LOTWISE_DATABASE_POOL_TIMEOUT" in caplog.text
    assert client.get("/api/v1/tenders").status_code == 200  # returned: served again
    app.state.engine.dispose()
