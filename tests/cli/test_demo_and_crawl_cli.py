"""The README's first command and `lotwise crawl`, run as real processes on the bundled data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import RecordedServer
from scanner.services.demo import MANIFEST, SOURCES_TEMPLATE
from scanner.settings import PROJECT_ROOT

LOTWISE = [sys.executable, "-m", "scanner.cli.main"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LOTWISE, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def lotwise_json(args: list[str], env: dict[str, str]) -> Any:
    result = run([*args, "--json"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_crawls_every_recorded_source_and_reports(database_url: str) -> None:
    result = run(["demo", "--database-url", database_url], {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Crawl summary" in result.stdout and "Largest open opportunities" in result.stdout
    env = {"LOTWISE_DATABASE_URL": database_url}
    runs = lotwise_json(["runs"], env)
    assert {r["source"] for r in runs} == {
        "demo_find_a_tender",
        "demo_contracts_finder",
        "demo_tendrau_cymru",
    }
    assert all(r["status"] == "ok" for r in runs), runs
    assert len(runs) == 6  # the crawl, then the incremental crawl again
    first, again = runs[3:], runs[:3]
    tenders = lotwise_json(["tenders", "list"], env)
    assert len(tenders) == sum(r["items_new"] for r in first)
    assert sum(r["items_new"] + r["items_updated"] for r in again) == 0
    assert sum(r["items_unchanged"] for r in again) == len(tenders)
    assert f"0 new, 0 updated, {len(tenders)} tenders unchanged" in result.stdout
    assert len(tenders) >= 300
    assert any((t["lot_count"] or 0) >= 3 for t in tenders)
    assert f"{len(tenders)} tenders" in result.stdout
    # The fixtures' fake contact points must not be stored anywhere.
    detail = lotwise_json(["tenders", "show", str(tenders[0]["id"])], env)
    assert "contactPoint" not in json.dumps(detail["raw"])


@pytest.fixture
def demo_sources(tmp_path: Path) -> Any:
    with RecordedServer(MANIFEST, MANIFEST.parent) as server:
        path = tmp_path / "sources.toml"
        path.write_text(SOURCES_TEMPLATE.read_text().replace("{base_url}", server.base_url))
        yield path


def test_second_crawl_adds_nothing_and_reports_unchanged(
    database_url: str, demo_sources: Path
) -> None:
    env = {"LOTWISE_DATABASE_URL": database_url, "LOTWISE_SOURCES_FILE": str(demo_sources)}
    first = run(["crawl", "demo_find_a_tender", "demo_contracts_finder"], env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Crawl summary" in first.stdout
    stored = lotwise_json(["tenders", "list"], env)

    second = run(["crawl", "demo_find_a_tender", "demo_contracts_finder"], env)
    assert second.returncode == 0, second.stdout + second.stderr
    runs = lotwise_json(["runs"], env)
    latest = {r["source"]: r for r in reversed(runs)}
    for name in ("demo_find_a_tender", "demo_contracts_finder"):
        assert latest[name]["items_new"] == 0 and latest[name]["items_updated"] == 0
        assert latest[name]["items_unchanged"] > 0
    again = lotwise_json(["tenders", "list"], env)
    assert sorted(t["id"] for t in again) == sorted(t["id"] for t in stored)
    assert {t["version"] for t in again} == {1}
    sources = {s["name"]: s for s in lotwise_json(["sources"], env)}
    assert sources["demo_find_a_tender"]["tenders"] > 0
    assert sources["demo_find_a_tender"]["high_water_mark"] is not None


def test_crawl_of_unknown_source_names_the_configured_ones(
    demo_sources: Path, sqlite_url: str
) -> None:
    env = {"LOTWISE_DATABASE_URL": sqlite_url, "LOTWISE_SOURCES_FILE": str(demo_sources)}
    result = run(["crawl", "no_such_source"], env)
    assert result.returncode == 2
    assert "no_such_source" in result.stderr and "demo_find_a_tender" in result.stderr
