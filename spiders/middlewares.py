"""Downloader middlewares that wait when a publisher asks us to slow down.

Both sit closer to the downloader than Scrapy's `RetryMiddleware` (550), so they see the
response first: when they retry, `RetryMiddleware` never sees the response; when they give
up, they mark the request `dont_retry` so it is not retried a second time, and say why in
`GAVE_UP_META` for the error log. The waits are awaited timers, never a blocking sleep: other
sources in the same process keep crawling. With a concurrency of 1 the waiting request keeps
the source's only download slot, so the source as a whole pauses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater
from w3lib.url import canonicalize_url

from scanner.settings import Settings
from spiders.responses import GAVE_UP_META, looks_like_html

RETRY_AFTER_STATUSES = frozenset({429, 503})
STOPPED = "the crawl was stopped while waiting to retry"


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


async def wait(crawler: Crawler, seconds: float) -> bool:
    """Let the reactor run other work for `seconds`; False when the crawl started stopping
    meanwhile (checked every second, so Ctrl-C is not held up by a long back-off)."""
    from twisted.internet import reactor  # the reactor Scrapy installed

    deadline = monotonic() + seconds
    while (remaining := deadline - monotonic()) > 0:
        if crawler.engine is None or not crawler.engine.running:
            return False
        await maybe_deferred_to_future(deferLater(reactor, min(remaining, 1.0), lambda: None))
    return True


def give_up(request: Request, response: Response, reason: str) -> Response:
    request.meta["dont_retry"] = True
    request.meta[GAVE_UP_META] = reason
    return response


class RetryAfterMiddleware:
    """429/503 with Retry-After: wait that long, then retry (within RETRY_TIMES). A wait
    longer than `max_retry_after` is not honoured: the page is recorded as an error and
    retried by the next run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        lotwise: Settings = crawler.settings.get("LOTWISE_SETTINGS") or Settings()
        self.max_retry_after = lotwise.max_retry_after

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        header = response.headers.get(b"Retry-After")
        if response.status not in RETRY_AFTER_STATUSES or not header:
            return response
        if request.meta.get("dont_retry"):
            return response
        delay = parse_retry_after(header.decode("latin-1"), datetime.now(UTC))
        if delay is None:
            return response  # unreadable header: RetryMiddleware retries as for any 429/503
        if delay > self.max_retry_after:
            return give_up(
                request,
                response,
                f"Retry-After {delay:.0f} s exceeds max_retry_after {self.max_retry_after:.0f} s",
            )
        spider: Any = self.crawler.spider
        retry = get_retry_request(
            request,
            spider=spider,
            reason=f"{response.status} Retry-After {delay:g} s",
            stats_base_key="retry_after",
        )
        if retry is None:
            return give_up(request, response, "still refused after every Retry-After wait")
        spider.logger.info("%s asks to wait %.1f s: %s", response.status, delay, request.url)
        if not await wait(self.crawler, delay):
            return give_up(request, response, STOPPED)
        return retry


class BanBackoffMiddleware:
    """An HTML page with one of the spider's `ban_statuses` (Contracts Finder answers
    over-use with 403): wait `politeness.ban_backoff` seconds, then retry, at most
    RETRY_TIMES times."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BanBackoffMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        spider: Any = self.crawler.spider
        if response.status not in getattr(spider, "ban_statuses", ()):
            return response
        if not looks_like_html(response, response.body[:200].decode("latin-1")):
            return response  # a JSON 403 is a real refusal, not a rate limit
        backoff = spider.config.politeness.ban_backoff
        retry = get_retry_request(
            request,
            spider=spider,
            reason=f"{response.status} rate-limit page",
            stats_base_key="ban_backoff",
        )
        if retry is None:
            return give_up(
                request, response, f"rate-limit page after every back-off of {backoff:g} s"
            )
        spider.logger.warning(
            "%s rate-limit page, backing off %.0f s: %s", response.status, backoff, request.url
        )
        if not await wait(self.crawler, backoff):
            return give_up(request, response, STOPPED)
        return retry


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectRefused(IgnoreRequest):
    """A redirect not followed: to a host the source does not allow, or back to a URL of its
    own chain (a loop). The errback records it as a `redirect` error of the page."""


class RedirectGuardMiddleware:
    """Sees 3xx responses before Scrapy's `RedirectMiddleware` (600) and refuses two kinds.

    A loop used to end silently: the duplicate filter dropped the repeated URL, and the run
    was `ok` with 0 pages. A redirect to another host was followed and its data stored as the
    source's own. Both now fail the page, which makes the run partial."""

    def process_response(self, request: Request, response: Response, spider: Any) -> Response:
        location = response.headers.get("Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        origin = urlsplit(chain[0]).hostname
        allowed = {origin, *getattr(getattr(spider, "config", None), "allowed_hosts", [])}
        host = urlsplit(target).hostname
        if host not in allowed:
            raise RedirectRefused(
                f"redirect to another host refused: {request.url} -> {target} "
                f"(allow it with the source's allowed_hosts)"
            )
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            raise RedirectRefused(f"redirect loop: {' -> '.join([*chain, target])}")
        return response
