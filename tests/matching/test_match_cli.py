"""`lotwise match`, `lotwise consortium` and `lotwise eval` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.generate import generate_releases
from scanner.models import Match


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def loaded(cli: Any, tmp_path: Path) -> Any:
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"uri": "x", "releases": generate_releases(80)}))
    assert cli("ingest", str(package)).exit_code == 0
    result = cli("orgs", "import", "scanner/demo/organisations.toml")
    assert result.exit_code == 0, result.output
    assert "Matches: 31 organisation(s)" in result.output  # an import re-ranks
    return cli


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Match)).scalar_one())


def test_match_json_has_ranked_explained_matches(loaded: Any, engine: Engine) -> None:
    result = loaded("match", "--org", "code-for-good-cic", "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["code-for-good-cic"]
    ranked = data["code-for-good-cic"]
    assert 0 < len(ranked) <= 5
    assert [m["rank"] for m in ranked] == list(range(1, len(ranked) + 1))
    for m in ranked:
        assert set(m) >= {"score", "explanation", "opportunity_id", "kind", "breakdown"}
        assert set(m) >= {"tender_id", "tender_key", "buyer", "deadline", "notice_url"}
        assert m["explanation"] and 0 < m["score"] <= 1
        prefix = {"tender": "tender", "buyer_lot": "lot", "suggested_package": "package"}
        assert m["opportunity_id"].split(":")[0] == prefix[m["kind"]]
        assert m["kind_label"] in ("tender", "lot", "suggested package")
        # A suggested package says the buyer does not offer it, and what can be done.
        assert (m["advice"] is not None) == (m["kind"] == "suggested_package")
        assert m["value"] is None or m["value_currency"] == "GBP"


def test_match_with_now_stores_nothing_and_unknown_org_fails(
    loaded: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = count(engine)
    result = loaded("match", "--now", "2026-11-20", "--json")
    assert result.exit_code == 0 and len(json.loads(result.output)) == 31
    assert count(engine) == stored
    missing = loaded("match", "--org", "no-such-org")
    assert missing.exit_code == 1 and "no-such-org" in missing.output
    # --limit means what it says: past the stored lists' size it is an error when storing...
    monkeypatch.setenv("LOTWISE_MATCH_TOP", "5")
    over = loaded("match", "--limit", "6")
    assert over.exit_code == 2 and "LOTWISE_MATCH_TOP" in over.output
    # ... and a what-if (nothing stored) ranks as many as asked.
    org = "hearth-tech-coop"
    many = loaded("match", "--now", "2026-11-20", "--json", "--limit", "8", "--org", org)
    assert len(json.loads(many.output)[org]) == 8


def test_table_output_names_each_organisation(loaded: Any) -> None:
    result = loaded("match", "--org", "fieldwork-research-coop", "--limit", "2")
    assert result.exit_code == 0
    assert "fieldwork-research-coop" in result.output and "why" in result.output


def test_consortium_for_a_tender(loaded: Any) -> None:
    ranked = json.loads(loaded("match", "--org", "code-for-good-cic", "--json").output)
    target = f"tender:{ranked['code-for-good-cic'][0]['tender_id']}"
    result = loaded("consortium", target, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["opportunity_id"] == target and data["explanation"]
    assert data["single"] or data["members"] or data["missing"]
    assert loaded("consortium", "tender:999999").exit_code == 1


@pytest.fixture
def eval_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI with a database URL nothing may open: `lotwise eval` judges the bundled demo
    corpus without a database, so it runs once, not once per backend; each test checks that
    the database file was never made."""
    unused = tmp_path / "unused.sqlite"
    monkeypatch.setenv("LOTWISE_DATABASE_URL", f"sqlite:///{unused}")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert not unused.exists(), "lotwise eval opened the database"
        return result

    return invoke


def test_eval_reports_matcher_and_baseline(eval_cli: Any) -> None:
    result = eval_cli("eval", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"matcher", "baseline", "keywords + CPV, gated"}
    for report in data.values():
        assert report["profiles"] >= 30
        for value in [*report["precision"].values(), *report["ndcg"].values()]:
            assert 0 <= value <= 1


def test_eval_with_a_broken_labels_file_is_one_clear_line(eval_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "labels.toml"
    bad.write_text('version = 1\n[[profile]]\nid = "nobody"\nlabels = []\n')
    result = eval_cli("eval", "--labels", str(bad))
    assert result.exit_code == 2 and "nobody" in result.output
