"""Every spider kind pages through its listing to the last page, against recorded responses."""

from __future__ import annotations

import json
from decimal import Decimal

from conftest import FAST, FIXTURES, Crawler, queries, route

from scanner.demo.server import RecordedServer

FTS = "/api/1.0/ocdsReleasePackages"
CF = "/Published/Notices/OCDS/Search"
RECORDS = "/ocds/records"
PAGED = "/paged/releases"
PLAIN = "/plain/releases"
FTS_CURSORS = [
    "dXBkYXRlZEZyb209MjAyNi0wNy0wMXxuZXh0Q3Vyc29yPTUxMDAz",
    "dXBkYXRlZEZyb209MjAyNi0wNy0wMXxuZXh0Q3Vyc29yPTUxMDA2",
]
CF_CURSORS = [
    "cHVibGlzaGVkVG89MjAyNi0wNi0wNHxsaW1pdD0xMDB8bmV4dEN1cnNvcj02MjAxMDM=",
    "cHVibGlzaGVkVG89MjAyNi0wNi0wNHxsaW1pdD0xMDB8bmV4dEN1cnNvcj02MjAxMDY=",
]
ISO_8859_1 = {"Content-Type": "application/json; charset=iso-8859-1"}
UNDECLARED = {"Content-Type": "application/json"}
JSON = {"Content-Type": "application/json; charset=utf-8"}

MANIFEST = {
    "routes": [
        # Find a Tender: cursor pages first (specific), then the first page of any window.
        route(FTS, "find_a_tender/page-2.json", query={"cursor": FTS_CURSORS[0]}),
        route(FTS, "find_a_tender/page-3.json", query={"cursor": FTS_CURSORS[1]}),
        route(FTS, "find_a_tender/page-1.json"),
        # Contracts Finder: page 2 is ISO-8859-1 and says so, page 3 is ISO-8859-1 and doesn't.
        route(
            CF, "contracts_finder/page-2.json", query={"cursor": CF_CURSORS[0]}, headers=ISO_8859_1
        ),
        route(
            CF, "contracts_finder/page-3.json", query={"cursor": CF_CURSORS[1]}, headers=UNDECLARED
        ),
        route(CF, "contracts_finder/page-1.json"),
        # A generic publisher of record packages, paged by links.next.
        route(RECORDS, "records/page-2.json", query={"page_token": "t2"}),
        route(RECORDS, "records/page-1.json"),
        # Page-indexed publishers: one announcing its total, one read until an empty page.
        *[route(PAGED, f"paged/page-{n}.json", query={"page": str(n)}) for n in (1, 2, 3, 4)],
        *[route(PLAIN, f"paged/page-{n}.json", query={"page": str(n)}) for n in (1, 2, 3, 4)],
    ]
}


def sources(base_url: str) -> str:
    return f"""
[sources.fts]
spider = "find_a_tender"
url = "{base_url}{FTS}"
dates = {{ from_param = "updatedFrom", to_param = "updatedTo", timezone = "Europe/London", window_hours = 24 }}
{FAST}

[sources.cf]
spider = "contracts_finder"
url = "{base_url}{CF}"
dates = {{ from_param = "publishedFrom", to_param = "publishedTo", timezone = "Europe/London", window_hours = 72 }}
{FAST}

[sources.records]
url = "{base_url}{RECORDS}"
package = "record"
{FAST}

[sources.paged]
url = "{base_url}{PAGED}"
paging = "page"
page_size_param = "pageSize"
page_size = 3
total_key = "pagination.total"
{FAST}

[sources.plain]
url = "{base_url}{PLAIN}"
paging = "page"
{FAST}
"""


def test_every_spider_pages_to_the_last_page(crawler: Crawler) -> None:
    with RecordedServer(MANIFEST, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        crawl = crawler.run(
            "fts", "cf", "records", "paged", "plain",
            since="2026-07-01T00:00:00", until="2026-07-01T12:00:00",
        )  # fmt: skip

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    for source, pages, tenders in [
        ("fts", 3, 9), ("cf", 3, 9), ("records", 2, 4), ("paged", 3, 7), ("plain", 4, 7),
    ]:  # fmt: skip
        finish = crawl.finish(source)
        assert (finish["status"], finish["pages"], finish["errors"]) == ("ok", pages, 0), source
        assert finish["new"] == tenders, source
        assert len(crawler.tenders(source)) == tenders, source

    # links.next followed exactly as given, until absent.
    fts_queries = queries(server, FTS)
    assert [q.get("cursor") for q in fts_queries] == [None, *FTS_CURSORS]
    assert fts_queries[0] == {
        "updatedFrom": "2026-07-01T01:00:00",  # 00:00 UTC in British Summer Time
        "updatedTo": "2026-07-01T13:00:00",
        "limit": "100",
    }
    assert fts_queries[1]["updatedFrom"] == "2026-07-01T00:00:00"  # the cursor URL, verbatim
    assert [q.get("cursor") for q in queries(server, CF)] == [None, *CF_CURSORS]
    assert [q.get("page_token") for q in queries(server, RECORDS)] == [None, "t2"]
    # An announced total of 7 at 3 a page is 3 pages; without one, read until an empty page.
    assert sorted(q["page"] for q in queries(server, PAGED)) == ["1", "2", "3"]
    assert queries(server, PAGED)[0]["pageSize"] == "3"
    assert crawl.finish("paged")["expected_total"] == 7
    assert crawl.finish("paged")["shortfall"] is None
    assert [q["page"] for q in queries(server, PLAIN)] == ["1", "2", "3", "4"]


def test_fts_invalid_numbers_are_repaired_and_the_release_stored(crawler: Crawler) -> None:
    with RecordedServer(MANIFEST, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        crawl = crawler.run("fts", since="2026-07-01T00:00:00", until="2026-07-01T12:00:00")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    tender = {t.source_key: t for t in crawler.tenders("fts")}["ocds-h6vhtk-051004"]
    assert tender.value_amount == Decimal("90000")  # `amountGross: 1e9999` became null
    assert tender.raw["tender"]["value"]["amountGross"] is None
    assert tender.notice_type == "UK4"
    assert tender.main_cpv == "72267000"


def test_contracts_finder_reads_iso_8859_1_pages_declared_or_not(crawler: Crawler) -> None:
    with RecordedServer(MANIFEST, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        crawl = crawler.run("cf", since="2026-06-01", until="2026-06-04")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    titles = {t.title for t in crawler.tenders("cf")}
    assert "Évaluation of a digital skills programme" in titles  # page 2, declared
    (page_3,) = [t for t in crawler.tenders("cf") if t.title.startswith("Coding clubs")]
    assert "£11,000" in page_3.description  # page 3, undeclared: UTF-8 fails, read as Latin-1
    assert "Zürich" in page_3.description


def test_requests_name_lotwise_and_its_contact_url_one_at_a_time(sqlite_crawler: Crawler) -> None:
    with RecordedServer(MANIFEST, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url))
        crawl = sqlite_crawler.run("paged")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    agents = {r["headers"]["User-Agent"] for r in server.requests}
    assert agents == {
        "Lotwise/0.1 (procurement opportunity scanner) (+https://example.org/lotwise-tests)"
    }
    assert server.max_in_flight == 1  # concurrency = 1


def record_package(total: int) -> str:
    """Two records holding five releases, announcing `total` records."""
    records = [
        {
            "ocid": f"ocds-rec-{n}",
            "releases": [
                {
                    "ocid": f"ocds-rec-{n}",
                    "id": f"r{n}-{k}",
                    "date": f"2026-06-0{k + 1}T10:00:00Z",
                    "tag": ["tender"],
                    "tender": {"id": str(n), "title": f"Record {n} v{k}", "status": "active"},
                }
                for k in range(n + 2)  # 2 and 3 releases
            ],
        }
        for n in range(2)
    ]
    return json.dumps({"uri": "x", "records": records, "totalCount": total})


def test_record_shortfall_is_counted_in_records_not_releases(crawler: Crawler) -> None:
    manifest = {
        "routes": [
            {"path": "/short", "body": record_package(4), "headers": JSON},
            {"path": "/whole", "body": record_package(2), "headers": JSON},
        ]
    }
    with RecordedServer(manifest, FIXTURES) as server:
        crawler.write_sources(
            "".join(
                f"""
[sources.{name}]
url = "{server.base_url}/{name}"
package = "record"
paging = "none"
total_key = "totalCount"
{FAST}
"""
                for name in ("short", "whole")
            )
        )
        crawl = crawler.run("short", "whole")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    short, whole = crawl.finish("short"), crawl.finish("whole")
    # 5 releases arrived, but only 2 of the 4 announced records: the run must say so.
    assert short["seen"] == 5 and short["expected_total"] == 4
    assert (short["status"], short["shortfall"]) == ("partial", 2)
    assert "announced 4" in short["message"] and "2 received" in short["message"]
    assert (whole["status"], whole["shortfall"]) == ("ok", None)
