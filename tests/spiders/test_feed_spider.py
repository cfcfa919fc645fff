"""The RSS/Atom feed spider against a real HTTP server on 127.0.0.1, with recorded-format
feeds of our own (tests/spiders/fixtures/feed_*.xml): entries identified by guid, completed
from their detail pages when the feed lacks a required field, a second run skipping entries
published before its window and storing nothing twice, an Atom feed paged by rel="next" to
its end, a malformed entry recorded while the rest is stored, a 500 then success, and an HTML
page where the feed should be recorded as a page error."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from conftest import FAST, FIXTURES, Crawler

from scanner.demo.server import RecordedServer

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}
FEED = "/opportunities/rss"


def get(path: str, body_file: str | None = None, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"method": "GET", "path": path, "status": 200, "headers": HTML}
    if body_file is not None:
        entry.update(body_file=body_file, template=True)
    entry.update(options)
    return entry


def rss_routes(*first: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *first,
        get(FEED, "feed_rss_opportunities.xml", headers=RSS),
        *(
            get(f"/opportunities/rha-{n}", f"html_feed_detail_rha-{n}.html")
            for n in ("0142", "0139", "0133")
        ),
    ]


def housing(base_url: str) -> str:
    return f"""
[sources.housing]
spider = "feed"
url = "{base_url}{FEED}"
{FAST}

[sources.housing.feed]
require = ["title", "deadline"]
detail_fields = {{ deadline = "th:-soup-contains('Closing date') + td", value = "th:-soup-contains('Estimated value') + td", buyer = "th:-soup-contains('Organisation') + td", procedure = "th:-soup-contains('Procedure') + td" }}
date_formats = ["%A %d %B %Y, %H:%M", "%d %B %Y"]
timezone = "Europe/London"
currency = "GBP"
"""


def paths(server: RecordedServer) -> list[str]:
    return [r["path"] for r in server.requests]


def test_rss_entries_are_completed_from_detail_pages_and_resumed_by_guid_and_date(
    sqlite_crawler: Crawler,
) -> None:
    """SQLite only: the storage path is the HTML listing spider's, run on both databases."""
    crawler = sqlite_crawler
    with RecordedServer({"routes": rss_routes()}, FIXTURES) as server:
        crawler.write_sources(housing(server.base_url))
        first = crawler.run("housing", until="2026-06-10T00:00")
        first_paths = paths(server)
        second = crawler.run("housing", until="2026-06-10T12:00")
        second_paths = paths(server)[len(first_paths) :]

    assert first.returncode == 0, first.stderr[-3000:]
    finish = first.finish("housing")
    assert (finish["new"], finish["errors"]) == (3, 1)
    assert sorted(first_paths) == sorted(
        [FEED, "/opportunities/rha-0142", "/opportunities/rha-0139", "/opportunities/rha-0133"]
    )
    tenders = {t.source_key: t for t in crawler.tenders("housing")}
    assert sorted(tenders) == [f"urn:rha:tender:{n}" for n in ("0133", "0139", "0142")]
    repairs = tenders["urn:rha:tender:0142"]
    assert repairs.title == "Repairs and maintenance framework: electrical works"
    assert repairs.notice_url == f"{server.base_url}/opportunities/rha-0142"
    assert repairs.description.startswith("A framework for electrical repairs in 3,200 homes.")
    assert "<" not in repairs.description and "£900,000" in repairs.description
    assert repairs.buyer_name == "Riverside Housing Association"
    assert (repairs.value_amount, repairs.currency) == (Decimal(900000), "GBP")
    assert repairs.cpv_codes == ["45310000"] and repairs.procedure_type == "Open"
    assert _utc(repairs.published_at) == datetime(2026, 6, 9, 9, 0, tzinfo=UTC)  # +0100
    assert _utc(repairs.deadline_at) == datetime(2026, 7, 10, 11, 0, tzinfo=UTC)
    surveys = tenders["urn:rha:tender:0133"]
    assert _utc(surveys.deadline_at) == datetime(2026, 6, 26, 22, 59, 59, tzinfo=UTC)
    [error] = crawler.errors("housing")
    assert (error.kind, error.record_key) == ("record", "urn:rha:tender:0130")
    assert error.reason.startswith("urn:rha:tender:0130: title, deadline: missing")

    # Mark 2026-06-10 minus the 24 h overlap: only the entry of 9 June is taken again.
    assert second.returncode == 0, second.stderr[-3000:]
    again = second.finish("housing")
    assert (again["seen"], again["new"], again["updated"], again["unchanged"]) == (1, 0, 0, 1)
    assert second_paths == [FEED, "/opportunities/rha-0142"]
    assert all(t.version == 1 for t in crawler.tenders("housing"))


def test_feed_500_then_success_and_an_html_page_recorded_as_a_page_error(
    sqlite_crawler: Crawler,
) -> None:
    routes = rss_routes(get(FEED, status=500, headers=TEXT, body="Internal Server Error", times=1))
    maintenance = [
        get(FEED, body="<html><body><h1>Down for maintenance</h1></body></html>", times=2)
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(housing(server.base_url))
        crawl = sqlite_crawler.run("housing", until="2026-06-10T00:00")
        feed_requests = paths(server).count(FEED)
        server.load({"routes": maintenance + rss_routes()}, FIXTURES)
        down = sqlite_crawler.run("housing", until="2026-06-11T00:00")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert feed_requests == 2 and crawl.finish("housing")["new"] == 3
    # Its only page was a maintenance page: nothing was read, so the run failed (issue 15).
    assert down.returncode == 1, down.stderr[-3000:]
    assert down.finish("housing")["status"] == "failed"
    page_errors = [e for e in sqlite_crawler.errors("housing") if e.kind != "record"]
    assert [(e.kind, e.url, e.status) for e in page_errors] == [
        ("parse", f"{server.base_url}{FEED}", 200)
    ]
    assert "not an RSS or Atom feed" in page_errors[0].reason
    assert "Down for maintenance" in (page_errors[0].excerpt or "")


def test_atom_feed_is_paged_by_rel_next_to_its_end(sqlite_crawler: Crawler) -> None:
    routes = [
        get("/notices.atom", "feed_atom_page_2.xml", headers=ATOM, query={"page": "2"}),
        get("/notices.atom", "feed_atom_page_1.xml", headers=ATOM),
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(
            f'[sources.northshire]\nspider = "feed"\nurl = "{server.base_url}/notices.atom"\n{FAST}\n'
        )
        crawl = sqlite_crawler.run("northshire", until="2026-06-10T00:00")
        pages = [r["query"].get("page") for r in server.requests]

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert pages == [None, "2"]
    finish = crawl.finish("northshire")
    assert (finish["status"], finish["pages"], finish["new"]) == ("ok", 2, 3)
    tenders = {t.source_key: t for t in sqlite_crawler.tenders("northshire")}
    bootcamps = tenders["tag:northshire.example,2026:notice:NCA-2026-075"]
    assert bootcamps.title == "Skills bootcamps: digital & data"
    assert bootcamps.buyer_name == "Northshire Combined Authority"
    assert _utc(bootcamps.published_at) == datetime(2026, 6, 8, 10, 0, tzinfo=UTC)
    assert bootcamps.deadline_at is None and bootcamps.status == "active"


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
