"""Case 3 of issue 19: data PostgreSQL refuses and SQLite accepts (a NUL character, an ocid
or release id over its column) becomes that record's error row on both databases alike, naming
the file, the release's position and the reason; the rest of the file and later files load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.ingest.storable import text_problem
from scanner.models import CrawlError, Organisation, Release, Tender

runner = CliRunner()


def release(n: int, **tender: Any) -> dict[str, Any]:
    return {
        "ocid": f"ocds-h-{n}",
        "id": f"ocds-h-{n}-1",
        "date": "2026-10-01T09:00:00Z",
        "tag": ["tender"],
        "tender": {"id": str(n), "title": f"Audit {n}", "status": "active", **tender},
    }


def package(path: Path, releases: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"uri": "x", "releases": releases}))
    return path


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In process, on a database migrated from the test process's template (`engine`): the
    CLI's own migration of an empty database is tested by tests/cli, not again here."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def count(database_url: str, what: Any, *where: Any) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(what).where(*where)).scalar())
    finally:
        engine.dispose()


def errors(database_url: str) -> list[tuple[str | None, str]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(CrawlError.record_key, CrawlError.reason).order_by(CrawlError.id)
            )
            return [(key, reason) for key, reason in rows]
    finally:
        engine.dispose()


CASES = {
    "nul in title": (lambda: release(2, title="Au\x00dit"), "tender.title", "NUL"),
    "nul in a key": (lambda: release(2, **{"x\x00y": 1}), "tender.x\\u0000y", "NUL"),
    "ocid too long": (lambda: {**release(2), "ocid": "o" * 301}, "ocid is 301", "limit of 300"),
    "release id too long": (lambda: {**release(2), "id": "r" * 400}, "id is 400", "limit"),
    "buyer id too long": (
        lambda: {**release(2), "buyer": {"id": "b" * 301, "name": "x"}},
        "buyer_id is 301",
        "limit of 300",
    ),
}
# the release is kept as received when only the tender made of it does not fit its columns
KEPT_AS_RELEASE = {"buyer id too long"}


@pytest.mark.parametrize("case", list(CASES))
def test_unstorable_release_is_its_own_error_row_on_both_databases(
    case: str, cli: Any, database_url: str, tmp_path: Path
) -> None:
    make, where, why = CASES[case]
    bad = make()
    first = package(tmp_path / "a.json", [release(1), bad, release(3)])
    second = package(tmp_path / "b.json", [release(4)])
    result = cli("ingest", str(first), str(second))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert count(database_url, Tender) == 3  # 1, 3 and the later file's 4
    assert count(database_url, Release) == 3 + (case in KEPT_AS_RELEASE)
    [(key, reason)] = errors(database_url)
    assert f"{first}, release 2: " in reason
    assert where in reason and why in reason
    assert key is not None and len(key) <= 300 and "\x00" not in key


def test_nul_in_an_organisation_is_that_record_s_error(
    cli: Any, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "orgs.json"
    good = {"id": "good-org", "name": "Good", "emails": ["a@example.org"], "keywords": ["audit"]}
    bad = {**good, "id": "bad-org", "name": "Ba\x00d"}
    path.write_text(json.dumps({"organisations": [good, bad]}))
    result = cli("orgs", "import", str(path))
    assert result.exit_code == 1
    assert "record 2 (bad-org): name:" in result.output and "NUL" in result.output
    assert "Traceback" not in result.output
    assert count(database_url, Organisation) == 0  # without --skip-invalid nothing is stored
    skipped = cli("orgs", "import", "--skip-invalid", str(path))
    assert skipped.exit_code == 0, skipped.output
    assert count(database_url, Organisation) == 1


def test_a_lone_surrogate_is_named_as_bad_text() -> None:
    # the file reader turns one into "?"; a spider's Python-made release can still hold one
    problem = text_problem({"tender": {"items": [{"description": "a\ud800b"}]}})
    assert problem == "tender.items[0].description: text is not valid Unicode (a lone surrogate)"
    assert text_problem({"tender": {"title": "C:\\u0000 is fine", "value": 10**30}}) is None


def test_bad_text_inside_a_dataclass_is_named_by_its_field() -> None:
    # storage hands a tender's lots to the check as they are (orjson writes dataclasses)
    from dataclasses import dataclass

    @dataclass
    class Part:
        title: str
        notes: tuple[str, ...] = ()

    assert text_problem([{"id": 1}, [Part("fine"), Part("ok", ("x\x00y",))]]) == (
        "[1][1].notes[0]: text contains a NUL character (\\u0000), which PostgreSQL cannot store"
    )
    assert text_problem([Part("a\ud800b")]) == (
        "[0].title: text is not valid Unicode (a lone surrogate)"
    )
    assert text_problem([Part("fine", ("C:\\u0000 is fine",))]) is None
