"""`lotwise ingest` de-duplicates and converts values; `tenders merged`, `show`, `unmerge` and
`list --min-value/--max-value`, run as a user would, checked through `--json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dedupe_fixtures import cf_notice, fts_notice

Cli = Callable[..., Any]


def json_of(cli: Cli, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write(path: Path, releases: list[dict[str, Any]]) -> str:
    path.write_text(json.dumps({"uri": "x", "publishedDate": "2026-11-01", "releases": releases}))
    return str(path)


@pytest.fixture
def ingested(cli: Cli, tmp_path: Path) -> Any:
    fts = [
        fts_notice(
            "070001-2026",
            "Open data portal support",
            "Manchester City Council",
            "2026-12-12T12:00:00Z",
            50000,
        ),
        fts_notice(
            "070002-2026",
            "Community grants platform",
            "Salford City Council",
            "2026-12-14T12:00:00Z",
            300000,
        ),
    ]
    cf = [
        cf_notice(
            "Open Data Portal Support", "Manchester City Council Ltd", "2026-12-12T12:00:00Z", 50000
        ),
        cf_notice(
            "Volunteer matching app",
            "Leeds City Council",
            "2026-12-19T12:00:00Z",
            20000,
            currency="USD",
        ),
    ]
    first = cli("ingest", write(tmp_path / "fts.json", fts), "--source", "find_a_tender")
    assert first.exit_code == 0, first.output
    second = cli("ingest", write(tmp_path / "cf.json", cf), "--source", "contracts_finder")
    assert second.exit_code == 0, second.output
    return second


def test_ingest_merges_and_merged_lists_the_group_with_reasons(cli: Cli, ingested: Any) -> None:
    assert "De-duplication: 2 new or changed tenders placed" in ingested.stdout
    assert "1 merged with another source's notice" in ingested.stdout
    groups = json_of(cli, "tenders", "merged")
    assert len(groups) == 1 and groups[0]["member_count"] == 2
    assert {m["source"] for m in groups[0]["members"]} == {"find_a_tender", "contracts_finder"}
    fuzzy = next(m for m in groups[0]["members"] if m["method"] == "fuzzy")
    assert any(r["field"] == "buyer" and r["passed"] for r in fuzzy["reasons"])
    shown = cli("tenders", "show", str(fuzzy["tender_id"]))
    assert "Canonical opportunity" in shown.stdout and "buyer:" in shown.stdout


def test_unmerge_splits_for_good(cli: Cli, ingested: Any) -> None:
    group = json_of(cli, "tenders", "merged")[0]
    member = group["members"][1]["tender_id"]
    result = cli("tenders", "unmerge", str(member))
    assert result.exit_code == 0 and "will not be merged again" in result.stdout
    assert json_of(cli, "tenders", "merged") == []
    again = cli("tenders", "unmerge", str(member))
    assert again.exit_code == 1 and "not merged" in again.stderr
    refreshed = cli("split", "refresh")  # any command: the pair stays apart
    assert refreshed.exit_code == 0
    assert json_of(cli, "tenders", "show", str(member))["canonical"]["member_count"] == 1


def test_value_filters_use_the_reporting_currency(cli: Cli, ingested: Any) -> None:
    rows = json_of(cli, "tenders", "list")
    usd = next(r for r in rows if r["title"] == "Volunteer matching app")
    # 20,000 USD / 1.0389 * 0.82918 (table of 2024-12-31) = 15,962.65 GBP (to the cent)
    assert usd["value_reporting"] == "15962.65" and usd["currency"] == "USD"
    cheap = json_of(cli, "tenders", "list", "--max-value", "20000")
    assert {r["title"] for r in cheap} == {"Volunteer matching app"}
    middle = json_of(cli, "tenders", "list", "--min-value", "40000", "--max-value", "100000")
    assert {r["title"] for r in middle} == {"Open data portal support", "Open Data Portal Support"}
    assert {r["title"] for r in json_of(cli, "tenders", "list", "--min-value", "250000")} == {
        "Community grants platform"
    }


def test_a_broken_dedupe_file_is_reported_and_the_ingest_still_stores(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "dedupe.toml"
    bad.write_text("[fuzzy]\nmerge_score = 3\n")
    monkeypatch.setenv("LOTWISE_DEDUPE_FILE", str(bad))
    notices = [cf_notice("Energy audit", "Bath Council", "2026-12-30T12:00:00Z", 1000)]
    result = cli("ingest", write(tmp_path / "cf.json", notices), "--source", "contracts_finder")
    assert result.exit_code == 0, result.output
    assert "De-duplication not refreshed" in result.output and "merge_score" in result.output
    assert len(json_of(cli, "tenders", "list")) == 1
