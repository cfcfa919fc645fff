"""The goal on real data: the Prozorro sample (5,446 tenders of one Ukrainian region) goes
through the real ingest path, and every impact figure equals an independent computation from
the raw file written here (it does not call Lotwise's extraction or figures); every flag's
evidence names the fields it used; nothing crashes."""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from outcome_fixtures import NOW
from required import SHARED_DIR, require_shared
from schema_template import migrate
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.integrity import detect, flag_json, needs_buyer_context
from scanner.services import impact as service
from scanner.services.ingest import ingest_files
from scanner.settings import PROJECT_ROOT
from scanner.storage import outcome_reads as reads
from scanner.storage.database import make_engine

COMPETITIVE = ("open", "selective")
SAMPLE = SHARED_DIR / "samples" / "prozorro" / "prozorro_lviv_2026-10_release_package.json.gz"


@pytest.fixture(scope="module")
def raw() -> list[dict[str, Any]]:
    path = require_shared(SAMPLE)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        releases: list[dict[str, Any]] = json.load(handle)["releases"]
    return releases


@pytest.fixture(scope="module")
def prozorro(
    raw: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The sample ingested once, as `lotwise ingest` does (the data, not the database, is what
    this module tests: SQLite only)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('prozorro') / 'lotwise.sqlite'}")
    migrate(engine)
    (outcome,) = ingest_files(engine, [SAMPLE], source_name="prozorro", now=lambda: NOW)
    assert outcome.ok and outcome.result.errors == []  # 0 crashes, 0 unusable records
    assert outcome.result.new == len(raw)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def config() -> Any:
    return service.load_config(
        PROJECT_ROOT / "config" / "integrity.toml", PROJECT_ROOT / "config" / "thresholds.toml"
    )


@pytest.fixture(scope="module")
def report(prozorro: Engine, config: Any) -> dict[str, Any]:
    result: dict[str, Any] = service.impact(prozorro, config)
    return result


def expected_buyers(raw: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The checked figures per buyer, straight from the raw releases."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in raw:
        groups[release["buyer"]["id"]].append(release)
    found = {}
    for buyer, releases in groups.items():
        methods = [r["tender"].get("procurementMethod") for r in releases]
        competitive = [r for r in releases if r["tender"].get("procurementMethod") in COMPETITIVE]
        counted = [r for r in competitive if "numberOfTenderers" in r["tender"]]
        single = [r for r in counted if r["tender"]["numberOfTenderers"] == 1]
        won: Counter[str] = Counter()
        for release in releases:
            for award in release.get("awards", []):
                if award["status"] == "active":
                    (supplier,) = award["suppliers"]
                    won[supplier["id"]] += Decimal(str(award["value"]["amount"]))
        total = sum(won.values())
        found[buyer] = {
            "id": buyer,
            "tenders": len(releases),
            "competitive_tenders": len(competitive),
            "single_bid_rate": round(len(single) / len(counted), 6) if counted else None,
            "direct_award_share": round(
                sum(m in ("direct", "limited") for m in methods) / len(releases), 6
            ),
            "lotted_share": round(
                sum(len(r["tender"].get("lots", [])) >= 2 for r in releases) / len(releases), 6
            ),
            "top_supplier_share": round(float(max(won.values()) / total), 6) if total else None,
        }
    return found


def test_every_buyer_figure_equals_an_independent_computation(
    raw: list[dict[str, Any]], report: dict[str, Any]
) -> None:
    expected = expected_buyers(raw)
    got = {row["id"]: row for row in report["buyers"]}
    assert set(got) == set(expected)
    for buyer, figures in expected.items():
        row = got[buyer]
        assert list(row) == [
            "id", "name", "tenders", "competitive_tenders", "single_bid_rate",
            "direct_award_share", "lotted_share", "top_supplier_share",
        ]  # fmt: skip
        assert {k: row[k] for k in figures} == figures, buyer
        assert row["name"]


def test_totals_match_the_sample_as_documented(
    raw: list[dict[str, Any]], report: dict[str, Any]
) -> None:
    overall = report["overall"]
    competitive = [r for r in raw if r["tender"].get("procurementMethod") in ("open", "selective")]
    with_bids = [r for r in competitive if "numberOfTenderers" in r["tender"]]
    assert overall["tenders"] == len(raw) == 5446
    assert overall["competitive_tenders"] == len(competitive)
    assert overall["bid_count_known"] == len(with_bids) == 1103
    assert overall["single_bid_tenders"] == 685
    assert overall["direct_tenders"] == sum(
        r["tender"].get("procurementMethod") in ("direct", "limited") for r in raw
    )
    assert overall["awards"] == sum(
        a["status"] == "active" for r in raw for a in r.get("awards", [])
    )
    assert overall["without_outcome"] == 0
    assert overall["small_supplier_share"] is None  # Prozorro publishes no supplier size here


def test_every_flag_names_the_fields_it_used(prozorro: Engine, config: Any) -> None:
    result = service.flag_list(prozorro, config)
    assert result["flags"], "the sample raises flags"
    raised = {row["code"] for row in result["flags"]}
    assert {"single_bid", "non_open_procedure", "repeat_winner"} <= raised
    for row in result["flags"]:
        assert row["fields"], row
        missing = [field for field in row["fields"] if field not in row["evidence"]]
        assert missing == [], (row["code"], row["evidence"])
        assert row["source"] and row["title"]
    # The single-bid flag is raised on exactly the competitive tenders with one bid.
    assert result["counts"]["single_bid"] == 685


def test_one_buyer_and_a_tender_show_their_outcome(
    raw: list[dict[str, Any]], prozorro: Engine, config: Any
) -> None:
    buyer = Counter(r["buyer"]["id"] for r in raw).most_common(1)[0][0]
    report = service.impact(prozorro, config, buyer=buyer)
    assert [row["id"] for row in report["buyers"]] == [buyer]
    assert report["peers"]["buyers"] > 100  # peers are every buyer, not only the one asked for
    with Session(prozorro) as session:
        fields = service.tender_outcome(session, 1, config)
    first = raw[0]
    assert fields["bid_count"] == first["tender"].get("numberOfTenderers")
    assert [a["status"] for a in fields["awards"]] == [a["status"] for a in first["awards"]]
    assert [s["id"] for a in fields["awards"] for s in a["suppliers"]] == [
        s["id"] for a in first["awards"] for s in a["suppliers"]
    ]


def test_reingest_changes_nothing(prozorro: Engine) -> None:
    (again,) = ingest_files(prozorro, [SAMPLE], source_name="prozorro", now=lambda: NOW)
    assert (again.result.new, again.result.updated) == (0, 0)


def test_a_tenders_flags_are_those_read_with_its_whole_buyer(prozorro: Engine, config: Any) -> None:
    """A tender's page reads its own record alone when no buyer-pattern rule could flag it:
    its flags are still exactly those of the run over every tender."""
    with Session(prozorro) as session:
        records = reads.tender_records(session, reads.RecordFilter())
        everywhere = detect(records, config)
        checked = records[::7]
        for record in checked:
            shown = service.tender_outcome(session, record.tender_id, config)["red_flags"]
            assert shown == [flag_json(f) for f in everywhere.get(record.tender_id, [])]
    alone = [r for r in checked if not needs_buyer_context(r, config)]
    assert 0 < len(alone) < len(checked)  # both ways are taken
    patterns = {"repeat_winner", "split_below_threshold"}
    assert any(f.code in patterns for r in checked for f in everywhere.get(r.tender_id, []))
