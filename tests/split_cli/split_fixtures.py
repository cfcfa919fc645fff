"""Helpers shared by the split tests (a module with a unique name: tests have no packages)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scanner.services.ingest import ingest_files
from scanner.settings import DEFAULT_CONFIG_DIR
from scanner.splitter import load_thresholds

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
THRESHOLDS_FILE = DEFAULT_CONFIG_DIR / "thresholds.toml"


def write_package(path: Path, releases: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"uri": "x", "publishedDate": "2026-11-01T00:00:00Z", "releases": releases})
    )
    return path


def ingest(engine: Engine, path: Path) -> None:
    outcomes = ingest_files(engine, [path], source_name="import", now=lambda: NOW)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]


def thresholds_with_version(tmp_path: Path, version: str) -> Path:
    """A copy of the configured thresholds with another rules version."""
    text = THRESHOLDS_FILE.read_text(encoding="utf-8")
    original = load_thresholds(THRESHOLDS_FILE).rules_version
    path = tmp_path / f"thresholds-{version}.toml"
    path.write_text(text.replace(f'"{original}"', f'"{version}"', 1), encoding="utf-8")
    assert load_thresholds(path).rules_version == version
    return path
