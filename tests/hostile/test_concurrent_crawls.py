"""Case 4 of issue 19, crawl x crawl: two crawls of one source started at the same moment (as
two `lotwise crawl`, or the scheduler and the operator page) on SQLite and PostgreSQL.

The lease serialises them (docs/operations.md): one crawls; the other either finds the lease
held and reports `busy` ("source '...' is being crawled by ...", `lotwise crawl` exits 1), or
runs after the first has finished. Either way no run fails and nothing is stored twice.
The benchmark `benchmarks/bench_concurrency.py` runs 100 such pairs on each database."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from schema_template import migrate
from sqlalchemy import func, select

from scanner.demo.server import RecordedServer
from scanner.models import CrawlRun, Lot, Release, Source, Tender
from scanner.services.crawl_cycle import CycleReport, crawl_and_refresh
from scanner.settings import Settings
from scanner.storage.database import make_engine

PAIRS = 2


def package() -> dict[str, Any]:
    releases = [
        {
            "ocid": f"ocds-cc-{n}",
            "id": f"ocds-cc-{n}-1",
            "date": "2026-10-01T09:00:00Z",
            "tag": ["tender"],
            "tender": {
                "id": str(n),
                "title": f"Survey {n}",
                "status": "active",
                "lots": [{"id": f"L{k}", "title": f"Lot {k}"} for k in range(2)],
            },
        }
        for n in range(5)
    ]
    return {
        "uri": "https://example.org/r",
        "publishedDate": "2026-10-01T09:00:00Z",
        "releases": releases,
    }


def test_two_crawls_of_one_source_at_once_never_fail_nor_duplicate(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    manifest = {
        "routes": [{"method": "GET", "path": "/releases", "status": 200, "body": package()}]
    }
    with RecordedServer(manifest) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            "".join(
                f'[sources.race_{pair}]\nspider = "ocds"\nurl = "{server.base_url}/releases"\n'
                "politeness = { concurrency = 1, delay = 0.0, autothrottle = false }\n"
                for pair in range(PAIRS)
            ),
            encoding="utf-8",
        )
        settings = Settings(
            database_url=database_url,
            sources_file=sources,
            http_timeout=1,
            http_retries=1,
            contact_url="https://example.org/lotwise-tests",
        )
        reports: list[CycleReport] = []
        barrier = threading.Barrier(2 * PAIRS)  # the pairs run side by side: one crawl's time

        def side(name: str) -> None:
            barrier.wait()
            reports.append(crawl_and_refresh(settings, engine, [name]))

        threads = [
            threading.Thread(target=side, args=(f"race_{pair}",))
            for pair in range(PAIRS)
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    try:
        assert len(reports) == 2 * PAIRS
        for report in reports:
            assert report.status in ("ok", "busy"), (report.status, report.message, report.log_tail)
            if report.status == "busy":
                assert "is being crawled by" in (report.message or "")
        assert sum(report.status == "ok" for report in reports) >= PAIRS
        with engine.connect() as conn:
            statuses = conn.execute(select(CrawlRun.status)).scalars().all()
            assert set(statuses) == {"ok"}, statuses
            assert conn.execute(select(func.count()).select_from(Source)).scalar() == PAIRS
            for model, total in ((Tender, 5 * PAIRS), (Release, 5 * PAIRS), (Lot, 10 * PAIRS)):
                assert conn.execute(select(func.count()).select_from(model)).scalar() == total
    finally:
        engine.dispose()
