"""The generic OCDS spider: any publisher described in `sources.toml`, no code needed.

    scrapy crawl ocds -a source=NAME

Paging follows the entry's `paging` (links, page or none) and date windows its `dates`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Request, Response

from spiders.base import OCDSSpider, first_page_params, follow_links, follow_pages


class GenericOCDSSpider(OCDSSpider):
    name = "ocds"

    @classmethod
    def default_source(cls) -> str | None:
        return None  # serves many sources: the source must be named

    def first_page_params(self) -> dict[str, str]:
        return first_page_params(self.config) if self.config.paging == "page" else {}

    def next_requests(
        self, response: Response, package: dict[str, Any], releases: list[dict[str, Any]]
    ) -> Iterable[Request]:
        if self.config.paging == "links":
            return follow_links(self, response, package, releases)
        if self.config.paging == "page":
            return follow_pages(self, response, package, releases)
        return ()
