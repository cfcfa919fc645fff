"""Case 8 of issue 19: nothing is lost silently. The Italian doubled-time dates are read;
dates that cannot be read are error rows; a release repeated (same ocid, id and date) with
other content is an error row (in one batch, and across runs through the stored content hash);
every currency of the shared samples has a reference rate."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.ingest.dates import parse_datetime
from scanner.models import CrawlError, Release, Tender
from scanner.orgs.rates import load_rates
from scanner.settings import DEFAULT_CONFIG_DIR
from scanner.storage import crawls
from scanner.storage.database import make_engine
from scanner.storage.tenders import store_releases

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
runner = CliRunner()


def release(n: int, date: str, title: str = "Audit") -> dict[str, Any]:
    return {"ocid": f"ocds-d-{n}", "id": f"d{n}", "date": date, "tag": ["tender"],
            "tender": {"id": str(n), "title": title, "datePublished": date}}  # fmt: skip


def test_doubled_time_dates_are_read_with_the_first_time() -> None:
    assert parse_datetime("2025-01-08 17:31:38.793T12:00:00Z") == datetime(
        2025, 1, 8, 17, 31, 38, 793000, tzinfo=UTC
    )
    assert parse_datetime("2025-01-08T17:31:38T00:00:00+01:00") == datetime(
        2025, 1, 8, 16, 31, 38, tzinfo=UTC
    )


def store(engine: Engine, releases: list[dict[str, Any]]) -> Any:
    with engine.begin() as conn:
        source_id = crawls.ensure_source(conn, name="s", kind="file", url="file:", now=NOW)
        return store_releases(
            conn, source_id=source_id, source_name="s", releases=releases, now=NOW
        )


def test_dates_are_read_or_recorded_and_duplicates_with_other_content_recorded(
    engine: Engine,
) -> None:
    result = store(
        engine,
        [
            release(1, "2025-01-08 17:31:38.793T12:00:00Z"),
            release(2, "the eighth of never"),
            release(3, "2025-02-01T10:00:00Z", "First"),
            release(3, "2025-02-01T10:00:00Z", "Second, same id and date"),
            release(3, "2025-02-01T10:00:00Z", "First"),  # an exact repeat: nothing to say
        ],
    )
    reasons = sorted(reason for _, reason, _ in result.errors)
    assert reasons == [
        "release 'd3' dated '2025-02-01T10:00:00Z' appears again with other content; "
        "the first was kept",
        "unreadable date 'the eighth of never' in date; stored without it",
        "unreadable date 'the eighth of never' in tender.datePublished; stored without it",
    ]
    with engine.connect() as conn:
        published = dict(conn.execute(select(Tender.ocid, Tender.published_at)).all())
    assert published["ocds-d-1"] is not None and published["ocds-d-1"].day == 8
    assert published["ocds-d-2"] is None  # stored, and the loss is on record


def test_every_currency_in_the_shared_samples_has_a_reference_rate(shared_samples: Path) -> None:
    pattern = re.compile(rb'"currency"\s*:\s*"([A-Za-z]{3})"|currencyID="([A-Z]{3})"')
    found: set[str] = set()
    for path in shared_samples.rglob("*"):
        if not path.is_file() or path.suffix not in {".json", ".gz", ".xml", ".jsonl"}:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        found |= {next(g for g in m.groups() if g).decode().upper() for m in pattern.finditer(data)}
    rates = load_rates(DEFAULT_CONFIG_DIR / "rates.toml")
    assert found, "no currencies found in the samples"
    assert found <= rates.currencies, sorted(found - rates.currencies)


def test_a_currency_without_a_rate_is_flagged_in_the_summary_and_in_tenders_show(
    database_url: str, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    priced = release(7, "2025-03-01T10:00:00Z")
    priced["tender"]["value"] = {"amount": 50000, "currency": "KZT"}
    path = tmp_path / "kzt.json"
    path.write_text(json.dumps({"releases": [priced]}))
    result = runner.invoke(app, ["ingest", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "not converted" in line]
    assert "KZT" in line and line.endswith(": 1")
    listed = json.loads(runner.invoke(app, ["tenders", "list", "--json"]).stdout)
    shown = runner.invoke(app, ["tenders", "show", str(listed[0]["id"])])
    [row] = [line for line in shown.output.splitlines() if "reporting value" in line]
    assert "none:" in row and "KZT" in row


def test_a_release_arriving_again_in_a_later_run_with_other_content_is_recorded(
    database_url: str, monkeypatch: Any, tmp_path: Path
) -> None:
    """Across runs the first stored release is kept and the other one is an error row naming
    both (their content hashes), counted in the run summary; an exact repeat says nothing."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    first = [release(4, "2025-02-01T10:00:00Z", "First"), release(5, "2025-02-02T10:00:00Z")]
    other = [release(4, "2025-02-01T10:00:00Z", "Other"), release(5, "2025-02-02T10:00:00Z")]
    runs = []
    for name, releases in (("a", first), ("b", first), ("c", other)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"releases": releases}))
        runs.append(runner.invoke(app, ["ingest", str(path)], catch_exceptions=False))
        assert runs[-1].exit_code == 0, runs[-1].output

    def record_errors(output: str, name: str) -> str:
        return next(line for line in output.splitlines() if name in line).split("│")[6].strip()

    assert record_errors(runs[1].output, "b.json") == "0"  # the same again: nothing to say
    assert record_errors(runs[2].output, "c.json") == "1", runs[2].output
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            reasons = conn.execute(select(CrawlError.reason)).scalars().all()
            stored = conn.execute(select(Release.payload).where(Release.release_id == "d4"))
            titles = [payload["tender"]["title"] for payload in stored.scalars()]
            hashes = conn.execute(select(Release.content_hash)).scalars().all()
    finally:
        engine.dispose()
    assert titles == ["First"]
    assert len(hashes) == 2 and all(h and len(h) == 64 for h in hashes)
    [reason] = reasons
    assert re.fullmatch(
        r".*c\.json, release 1: release 'd4' dated '2025-02-01T10:00:00Z' arrived again with other content "
        r"\(stored sha256 [0-9a-f]{12}, received [0-9a-f]{12}\); the stored one was kept",
        reason,
    ), reason
    stored_hash, received_hash = re.findall(r"[0-9a-f]{12}", reason)
    assert stored_hash != received_hash and any(h.startswith(stored_hash) for h in hashes)


DATE_FIELDS = re.compile(
    rb'"(date|datePublished|startDate|endDate|publishedDate|dateSigned|dateModified|postedDate'
    rb'|responseDeadLine|archiveDate|updatedDate)"\s*:\s*"([^"]{0,80})"'
)


def test_every_date_in_the_shared_json_samples_is_read(shared_samples: Path) -> None:
    """Every date field of every JSON sample parses (a date that cannot be read is an error
    row at ingest, tested above; none of the real publishers' should need to be)."""
    seen, unread = 0, set()
    for path in shared_samples.rglob("*"):
        if not path.is_file() or path.suffix not in {".json", ".gz", ".jsonl"}:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        for match in DATE_FIELDS.finditer(data):
            value = match.group(2).decode("utf-8", "replace")
            seen += 1
            if value.strip() and parse_datetime(value) is None:
                unread.add(f"{path.name}: {value}")
    assert seen > 1000
    assert not unread, sorted(unread)[:10]
