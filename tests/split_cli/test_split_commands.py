"""`lotwise split list|show|refresh`, and the refresh after `ingest`, `crawl` and `demo`, run
as a user would on SQLite and PostgreSQL, checked through `--json`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from split_fixtures import thresholds_with_version, write_package
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.server import RecordedServer
from scanner.services.demo import MANIFEST, SOURCES_TEMPLATE

Cli = Callable[..., Any]


def json_of(cli: Cli, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def ingested(cli: Cli, releases: list[dict[str, Any]], tmp_path: Path) -> Any:
    """`lotwise ingest` of the generated releases; returns its result."""
    result = cli("ingest", str(write_package(tmp_path / "p.json", releases)))
    assert result.exit_code == 0, result.output
    return result


def test_ingest_refreshes_suggestions_and_a_second_refresh_has_nothing_to_do(
    cli: Cli, ingested: Any
) -> None:
    tenders = json_of(cli, "tenders", "list")
    assert f"Split suggestions: {len(tenders)} tenders assessed ({len(tenders)} new" in (
        ingested.stdout
    )
    everything = json_of(cli, "split", "list", "--all")
    assert sorted(r["tender_id"] for r in everything) == sorted(t["id"] for t in tenders)
    again = json_of(cli, "split", "refresh")
    assert again["assessed"] == 0 and again["errors"] == 0


def test_list_orders_by_score_and_filters(cli: Cli, ingested: Any) -> None:
    everything = json_of(cli, "split", "list", "--all")
    scores = [r["score"] for r in everything]
    assert scores == sorted(scores, reverse=True)
    suggested = json_of(cli, "split", "list")
    assert suggested and all(r["should_split"] for r in suggested)
    assert len(suggested) == sum(r["should_split"] for r in everything)
    assert {r["tender_id"] for r in suggested} < {r["tender_id"] for r in everything}
    strong = json_of(cli, "split", "list", "--all", "--min-score", "0.6")
    assert strong and all(r["score"] >= 0.6 for r in strong)
    assert len(strong) == sum(r["score"] >= 0.6 for r in everything)
    assert len(json_of(cli, "split", "list", "--all", "--limit", "3")) == 3
    first = suggested[0]
    assert first["first_reason"] and first["package_count"] >= 2 and first["current"] is True
    table = cli("split", "list", "--limit", "3")
    assert table.exit_code == 0 and str(first["tender_id"]) in table.stdout


def test_show_prints_signals_with_sources_packages_values_and_procedure(
    cli: Cli, ingested: Any
) -> None:
    best = json_of(cli, "split", "list")[0]
    shown = json_of(cli, "split", "show", str(best["tender_id"]))
    assert list(shown)[:6] == [
        "should_split",
        "score",
        "status",
        "insufficient_reason",
        "signals",
        "packages",
    ]
    assert shown["tender"]["id"] == best["tender_id"] and shown["tender"]["title"] == best["title"]
    assert shown["should_split"] is True and shown["score"] == best["score"]
    assert shown["aggregated_value"] == best["aggregated_value"] and shown["procedure"]
    fired = [s for s in shown["signals"] if s["fired"]]
    assert fired and all(s["reason"] and s["source"] for s in fired)
    assert list(shown["signals"][0]) == ["code", "fired", "reason", "source", "weight"]
    assert len(shown["packages"]) == best["package_count"]
    assert all(p["reason"] and "item_ids" in p for p in shown["packages"])
    text = cli("split", "show", str(best["tender_id"]))
    assert text.exit_code == 0
    assert "Signals" in text.stdout and "Proposed packages" in text.stdout
    assert fired[0]["code"] in text.stdout and "procedure" in text.stdout


def test_show_of_unknown_or_unassessed_tender_says_so(cli: Cli, ingested: Any) -> None:
    missing = cli("split", "show", "999999")
    assert missing.exit_code == 1 and "No tender with id 999999" in missing.stderr


def test_new_rules_version_in_the_thresholds_file_reassesses_all(
    cli: Cli, ingested: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = len(json_of(cli, "split", "list", "--all"))
    monkeypatch.setenv(
        "LOTWISE_THRESHOLDS_FILE", str(thresholds_with_version(tmp_path, "2099-01-01.1"))
    )
    counts = json_of(cli, "split", "refresh")
    assert counts["assessed"] == counts["reassessed"] == count
    assert counts["rules_version"] == "2099-01-01.1"
    assert {r["rules_version"] for r in json_of(cli, "split", "list", "--all")} == {"2099-01-01.1"}
    assert json_of(cli, "split", "refresh", "--all")["assessed"] == count


def test_broken_thresholds_file_is_one_line_not_a_trace(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "thresholds.toml"
    broken.write_text('rules_version = "x"\n[jurisdictions\n')
    monkeypatch.setenv("LOTWISE_THRESHOLDS_FILE", str(broken))
    result = cli("split", "refresh")
    assert result.exit_code == 2
    assert "Invalid thresholds" in result.stderr and str(broken) in result.stderr.replace("\n", "")
    assert "Traceback" not in result.output
    monkeypatch.setenv("LOTWISE_THRESHOLDS_FILE", str(tmp_path / "absent.toml"))
    assert "thresholds file not found" in cli("split", "refresh").stderr


# -- crawl, its child a real process --------------------------------------------------------


@pytest.fixture
def recorded_sources(tmp_path: Path) -> Iterator[Path]:
    with RecordedServer(MANIFEST, MANIFEST.parent) as server:
        path = tmp_path / "sources.toml"
        path.write_text(SOURCES_TEMPLATE.read_text().replace("{base_url}", server.base_url))
        yield path


def test_crawl_assesses_what_it_stored_then_nothing_on_the_next_crawl(
    sqlite_url: str, recorded_sources: Path
) -> None:
    # SQLite only: storing assessments on PostgreSQL is tested in tests/splitter and
    # tests/storage, the crawl's own path in tests/spiders. `lotwise` runs in this process
    # (its crawl is a real child process all the same); a `lotwise` process costs seconds of
    # imports and is tested where it is the subject: the README's demo (tests/cli) and
    # tests/scheduler.
    env = {
        "LOTWISE_DATABASE_URL": sqlite_url,
        "LOTWISE_SOURCES_FILE": str(recorded_sources),
        "COLUMNS": "200",
    }
    runner = CliRunner()

    def lotwise(*args: str) -> Any:
        result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    first = lotwise("crawl", "demo_contracts_finder")
    assessed = json.loads(lotwise("split", "list", "--all", "--json").stdout)
    assert assessed and f"Split suggestions: {len(assessed)} tenders assessed" in first.stdout
    second = lotwise("crawl", "demo_contracts_finder")
    assert "Split suggestions: up to date" in second.stdout


def test_list_says_when_tenders_wait_for_a_refresh(
    cli: Cli, ingested: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "split refresh" not in cli("split", "list").stderr
    count = len(json_of(cli, "split", "list", "--all"))
    monkeypatch.setenv(
        "LOTWISE_THRESHOLDS_FILE", str(thresholds_with_version(tmp_path, "2099-02-01.1"))
    )
    waiting = cli("split", "list")
    assert waiting.exit_code == 0
    assert f"{count} tender(s) are new, changed or assessed under other rules" in waiting.stderr
