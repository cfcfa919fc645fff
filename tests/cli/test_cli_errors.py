"""Configuration and database failures end in one clear line and a non-zero exit, no trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scanner.settings import PROJECT_ROOT


def lotwise(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_invalid_setting_names_the_variable() -> None:
    result = lotwise("runs", LOTWISE_HTTP_RETRIES="abc")
    assert result.returncode == 2
    assert "LOTWISE_HTTP_RETRIES" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = lotwise("runs", LOTWISE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/x")
    assert result.returncode == 1
    assert "Database unavailable" in result.stderr and "Traceback" not in result.stderr


def test_invalid_sources_file_names_source_and_field(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.broken]\nurl = "http://x"\npaging = "sideways"\n')
    result = lotwise(
        "sources",
        LOTWISE_SOURCES_FILE=str(sources),
        LOTWISE_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite",
    )
    assert result.returncode == 2
    assert "broken" in result.stderr and "paging" in result.stderr


def test_help_needs_no_database() -> None:
    result = lotwise("--help", LOTWISE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/x")
    assert result.returncode == 0
    for command in ("crawl", "ingest", "tenders", "sources", "runs", "errors", "demo", "init"):
        assert command in result.stdout
