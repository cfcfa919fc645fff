"""Planning a crawl (window, date windows, first requests) and reading Retry-After: pure
logic, tested without a crawl."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from scanner.sources import DateWindow, SourceConfig
from spiders.find_a_tender import FindATenderSpider
from spiders.middlewares import parse_retry_after
from spiders.ocds import GenericOCDSSpider
from spiders.plan import CrawlPlan, date_windows, parse_instant, plan_window

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DATES = DateWindow(from_param="from", to_param="to", overlap_hours=2, initial_days=3)


def at(hour: int, day: int = 1, month: int = 7) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_windows_overlap_and_end_exactly_at_the_run_end() -> None:
    windows = list(date_windows(at(0), at(12), window_hours=6, overlap_hours=1))
    assert windows == [(at(0), at(6)), (at(5), at(11)), (at(10), at(12))]


def test_an_overlap_as_long_as_the_window_does_not_loop_forever() -> None:
    windows = list(date_windows(at(0), at(12), window_hours=6, overlap_hours=6))
    assert windows == [(at(0), at(6)), (at(6), at(12))]


def test_an_empty_run_window_has_no_date_windows() -> None:
    assert list(date_windows(at(12), at(12), window_hours=6, overlap_hours=1)) == []


def test_window_starts_at_since_when_given() -> None:
    window = plan_window(DATES, since=at(3), until=None, high_water_mark=at(9), now=NOW)
    assert window == (at(3), NOW)


def test_window_resumes_from_the_high_water_mark_minus_overlap() -> None:
    window = plan_window(DATES, since=None, until=at(20), high_water_mark=at(9), now=NOW)
    assert window == (at(7), at(20))


def test_first_run_goes_initial_days_back() -> None:
    window = plan_window(DATES, since=None, until=None, high_water_mark=None, now=NOW)
    assert window == (NOW - timedelta(days=3), NOW)


def test_undated_source_reads_its_whole_listing() -> None:
    assert plan_window(None, since=None, until=None, high_water_mark=at(9), now=NOW) == (None, NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01", at(0)),
        ("2026-07-01T05:00:00", at(5)),
        ("2026-07-01T06:00:00+01:00", at(5)),
        ("2026-07-01T05:00:00Z", at(5)),
    ],
)
def test_instants_are_read_as_aware_utc(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


def test_fts_asks_short_overlapping_windows_in_london_time() -> None:
    config = SourceConfig(name="fts", spider="find_a_tender", url="https://fts.example/api")
    spider = FindATenderSpider(config=FindATenderSpider.effective_config(config))
    requests = list(spider.listing_requests(CrawlPlan(at(0), at(12))))
    params = [parse_qs(urlsplit(r.url).query) for r in requests]
    # 6 h windows overlapping by 1 h; British Summer Time is UTC+1; limit=100 by default.
    assert [(p["updatedFrom"][0], p["updatedTo"][0]) for p in params] == [
        ("2026-07-01T01:00:00", "2026-07-01T07:00:00"),
        ("2026-07-01T06:00:00", "2026-07-01T12:00:00"),
        ("2026-07-01T11:00:00", "2026-07-01T13:00:00"),
    ]
    assert all(p["limit"] == ["100"] for p in params)


def test_retried_error_urls_are_requested_first_and_bypass_the_duplicate_filter() -> None:
    config = SourceConfig(name="pub", url="https://pub.example/releases", paging="page")
    spider = GenericOCDSSpider(config=config)
    spider.plan = CrawlPlan(None, NOW, ("https://pub.example/releases?page=4",))

    async def first_two() -> list[object]:
        requests = []
        async for request in spider.start():
            requests.append(request)
        return requests

    failed_page, listing = asyncio.run(first_two())
    assert (failed_page.url, failed_page.dont_filter) == (
        "https://pub.example/releases?page=4",
        True,
    )
    assert (listing.url, listing.dont_filter) == ("https://pub.example/releases?page=1", False)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", NOW) == 30
    assert parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
