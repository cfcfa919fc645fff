"""`lotwise impact`, `flags`, `cases` and `tenders show`, run in process as a user would and
checked through their JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from outcome_fixtures import award, bid, party, release, write_package
from typer.testing import CliRunner

from scanner.cli.main import app

runner = CliRunner()
FORMULA = '=HYPERLINK("x")'
QUAY = party("GB-COH-0101", FORMULA, roles=["supplier"], ident="0101", scale="sme")
RIVAL = party("GB-COH-0202", "Estuary", roles=["tenderer"], ident="0202")


def releases() -> list[dict[str, Any]]:
    """One buyer, three single-bid awards to the same supplier, one divided tender."""
    found = [
        release(
            n,
            parties=[QUAY],
            awards=[award(f"A{n}", [("GB-COH-0101", FORMULA)], amount=98_000, date=f"2026-10-0{n}T00:00:00Z")],
            bids=[bid(f"B{n}", "valid", [("GB-COH-0101", "Quay")])],
        )
        for n in range(1, 4)
    ]  # fmt: skip
    found.append(
        release(
            4,
            value=300_000,
            lots=3,
            parties=[RIVAL],
            statistics=[
                {"id": str(i), "measure": "bids", "value": 3 + i, "relatedLot": str(i)}
                for i in (1, 2, 3)
            ],
            awards=[award("A4", [("GB-COH-0202", "Estuary")], amount=250_000)],
        )
    )
    hillside = ("GB-GOR-2", "Hillside Council")
    found.append(release(5, buyer=hillside, method="direct", value=None))
    found.append(release(6, buyer=hillside, tag="tender"))  # open, nothing awarded yet
    return found


def _cli(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", url)

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    package = write_package(tmp_path / "awards.json", releases())
    result = invoke("ingest", str(package))
    assert result.exit_code == 0, result.output
    return invoke


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The commands over SQLite (the figures' reads are checked on both databases below)."""
    return _cli(sqlite_url, monkeypatch, tmp_path)


@pytest.fixture
def cli_any(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    return _cli(database_url, monkeypatch, tmp_path)


def test_impact_json_has_the_checked_fields(cli_any: Any) -> None:
    cli = cli_any
    result = cli("impact", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    riverside = next(b for b in report["buyers"] if b["id"] == "GB-GOR-1")
    assert riverside == {
        "id": "GB-GOR-1",
        "name": "Riverside Council",
        "tenders": 4,
        "competitive_tenders": 4,
        "single_bid_rate": 1.0,  # three of three with a known count (the divided one has none)
        "direct_award_share": 0.0,
        "lotted_share": 0.25,
        "top_supplier_share": round(294_000 / 544_000, 6),
    }
    hillside = next(b for b in report["buyers"] if b["id"] == "GB-GOR-2")
    assert hillside["direct_award_share"] == 0.5 and hillside["single_bid_rate"] is None
    assert "never an accusation" in report["notice"]
    one = json.loads(cli("impact", "--json", "--buyer", "Hillside Council").stdout)
    assert [b["id"] for b in one["buyers"]] == ["GB-GOR-2"]


def test_impact_since_unknown_buyer_and_bad_period(cli: Any) -> None:
    later = json.loads(cli("impact", "--json", "--since", "2027-01-01").stdout)
    assert later["buyers"] == [] and later["overall"]["tenders"] == 0
    unknown = cli("impact", "--buyer", "GB-NOBODY")
    assert unknown.exit_code == 1 and "GB-NOBODY" in unknown.output
    assert cli("impact", "--period", "week").exit_code != 0


def test_flags_json_csv_and_code_filter(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    result = cli("flags", "--json", "--csv", str(path))
    assert result.exit_code == 0, result.output
    flags = json.loads(result.stdout)
    by_code: dict[str, set[int]] = {}
    for row in flags["flags"]:
        by_code.setdefault(row["code"], set()).add(row["tender_id"])
        assert all(field in row["evidence"] for field in row["fields"])
    assert len(by_code["single_bid"]) == 3 and len(by_code["close_to_estimate"]) == 3
    assert len(by_code["repeat_winner"]) == 3
    assert {d["code"] for d in flags["definitions"]} >= {"single_bid", "split_below_threshold"}
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][:5] == ["tender_id", "tender_title", "buyer_id", "buyer_name", "code"]
    assert len(rows) == len(flags["flags"]) + 1
    only = json.loads(cli("flags", "--json", "--code", "repeat_winner").stdout)
    assert {row["code"] for row in only["flags"]} == {"repeat_winner"}
    bad = cli("flags", "--code", "bribery")
    assert bad.exit_code == 1 and "single_bid" in bad.output


def test_impact_csv_neutralises_formulas(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "impact.csv"
    assert cli("impact", "--csv", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert '\'=HYPERLINK(""x"")' in text and ",=HYPERLINK" not in text
    assert "peer median" in text


def test_tenders_show_json_has_awards_bid_count_and_red_flags(cli: Any) -> None:
    listed = json.loads(cli("tenders", "list", "--json").stdout)
    ids = {row["ocid"]: row["id"] for row in listed}
    shown = json.loads(cli("tenders", "show", str(ids["ocds-test-1"]), "--json").stdout)
    assert shown["bid_count"] == 1
    assert shown["awards"] == [
        {
            "status": "active",
            "date": "2026-10-01T00:00:00+00:00",
            "value_amount": "98000.00",
            "currency": "GBP",
            "suppliers": [{"id": "GB-COH-0101", "name": FORMULA}],
        }
    ]
    codes = {f["code"] for f in shown["red_flags"]}
    assert {"single_bid", "close_to_estimate", "repeat_winner"} <= codes
    assert all(set(f) == {"code", "title", "evidence", "source"} for f in shown["red_flags"])
    quiet = json.loads(cli("tenders", "show", str(ids["ocds-test-6"]), "--json").stdout)
    assert quiet["red_flags"] == [] and quiet["awards"] == [] and quiet["bid_count"] is None
    text = cli("tenders", "show", str(ids["ocds-test-1"]))
    assert "Reason to look" in text.output and "never an accusation" in text.output


def test_a_broken_integrity_file_is_reported_not_a_crash(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "integrity.toml"
    broken.write_text("[repeat_winner]\nmin_awards = 'many'\n")
    monkeypatch.setenv("LOTWISE_INTEGRITY_FILE", str(broken))
    result = cli("flags")
    assert result.exit_code == 2 and "min_awards" in result.output
    listed = json.loads(cli("tenders", "list", "--json").stdout)
    shown = json.loads(cli("tenders", "show", str(listed[0]["id"]), "--json").stdout)
    assert shown["red_flags"] == [] and "min_awards" in shown["red_flags_error"]


def test_cases_markdown_and_json(cli: Any) -> None:
    markdown = cli("cases", "--buyer", "GB-GOR-1")
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith("# Divided and undivided requirements")
    assert "| bids per lot | 5.0 | unknown |" in markdown.stdout
    report = json.loads(cli("cases", "--json", "--cpv", "72").stdout)
    assert report["cases"][0]["divided"]["lots"] == 3
    assert report["cases"][0]["undivided"]["bid_count"] == 1
