"""The TED API v3 spider against a real HTTP server on 127.0.0.1: POST searches paged by
`iterationNextToken` to the end, a second run storing nothing twice, retried 500 and 429
pages, and a malformed notice recorded as an error while the rest of its page is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import FAST, JSON_UTF8, Crawler

from scanner.demo.server import RecordedServer
from scanner.ingest.ted_api import TED_FIELDS

SEARCH = "/v3/notices/search"
FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
TEXT = {"Content-Type": "text/plain"}


def search(body_file: str | None = None, **options: Any) -> dict[str, Any]:
    """One POST answer; `times=1` routes answer in order, page after page."""
    entry: dict[str, Any] = {"method": "POST", "path": SEARCH, "status": 200, "headers": JSON_UTF8}
    if body_file:
        entry["body_file"] = body_file
    entry.update({"times": 1, **options})
    return entry


PAGES = [search("ted_api_search_page_1.json"), search("ted_api_search_page_2.json")]


def sources(base_url: str) -> str:
    return f"""
[sources.ted]
spider = "ted"
url = "{base_url}{SEARCH}"
page_size = 2
{FAST}
"""


def bodies(server: RecordedServer) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in server.requests if r["path"] == SEARCH]


def test_ted_spider_pages_by_iteration_token_and_resumes_without_duplicates(
    crawler: Crawler,
) -> None:
    with RecordedServer({"routes": PAGES}, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        first = crawler.run("ted", since="2026-06-01", until="2026-06-04")
        first_bodies = bodies(server)
        server.load({"routes": PAGES}, FIXTURES)
        second = crawler.run("ted", until="2026-06-05")
        second_bodies = bodies(server)[len(first_bodies) :]

    assert first.returncode == 0, first.stderr[-3000:]
    finish = first.finish("ted")
    assert (finish["status"], finish["pages"], finish["new"]) == ("ok", 2, 3)
    assert finish["expected_total"] == 3 and not finish["shortfall"]
    assert [b.get("iterationNextToken") for b in first_bodies] == [None, "dGVkLWl0ZXJhdGlvbi0y"]
    assert first_bodies[0]["fields"] == list(TED_FIELDS)
    assert first_bodies[0]["paginationMode"] == "ITERATION" and first_bodies[0]["limit"] == 2
    assert "publication-date>=20260601" in first_bodies[0]["query"]
    assert "publication-date<=20260604" in first_bodies[0]["query"]
    tenders = crawler.tenders("ted")
    assert [t.source_key for t in tenders] == ["351208-2026", "351990-2026", "352417-2026"]
    multi = tenders[0]
    assert multi.title.startswith("Germany") and multi.raw["original"]["language"] == "deu"

    # The second run starts a day before the mark and sees the same notices: nothing twice.
    assert second.returncode == 0, second.stderr[-3000:]
    assert "publication-date>=20260603" in second_bodies[0]["query"]
    again = second.finish("ted")
    assert (again["seen"], again["new"], again["updated"], again["unchanged"]) == (3, 0, 0, 3)
    assert [t.source_key for t in crawler.tenders("ted")] == [t.source_key for t in tenders]
    assert all(t.version == 1 for t in crawler.tenders("ted"))


def test_ted_spider_retries_500_and_waits_for_retry_after(sqlite_crawler: Crawler) -> None:
    routes = [
        search(status=500, headers=TEXT, body="Internal Server Error"),
        PAGES[0],
        search(status=429, headers={"Retry-After": "1", **TEXT}, body="slow down"),
        PAGES[1],
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url))
        crawl = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")
        tokens = [b.get("iterationNextToken") for b in bodies(server)]

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert tokens == [None, None, "dGVkLWl0ZXJhdGlvbi0y", "dGVkLWl0ZXJhdGlvbi0y"]
    assert crawl.finish("ted")["new"] == 3
    assert sqlite_crawler.errors("ted") == []


def test_ted_spider_records_malformed_notices_and_stores_the_rest(
    sqlite_crawler: Crawler,
) -> None:
    with RecordedServer({"routes": [search("ted_api_search_malformed.json")]}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url))
        crawl = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert [t.source_key for t in sqlite_crawler.tenders("ted")] == ["352600-2026"]
    errors = sqlite_crawler.errors("ted")
    assert [(e.kind, e.record_key) for e in errors] == [
        ("record", None), ("record", "352500-2026"), ("record", None),
    ]  # fmt: skip
    assert errors[0].reason.startswith("no publication-number")
    assert "no notice-title" in errors[1].reason
    assert "not str" in errors[2].reason
    assert crawl.finish("ted")["errors"] == 3


def test_ted_spider_failed_page_is_retried_by_window_in_the_next_run(
    sqlite_crawler: Crawler,
) -> None:
    broken = [PAGES[0], search(status=500, headers=TEXT, body="down", times=None)]
    with RecordedServer({"routes": broken}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url))
        failed = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")
        [error] = sqlite_crawler.errors("ted")
        server.load({"routes": PAGES}, FIXTURES)
        seen = len(bodies(server))
        # An empty new window: the run only retries what failed before.
        recovered = sqlite_crawler.run("ted", since="2026-06-04", until="2026-06-04")
        retried = bodies(server)[seen:]

    assert failed.returncode == 0 and failed.finish("ted")["status"] == "partial"
    assert (error.kind, error.status) == ("http", 500)
    assert error.url.endswith(f"{SEARCH}?from=20260601&to=20260604&page=2")
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert recovered.finish("ted")["status"] == "ok", recovered.finish("ted")["message"]
    # The failed window is read again from its start (tokens do not outlive a crawl).
    assert [b.get("iterationNextToken") for b in retried] == [None, "dGVkLWl0ZXJhdGlvbi0y"]
    assert all("publication-date>=20260601" in b["query"] for b in retried)
    assert len(sqlite_crawler.tenders("ted")) == 3
    [resolved] = sqlite_crawler.errors("ted")
    assert resolved.resolved_at is not None


def test_ted_spider_fetches_notice_xml_and_falls_back_to_search_fields(
    sqlite_crawler: Crawler,
) -> None:
    page = json.loads((FIXTURES / "ted_api_search_page_1.json").read_text(encoding="utf-8"))
    for notice in page["notices"]:
        number = notice["publication-number"]
        notice["links"]["xml"] = {"MUL": f"{{base_url}}/en/notice/{number}/xml"}
    page["iterationNextToken"] = None
    xml = {"Content-Type": "application/xml"}
    routes = [
        search(body=json.dumps(page), template=True),
        {"method": "GET", "path": "/en/notice/351208-2026/xml", "status": 200, "headers": xml,
         "body_file": "eforms_cn_3lots.xml"},
        {"method": "GET", "path": "/en/notice/351990-2026/xml", "status": 404, "headers": TEXT,
         "body": "gone"},
    ]  # fmt: skip
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url) + "fetch_xml = true\n")
        crawl = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")
        asked = [r["path"] for r in server.requests]

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert sorted(asked[1:]) == ["/en/notice/351208-2026/xml", "/en/notice/351990-2026/xml"]
    from_xml, from_search = sqlite_crawler.tenders("ted")
    assert from_xml.source_key == "351208-2026" and from_xml.raw["format"] == "ted-api+eforms"
    assert from_search.source_key == "351990-2026" and from_search.raw["format"] == "ted-api"
    assert crawl.finish("ted")["new"] == 2
