"""EU TED API v3: `POST /v3/notices/search` with an expert query, paged by iteration.

The source's `query` (default: contract notices published in the window) has `{from}` and
`{to}` replaced by each date window of the run (`yyyymmdd`, Brussels time), and asks for
exactly the fields the tender model needs (`TED_FIELDS`). Pages follow
`iterationNextToken` until it is absent or a page is empty. Iteration tokens do not outlive a
crawl, so a failed page is recorded under its window and number (`URL?from=..&to=..&page=N`)
and the next run reads that whole window again from its first page. With `fetch_xml = true` each notice's eForms XML is fetched and
parsed too (a notice whose XML fails is stored from its search fields).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameters

from scanner.ingest.ted_api import TED_FIELDS, normalise_ted_notice, normalise_ted_notice_with_xml
from scanner.sources import DateWindow, SourceConfig
from spiders.base import LISTING_START, PAGE_URL, OCDSSpider
from spiders.items import TenderItem
from spiders.json_pages import read_json_object, total_of
from spiders.responses import UnusablePageError

DEFAULT_QUERY = (
    "notice-type IN (cn-standard cn-social cn-desg) "
    "AND publication-date>={from} AND publication-date<={to} SORT BY publication-date ASC"
)
DEFAULT_LIMIT = 100
MAX_LIMIT = 250
WINDOW = "ted_window"
TOKEN = "ted_token"
PAGE = "ted_page"
NOTICE = "ted_notice"


class TedSpider(OCDSSpider):
    name = "ted"
    default_dates: ClassVar[DateWindow | None] = DateWindow(
        from_param="from",
        to_param="to",
        format="%Y%m%d",
        timezone="Europe/Brussels",
        window_hours=7 * 24,
        overlap_hours=24,
        initial_days=7,
    )

    @classmethod
    def effective_config(cls, config: SourceConfig) -> SourceConfig:
        config = super().effective_config(config)
        if not 1 <= (config.page_size or DEFAULT_LIMIT) <= MAX_LIMIT:
            raise ValueError(f"source {config.name!r}: page_size must be 1-{MAX_LIMIT} for TED")
        return config.model_copy(update={"query": config.query or DEFAULT_QUERY})

    # Requests

    async def start(self) -> AsyncIterator[Any]:
        plan = self.plan or self.standalone_plan()
        for url in plan.retry_urls:
            query = parse_qs(urlsplit(url).query)
            window = (query.get("from", [""])[-1], query.get("to", [""])[-1])
            yield self.search_request(window, dont_filter=True)
        for request in self.listing_requests(plan):
            yield request

    def listing_requests(self, plan: Any) -> Iterator[Request]:
        if "{from}" not in (self.config.query or "") and "{to}" not in (self.config.query or ""):
            yield self.search_request(("", ""))  # an undated query: one listing
            return
        for params in self.window_params(plan):
            yield self.search_request((params.get("from", ""), params.get("to", "")))

    def page_url(self, window: tuple[str, str], page: int) -> str:
        """The key a page's errors are recorded under: its window and its number in it."""
        start, end = window
        params = {"from": start, "to": end} if start or end else {}
        return add_or_replace_parameters(self.config.url, {**params, "page": str(page)})

    def search_body(self, window: tuple[str, str], token: str | None) -> dict[str, Any]:
        query = (self.config.query or DEFAULT_QUERY).replace("{from}", window[0])
        body: dict[str, Any] = {
            "query": query.replace("{to}", window[1]),
            "fields": list(TED_FIELDS),
            "limit": self.config.page_size or DEFAULT_LIMIT,
            "paginationMode": "ITERATION",
            "scope": self.config.params.get("scope", "ALL"),
        }
        if token:
            body["iterationNextToken"] = token
        return body

    def search_request(
        self,
        window: tuple[str, str],
        token: str | None = None,
        *,
        page: int = 1,
        dont_filter: bool = False,
    ) -> Request:
        return Request(
            self.config.url,
            method="POST",
            body=json.dumps(self.search_body(window, token)),
            headers={"Content-Type": "application/json"},
            callback=self.parse,
            errback=self.errback,
            dont_filter=dont_filter,
            meta={
                PAGE_URL: self.page_url(window, page),
                PAGE: page,
                LISTING_START: token is None,
                WINDOW: window,
                TOKEN: token,
            },
        )

    # Responses

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        url = response.meta.get(PAGE_URL, response.url)
        if "dataloss" in response.flags:
            yield from self.truncated(response, url)
            return
        try:
            data, notices = read_json_object(
                response, "notices", self.config.encoding, self.json_limits
            )
        except UnusablePageError as problem:
            yield self.page_error(response, url, problem.kind, problem.reason)
            return
        total = total_of(data, "totalNoticeCount") if response.meta.get(LISTING_START) else None
        with_xml = [n for n in notices if self.config.fetch_xml and _xml_link(n)]
        plain = [n for n in notices if not any(n is x for x in with_xml)]
        yield TenderItem(
            source=self.config.name,
            url=url,
            records=plain,
            normalise=partial(normalise_ted_notice, source=self.config.name),
            keys=[_key(n) for n in plain],
            total=total,
            entries=len(notices),
        )
        for notice in with_xml:
            yield Request(
                str(_xml_link(notice)),
                headers={"Accept": "application/xml"},
                callback=self.parse_xml,
                errback=self.xml_failed,
                meta={PAGE_URL: url, NOTICE: notice},
            )
        token = data.get("iterationNextToken")
        if isinstance(token, str) and token and notices and token != response.meta.get(TOKEN):
            window = response.meta.get(WINDOW, ("", ""))
            yield self.search_request(window, token, page=response.meta.get(PAGE, 1) + 1)

    def parse_xml(self, response: Response, **kwargs: Any) -> Iterator[TenderItem]:
        notice = response.meta[NOTICE]
        yield self.notice_item(
            response.meta[PAGE_URL], (notice, response.body), normalise_ted_notice_with_xml
        )

    def xml_failed(self, failure: Failure) -> Iterator[TenderItem]:
        """The XML could not be fetched: the notice is stored from its search fields."""
        request = failure.request  # type: ignore[attr-defined]
        self.logger.warning("notice XML not fetched (%s): %s", failure.value, request.url)
        yield self.notice_item(request.meta[PAGE_URL], request.meta[NOTICE], normalise_ted_notice)

    def notice_item(self, url: str, record: Any, normaliser: Any) -> TenderItem:
        notice = record[0] if isinstance(record, tuple) else record
        return TenderItem(
            source=self.config.name,
            url=url,
            records=[record],
            normalise=partial(normaliser, source=self.config.name),
            keys=[_key(notice)],
        )


def _key(notice: Any) -> str | None:
    number = notice.get("publication-number") if isinstance(notice, dict) else None
    return number if isinstance(number, str) else None


def _xml_link(notice: Any) -> str | None:
    links = notice.get("links") if isinstance(notice, dict) else None
    xml = links.get("xml") if isinstance(links, dict) else None
    if isinstance(xml, dict):
        for url in xml.values():
            if isinstance(url, str) and url.startswith("http"):
                return url
    return None
