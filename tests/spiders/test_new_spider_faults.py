"""The OCDS spiders' fault cases (tests/spiders/test_faults.py) for the TED API, SAM.gov,
feed and HTML listing spiders, on a real HTTP server on 127.0.0.1: a timeout, a connection
reset and a truncated body each end as an error row of their kind with the crawl finishing
partial and nothing stored lost; a 429 whose Retry-After is short is waited for, one that is
too long is recorded; and the next run without the fault reads the failed page again and
marks its error resolved. (500-then-success, bad records and HTML-for-JSON are in the
spiders' own test files.) SQLite only: the storage path is the one test_faults.py runs on
both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FAST, FIXTURES, JSON_UTF8, Crawler

from scanner.demo.server import RecordedServer

INGEST = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
TEXT = {"Content-Type": "text/plain"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
#: What each fault is recorded as: (kind, status).
RECORDED_AS = {"timeout": ("timeout", None), "reset": ("connection", None),
               "truncate": ("truncated", 200)}  # fmt: skip
#: The HTTP timeout of the runs that meet no stalled server (the fixture's 1 s is for those
#: that do): on a busy machine a slow answer must not be recorded as a timeout instead of the
#: reset or truncation under test.
PATIENT = "30"


def fill(template: str, base_url: str) -> str:
    """A sources file for the server at `base_url`, without delays."""
    return template.replace("{base}", base_url).replace("{fast}", FAST)


def page_errors(crawler: Crawler, source: str) -> list[Any]:
    return [e for e in crawler.errors(source) if e.kind != "record"]


# TED API: POST searches, answered in order (`times=1`), so the fault hits page 2 only.

TED_SEARCH = "/v3/notices/search"


def ted_search(body_file: str | None = None, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": "POST",
        "path": TED_SEARCH,
        "status": 200,
        "headers": JSON_UTF8,
        "times": 1,
    }
    if body_file:
        entry["body_file"] = body_file
    entry.update(options)
    return entry


TED_PAGES = [ted_search("ted_api_search_page_1.json"), ted_search("ted_api_search_page_2.json")]
TED_SOURCE = """
[sources.ted]
spider = "ted"
url = "{base}/v3/notices/search"
page_size = 2
{fast}
"""


@pytest.mark.parametrize("fault", ["timeout", "reset", "truncate"])
def test_ted_page_fault_is_recorded_and_the_next_run_resolves_it(
    sqlite_crawler: Crawler, fault: str
) -> None:
    routes = [TED_PAGES[0], ted_search("ted_api_search_page_2.json", fault=fault, times=None)]
    if fault != "timeout":
        sqlite_crawler.env["LOTWISE_HTTP_TIMEOUT"] = PATIENT
    with RecordedServer({"routes": routes}, INGEST) as server:
        sqlite_crawler.write_sources(fill(TED_SOURCE, server.base_url))
        failed = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")
        page2_attempts = len(server.requests) - 1
        kept = [t.source_key for t in sqlite_crawler.tenders("ted")]
        [error] = page_errors(sqlite_crawler, "ted")
        server.load({"routes": TED_PAGES}, INGEST)
        recovered = sqlite_crawler.run("ted", since="2026-06-04", until="2026-06-04")

    assert failed.returncode == 0, failed.stderr[-3000:]
    assert failed.finish("ted")["status"] == "partial"
    assert page2_attempts == 2  # the first try and one retry (LOTWISE_HTTP_RETRIES=1)
    assert kept == ["351208-2026", "351990-2026"]  # page 1 stored despite page 2
    assert (error.kind, error.status) == RECORDED_AS[fault]
    assert error.url.endswith(f"{TED_SEARCH}?from=20260601&to=20260604&page=2")
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert recovered.finish("ted")["status"] == "ok"
    assert [t.source_key for t in sqlite_crawler.tenders("ted")] == [
        "351208-2026", "351990-2026", "352417-2026",
    ]  # fmt: skip
    assert all(t.version == 1 for t in sqlite_crawler.tenders("ted"))
    [resolved] = page_errors(sqlite_crawler, "ted")
    assert resolved.resolved_at is not None


def test_ted_retry_after_too_long_is_recorded_not_waited_for(sqlite_crawler: Crawler) -> None:
    routes = [
        TED_PAGES[0],
        ted_search(status=429, headers={"Retry-After": "9999", **TEXT}, body="quota", times=None),
    ]
    with RecordedServer({"routes": routes}, INGEST) as server:
        sqlite_crawler.write_sources(fill(TED_SOURCE, server.base_url))
        crawl = sqlite_crawler.run("ted", since="2026-06-01", until="2026-06-04")
        requests = len(server.requests)

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert requests == 2  # not retried
    [error] = page_errors(sqlite_crawler, "ted")
    assert (error.kind, error.status) == ("http", 429)
    assert "Retry-After 9999 s exceeds max_retry_after" in error.reason
    assert len(sqlite_crawler.tenders("ted")) == 2


# SAM.gov: GET pages by `offset`.

SAM_SEARCH = "/opportunities/v2/search"
SAM_KEY = "test-sam-key-faults-0123"


def sam_page(offset: int, body_file: str | None = None, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": "GET",
        "path": SAM_SEARCH,
        "query": {"offset": str(offset)},
        "status": 200,
        "headers": JSON_UTF8,
    }
    if body_file is not None:
        entry["body_file"] = body_file
    entry.update(options)
    return entry


SAM_PAGES = [sam_page(0, "sam_search_page_0.json"), sam_page(1, "sam_search_page_1.json")]
SAM_SOURCE = """
[sources.sam]
spider = "sam"
url = "{base}/opportunities/v2/search"
params = { limit = "2" }
{fast}
"""


def sam_offsets(server: RecordedServer) -> list[str]:
    return [r["query"].get("offset", "") for r in server.requests if r["path"] == SAM_SEARCH]


def test_sam_reset_recovers_by_retry_truncation_is_recorded_and_resolved_next_run(
    sqlite_crawler: Crawler,
) -> None:
    sqlite_crawler.env["LOTWISE_SAM_API_KEY"] = SAM_KEY
    sqlite_crawler.env["LOTWISE_HTTP_TIMEOUT"] = PATIENT
    routes = [
        sam_page(0, fault="reset", times=1),
        SAM_PAGES[0],
        sam_page(1, "sam_search_page_1.json", fault="truncate"),
    ]
    with RecordedServer({"routes": routes}, INGEST) as server:
        sqlite_crawler.write_sources(fill(SAM_SOURCE, server.base_url))
        failed = sqlite_crawler.run("sam", since="2026-06-01T12:00", until="2026-06-04T12:00")
        offsets = sam_offsets(server)
        stored = len(sqlite_crawler.tenders("sam"))
        server.load({"routes": SAM_PAGES}, INGEST)
        seen = len(offsets)
        recovered = sqlite_crawler.run("sam", since="2026-06-04T12:00", until="2026-06-04T12:00")
        retried = sam_offsets(server)[seen:]

    assert failed.returncode == 0, failed.stderr[-3000:]
    assert offsets == ["0", "0", "1", "1"]  # reset retried; truncation retried once more
    assert failed.finish("sam")["status"] == "partial" and stored == 2
    [error] = page_errors(sqlite_crawler, "sam")
    assert (error.kind, error.status) == ("truncated", 200)
    assert error.reason.startswith("response truncated")
    assert SAM_KEY not in (error.url or "") + (error.excerpt or "")
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert "1" in retried
    assert recovered.finish("sam")["status"] == "ok"
    assert len(sqlite_crawler.tenders("sam")) == 3
    assert page_errors(sqlite_crawler, "sam")[0].resolved_at is not None
    assert SAM_KEY not in failed.stderr + recovered.stderr


def test_sam_timeout_then_success_and_too_long_retry_after_recorded(
    sqlite_crawler: Crawler,
) -> None:
    sqlite_crawler.env["LOTWISE_SAM_API_KEY"] = SAM_KEY
    routes = [
        sam_page(0, fault="timeout", times=1),
        SAM_PAGES[0],
        sam_page(1, status=429, headers={"Retry-After": "9999", **TEXT}, body="over quota"),
    ]
    with RecordedServer({"routes": routes}, INGEST) as server:
        sqlite_crawler.write_sources(fill(SAM_SOURCE, server.base_url))
        crawl = sqlite_crawler.run("sam", since="2026-06-01T12:00", until="2026-06-04T12:00")
        offsets = sam_offsets(server)

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert offsets == ["0", "0", "1"]
    [error] = page_errors(sqlite_crawler, "sam")
    assert (error.kind, error.status) == ("http", 429)
    assert "Retry-After 9999 s exceeds max_retry_after" in error.reason
    assert crawl.finish("sam")["status"] == "partial"
    assert len(sqlite_crawler.tenders("sam")) == 2


# RSS feed with detail pages.

FEED = "/opportunities/rss"
FEED_SOURCE = """
[sources.housing]
spider = "feed"
url = "{base}/opportunities/rss"
{fast}

[sources.housing.feed]
require = ["title", "deadline"]
detail_fields = { deadline = "th:-soup-contains('Closing date') + td" }
date_formats = ["%A %d %B %Y, %H:%M", "%d %B %Y"]
timezone = "Europe/London"
currency = "GBP"
"""
DETAILS = ("0142", "0139", "0133")


def feed_routes(*first: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *first,
        {"method": "GET", "path": FEED, "status": 200, "headers": RSS, "template": True,
         "body_file": "feed_rss_opportunities.xml"},
        *({"method": "GET", "path": f"/opportunities/rha-{n}", "status": 200, "headers": HTML,
           "body_file": f"html_feed_detail_rha-{n}.html"} for n in DETAILS),
    ]  # fmt: skip


def test_feed_timeout_then_retry_after_and_a_reset_detail_page_resolved_next_run(
    sqlite_crawler: Crawler,
) -> None:
    stalled_feed = {"method": "GET", "path": FEED, "fault": "timeout"}
    wait_once = {"method": "GET", "path": FEED, "status": 429, "times": 1,
                 "headers": {"Retry-After": "1", **TEXT}, "body": "slow down"}  # fmt: skip
    reset_detail = {"method": "GET", "path": "/opportunities/rha-0139", "fault": "reset"}
    with RecordedServer({"routes": feed_routes(stalled_feed)}, FIXTURES) as server:
        sqlite_crawler.write_sources(fill(FEED_SOURCE, server.base_url))
        stalled = sqlite_crawler.run("housing", until="2026-06-10T00:00")
        stalled_errors = page_errors(sqlite_crawler, "housing")
        server.load({"routes": feed_routes(wait_once, reset_detail)}, FIXTURES)
        sqlite_crawler.env["LOTWISE_HTTP_TIMEOUT"] = PATIENT
        seen = len(server.requests)
        waited = sqlite_crawler.run("housing", until="2026-06-10T00:00")
        waited_paths = [r["path"] for r in server.requests[seen:]]
        waited_keys = sorted(t.source_key for t in sqlite_crawler.tenders("housing"))
        waited_errors = page_errors(sqlite_crawler, "housing")
        server.load({"routes": feed_routes()}, FIXTURES)
        recovered = sqlite_crawler.run("housing", until="2026-06-10T00:00")

    # The feed stalls: a timeout error and nothing fetched, so the run is failed with its
    # cause, never partial (issue 15), and the crawl exits 1.
    assert stalled.returncode == 1, stalled.stderr[-3000:]
    assert stalled.finish("housing")["status"] == "failed"
    assert "every request failed: timeout (1)" in stalled.finish("housing")["message"]
    assert [(e.kind, e.url, e.status) for e in stalled_errors] == [
        ("timeout", f"{server.base_url}{FEED}", None)
    ]

    # 429 with a short Retry-After: waited for, then the feed read (its timeout resolved);
    # a detail page that resets is recorded and its entry left for the next run.
    assert waited.returncode == 0, waited.stderr[-3000:]
    # The failed URL asked for again (the 429, then after the wait), then the listing itself,
    # as the OCDS spiders do (test_faults.py: "the retry, then the listing").
    assert waited_paths.count(FEED) == 3
    # Reset, retried, reset again (Twisted may also re-send an idempotent GET once by itself
    # when the reset hits a reused keep-alive connection, hence "at least").
    assert waited_paths.count("/opportunities/rha-0139") >= 2
    assert waited_errors[0].resolved_at is not None
    [reset] = waited_errors[1:]
    assert (reset.kind, reset.status, reset.resolved_at) == ("connection", None, None)
    assert "/opportunities/rha-0139" in reset.url
    assert waited_keys == ["urn:rha:tender:0133", "urn:rha:tender:0142"]
    assert waited.finish("housing")["status"] == "partial"

    # Without faults: the failed detail page is read again and every page error resolved.
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    keys = sorted(t.source_key for t in sqlite_crawler.tenders("housing"))
    assert keys == [f"urn:rha:tender:{n}" for n in ("0133", "0139", "0142")]
    assert all(e.resolved_at is not None for e in page_errors(sqlite_crawler, "housing"))


# HTML listing (the council table, paged by its Next link, with detail pages).

LISTING = "/business/tenders"
COUNCIL_REFS = ["031", "029", "027", "024", "020", "018", "015"]
COUNCIL_SOURCE = """
[sources.council]
spider = "html_listing"
url = "{base}/business/tenders"
{fast}

[sources.council.listing]
item = "table.tenders tbody tr"
next_page = "nav.pager a.next"
fields = { id = "td.ref", title = "td.title a", url = "td.title a::attr(href)", buyer = "td.dept", value = "td.value", published = "td.published", deadline = "td.closing" }
detail_fields = { description = "div.tender-description", deadline = "dt:-soup-contains('Closing date') + dd" }
require = ["title", "deadline", "description"]
date_formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
timezone = "Europe/London"
currency = "GBP"
overlap_hours = 72
"""


def council_routes(*first: dict[str, Any]) -> list[dict[str, Any]]:
    def html(path: str, body_file: str, **options: Any) -> dict[str, Any]:
        return {"method": "GET", "path": path, "status": 200, "headers": HTML,
                "body_file": body_file, **options}  # fmt: skip

    return [
        *first,
        *(html(LISTING, f"html_council_page_{n}.html", query={"page": str(n)}) for n in (2, 3)),
        html(LISTING, "html_council_page_1.html"),
        *(html(f"{LISTING}/RBC-2026-{r}", f"html_council_detail_RBC-2026-{r}.html")
          for r in COUNCIL_REFS),
    ]  # fmt: skip


def test_listing_page_timeout_and_truncated_detail_recorded_then_resolved(
    sqlite_crawler: Crawler,
) -> None:
    faults = [
        {"method": "GET", "path": LISTING, "query": {"page": "3"}, "fault": "timeout"},
        {"method": "GET", "path": f"{LISTING}/RBC-2026-031", "status": 200, "headers": HTML,
         "body_file": "html_council_detail_RBC-2026-031.html", "fault": "truncate"},
    ]  # fmt: skip
    with RecordedServer({"routes": council_routes(*faults)}, FIXTURES) as server:
        sqlite_crawler.write_sources(fill(COUNCIL_SOURCE, server.base_url))
        failed = sqlite_crawler.run("council", until="2026-06-10T00:00")
        kept = sorted(t.source_key for t in sqlite_crawler.tenders("council"))
        errors = {(e.kind, e.status): e for e in page_errors(sqlite_crawler, "council")}
        server.load({"routes": council_routes()}, FIXTURES)
        recovered = sqlite_crawler.run("council", until="2026-06-10T00:00")

    assert failed.returncode == 0, failed.stderr[-3000:]
    assert failed.finish("council")["status"] == "partial"
    assert set(errors) == {("timeout", None), ("truncated", 200)}
    assert errors[("timeout", None)].url.endswith(f"{LISTING}?page=3")
    assert "RBC-2026-031" in errors[("truncated", 200)].url
    assert "RBC/2026/031" not in kept and kept  # the rest of pages 1-2 stored

    assert recovered.returncode == 0, recovered.stderr[-3000:]
    tenders = sorted(t.source_key for t in sqlite_crawler.tenders("council"))
    assert set(kept) < set(tenders) and "RBC/2026/031" in tenders
    assert all(e.resolved_at is not None for e in page_errors(sqlite_crawler, "council"))
    assert all(t.version == 1 for t in sqlite_crawler.tenders("council"))
