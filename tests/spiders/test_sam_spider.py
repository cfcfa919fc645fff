"""The SAM.gov spider against a real HTTP server on 127.0.0.1: posted-date windows paged by
offset to `totalRecords`, the key sent as a header and never stored or logged, a second run
storing nothing twice, retried 500 and 429 pages, malformed records recorded while the rest
is stored, and no start at all without a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FAST, JSON_UTF8, Crawler, queries
from pydantic import SecretStr

from scanner.demo.server import RecordedServer
from scanner.settings import Settings
from scanner.sources import SourceConfig
from spiders.sam import SamSpider

SEARCH = "/opportunities/v2/search"
FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
KEY = "test-sam-key-0123456789"
TEXT = {"Content-Type": "text/plain"}


def page(offset: int, body_file: str | None = None, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": "GET",
        "path": SEARCH,
        "query": {"offset": str(offset)},
        "status": 200,
        "headers": JSON_UTF8,
    }
    if body_file is not None:
        entry["body_file"] = body_file
    entry.update(options)
    return entry


PAGES = [page(0, "sam_search_page_0.json"), page(1, "sam_search_page_1.json")]


def sources(base_url: str, extra: str = "") -> str:
    return f"""
[sources.sam]
spider = "sam"
url = "{base_url}{SEARCH}"
params = {{ limit = "2", ptype = "o,k,p,a" }}
{FAST}
{extra}"""


def with_key(crawler: Crawler) -> Crawler:
    crawler.env["LOTWISE_SAM_API_KEY"] = KEY
    return crawler


def test_sam_spider_pages_by_offset_to_the_total_and_resumes_without_duplicates(
    sqlite_crawler: Crawler,
) -> None:
    """SQLite only: the storage path is the TED spider's, which runs on both databases."""
    crawler = with_key(sqlite_crawler)
    with RecordedServer({"routes": PAGES}, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        first = crawler.run("sam", since="2026-06-01T12:00", until="2026-06-04T12:00")
        second = crawler.run("sam", until="2026-06-05T12:00")
        asked = queries(server, SEARCH)
        headers = [r["headers"] for r in server.requests]

    assert first.returncode == 0, first.stderr[-3000:]
    finish = first.finish("sam")
    assert (finish["status"], finish["pages"], finish["new"]) == ("ok", 2, 3)
    assert finish["expected_total"] == 3
    assert asked[0] == {
        "limit": "2", "ptype": "o,k,p,a", "postedFrom": "06/01/2026", "postedTo": "06/04/2026",
        "offset": "0",
    }  # fmt: skip
    assert [q["offset"] for q in asked[:2]] == ["0", "1"]
    assert all(h.get("X-Api-Key") == KEY for h in headers)
    assert all("api_key" not in q for q in asked)
    tenders = crawler.tenders("sam")
    assert len(tenders) == 3 and {t.currency for t in tenders} == {"USD"}
    assert all("pointOfContact" not in t.raw["record"] for t in tenders)
    solicitation = next(t for t in tenders if t.notice_id == "47QTCA26Q0012")
    assert {(c["scheme"], c["code"]) for c in solicitation.classifications} >= {
        ("NAICS", "541511"), ("PSC", "DA01"), ("SET-ASIDE", "SBA"),
    }  # fmt: skip

    assert second.returncode == 0, second.stderr[-3000:]
    assert asked[2]["postedFrom"] == "06/03/2026"  # a day before the mark
    again = second.finish("sam")
    assert (again["seen"], again["new"], again["updated"], again["unchanged"]) == (3, 0, 0, 3)
    assert len(crawler.tenders("sam")) == 3
    assert KEY not in first.stderr + second.stderr


def test_sam_spider_retries_500_waits_for_429_and_records_bad_records(
    sqlite_crawler: Crawler,
) -> None:
    with_key(sqlite_crawler)
    routes = [
        page(0, status=500, headers=TEXT, body="Internal Server Error", times=1),
        page(0, "sam_search_malformed.json", times=1),
        page(1, status=429, headers={"Retry-After": "1", **TEXT}, body="over quota", times=1),
        page(1, "sam_search_page_1.json"),
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url).replace('limit = "2"', 'limit = "3"'))
        crawl = sqlite_crawler.run("sam", since="2026-06-01T12:00", until="2026-06-04T12:00")
        offsets = [q["offset"] for q in queries(server, SEARCH)]

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert offsets == ["0", "0", "1", "1"]
    keys = sorted(t.source_key for t in sqlite_crawler.tenders("sam"))
    assert keys == ["c3d4e5f60718293a4b5c6d7e8f90a1b2", "e5f60718293a4b5c6d7e8f90a1b2c3d4"]
    errors = sqlite_crawler.errors("sam")
    assert [(e.kind, e.record_key) for e in errors] == [
        ("record", None), ("record", "d4e5f60718293a4b5c6d7e8f90a1b2c3"), ("record", None),
    ]  # fmt: skip
    assert errors[0].reason.startswith("no noticeId")
    assert "officer@example.gov" not in " ".join(e.excerpt or "" for e in errors)
    assert all(KEY not in (e.url or "") + (e.excerpt or "") for e in errors)


def test_sam_spider_without_key_refuses_to_start(sqlite_crawler: Crawler) -> None:
    sqlite_crawler.env.pop("LOTWISE_SAM_API_KEY", None)
    with RecordedServer({"routes": PAGES}, FIXTURES) as server:
        sqlite_crawler.write_sources(sources(server.base_url))
        crawl = sqlite_crawler.run("sam", since="2026-06-01", until="2026-06-04")
        requests = len(server.requests)

    assert crawl.returncode == 1
    assert "LOTWISE_SAM_API_KEY" in crawl.stderr and "'sam'" in crawl.stderr
    assert requests == 0 and sqlite_crawler.crawl_runs("sam") == []


def test_crawl_of_several_sources_skips_sam_without_key_with_a_warning(
    sqlite_crawler: Crawler,
) -> None:
    sqlite_crawler.env.pop("LOTWISE_SAM_API_KEY", None)
    other = (
        """
[sources.empty]
url = "{base}/ocds/releases"
paging = "none"
"""
        + FAST
    )
    routes = [
        {"method": "GET", "path": "/ocds/releases", "status": 200, "headers": JSON_UTF8,
         "body": {"releases": []}},
    ]  # fmt: skip
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(
            sources(server.base_url, other.replace("{base}", server.base_url))
        )
        crawl = sqlite_crawler.run("sam", "empty")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "warning: skipping source 'sam'" in crawl.stderr
    assert crawl.finish("empty")["status"] == "ok"
    assert not [e for e in crawl.events if e["source"] == "sam"]


def test_sam_spider_checks_key_and_window_before_any_request() -> None:
    no_key = Settings(sam_api_key=SecretStr(""))
    assert "LOTWISE_SAM_API_KEY" in (SamSpider.missing_configuration(no_key) or "")
    # A SecretStr printed as text on its way to the crawl process is not a key.
    masked = Settings(sam_api_key=SecretStr("**********"))
    assert "masked" in (SamSpider.missing_configuration(masked) or "")
    assert SamSpider.missing_configuration(Settings(sam_api_key=SecretStr(KEY))) is None
    too_long = SourceConfig.model_validate(
        {
            "name": "sam",
            "spider": "sam",
            "url": "https://api.sam.gov/opportunities/v2/search",
            "dates": {"from_param": "postedFrom", "to_param": "postedTo", "window_hours": 9000},
        }
    )
    with pytest.raises(ValueError, match="more than a year apart"):
        SamSpider.effective_config(too_long)
