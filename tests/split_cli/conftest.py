"""Fixtures for the split tests: realistic generated releases stored through the real
ingest service on SQLite and PostgreSQL, the configured thresholds, and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from seed_template import copy_seeded, releases_key
from split_fixtures import THRESHOLDS_FILE, ingest, write_package
from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.generate import generate_releases
from scanner.splitter import Thresholds, load_thresholds


@pytest.fixture(scope="session")
def releases() -> list[dict[str, Any]]:
    """Find a Tender style releases (tenders, amendments, awards), generated, not copied."""
    return generate_releases(120)


@pytest.fixture
def thresholds() -> Thresholds:
    return load_thresholds(THRESHOLDS_FILE)


@pytest.fixture
def stored(engine: Engine, releases: list[dict[str, Any]]) -> Engine:
    """A migrated database holding the generated releases, not yet assessed: a copy of one
    ingested once per test process and backend (`seed_template`)."""

    def ingest_releases(target: Engine, work: Path) -> None:
        ingest(target, write_package(work / "package.json", releases))

    copy_seeded(engine, f"split_cli stored {releases_key(releases)}", ingest_releases)
    return engine


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
