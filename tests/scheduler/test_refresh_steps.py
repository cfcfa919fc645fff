"""The refresh after every crawl and ingest runs each step even when an earlier one fails: a
broken `thresholds.toml` costs the split suggestions, never the de-duplication or matching
(the scheduler used to skip matching, the CLI not). Matching waits for an active organisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from scanner.demo.generate import generate_releases
from scanner.models import Match, Tender
from scanner.services.ingest import ingest_files
from scanner.services.organisations import import_organisations
from scanner.services.refresh import refresh_after_store
from scanner.settings import PROJECT_ROOT, Settings

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ORGS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"


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


def test_matching_waits_for_an_active_organisation(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """Without an active organisation the match step ranks nothing and builds no corpus (the
    tenders' languages stay undetected); the first refresh once one is active ranks it."""
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"uri": "x", "releases": generate_releases(30)}))
    assert all(o.ok for o in ingest_files(engine, [package], source_name="import", now=lambda: NOW))
    settings = Settings(database_url=database_url)

    alone = refresh_after_store(settings, engine, now=NOW)
    assert alone.ok and alone.matches is not None
    assert (alone.matches.organisations, alone.matches.tenders) == (0, 0)
    with engine.connect() as conn:
        assert set(conn.scalars(select(Tender.language))) == {None}
        assert conn.scalar(select(func.count()).select_from(Match)) == 0

    assert import_organisations(engine, ORGS, now=NOW).stored
    ranked = refresh_after_store(settings, engine, now=NOW)
    assert ranked.ok and ranked.matches is not None
    assert ranked.matches.organisations > 0 and ranked.matches.tenders > 0
    with engine.connect() as conn:
        assert "en" in set(conn.scalars(select(Tender.language)))  # the open ones
        assert conn.scalar(select(func.count()).select_from(Match)) == ranked.matches.stored > 0
