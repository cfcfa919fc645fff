"""RSS 2.0 and Atom feeds of tender portals (parsed by feedparser).

    [sources.NAME]  spider = "feed", url = the feed
    [sources.NAME.feed]  require, detail_fields, date_formats, timezone (docs/sources.md)

Each entry is identified by its guid (Atom id), else its link. An entry lacking a `require`d
field (feeds often carry only a title and a link) is completed from its detail page with the
same selectors as HTML listings. Later runs skip entries published before the window (the
high-water mark minus `dates.overlap_hours`), so detail pages are not fetched again; a feed
paged with `<link rel="next">` (RFC 5005) is followed to its end.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import feedparser
from scrapy.http import Response

from scanner.ingest.feeds import FEED_DATE_FIELDS, feed_entry_fields, normalise_feed_entry
from scanner.ingest.html_listing import ParseRules
from scanner.sources import FeedRules, PageRules, SourceConfig
from spiders.html_listing import PortalSpider

FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"


class FeedSpider(PortalSpider):
    name = "feed"

    @classmethod
    def default_source(cls) -> str | None:
        return None  # serves many sources: the source must be named

    @classmethod
    def rules_of(cls, config: SourceConfig) -> PageRules:
        return config.feed or FeedRules()

    def normaliser(self) -> Any:
        return partial(normalise_feed_entry, source=self.config.name, rules=self.parse_rules)

    def entry_rules(self, entry: dict[str, Any]) -> ParseRules:
        return replace(self.parse_rules, standard_dates=FEED_DATE_FIELDS)

    def page_request(self, url: str, **kwargs: Any) -> Any:
        request = super().page_request(url, **kwargs)
        request.headers["Accept"] = FEED_ACCEPT
        return request

    def entries(
        self, response: Response, text: str
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        parsed = feedparser.parse(text, sanitize_html=False, resolve_relative_uris=False)
        version = parsed.get("version") or ""
        if not version and not parsed.entries:
            problem = parsed.get("bozo_exception")
            reason = f": {problem}" if problem else ""
            return [], None, f"not an RSS or Atom feed (HTTP {response.status}){reason}"
        links = parsed.feed.get("links") or []
        next_url = next(
            (link.get("href") for link in links if link.get("rel") == "next" and link.get("href")),
            None,
        )
        entries: list[dict[str, Any]] = []
        for entry in parsed.entries:
            fields: dict[str, Any] = feed_entry_fields(entry)
            if fields.get("url"):
                fields["url"] = response.urljoin(str(fields["url"]))
            entries.append(fields)
        return entries, next_url, None
