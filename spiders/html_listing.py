"""Portals that publish tenders only as HTML pages, driven entirely by configuration.

    [sources.NAME.listing]: item (one entry), fields (field -> selector), next_page, and
    detail_fields for entries that lack a `require`d field (see docs/sources.md)

Each page is parsed with BeautifulSoup (lxml); each entry's fields are extracted as text and
handed, unparsed, to `scanner.ingest.html_listing` in a `TenderItem`. `PortalSpider` is shared
with the feed spider: politeness, error rows and retries come from `OCDSSpider`; an entry's
detail page is fetched only when the entry lacks a required field; on later runs entries
published before the window (high-water mark minus `dates.overlap_hours`) are skipped, except
on pages retried after an error. A detail page that failed is recorded under its URL plus
`#detail`; the next run fetches it again when its entry is listed again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from bs4 import BeautifulSoup, Tag
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameters

from scanner.ingest.html_listing import (
    ParseRules,
    Selector,
    normalise_listing_record,
    parse_field_date,
    parse_selector,
)
from scanner.ingest.text import clean_text
from scanner.sources import DateWindow, PageRules, SourceConfig
from spiders.base import LISTING_START, PAGE_URL, OCDSSpider
from spiders.items import PageErrorItem, TenderItem
from spiders.responses import failure_to_error, response_text

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
DETAIL_MARK = "#detail"
#: Request meta: this page (or the listing it continues) is retried after an error, so none
#: of its entries is skipped by date.
RETRYING = "portal_retrying"
RECORD = "portal_record"
PAGE_NUMBER = "portal_page"


def select_text(node: Tag, selector: Selector) -> str | None:
    """The selector's value in `node`: the first match's text or attribute (None if none)."""
    found = node.select_one(selector.css) if selector.css else node
    if found is None:
        return None
    if selector.attribute:
        value = found.get(selector.attribute)
        if isinstance(value, list):  # class-like attributes
            value = " ".join(value)
        return value.strip() if isinstance(value, str) and value.strip() else None
    # The markup, not get_text: `clean_text` keeps paragraph breaks and drops "-", "n/a".
    return clean_text(found.decode_contents())


def extract_fields(
    node: Tag, selectors: dict[str, str], base_url: str, response: Response
) -> dict[str, str | None]:
    """Each configured field's text; a `url` is made absolute against the page."""
    fields = {name: select_text(node, parse_selector(text)) for name, text in selectors.items()}
    if fields.get("url"):
        fields["url"] = response.urljoin(str(fields["url"]))
    return fields


def parse_rules(rules: PageRules) -> ParseRules:
    return ParseRules(
        date_formats=tuple(rules.date_formats),
        timezone=rules.timezone,
        dayfirst=rules.dayfirst,
        currency=rules.currency,
        status=rules.status,
        require=tuple(rules.require),
    )


class PortalSpider(OCDSSpider):
    """Shared by HTML listings and feeds: entries -> `TenderItem`s, detail pages, skipping."""

    @classmethod
    def effective_config(cls, config: SourceConfig) -> SourceConfig:
        """The run window only decides which entries are new (no query parameters): later
        runs start `overlap_hours` before the previous run; a first run reads everything
        listed, since a current-tenders page holds old but still open tenders."""
        if config.dates is not None:
            raise ValueError(
                f"source {config.name!r}: `dates` is not used by spider {cls.name!r}; "
                "set `overlap_hours` in its listing or feed table"
            )
        config = super().effective_config(config)
        overlap = cls.rules_of(config).overlap_hours
        window = DateWindow(from_param="published", overlap_hours=overlap, initial_days=3650)
        return config.model_copy(update={"dates": window})

    @classmethod
    def rules_of(cls, config: SourceConfig) -> PageRules:
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_from: datetime | None = None
        self.retry_details: set[str] = set()

    def rules(self) -> PageRules:
        return self.rules_of(self.config)

    def normaliser(self) -> Any:
        return partial(normalise_listing_record, source=self.config.name, rules=self.parse_rules)

    @property
    def parse_rules(self) -> ParseRules:
        return parse_rules(self.rules())

    async def start(self) -> AsyncIterator[Any]:
        plan = self.plan or self.standalone_plan()
        self.window_from = plan.window_from
        for url in plan.retry_urls:
            if url.endswith(DETAIL_MARK):  # fetched again when its entry is listed
                self.retry_details.add(url)
                continue
            yield self.page_request(url, dont_filter=True, **{RETRYING: True})
        params = self.config.params
        url = add_or_replace_parameters(self.config.url, params) if params else self.config.url
        first: dict[str, Any] = {PAGE_NUMBER: 1}
        yield self.page_request(url, listing_start=True, **first)

    def page_request(
        self, url: str, *, listing_start: bool = False, dont_filter: bool = False, **meta: Any
    ) -> Request:
        request = super().page_request(
            url, listing_start=listing_start, dont_filter=dont_filter, **meta
        )
        request.headers["Accept"] = HTML_ACCEPT
        return request

    # Entries

    def entries(
        self, response: Response, text: str
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        """The page's entries as field dicts, the next page's URL, or a reason the page is
        unusable (recorded as a page error)."""
        raise NotImplementedError

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        url = response.meta.get(PAGE_URL, response.url)
        if "dataloss" in response.flags:
            yield from self.truncated(response, url)
            return
        text = response_text(response, self.config.encoding)
        entries, next_url, problem = self.entries(response, text)
        if problem is not None:
            yield self.page_error(response, url, "parse", problem)
            return
        retrying = bool(response.meta.get(RETRYING))
        ready: list[dict[str, Any]] = []
        follow: list[dict[str, Any]] = []
        old = before = 0
        for entry in entries:
            entry["_page"] = url
            if not retrying and self.published_before_window(entry):
                before += 1
                # An entry whose detail page failed last time is taken again whatever its date.
                if self.detail_url(entry) + DETAIL_MARK not in self.retry_details:
                    old += 1
                    continue
            if self.lacks_required(entry) and self.rules().detail_fields and entry.get("url"):
                follow.append(entry)
            else:
                ready.append(entry)
        if old:
            self.logger.info("%d entries published before the window skipped: %s", old, url)
        yield TenderItem(
            source=self.config.name,
            url=url,
            records=ready,
            normalise=self.normaliser(),
            keys=[_key(e) for e in ready],
            entries=len(entries),
        )
        for entry in follow:
            yield self.detail_request(entry)
        page = int(response.meta.get(PAGE_NUMBER) or 1)
        all_old = bool(entries) and before == len(entries)
        if next_url and not (self.rules().newest_first and all_old):
            if page >= self.rules().max_pages:
                self.logger.warning("max_pages %d reached, not followed: %s", page, next_url)
            else:
                meta: dict[str, Any] = {RETRYING: retrying, PAGE_NUMBER: page + 1}
                yield self.page_request(response.urljoin(next_url), **meta)

    def published_before_window(self, entry: dict[str, Any]) -> bool:
        text = entry.get("published")
        if self.window_from is None or not isinstance(text, str):
            return False
        published = parse_field_date("published", text, self.entry_rules(entry))
        return published is not None and published < self.window_from

    def entry_rules(self, entry: dict[str, Any]) -> ParseRules:
        return self.parse_rules

    def lacks_required(self, entry: dict[str, Any]) -> bool:
        return any(not entry.get(name) for name in self.rules().require)

    def detail_url(self, entry: dict[str, Any]) -> str:
        return str(entry.get("url") or "")

    # Detail pages

    def detail_request(self, entry: dict[str, Any]) -> Request:
        url = self.detail_url(entry)
        return Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            headers={"Accept": HTML_ACCEPT},
            meta={PAGE_URL: url + DETAIL_MARK, RECORD: entry},
        )

    def parse_detail(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        url = response.meta[PAGE_URL]
        if "dataloss" in response.flags:
            yield from self.truncated(response, url)
            return
        entry = dict(response.meta[RECORD])
        soup = BeautifulSoup(response_text(response, self.config.encoding), "lxml")
        found = extract_fields(soup, self.rules().detail_fields, response.url, response)
        filled = [name for name, value in found.items() if value and not entry.get(name)]
        entry.update({name: found[name] for name in filled})
        entry["_detail"] = response.url
        entry["_from_detail"] = filled
        yield TenderItem(
            source=self.config.name,
            url=url,
            records=[entry],
            normalise=self.normaliser(),
            keys=[_key(entry)],
        )

    def detail_failed(self, failure: Failure) -> Iterator[PageErrorItem]:
        request = failure.request  # type: ignore[attr-defined]
        yield failure_to_error(failure, source=self.config.name, url=request.meta[PAGE_URL])


class HtmlListingSpider(PortalSpider):
    """A portal's HTML listing, paged by its next-page link."""

    name = "html_listing"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """These are pages for people, not APIs: their robots.txt applies (a page it
        disallows is not fetched and is recorded as an error)."""
        super().update_settings(settings)
        settings.set("ROBOTSTXT_OBEY", True, priority="spider")

    @classmethod
    def default_source(cls) -> str | None:
        return None  # serves many sources: the source must be named

    @classmethod
    def rules_of(cls, config: SourceConfig) -> PageRules:
        if config.listing is None:
            raise ValueError(
                f"source {config.name!r}: spider 'html_listing' needs a "
                f"[sources.{config.name}.listing] table (item, fields, next_page)"
            )
        return config.listing

    def entries(
        self, response: Response, text: str
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        listing = self.config.listing
        assert listing is not None
        soup = BeautifulSoup(text, "lxml")
        nodes = soup.select(listing.item)
        next_url = None
        if listing.next_page:
            selector = parse_selector(listing.next_page)
            if selector.attribute is None:
                selector = Selector(selector.css, "href")
            next_url = select_text(soup, selector)
        if not nodes and soup.find("body") is None:
            return [], None, f"not an HTML page (HTTP {response.status})"
        if not nodes and not response.meta.get(LISTING_START):
            # A later page without entries: the layout changed or the page is an error page.
            return [], None, f"no entry matches listing.item {listing.item!r}"
        if not nodes:
            self.logger.warning("no entry matches listing.item %r: %s", listing.item, response.url)
        return (
            [extract_fields(node, listing.fields, response.url, response) for node in nodes],
            next_url,
            None,
        )


def _key(entry: dict[str, Any]) -> str | None:
    key = entry.get("id") or entry.get("url")
    return str(key) if key else None
