"""Incremental crawls: a run resumes from the high-water mark minus the overlap, stores
nothing twice, counts what it saw again, and updates what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import FAST, FIXTURES, Crawler, queries, route

from scanner.demo.server import RecordedServer

FTS = "/api/1.0/ocdsReleasePackages"
CURSORS = [
    "dXBkYXRlZEZyb209MjAyNi0wNy0wMXxuZXh0Q3Vyc29yPTUxMDAz",
    "dXBkYXRlZEZyb209MjAyNi0wNy0wMXxuZXh0Q3Vyc29yPTUxMDA2",
]


def manifest(first_page: str) -> dict[str, object]:
    return {
        "routes": [
            route(FTS, "find_a_tender/page-2.json", query={"cursor": CURSORS[0]}),
            route(FTS, "find_a_tender/page-3.json", query={"cursor": CURSORS[1]}),
            route(FTS, first_page),
        ]
    }


def test_second_run_resumes_from_the_mark_minus_overlap_and_updates_only_changes(
    crawler: Crawler,
) -> None:
    with RecordedServer(manifest("find_a_tender/page-1.json"), FIXTURES) as server:
        crawler.write_sources(
            f"""
[sources.fts]
spider = "find_a_tender"
url = "{server.base_url}{FTS}"
dates = {{ from_param = "updatedFrom", to_param = "updatedTo", timezone = "Europe/London", window_hours = 24, overlap_hours = 1 }}
{FAST}
"""
        )
        first = crawler.run("fts", since="2026-07-01T00:00:00", until="2026-07-01T12:00:00")
        assert first.returncode == 0, first.stderr[-3000:]
        assert crawler.mark("fts") == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        before = {t.source_key: t for t in crawler.tenders("fts")}

        # The publisher now also lists an amendment of one notice (new release, later date).
        server.load(manifest("find_a_tender/page-1-amended.json"), FIXTURES)
        second = crawler.run("fts", until="2026-07-01T18:00:00")

    assert second.returncode == 0, second.stderr[-3000:]
    assert second.start("fts")["window_from"] == "2026-07-01T11:00:00+00:00"  # mark - 1 h
    resumed = queries(server, FTS)[3]  # the second run's first request
    assert resumed["updatedFrom"] == "2026-07-01T12:00:00"  # 11:00 UTC in London summer time
    assert resumed["updatedTo"] == "2026-07-01T19:00:00"

    finish = second.finish("fts")
    assert finish["status"] == "ok"
    assert (finish["seen"], finish["new"], finish["updated"], finish["unchanged"]) == (10, 0, 1, 8)
    after = {t.source_key: t for t in crawler.tenders("fts")}
    assert after.keys() == before.keys()  # no duplicates, nothing lost
    amended = after["ocds-h6vhtk-051001"]
    assert amended.title.endswith("(extended deadline)")
    assert amended.version == before["ocds-h6vhtk-051001"].version + 1
    assert all(after[k].version == before[k].version for k in after if k != "ocds-h6vhtk-051001")
    assert crawler.mark("fts") == datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
