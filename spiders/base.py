"""Reusable spider kinds, so a new OCDS publisher is a few class attributes.

- `OCDSSpider`: one source from `sources.toml`; builds requests, reads each page into a
  `PackageItem` (or a `PageErrorItem`), turns download failures into `PageErrorItem`s.
- `LinksFollowingSpider`: follows the package's `links.next` exactly as given until absent.
- `DateWindowSpider`: cuts the run's window into short overlapping date windows, each a
  links-following listing (date parameters rendered in the source's own time zone).
- `PageIndexSpider`: `page=1, 2, ...` until an empty or short page, or the announced total.

Every run first re-requests the pages that failed in earlier runs (`CrawlPlan.retry_urls`,
set by the pipeline from the error log) and continues their listing from there.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Request, Response
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameter, add_or_replace_parameters, canonicalize_url

from scanner.ingest.dates import format_window
from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.settings import Settings
from scanner.sources import DateWindow, Politeness, SourceConfig, load_sources
from spiders.items import PackageItem, PageErrorItem
from spiders.plan import CrawlPlan, date_windows, parse_instant, plan_window
from spiders.responses import (
    UnusablePageError,
    announced_total,
    excerpt,
    failure_to_error,
    header,
    read_package,
)

#: Request meta: the first page of the listing a page belongs to (its pages: `listing_pages`).
LISTING = "lotwise_listing_chain"
#: Request meta: the page URL errors are recorded and resolved under (kept across redirects).
PAGE_URL = "page_url"
#: Request meta: first page of a listing, the one whose announced total is counted.
LISTING_START = "listing_start"


def politeness_settings(politeness: Politeness) -> dict[str, Any]:
    """Scrapy settings pacing one source; each source runs in its own crawler."""
    return {
        "CONCURRENT_REQUESTS": politeness.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": politeness.concurrency,
        "DOWNLOAD_DELAY": politeness.delay,
        "AUTOTHROTTLE_ENABLED": politeness.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(politeness.delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(politeness.concurrency),
    }


class OCDSSpider(scrapy.Spider):
    """A source publishing OCDS release or record packages over HTTP.

    The source's `SourceConfig` comes from the runner (`config=`), or is read from the sources
    file by `-a source=NAME` (default: the spider's name). Subclasses set `default_dates` and
    `default_params`, used where the configuration leaves them out.
    """

    default_dates: ClassVar[DateWindow | None] = None
    default_params: ClassVar[dict[str, str]] = {}
    #: Statuses whose HTML page means "slow down": `BanBackoffMiddleware` waits and retries.
    ban_statuses: ClassVar[frozenset[int]] = frozenset()

    config: SourceConfig
    #: Set by `StorePipeline.open_spider` before the first request; without the pipeline the
    #: spider plans its window from `since`/`until` alone.
    plan: CrawlPlan | None = None
    #: Limits on each JSON body (depth, string, size); from the settings in `from_crawler`.
    json_limits: JsonLimits = DEFAULT_LIMITS

    def __init__(
        self,
        config: SourceConfig,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=config.name, **kwargs)
        self.config = config
        self.since = parse_instant(since)
        self.until = parse_instant(until)
        #: Every listing page requested this run (canonical URLs), for the page cap.
        self.pages_followed: set[str] = set()
        self.listings: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OCDSSpider:
        config = kwargs.pop("config", None)
        source = kwargs.pop("source", None)
        lotwise = crawler.settings.get("LOTWISE_SETTINGS") or Settings()
        if config is None:
            config = cls.load_config(source or cls.default_source(), lotwise.sources_file)
        config = cls.effective_config(config)
        missing = cls.missing_configuration(lotwise)
        if missing:
            raise ValueError(f"source {config.name!r}: {missing}")
        spider = super().from_crawler(crawler, *args, config=config, **kwargs)
        spider.json_limits = lotwise.json_limits()  # bodies bounded like files
        # Scrapy freezes the settings only after building the spider: each source can still
        # pace its own crawler here.
        crawler.settings.setdict(politeness_settings(config.politeness), priority="spider")
        return spider

    @classmethod
    def default_source(cls) -> str | None:
        """The source read when none is named: a publisher's own spider is named after it."""
        return cls.name

    @classmethod
    def load_config(cls, source: str | None, sources_file: Path) -> SourceConfig:
        if not source:
            raise ValueError(f"spider {cls.name!r} needs the source name: -a source=NAME")
        sources = load_sources(sources_file)
        if source not in sources:
            known = ", ".join(sorted(sources)) or "(none)"
            raise ValueError(f"unknown source {source!r} in {sources_file}; known: {known}")
        return sources[source]

    @classmethod
    def missing_configuration(cls, settings: Settings) -> str | None:
        """What this spider needs from the settings and lacks (an API key), or None."""
        return None

    @classmethod
    def effective_config(cls, config: SourceConfig) -> SourceConfig:
        """The configuration completed with this spider's defaults; raises ValueError when
        the source cannot be crawled by this kind of spider."""
        update: dict[str, Any] = {"params": {**cls.default_params, **config.params}}
        if config.dates is None and cls.default_dates is not None:
            update["dates"] = cls.default_dates
        effective = config.model_copy(update=update)
        if effective.dates is not None:
            try:  # a misspelt time zone fails here, before any request
                format_window(datetime.now(UTC), effective.dates.format, effective.dates.timezone)
            except ValueError as exc:
                raise ValueError(f"source {config.name!r}: dates: {exc}") from exc
        return effective

    # Requests

    async def start(self) -> AsyncIterator[Any]:
        plan = self.plan or self.standalone_plan()
        for url in plan.retry_urls:
            yield self.page_request(url, dont_filter=True)
        for request in self.listing_requests(plan):
            yield request

    def standalone_plan(self) -> CrawlPlan:
        window = plan_window(
            self.config.dates,
            since=self.since,
            until=self.until,
            high_water_mark=None,
            now=datetime.now(UTC),
        )
        return CrawlPlan(*window)

    def listing_requests(self, plan: CrawlPlan) -> Iterator[Request]:
        """One listing per date window (or one listing for undated sources)."""
        for window_params in self.window_params(plan):
            params = {**self.config.params, **window_params, **self.first_page_params()}
            yield self.page_request(
                add_or_replace_parameters(self.config.url, params), listing_start=True
            )

    def window_params(self, plan: CrawlPlan) -> Iterator[dict[str, str]]:
        dates = self.config.dates
        if dates is None or plan.window_from is None:
            yield {}
            return
        if dates.to_param is None:  # open-ended: one listing from the window start
            yield {dates.from_param: format_window(plan.window_from, dates.format, dates.timezone)}
            return
        for start, end in date_windows(
            plan.window_from,
            plan.window_to,
            window_hours=dates.window_hours,
            overlap_hours=dates.overlap_hours,
        ):
            yield {
                dates.from_param: format_window(start, dates.format, dates.timezone),
                dates.to_param: format_window(end, dates.format, dates.timezone),
            }

    def first_page_params(self) -> dict[str, str]:
        return {}

    def page_request(
        self, url: str, *, listing_start: bool = False, dont_filter: bool = False, **meta: Any
    ) -> Request:
        request = Request(
            url,
            callback=self.parse,
            errback=self.errback,
            dont_filter=dont_filter,
            meta={LISTING_START: listing_start, **meta},
        )
        request.meta[PAGE_URL] = request.url  # as normalised: the key errors are stored under
        if not dont_filter:  # a retry of last run's failed page is not the listing's paging
            self.pages_followed.add(canonicalize_url(request.url))
        return request

    # Responses

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        url = response.meta.get(PAGE_URL, response.url)
        if "dataloss" in response.flags:
            yield from self.truncated(response, url)
            return
        try:
            package, releases = read_package(response, self.config.encoding, self.json_limits)
        except UnusablePageError as problem:
            yield self.page_error(response, url, problem.kind, problem.reason)
            return
        total = None
        if response.meta.get(LISTING_START):
            total = announced_total(package, self.config.total_key)
        records = package.get("records")
        yield PackageItem(
            source=self.config.name,
            url=url,
            releases=releases,
            total=total,
            entries=len(records) if isinstance(records, list) else len(releases),
        )
        yield from self.next_requests(response, package, releases)

    def next_requests(
        self, response: Response, package: dict[str, Any], releases: list[dict[str, Any]]
    ) -> Iterable[Any]:
        """The listing's next pages (requests, or a paging error); none for a single page."""
        return ()

    def truncated(self, response: Response, url: str) -> Iterator[Any]:
        """A body shorter than its Content-Length: retried like a 5xx, then recorded."""
        assert response.request is not None  # a downloaded response has its request
        retry = get_retry_request(response.request, spider=self, reason="truncated body")
        if retry is not None:
            yield retry
            return
        declared = header(response, "Content-Length") or "?"
        reason = f"response truncated: {len(response.body)} of {declared} bytes received"
        yield self.page_error(response, url, "truncated", reason)

    def page_error(self, response: Response, url: str, kind: str, reason: str) -> PageErrorItem:
        return PageErrorItem(
            source=self.config.name,
            kind=kind,
            url=url,
            status=response.status,
            reason=reason,
            excerpt=excerpt(response, self.config.encoding),
        )

    def follow(self, response: Response, page: str, target: str) -> Iterator[Any]:
        """A request for the listing's next page `target`, or, past the source's `max_pages`,
        an error saying the rest was not read (the run is then partial, never `ok`)."""
        if len(self.pages_followed) >= self.config.max_pages:
            reason = (
                f"page cap of {self.config.max_pages} pages reached (the source's max_pages), "
                f"not followed: {target}"
            )
            yield self.paging_error(response, page, reason)
            return
        listing = response.meta.get(LISTING) or canonicalize_url(page)
        self.listing_pages(response, page)  # records `page` in its listing
        yield self.page_request(target, **{LISTING: listing})

    def listing_pages(self, response: Response, page: str) -> set[str]:
        """The pages read so far of the listing `response` belongs to (one per date window
        or start URL), with `page` itself: a cursor pointing back into them is a loop."""
        listing = response.meta.get(LISTING) or canonicalize_url(page)
        pages = self.listings.setdefault(listing, set())
        pages.add(canonicalize_url(page))
        return pages

    def paging_error(self, response: Response, url: str, reason: str) -> PageErrorItem:
        return PageErrorItem(
            source=self.config.name, kind="paging", url=url, status=response.status, reason=reason
        )

    def errback(self, failure: Failure) -> Iterator[PageErrorItem]:
        request = getattr(failure, "request", None)
        url = request.meta.get(PAGE_URL, request.url) if request is not None else "?"
        yield failure_to_error(failure, source=self.config.name, url=url)


def follow_links(
    spider: OCDSSpider, response: Response, package: dict[str, Any], releases: list[Any]
) -> Iterator[Any]:
    """The `links.next` URL exactly as the publisher gave it (cursors are opaque)."""
    links = package.get("links")
    next_url = links.get("next") if isinstance(links, dict) else None
    if not isinstance(next_url, str) or not next_url.strip():
        return
    if not releases:  # a cursor on an empty page would lead nowhere, possibly forever
        spider.logger.warning("empty page with links.next, not followed: %s", response.url)
        return
    target = response.urljoin(next_url.strip())
    page = response.meta.get(PAGE_URL, response.url)
    if canonicalize_url(target) in spider.listing_pages(response, page):
        # the duplicate filter would drop it silently and the run would look complete
        yield spider.paging_error(
            response, page, f"links.next repeats a page already read, paging stopped: {target}"
        )
        return
    yield from spider.follow(response, page, target)


def follow_pages(
    spider: OCDSSpider, response: Response, package: dict[str, Any], releases: list[Any]
) -> Iterator[Any]:
    """Next page numbers: stop at an empty or short page; with an announced total, the
    first page schedules every remaining page at once."""
    config = spider.config
    url = response.meta.get(PAGE_URL, response.url)
    page = _page_in_url(url, config.page_param) or 1
    page_size = config.page_size or len(releases)
    if not releases or (config.page_size and len(releases) < config.page_size):
        return
    total = announced_total(package, config.total_key)
    if total is None:
        pages: Iterable[int] = [page + 1]
    elif response.meta.get(LISTING_START):
        pages = range(page + 1, math.ceil(total / page_size) + 1)
    else:
        pages = []
    for number in pages:
        target = add_or_replace_parameter(url, config.page_param, str(number))
        yield from spider.follow(response, url, target)


def first_page_params(config: SourceConfig) -> dict[str, str]:
    params = {config.page_param: "1"}
    if config.page_size_param and config.page_size:
        params[config.page_size_param] = str(config.page_size)
    return params


def _page_in_url(url: str, page_param: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get(page_param)
    try:
        return int(values[-1]) if values else None
    except ValueError:
        return None


class LinksFollowingSpider(OCDSSpider):
    """Listings paged by the package's `links.next` cursor."""

    def next_requests(
        self, response: Response, package: dict[str, Any], releases: list[dict[str, Any]]
    ) -> Iterable[Request]:
        return follow_links(self, response, package, releases)  # requests or a paging error


class DateWindowSpider(LinksFollowingSpider):
    """Links-following listings, one per date window of the run."""

    @classmethod
    def effective_config(cls, config: SourceConfig) -> SourceConfig:
        config = super().effective_config(config)
        if config.dates is None:
            raise ValueError(f"source {config.name!r}: spider {cls.name!r} needs `dates`")
        return config


class PageIndexSpider(OCDSSpider):
    """Listings paged by a page number parameter."""

    def first_page_params(self) -> dict[str, str]:
        return first_page_params(self.config)

    def next_requests(
        self, response: Response, package: dict[str, Any], releases: list[dict[str, Any]]
    ) -> Iterable[Request]:
        return follow_pages(self, response, package, releases)
