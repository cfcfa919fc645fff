"""Fixtures for the de-duplication tests: the configured thresholds and rates, and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.services.dedupe import CanonicalConfig
from scanner.settings import DEFAULT_CONFIG_DIR


@pytest.fixture
def config() -> CanonicalConfig:
    return CanonicalConfig.load(
        DEFAULT_CONFIG_DIR / "dedupe.toml", DEFAULT_CONFIG_DIR / "rates.toml"
    )


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run `lotwise ARGS...` in-process against the test database, migrated from the test
    process's template (`engine`): the CLI's own migration of an empty database is tested by
    tests/cli, not again here."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke
