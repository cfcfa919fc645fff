"""`lotwise orgs import|list|show|export`, run as a user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "organisations.toml"
runner = CliRunner()


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In process, on a database migrated from the test process's template (`engine`): the
    CLI's own migration of an empty database is tested by tests/cli, not again here."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def listed(cli: Any) -> list[dict[str, Any]]:
    result = cli("orgs", "list", "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_import_list_show(cli: Any) -> None:
    result = cli("orgs", "import", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "Stored 3 organisation(s): 3 new" in result.stdout
    rows = listed(cli)
    assert [r["id"] for r in rows] == [
        "fieldwork-research-coop",
        "open-data-works",
        "stadtlabor-berlin",
    ]
    assert [r["id"] for r in json.loads(cli("orgs", "list", "--active", "--json").stdout)] == [
        "fieldwork-research-coop",
        "open-data-works",
    ]
    shown = json.loads(cli("orgs", "show", "stadtlabor-berlin", "--json").stdout)
    assert shown["currency"] == "EUR" and shown["value_max"] == "300000"
    assert shown["countries"] == ["DE", "PL"] and shown["version"] == 1
    assert shown["active"] is False
    people = cli("orgs", "show", "fieldwork-research-coop")
    assert people.exit_code == 0 and "Fieldwork Research Co-op" in people.stdout
    assert "5,000 GBP - 150,000 GBP" in people.stdout
    table = cli("orgs", "list")
    assert table.exit_code == 0 and "open-data-works" in table.stdout


def test_show_unknown_id_fails(cli: Any) -> None:
    result = cli("orgs", "show", "nobody-here")
    assert result.exit_code == 1 and "nobody-here" in result.output


def test_bad_file_lists_every_problem_and_stores_nothing(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,emails,cpv,regions,value_min,value_max\n"
        "good-one,Good,g@good.example,72,UKI,,\n"
        "bad-email,Bad,bad@,,,,\n"
        "bad-cpv,Bad,b@b.example,72200000-77,,,\n"
        "bad-range,Bad,b@b.example,,,500,100\n"
        "bad-region,Bad,b@b.example,,UKQ,,\n"
    )
    result = cli("orgs", "import", str(bad))
    assert result.exit_code == 1
    for fragment in (
        "record 2 (bad-email): emails[1]",
        "record 3 (bad-cpv): cpv[1]",
        "record 4 (bad-range): value_max",
        "record 5 (bad-region): regions[1]",
        "Nothing stored: 4 of 5 record(s) invalid",
    ):
        assert fragment in result.output, result.output
    assert listed(cli) == []
    skipped = cli("orgs", "import", str(bad), "--skip-invalid", "--json")
    assert skipped.exit_code == 0
    report = json.loads(skipped.stdout)
    assert report["created"] == ["good-one"] and report["invalid"] == 4
    assert {e["id"] for e in report["errors"]} == {
        "bad-email",
        "bad-cpv",
        "bad-range",
        "bad-region",
    }
    assert [r["id"] for r in listed(cli)] == ["good-one"]


def test_unreadable_file_is_one_clear_line(cli: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[organisation]\n")
    result = cli("orgs", "import", str(broken))
    assert result.exit_code == 1
    assert "broken.toml" in result.output and "not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_dry_run_stores_nothing(cli: Any) -> None:
    result = cli("orgs", "import", str(EXAMPLE), "--dry-run")
    assert result.exit_code == 0 and "3 valid, 0 invalid; nothing stored" in result.stdout
    assert listed(cli) == []


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_export_then_import_into_an_empty_database_gives_the_same_profiles(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    cli("orgs", "import", str(EXAMPLE))
    exported = cli("orgs", "export", "--format", fmt)
    assert exported.exit_code == 0
    path = tmp_path / f"orgs.{fmt}"
    path.write_text(exported.stdout)
    before = listed(cli)
    monkeypatch.setenv("LOTWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    result = cli("orgs", "import", str(path))
    assert result.exit_code == 0, result.output
    after = listed(cli)
    keep = [name for name in before[0] if name not in ("created_at", "updated_at")]
    assert [{k: r[k] for k in keep} for r in after] == [{k: r[k] for k in keep} for r in before]
    assert cli("orgs", "export", "--format", fmt).stdout == exported.stdout
    written = tmp_path / "again.json"
    assert cli("orgs", "export", "-o", str(written)).exit_code == 0
    assert json.loads(written.read_text())["organisations"][0]["id"] == before[0]["id"]


def test_reimport_of_a_changed_profile_bumps_its_version(cli: Any, tmp_path: Path) -> None:
    cli("orgs", "import", str(EXAMPLE))
    changed = tmp_path / "changed.toml"
    changed.write_text(EXAMPLE.read_text().replace("value_max = 150000", "value_max = 180000", 1))
    result = cli("orgs", "import", str(changed), "--json")
    report = json.loads(result.stdout)
    assert report["updated"] == ["fieldwork-research-coop"] and len(report["unchanged"]) == 2
    versions = {r["id"]: r["version"] for r in listed(cli)}
    assert versions == {
        "fieldwork-research-coop": 2,
        "open-data-works": 1,
        "stadtlabor-berlin": 1,
    }


def test_unknown_export_format_is_refused(cli: Any) -> None:
    result = cli("orgs", "export", "--format", "yaml")
    assert result.exit_code == 2 and "yaml" in result.output
