"""US SAM.gov Get Opportunities v2: `GET /opportunities/v2/search` by posted date.

The run is cut into `postedFrom`/`postedTo` windows (MM/dd/yyyy, Washington time; the API
refuses windows longer than a year). Each window is paged by `offset`, a page index from 0,
with `limit` records a page: the first page's `totalRecords` schedules the rest at once and
is the total a short run is measured against. The API key comes from `LOTWISE_SAM_API_KEY`
and travels in the `X-Api-Key` header, so it is in no URL, log line or error row; without a
key the spider refuses to start. Records are normalised by `scanner.ingest.sam`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Request, Response
from w3lib.url import add_or_replace_parameter

from scanner.ingest.sam import normalise_sam_opportunity
from scanner.settings import Settings
from scanner.sources import DateWindow, SourceConfig
from spiders.base import PAGE_URL, OCDSSpider
from spiders.items import TenderItem
from spiders.json_pages import read_json_object, total_of
from spiders.responses import UnusablePageError

MAX_LIMIT = 1000
MAX_WINDOW_HOURS = 365 * 24
#: Record fields never passed on: points of contact are names, emails and phones.
PERSONAL_FIELDS = ("pointOfContact",)


class SamSpider(OCDSSpider):
    name = "sam"
    default_params: ClassVar[dict[str, str]] = {"limit": str(MAX_LIMIT)}
    default_dates: ClassVar[DateWindow | None] = DateWindow(
        from_param="postedFrom",
        to_param="postedTo",
        format="%m/%d/%Y",
        timezone="America/New_York",
        window_hours=7 * 24,
        overlap_hours=24,
        initial_days=7,
    )
    api_key = ""

    @classmethod
    def default_source(cls) -> str | None:
        return "sam_gov"

    @classmethod
    def missing_configuration(cls, settings: Settings) -> str | None:
        key = settings.sam_api_key.get_secret_value().strip()
        if not key:
            return "SAM.gov needs an API key: set LOTWISE_SAM_API_KEY (sam.gov, Account Details)"
        if set(key) == {"*"}:  # a SecretStr printed instead of its value on the way here
            return "LOTWISE_SAM_API_KEY reached the crawl process masked ('*****'), not the key"
        return None

    @classmethod
    def effective_config(cls, config: SourceConfig) -> SourceConfig:
        config = super().effective_config(config)
        dates = config.dates
        if dates is None or dates.to_param is None:
            raise ValueError(f"source {config.name!r}: spider 'sam' needs `dates` with `to_param`")
        if dates.window_hours > MAX_WINDOW_HOURS:
            raise ValueError(
                f"source {config.name!r}: dates.window_hours {dates.window_hours:g} is over a "
                "year; SAM.gov refuses postedFrom/postedTo more than a year apart"
            )
        limit = int(config.params.get("limit", MAX_LIMIT))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"source {config.name!r}: params.limit must be 1-{MAX_LIMIT}")
        return config

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SamSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        lotwise: Settings = crawler.settings.get("LOTWISE_SETTINGS") or Settings()
        assert isinstance(spider, SamSpider)
        spider.api_key = lotwise.sam_api_key.get_secret_value().strip()
        return spider

    def first_page_params(self) -> dict[str, str]:
        return {"offset": "0"}

    def page_request(
        self, url: str, *, listing_start: bool = False, dont_filter: bool = False, **meta: Any
    ) -> Request:
        request = super().page_request(
            url, listing_start=listing_start, dont_filter=dont_filter, **meta
        )
        request.headers["X-Api-Key"] = self.api_key
        return request

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        url = response.meta.get(PAGE_URL, response.url)
        if "dataloss" in response.flags:
            yield from self.truncated(response, url)
            return
        try:
            data, records = read_json_object(
                response, "opportunitiesData", self.config.encoding, self.json_limits
            )
        except UnusablePageError as problem:
            yield self.page_error(response, url, problem.kind, problem.reason)
            return
        # The first page of a window (offset 0, also when retried) announces the total.
        first = parse_qs(urlsplit(url).query).get("offset", ["0"])[-1] == "0"
        total = total_of(data, "totalRecords")
        records = [_without_personal(r) for r in records]
        yield TenderItem(
            source=self.config.name,
            url=url,
            records=records,
            normalise=partial(normalise_sam_opportunity, source=self.config.name),
            keys=[_key(r) for r in records],
            total=total if first else None,
            entries=len(records),
        )
        if first and records and total:
            limit = int(self.config.params.get("limit", MAX_LIMIT))
            for offset in range(1, math.ceil(total / limit)):
                yield self.page_request(add_or_replace_parameter(url, "offset", str(offset)))


def _without_personal(record: Any) -> Any:
    if isinstance(record, dict):
        return {k: v for k, v in record.items() if k not in PERSONAL_FIELDS}
    return record


def _key(record: Any) -> str | None:
    key = record.get("noticeId") if isinstance(record, dict) else None
    return str(key) if isinstance(key, str | int) and not isinstance(key, bool) else None
