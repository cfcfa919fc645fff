"""The configuration-driven HTML listing spider against a real HTTP server on 127.0.0.1:
a council "current tenders" table paged by its Next link with detail pages, and a card list
with `rel=next` paging, both recorded-format pages of our own (tests/spiders/fixtures/html_*).
Paging to the end, detail pages only for entries lacking a required field, a second run
storing nothing twice, a 500 then success, malformed entries and unexpected dates recorded as
errors naming the field while the rest is stored, and configuration errors naming the key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST, FIXTURES, REPO, Crawler
from scrapy.http import HtmlResponse

from scanner.demo.server import RecordedServer
from scanner.sources import SourcesFileError, load_sources
from spiders.feed import FeedSpider
from spiders.html_listing import HtmlListingSpider

HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}
LISTING = "/business/tenders"
CARDS = "/notices/search"
COUNCIL_REFS = ["031", "029", "027", "024", "022", "020", "018", "015"]


def html(path: str, body_file: str | None = None, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"method": "GET", "path": path, "status": 200, "headers": HTML}
    if body_file is not None:
        entry["body_file"] = body_file
    entry.update(options)
    return entry


def council_routes() -> list[dict[str, Any]]:
    routes = [html(LISTING, f"html_council_page_{n}.html", query={"page": str(n)}) for n in (2, 3)]
    routes.append(html(LISTING, "html_council_page_1.html"))
    routes += [
        html(f"/business/tenders/RBC-2026-{ref}", f"html_council_detail_RBC-2026-{ref}.html")
        for ref in COUNCIL_REFS
        if ref != "022"
    ]
    return routes


COUNCIL = """
[sources.council]
spider = "html_listing"
url = "{base}/business/tenders"
{fast}

[sources.council.listing]
item = "table.tenders tbody tr"
next_page = "nav.pager a.next"
fields = {{ id = "td.ref", title = "td.title a", url = "td.title a::attr(href)", buyer = "td.dept", value = "td.value", published = "td.published", deadline = "td.closing" }}
detail_fields = {{ description = "div.tender-description", cpv = "ul.cpv", deadline = "dt:-soup-contains('Closing date') + dd", procedure = "dt:-soup-contains('Procedure') + dd" }}
require = ["title", "deadline", "description"]
date_formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
timezone = "Europe/London"
currency = "GBP"
overlap_hours = {overlap}
"""

CARDS_SOURCE = """
[sources.cards]
spider = "html_listing"
url = "{base}/notices/search?status=open"
{fast}

[sources.cards.listing]
item = "article.notice-card"
next_page = "nav.pagination a[rel=next]"
fields = {{ id = "::attr(data-notice-id)", title = "h3 a", url = "h3 a::attr(href)", buyer = ".notice-card__buyer span", description = ".notice-card__summary", published = "li.published time::attr(datetime)", deadline = "li.deadline", value = "li.value", cpv = "li.cpv" }}
detail_fields = {{ description = "div.notice-description", procedure = "p.procedure" }}
require = ["title", "description"]
date_formats = ["%d %B %Y, %H:%M", "%Y-%m-%d"]
timezone = "Europe/Brussels"
newest_first = true
"""


def council(base_url: str, overlap: int = 72) -> str:
    return COUNCIL.format(base=base_url, fast=FAST, overlap=overlap)


def cards(base_url: str) -> str:
    return CARDS_SOURCE.format(base=base_url, fast=FAST)


def paths(server: RecordedServer) -> list[str]:
    """Requested paths (with the page number), robots.txt left out."""
    return [r["path"] + ("?page=" + r["query"]["page"] if "page" in r["query"] else "")
            for r in server.requests if r["path"] != "/robots.txt"]  # fmt: skip


def test_council_table_is_paged_to_the_end_with_detail_pages_and_resumed_without_duplicates(
    crawler: Crawler,
) -> None:
    with RecordedServer({"routes": council_routes()}, FIXTURES) as server:
        crawler.write_sources(council(server.base_url))
        first = crawler.run("council", until="2026-06-10T00:00")
        first_requests = paths(server)
        second = crawler.run("council", until="2026-06-11T00:00")
        second_requests = paths(server)[len(first_requests) :]

    assert first.returncode == 0, first.stderr[-3000:]
    finish = first.finish("council")
    assert (finish["status"], finish["new"], finish["errors"]) == ("partial", 6, 2)
    listing = [p for p in first_requests if p.startswith(LISTING + "?") or p == LISTING]
    assert listing == [LISTING, LISTING + "?page=2", LISTING + "?page=3"]
    details = sorted(p.rsplit("-", 1)[1] for p in first_requests if "/RBC-" in p)
    assert details == sorted(["031", "029", "027", "024", "020", "018", "015"])

    tenders = {t.source_key: t for t in crawler.tenders("council")}
    assert sorted(tenders) == [f"RBC/2026/{r}" for r in ("015", "018", "024", "027", "029", "031")]
    grounds = tenders["RBC/2026/031"]
    assert grounds.title == "Grounds maintenance of parks and open spaces (3 lots)"
    assert grounds.notice_url == f"{server.base_url}/business/tenders/RBC-2026-031"
    assert (grounds.value_amount, grounds.currency) == (Decimal(1200000), "GBP")
    assert grounds.cpv_codes == ["77310000", "77313000"]
    assert grounds.description.startswith("Maintenance of 42 parks")
    assert grounds.procedure_type == "Open procedure" and grounds.status == "active"
    # "10/07/2026 12:00" London summer time; a date without time closes at the day's end.
    assert _utc(grounds.deadline_at) == datetime(2026, 7, 10, 11, 0, tzinfo=UTC)
    assert _utc(tenders["RBC/2026/024"].deadline_at) == datetime(
        2026, 6, 19, 22, 59, 59, tzinfo=UTC
    )
    # The listing's "-" closing date was completed from the detail page.
    assert _utc(tenders["RBC/2026/027"].deadline_at) == datetime(2026, 7, 3, 11, 0, tzinfo=UTC)
    assert tenders["RBC/2026/027"].value_amount == Decimal(120000)
    assert tenders["RBC/2026/024"].value_amount is None  # "Not specified"
    assert tenders["RBC/2026/024"].raw["problems"] == ["value: 'Not specified' is not an amount"]

    errors = [(e.kind, e.record_key, e.reason) for e in crawler.errors("council")]
    assert errors[0][:2] == ("record", "RBC/2026/022")
    assert errors[0][2].startswith("RBC/2026/022: title, description: missing")
    assert errors[1][:2] == ("record", "RBC/2026/020")
    assert "deadline: '30th June 2026 at noon' matches none of the date formats" in errors[1][2]

    # Second run: entries published before the mark minus 72 h are skipped (no detail page
    # fetched again); the one still inside the overlap is seen and unchanged.
    assert second.returncode == 0, second.stderr[-3000:]
    again = second.finish("council")
    assert (again["seen"], again["new"], again["updated"], again["unchanged"]) == (1, 0, 0, 1)
    assert [p for p in second_requests if "/RBC-" in p] == ["/business/tenders/RBC-2026-031"]
    assert len(crawler.tenders("council")) == 6
    assert all(t.version == 1 for t in crawler.tenders("council"))


def test_listing_page_500_then_success_and_a_failed_detail_page_retried_next_run(
    sqlite_crawler: Crawler,
) -> None:
    routes = [
        html(CARDS, status=500, headers=TEXT, body="Internal Server Error", times=1),
        html(CARDS, "html_cards_page_2.html", query={"page": "2"}),
        html(CARDS, "html_cards_page_1.html"),
        html("/notices/2026-OPP-00409", status=503, headers=TEXT, body="busy", times=2),
        html("/notices/2026-OPP-00409", "html_cards_detail_2026-OPP-00409.html"),
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(cards(server.base_url))
        first = sqlite_crawler.run("cards", until="2026-06-10T00:00")
        first_requests = paths(server)
        after_first = len(first_requests)
        errors_after_first = sqlite_crawler.errors("cards")
        # Two weeks later every card is older than the window: only the failed detail page's
        # entry is taken again, and page 2 is not read (newest first).
        second = sqlite_crawler.run("cards", until="2026-06-24T00:00")
        second_requests = paths(server)[after_first:]

    assert first.returncode == 0, first.stderr[-3000:]
    finish = first.finish("cards")
    assert (finish["status"], finish["new"]) == ("partial", 4)
    assert first_requests.count(CARDS) == 2  # the 500, then the retry that succeeded
    assert first_requests.count("/notices/2026-OPP-00409") == 2  # 503, retried, 503 again
    assert [(e.kind, e.url, e.status) for e in errors_after_first] == [
        ("http", f"{server.base_url}/notices/2026-OPP-00409#detail", 503)
    ]
    assert second.returncode == 0, second.stderr[-3000:]
    assert second_requests == [CARDS, "/notices/2026-OPP-00409"]
    assert second.finish("cards")["new"] == 1
    tenders = {t.source_key: t for t in sqlite_crawler.tenders("cards")}
    assert len(tenders) == 5
    platform = tenders["2026-OPP-00409"]
    assert platform.description.startswith("A hosted platform for consultations")
    assert platform.procedure_type == "Open procedure"
    # "Deadline: 30 June 2026, 12:00" (label dropped) in Brussels summer time.
    assert _utc(platform.deadline_at) == datetime(2026, 6, 30, 10, 0, tzinfo=UTC)
    assert (platform.value_amount, platform.currency) == (Decimal(85000), "EUR")
    assert platform.cpv_codes == ["72212000", "48000000"]
    assert [e.resolved_at is not None for e in sqlite_crawler.errors("cards")] == [True]


def test_cards_are_paged_to_the_end_and_only_entries_lacking_a_field_follow_detail(
    sqlite_crawler: Crawler,
) -> None:
    routes = [
        html(CARDS, "html_cards_page_2.html", query={"page": "2"}),
        html(CARDS, "html_cards_page_1.html"),
        html("/notices/2026-OPP-00409", "html_cards_detail_2026-OPP-00409.html"),
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(cards(server.base_url))
        crawl = sqlite_crawler.run("cards", until="2026-06-10T00:00")
        requested = paths(server)

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert requested[0] == CARDS
    assert sorted(requested[1:]) == ["/notices/2026-OPP-00409", CARDS + "?page=2"]
    finish = crawl.finish("cards")
    assert (finish["new"], finish["errors"]) == (5, 0)
    published = {t.source_key: _utc(t.published_at) for t in sqlite_crawler.tenders("cards")}
    assert published["2026-OPP-00388"] == datetime(2026, 5, 19, 22, 0, tzinfo=UTC)


def test_pages_disallowed_by_robots_txt_are_not_fetched_but_recorded(
    sqlite_crawler: Crawler,
) -> None:
    robots = "User-agent: *\nDisallow: /notices/2026-OPP-\n"
    routes = [
        html("/robots.txt", headers=TEXT, body=robots),
        html(CARDS, "html_cards_page_2.html", query={"page": "2"}),
        html(CARDS, "html_cards_page_1.html"),
    ]
    with RecordedServer({"routes": routes}, FIXTURES) as server:
        sqlite_crawler.write_sources(cards(server.base_url))
        crawl = sqlite_crawler.run("cards", until="2026-06-10T00:00")
        requested = [r["path"] for r in server.requests]

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "/notices/2026-OPP-00409" not in requested and requested[0] == "/robots.txt"
    assert crawl.finish("cards")["new"] == 4
    [error] = sqlite_crawler.errors("cards")
    assert error.url == f"{server.base_url}/notices/2026-OPP-00409#detail"
    assert "robots.txt" in error.reason


def test_the_shipped_examples_read_the_pages_they_were_modelled_on() -> None:
    """config/sources.toml's disabled templates against our recorded-format pages."""
    shipped = load_sources(REPO / "config" / "sources.toml")
    expected = {
        ("council_tenders", "html_council_page_1.html"): (3, "/business/tenders?page=2"),
        ("council_tenders", "html_council_page_3.html"): (2, None),
        ("regional_notices", "html_cards_page_1.html"): (3, "?page=2"),
        ("housing_rss", "feed_rss_opportunities.xml"): (4, None),
    }
    for (name, fixture), (count, next_url) in expected.items():
        config = shipped[name]
        assert not config.enabled  # placeholders until pointed at a real portal
        spider_class = FeedSpider if config.spider == "feed" else HtmlListingSpider
        spider = spider_class(config=spider_class.effective_config(config))
        body = (FIXTURES / fixture).read_bytes().replace(b"{base_url}", b"https://h.example")
        response = HtmlResponse(url=config.url, body=body, encoding="utf-8")
        entries, found_next, problem = spider.entries(response, body.decode("utf-8"))
        assert (len(entries), found_next, problem) == (count, next_url, None), name
        titled = [e for e in entries if e.get("title")]
        assert len(titled) >= count - 1 and all(e.get("id") for e in entries), name
        assert all(str(e.get("url") or "https://").startswith("https://") for e in entries)


def test_listing_configuration_errors_name_the_source_and_the_key(tmp_path: Path) -> None:
    def error(text: str) -> str:
        path = tmp_path / "sources.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SourcesFileError) as caught:
            load_sources(path)
        return str(caught.value)

    base = '[sources.council]\nspider = "html_listing"\nurl = "https://x.example/t"\n'
    fields = 'fields = { title = "td a", url = "td a::attr(href)" }\n'
    message = error(base + "[sources.council.listing]\n" + fields)
    assert "source 'council'" in message and "listing.item" in message
    message = error(base + '[sources.council.listing]\nitem = "tr[class="\n' + fields)
    assert "listing.item" in message and "invalid CSS selector" in message
    message = error(
        base + '[sources.council.listing]\nitem = "tr"\n'
        'fields = { title = "td a", url = "td a::attr(href)", closing = "td.c" }\n'
    )
    assert "listing.fields" in message and "unknown field 'closing'" in message
    message = error(
        base
        + '[sources.council.listing]\nitem = "tr"\nfields = { title = "td a::attr()", id = "td" }\n'
    )
    assert "listing.fields" in message and "title: 'td a::attr()'" in message
    message = error(
        base + '[sources.council.listing]\nitem = "tr"\nfields = { title = "td", url = "td a" }\n'
    )
    assert "listing.fields" in message and "a link needs ::attr(href)" in message
    message = error(base + '[sources.council.listing]\nitem = "tr"\nfields = { title = "td" }\n')
    assert "needs selectors for `title` and for `id` or `url`" in message
    message = error(
        base + '[sources.council.listing]\nitem = "tr"\n' + fields + 'timezone = "Mars/Base"\n'
    )
    assert "listing.timezone" in message and "Mars/Base" in message
    message = error(base + '[sources.council.listing]\nitem = "tr"\n' + fields + "colour = 1\n")
    assert "listing.colour" in message

    path = tmp_path / "ok.toml"
    path.write_text(base, encoding="utf-8")
    config = load_sources(path)["council"]
    with pytest.raises(ValueError, match=r"source 'council'.*\[sources.council.listing\]"):
        HtmlListingSpider.effective_config(config)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
