"""Planner statistics are refreshed as a bulk load grows the tables (PostgreSQL only)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text

from scanner.storage.crawls import ensure_source
from scanner.storage.database import StatisticsRefresher
from scanner.storage.tenders import store_releases

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_statistics_refresh_geometrically_on_postgresql_only(engine: Engine) -> None:
    refresher = StatisticsRefresher(first=100, factor=4)
    refreshed = []
    with engine.begin() as conn:
        source = ensure_source(conn, name="s", kind="ocds", url="u", now=NOW)
        for batch in range(6):
            releases = [
                {"ocid": f"ocds-s-{batch}-{n}", "id": "1", "tender": {"title": "T"}}
                for n in range(100)
            ]
            result = store_releases(
                conn, source_id=source, source_name="s", releases=releases, now=NOW
            )
            refreshed.append(refresher.after_write(conn, result.seen))
        if engine.dialect.name == "postgresql":
            analysed = conn.execute(
                text("select reltuples from pg_class where oid = 'releases'::regclass")
            ).scalar_one()
    if engine.dialect.name == "postgresql":
        assert refreshed == [True, False, False, True, False, False]  # at 100, then 400 rows
        assert analysed >= 400
    else:
        assert refreshed == [False] * 6
