"""Failed pages are data: each fault ends as an error row (source, URL, status, reason,
excerpt), the crawl goes on to finish, no earlier tender is lost or duplicated, and the next
run without the fault fetches the failed URL again and marks its error resolved.

One crawl meets every fault: the faulty publisher is page-indexed with an announced total, so
its first page schedules pages 2-10 at once and each page can fail on its own.
"""

from __future__ import annotations

from typing import Any

from conftest import FAST, FIXTURES, Crawler, route

from scanner.demo.server import RecordedServer

PAGES = "/faulty/releases"
CF = "/Published/Notices/OCDS/Search"
CF_CURSOR = "cHVibGlzaGVkVG89MjAyNi0wNi0wNHxsaW1pdD0xMDB8bmV4dEN1cnNvcj02MjAxMDM="
CF_LAST_CURSOR = "cHVibGlzaGVkVG89MjAyNi0wNi0wNHxsaW1pdD0xMDB8bmV4dEN1cnNvcj02MjAxMDY="
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}


def page(n: int, **options: Any) -> dict[str, Any]:
    """Page `n` of the faulty publisher: its recorded body, unless `options` say otherwise."""
    fixture = f"faulty/page-{n:02d}.json"
    if "body" in options:
        fixture = None
    return route(PAGES, fixture, query={"page": str(n)}, **options)


def cf_routes(second_page: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        second_page,
        route(CF, "contracts_finder/page-3.json", query={"cursor": CF_LAST_CURSOR}),
        route(CF, "contracts_finder/page-1.json"),
    ]


GOOD = {
    "routes": [
        *[page(n) for n in range(1, 11)],
        *cf_routes(route(CF, "contracts_finder/page-2.json", query={"cursor": CF_CURSOR})),
    ]
}
FAULTS = {
    "routes": [
        page(1),
        page(2, status=500, headers=TEXT, body="Internal Server Error"),  # persists
        page(3, status=429, headers={"Retry-After": "1"}, body="slow down", times=1),
        page(3),  # ... and the retry after the wait succeeds
        page(4, fault="timeout"),
        page(5, fault="reset"),
        page(6, fault="truncate"),
        route(PAGES, "faulty/maintenance.html", query={"page": "7"}, headers=HTML),  # HTML, 200
        page(8, status=500, headers=TEXT, body="Internal Server Error", times=1),
        page(8),  # ... recovers within the retries
        page(9),  # bad records among good ones
        page(10, status=429, headers={"Retry-After": "9999"}, body="come back tomorrow"),
        # Contracts Finder's rate-limit answer: 403 with an HTML page.
        *cf_routes(
            route(
                CF,
                "contracts_finder/rate-limited.html",
                query={"cursor": CF_CURSOR},
                status=403,
                headers=HTML,
            )
        ),
    ]
}


def sources(base_url: str) -> str:
    return f"""
[sources.faulty]
url = "{base_url}{PAGES}"
paging = "page"
page_size_param = "pageSize"
page_size = 2
total_key = "pagination.total"
{FAST}

[sources.cf]
spider = "contracts_finder"
url = "{base_url}{CF}"
{FAST}
"""


def page_url_errors(crawler: Crawler, source: str) -> dict[str, Any]:
    """Page errors keyed by the page number ("cf" for a Contracts Finder cursor page)."""
    found = {}
    for error in crawler.errors(source):
        if error.url is None:
            continue
        key = "cf" if "cursor=" in error.url else error.url.split("page=")[1].split("&")[0]
        found[key] = error
    return found


def test_page_faults_are_recorded_and_retried_by_the_next_run(crawler: Crawler) -> None:
    with RecordedServer(GOOD, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        good = crawler.run("faulty", "cf", since="2026-06-01", until="2026-06-04")
        assert good.returncode == 0, good.stderr[-3000:]
        tenders_before = sorted(t.source_key for t in crawler.tenders("faulty"))
        cf_before = sorted(t.source_key for t in crawler.tenders("cf"))
        assert len(tenders_before) == 21 and len(cf_before) == 9

        server.load(FAULTS, FIXTURES)
        seen = len(server.requests)
        faulty = crawler.run("faulty", "cf", since="2026-06-01", until="2026-06-04")
        counts = requests_for_run(server, PAGES, seen)
        cf_counts = requests_for_run(server, CF, seen)

        server.load(GOOD, FIXTURES)
        seen = len(server.requests)
        recovered = crawler.run("faulty", "cf", since="2026-06-01", until="2026-06-04")
        recovery_counts = requests_for_run(server, PAGES, seen)
        cf_recovery_counts = requests_for_run(server, CF, seen)

    # The faulty crawl finished, partial, with every failure stored.
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    finish = faulty.finish("faulty")
    assert finish["status"] == "partial"
    assert finish["expected_total"] == 20 and finish["shortfall"] == 20 - finish["seen"]
    errors = page_url_errors(crawler, "faulty")
    assert {key: (e.kind, e.status) for key, e in errors.items()} == {
        "2": ("http", 500),
        "4": ("timeout", None),
        "5": ("connection", None),
        "6": ("truncated", 200),
        "7": ("parse", 200),
        "10": ("http", 429),
    }
    assert errors["2"].reason == "500 Internal Server Error"
    assert errors["2"].excerpt == "Internal Server Error"
    assert "Retry-After 9999 s exceeds max_retry_after" in errors["10"].reason
    assert errors["6"].reason.startswith("response truncated")
    assert errors["6"].excerpt.startswith("{")
    assert "HTML page instead of JSON" in errors["7"].reason
    assert "maintenance" in errors["7"].excerpt
    assert all(e.url.startswith(f"http://127.0.0.1:{server.port}{PAGES}?") for e in errors.values())
    # Retries: 500, timeout, reset and truncation once more each (LOTWISE_HTTP_RETRIES=1);
    # 429 waited for its Retry-After and succeeded; a too-long Retry-After is not waited for.
    assert counts == {
        "1": 1, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 1, "8": 2, "9": 1, "10": 1,
    }  # fmt: skip

    # Contracts Finder's 403 page: backed off, retried, then recorded with its page.
    (cf_error,) = page_url_errors(crawler, "cf").values()
    assert (cf_error.kind, cf_error.status) == ("http", 403)
    assert "too many requests" in cf_error.excerpt
    assert "rate-limit page after every back-off" in cf_error.reason
    assert cf_counts == {"first": 1, CF_CURSOR: 2}
    assert faulty.finish("cf")["status"] == "partial"

    # Nothing stored earlier was lost or duplicated.
    assert sorted(t.source_key for t in crawler.tenders("faulty")) == tenders_before
    assert sorted(t.source_key for t in crawler.tenders("cf")) == cf_before

    # The next run asks for every failed page again and resolves its error.
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert all(recovery_counts[key] == 2 for key in errors)  # the retry, then the listing
    assert cf_recovery_counts[CF_CURSOR] == 2
    assert all(e.resolved_at is not None for e in page_url_errors(crawler, "faulty").values())
    assert all(e.resolved_at is not None for e in page_url_errors(crawler, "cf").values())
    assert recovered.finish("cf")["status"] == "ok"
    assert sorted(t.source_key for t in crawler.tenders("faulty")) == tenders_before


def requests_for_run(server: RecordedServer, path: str, first: int) -> dict[str, int]:
    """Requests for `path` per page among the server's requests from index `first` on."""
    counts: dict[str, int] = {}
    for request in server.requests[first:]:
        if request["path"] != path:
            continue
        query = request["query"]
        key = query.get("page") or query.get("cursor") or "first"
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_bad_records_are_recorded_and_the_rest_of_the_page_stored(crawler: Crawler) -> None:
    with RecordedServer(GOOD, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        first = crawler.run("faulty")
        assert first.returncode == 0, first.stderr[-3000:]
        records = {e.record_key: e for e in crawler.errors("faulty") if e.kind == "record"}
        second = crawler.run("faulty")

    assert records.keys() == {None, "ocds-flt003-0091"}
    assert records[None].reason.startswith("release has no ocid (page ")
    assert records["ocds-flt003-0091"].reason.startswith("release not usable: no usable title")
    assert "page=9" in records["ocds-flt003-0091"].reason
    assert all(e.excerpt and e.url is None for e in records.values())  # not re-requested
    stored = {t.source_key: t for t in crawler.tenders("faulty")}
    assert "ocds-flt003-0092" in stored  # wrong types cost their fields, not the tender
    assert stored["ocds-flt003-0092"].value_amount is None
    assert len(stored) == 21
    assert first.finish("faulty")["status"] == "partial"
    # Its release is kept as received and tried again when seen again: still one visible
    # row, its attempts counted, until a corrective release makes it usable.
    assert second.returncode == 0
    again = [e for e in crawler.errors("faulty") if e.record_key == "ocds-flt003-0091"]
    assert [e.attempts for e in again] == [2]
