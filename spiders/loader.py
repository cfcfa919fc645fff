"""A spider loader that imports only the spiders a crawl asks for.

Scrapy's own loader imports every module of `SPIDER_MODULES` when a `CrawlerProcess` is made:
a crawl of one OCDS publisher then paid for BeautifulSoup, feedparser and the TED XML readers.
The table below names each spider's module; `tests/spiders/test_loader.py` checks it against
what Scrapy's loader finds, so a new spider cannot be forgotten here.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings

#: Spider name -> "module:class".
SPIDERS: dict[str, str] = {
    "contracts_finder": "spiders.contracts_finder:ContractsFinderSpider",
    "feed": "spiders.feed:FeedSpider",
    "find_a_tender": "spiders.find_a_tender:FindATenderSpider",
    "html_listing": "spiders.html_listing:HtmlListingSpider",
    "ocds": "spiders.ocds:GenericOCDSSpider",
    "sam": "spiders.sam:SamSpider",
    "ted": "spiders.ted:TedSpider",
}


class LazySpiderLoader:
    """Scrapy's `SpiderLoaderProtocol` over `SPIDERS`, importing a module on `load`."""

    def __init__(self, spiders: dict[str, str] | None = None) -> None:
        self.spiders = SPIDERS if spiders is None else spiders

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls()

    def load(self, spider_name: str) -> type[Spider]:
        try:
            module, _, name = self.spiders[spider_name].partition(":")
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None
        spider: Any = getattr(import_module(module), name)
        return spider  # type: ignore[no-any-return]

    def list(self) -> list[str]:
        return sorted(self.spiders)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name in self.list() if self.load(name).handles_request(request)]
