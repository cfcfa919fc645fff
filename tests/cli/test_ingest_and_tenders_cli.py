"""`lotwise ingest` and `lotwise tenders`, run as a user would, checked through --json."""

from __future__ import annotations

import gc
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.batch_gc import BATCH_GC_THRESHOLD, batch_gc
from scanner.cli.main import app

runner = CliRunner()


def release(
    n: int, *, status: str = "active", deadline: str = "2099-01-01T12:00:00Z"
) -> dict[str, Any]:
    return {
        "ocid": f"ocds-test-{n}",
        "id": f"ocds-test-{n}-tender",
        "date": f"2026-10-{1 + n % 28:02d}T09:00:00Z",
        "tag": ["tender"],
        "buyer": {"id": "GB-1", "name": f"Borough {n}"},
        "tender": {
            "id": str(n),
            "title": f"Accessibility audit {n}",
            "status": status,
            "value": {"amount": 1000 * (n + 1), "currency": "GBP"},
            "tenderPeriod": {"endDate": deadline},
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "72000000-5"}}],
        },
    }


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def write_package(path: Path, releases: list[dict[str, Any]], *, gz: bool = False) -> Path:
    data = json.dumps({"uri": "x", "publishedDate": "2026-10-01T00:00:00Z", "releases": releases})
    if gz:
        path.write_bytes(gzip.compress(data.encode()))
    else:
        path.write_text(data)
    return path


def tenders_json(cli: Any, *args: str) -> list[dict[str, Any]]:
    result = cli("tenders", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_ingest_gzipped_package_and_json_lines_then_list_and_show(cli: Any, tmp_path: Path) -> None:
    package = write_package(tmp_path / "p.json.gz", [release(n) for n in range(5)], gz=True)
    lines = tmp_path / "r.jsonl"
    lines.write_text("\n".join(json.dumps(release(n)) for n in range(5, 8)) + "\n")
    result = cli("ingest", str(package), str(lines))
    assert result.exit_code == 0, result.output
    tenders = tenders_json(cli)
    assert len(tenders) == 8
    assert {t["source"] for t in tenders} == {"import"}
    by_key = {t["source_key"]: t for t in tenders}
    assert by_key["ocds-test-3"]["value_amount"] == "4000.00"
    assert by_key["ocds-test-3"]["main_cpv"] == "72000000"
    shown = cli("tenders", "show", str(by_key["ocds-test-3"]["id"]), "--json")
    detail = json.loads(shown.stdout)
    assert detail["title"] == "Accessibility audit 3" and detail["raw"]["ocid"] == "ocds-test-3"


def test_ingesting_the_same_file_twice_adds_nothing(cli: Any, tmp_path: Path) -> None:
    package = write_package(tmp_path / "p.json", [release(n) for n in range(3)])
    cli("ingest", str(package))
    cli("ingest", str(package))
    assert len(tenders_json(cli)) == 3
    assert {t["version"] for t in tenders_json(cli)} == {1}


def test_batch_garbage_collection_is_the_process_s_own_again_afterwards(
    cli: Any, tmp_path: Path
) -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with batch_gc():
        assert gc.get_threshold() == BATCH_GC_THRESHOLD
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before
    assert frozen or gc.get_freeze_count() == 0  # a process's own frozen objects stay so
    # `lotwise ingest` runs under it, and a process that goes on keeps its own settings
    package = write_package(tmp_path / "p.json", [release(n) for n in range(2)])
    assert cli("ingest", str(package)).exit_code == 0
    assert gc.get_threshold() == before
    assert frozen or gc.get_freeze_count() == 0
    assert len(tenders_json(cli)) == 2


def test_open_filter_keeps_tenders_not_closed_with_future_or_no_deadline(
    cli: Any, tmp_path: Path
) -> None:
    """One definition of open (scanner.tender_state): a tender with no status or a
    planning status is open, as matching and digests see it; a closed status is not."""
    no_status = release(4)
    del no_status["tender"]["status"]
    releases = [
        release(1),
        release(2, status="complete"),
        release(3, deadline="2020-01-01T00:00:00Z"),
        no_status,
        release(5, status="planning"),
        release(6, status="withdrawn"),
    ]
    cli("ingest", str(write_package(tmp_path / "p.json", releases)))
    assert sorted(t["source_key"] for t in tenders_json(cli, "--open")) == [
        "ocds-test-1",
        "ocds-test-4",
        "ocds-test-5",
    ]
    assert len(tenders_json(cli)) == 6


def test_non_ocds_file_fails_clearly_and_stores_nothing(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "not-ocds.json"
    bad.write_text(json.dumps({"hello": "world", "rows": [1, 2]}))
    good = write_package(tmp_path / "good.json", [release(1)])
    result = cli("ingest", str(bad), str(good))
    assert result.exit_code == 1
    assert "not-ocds.json" in result.output and "expected" in result.output.lower()
    assert [t["source_key"] for t in tenders_json(cli)] == ["ocds-test-1"]


def test_file_breaking_off_half_way_stores_nothing_of_it(cli: Any, tmp_path: Path) -> None:
    text = json.dumps({"releases": [release(n) for n in range(1200)]})
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) * 3 // 4])  # past the first stored batches
    result = cli("ingest", str(truncated))
    assert result.exit_code == 1
    assert "truncated.json" in result.output
    assert tenders_json(cli) == []


def test_unusable_record_is_an_error_row_and_a_run_is_recorded(cli: Any, tmp_path: Path) -> None:
    broken = release(2)
    broken["tender"] = {"title": None}
    del broken["buyer"]
    broken_no_ocid = release(3)
    del broken_no_ocid["ocid"]
    cli("ingest", str(write_package(tmp_path / "p.json", [release(1), broken, broken_no_ocid])))
    errors = json.loads(cli("errors", "--json").stdout)
    assert len(errors) == 2 and {e["kind"] for e in errors} == {"record"}
    assert "ocds-test-2" in {e["record_key"] for e in errors}
    runs = json.loads(cli("runs", "--json").stdout)
    assert runs[0]["items_seen"] == 3 and runs[0]["items_new"] == 1 and runs[0]["errors"] == 2


def test_show_unknown_tender_exits_non_zero(cli: Any) -> None:
    result = cli("tenders", "show", "999999")
    assert result.exit_code == 1 and "999999" in result.output
