"""The refresh after every crawl and ingest runs each step even when an earlier one fails: a
broken `thresholds.toml` costs the split suggestions, never the de-duplication or matching
(the scheduler used to skip matching, the CLI not)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from scanner.services.refresh import refresh_after_store
from scanner.settings import Settings

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_broken_thresholds_fail_only_their_step(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broken = tmp_path / "thresholds.toml"
    broken.write_text("[goods\nvalue = ", encoding="utf-8")
    settings = Settings(database_url=database_url, thresholds_file=broken)
    report = refresh_after_store(settings, engine, now=NOW)
    assert [f.step for f in report.failures] == ["splits"]
    assert str(broken) in report.failures[0].reason or "thresholds" in report.failures[0].reason
    assert report.splits is None
    assert report.dedupe is not None and report.matches is not None  # the rest still ran
    assert not report.ok

    good = refresh_after_store(Settings(database_url=database_url), engine, now=NOW)
    assert good.ok and good.splits is not None
