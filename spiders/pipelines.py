"""The one writer: stores what the spiders collected through `scanner.storage`.

A run is opened when the spider opens (its window planned from the high-water mark), releases
are stored in batches of `store_batch_size` in one transaction each, failed pages and
unusable records become error rows, and the run is closed with its totals. The high-water
mark advances only when the spider finished its listing: a crawl cut short (shutdown,
cancellation) keeps the mark where it was. Nothing is ever deleted: storage only upserts.

Database calls run on the reactor thread on purpose: they are short, and writes from the
sources of one process then never overlap (SQLite allows one writer at a time).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from twisted.python.failure import Failure

from scanner.batch_gc import collect_after_batch
from scanner.ingest.normalise import NormaliseError
from scanner.ingest.tender import NormalisedTender
from scanner.settings import Settings
from scanner.storage.crawls import (
    RunTotals,
    ensure_source,
    fail_run,
    finish_run,
    high_water_mark,
    pending_error_urls,
    record_error,
    resolve_errors,
    run_message,
    run_message_of,
    start_run,
)
from scanner.storage.database import StatisticsRefresher, database_failure, settings_engine
from scanner.storage.tenders import StoreResult, store_releases, store_tenders
from spiders.events import emit, finish_event, progress_event, run_finished, start_event
from spiders.items import PackageItem, PageErrorItem, TenderItem
from spiders.plan import CrawlPlan, plan_window

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class StorePipeline:
    """Stores one source's crawl: its run, releases, errors and progress events."""

    def __init__(self, crawler: Crawler, now: Callable[[], datetime] = utc_now) -> None:
        self.crawler = crawler
        self.settings: Settings = crawler.settings.get("LOTWISE_SETTINGS") or Settings()
        self.now = now
        self.engine: Engine | None = None
        self.source = ""
        self.source_id = 0
        self.run_id: int | None = None
        self.window_to: datetime | None = None
        self.default_tz = "UTC"
        self.totals = RunTotals()
        self.releases: list[dict[str, Any]] = []
        self.release_pages: list[str] = []  # page URL of each buffered release
        self.stored_pages: list[str] = []  # pages whose releases are all in the buffer
        self.tenders: list[NormalisedTender] = []  # already normalised (TED API, SAM.gov)
        self.resolvable: set[str] = set()  # URLs with unresolved errors
        self.statistics = StatisticsRefresher()
        self.closed = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider: Any = self.crawler.spider
        config = spider.config
        self.source = config.name
        self.default_tz = config.dates.timezone if config.dates else "UTC"
        now = self.now()
        try:
            self.engine = settings_engine(self.settings)
            with self.engine.begin() as conn:
                self.source_id = ensure_source(
                    conn, name=config.name, kind=config.spider, url=config.url, now=now
                )
                window_from, window_to = plan_window(
                    config.dates,
                    since=spider.since,
                    until=spider.until,
                    high_water_mark=high_water_mark(conn, self.source_id),
                    now=now,
                )
                retry_urls = pending_error_urls(conn, self.source_id)
                self.run_id = start_run(
                    conn,
                    source_id=self.source_id,
                    now=now,
                    window_from=window_from,
                    window_to=window_to,
                    pid=os.getpid(),
                )
        except OperationalError as exc:  # unreachable, or a timeout fired: one line says which
            line = database_failure(exc)
            logger.error("could not start the run of %s: %s", self.source, line)
            self.close(status="failed", message=f"could not start: {line}")
            raise CloseSpider("run_not_started") from exc
        except Exception as exc:
            logger.exception("could not start the run of %s", self.source)
            self.close(status="failed", message=f"could not start: {type(exc).__name__}: {exc}")
            raise CloseSpider("run_not_started") from exc
        self.window_to = window_to
        self.resolvable = set(retry_urls)
        spider.plan = CrawlPlan(window_from, window_to, tuple(dict.fromkeys(retry_urls)))
        emit(start_event(self.source, self.run_id, window_from, window_to))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PackageItem):
            self.add_page(item)
        elif isinstance(item, TenderItem):
            self.add_tenders(item)
        elif isinstance(item, PageErrorItem):
            self.add_error(item)
        return item

    def add_page(self, item: PackageItem) -> None:
        self.releases.extend(item.releases)
        self.release_pages.extend([item.url] * len(item.releases))
        self.stored_pages.append(item.url)
        self.totals = replace(
            self.totals,
            pages=self.totals.pages + 1,
            last_page_at=self.now(),
            listed=self.totals.listed + item.entries,
            expected_total=_add(self.totals.expected_total, item.total),
        )
        if len(self.releases) >= self.settings.store_batch_size:
            self.flush()
        emit(progress_event(self.source, self.totals))

    def add_tenders(self, item: TenderItem) -> None:
        """Normalise a page of non-OCDS records; a record that cannot be used becomes a
        record error row and the rest of the page is stored."""
        errors = []
        for index, record in enumerate(item.records):
            key = item.keys[index] if index < len(item.keys) else None
            try:
                self.tenders.append(item.normalise(record))
            except NormaliseError as exc:
                errors.append(_record_error(key, exc.reason, item.url, record))
            except Exception as exc:  # a surprise in one record never loses the page
                errors.append(_record_error(key, f"{type(exc).__name__}: {exc}", item.url, record))
        self.stored_pages.append(item.url)
        self.totals = replace(
            self.totals,
            pages=self.totals.pages + 1,
            last_page_at=self.now(),
            listed=self.totals.listed + item.entries,
            expected_total=_add(self.totals.expected_total, item.total),
            items_seen=self.totals.items_seen + len(errors),
        )
        self.write_errors(errors)
        if len(self.tenders) >= self.settings.store_batch_size:
            self.flush()
        emit(progress_event(self.source, self.totals))

    def add_error(self, item: PageErrorItem) -> None:
        self.write_errors(
            [
                {
                    "kind": item.kind,
                    "url": item.url,
                    "status": item.status,
                    "reason": item.reason,
                    "excerpt": item.excerpt,
                }
            ]
        )
        self.resolvable.add(item.url)
        emit(progress_event(self.source, self.totals))

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A bug or surprise in a spider callback loses its page: record it like a failed
        page, so the next run retries it and the operator sees it."""
        url = response.meta.get("page_url", response.url)
        self.add_error(
            PageErrorItem(
                source=self.source,
                kind="spider",
                url=url,
                status=response.status,
                reason=f"{failure.type.__name__ if failure.type else 'Error'}: {failure.value}",
            )
        )

    def flush(self) -> None:
        """Store the buffered releases in one transaction; resolve their pages' errors."""
        if not self.releases and not self.stored_pages and not self.tenders:
            return
        assert self.engine is not None
        releases, pages, urls = self.releases, self.release_pages, self.stored_pages
        tenders = self.tenders
        self.releases, self.release_pages, self.stored_pages, self.tenders = [], [], [], []
        page_of = {
            release.get("ocid"): page
            for release, page in zip(releases, pages, strict=True)
            if isinstance(release, dict)
        }
        now = self.now()
        try:
            with self.engine.begin() as conn:
                result = self.store(conn, releases, now)
                if tenders:
                    result.add(
                        store_tenders(conn, source_id=self.source_id, tenders=tenders, now=now)
                    )
                self.statistics.after_write(conn, result.seen)
                for url in dict.fromkeys(urls):
                    if url in self.resolvable:
                        resolve_errors(conn, source_id=self.source_id, url=url, now=now)
        except Exception:
            # A batch the database refused as a whole: store release by release so that one
            # bad record costs only itself.
            logger.exception(
                "batch of %d releases, %d tenders failed; storing one by one",
                len(releases),
                len(tenders),
            )
            result = self.store_one_by_one(releases, urls, now, tenders)
        self.resolvable.difference_update(urls)
        self.totals = replace(
            self.totals,
            items_seen=self.totals.items_seen + result.seen,
            items_new=self.totals.items_new + result.new,
            items_updated=self.totals.items_updated + result.updated,
            items_unchanged=self.totals.items_unchanged + result.unchanged,
        )
        self.write_errors(
            {
                "kind": "record",
                "record_key": key,
                "reason": f"{reason} (page {page_of.get(key, '?')})",
                "excerpt": excerpt,
            }
            for key, reason, excerpt in result.errors
        )
        # The batch is stored: release it and collect the youngest generation now, when little
        # is left alive in it. `python -m spiders` sets a threshold a batch does not reach, so
        # the collector no longer traverses a live batch mid-store; this keeps the cyclic
        # garbage of Scrapy and SQLAlchemy bounded by one batch (`scanner.batch_gc`, as
        # `lotwise ingest`).
        del releases, pages, tenders, page_of, result
        collect_after_batch()

    def store(self, conn: Any, releases: list[dict[str, Any]], now: datetime) -> StoreResult:
        return store_releases(
            conn,
            source_id=self.source_id,
            source_name=self.source,
            releases=releases,
            now=now,
            default_tz=self.default_tz,
        )

    def store_one_by_one(
        self,
        releases: list[dict[str, Any]],
        urls: list[str],
        now: datetime,
        tenders: list[NormalisedTender] | None = None,
    ) -> StoreResult:
        assert self.engine is not None
        result = StoreResult()
        for tender in tenders or []:
            try:
                with self.engine.begin() as conn:
                    result.add(
                        store_tenders(conn, source_id=self.source_id, tenders=[tender], now=now)
                    )
            except Exception as exc:
                result.seen += 1
                result.errors.append(
                    (tender.source_key, f"not stored: {exc}"[:1000], repr(tender.raw)[:500])
                )
        for release in releases:
            try:
                with self.engine.begin() as conn:
                    result.add(self.store(conn, [release], now))
            except Exception as exc:
                key = release.get("ocid") if isinstance(release, dict) else None
                result.seen += 1
                result.errors.append(
                    (str(key) if key else None, f"not stored: {exc}"[:1000], repr(release)[:500])
                )
        with self.engine.begin() as conn:
            for url in dict.fromkeys(urls):
                if url in self.resolvable:
                    resolve_errors(conn, source_id=self.source_id, url=url, now=now)
        return result

    def write_errors(self, errors: Any) -> None:
        errors = list(errors)
        if not errors:
            return
        assert self.engine is not None
        now = self.now()
        with self.engine.begin() as conn:
            for error in errors:
                record_error(conn, source_id=self.source_id, run_id=self.run_id, now=now, **error)
        self.totals = replace(self.totals, errors=self.totals.errors + len(errors))

    def close_spider(self) -> None:
        if self.run_id is not None:
            try:
                self.flush()
            except Exception:
                logger.exception("final flush of %s failed", self.source)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Close the run. Only a spider that finished its listing advances the mark."""
        if self.run_id is None or self.closed:
            return
        assert self.engine is not None
        now = self.now()
        message = None
        try:
            with self.engine.begin() as conn:
                finished = reason == "finished"
                status = finish_run(
                    conn,
                    run_id=self.run_id,
                    totals=self.totals,
                    now=now,
                    advance_to=self.window_to if finished else None,
                )
                if not finished:
                    status = "failed"
                    message = f"stopped before the end ({reason}); high-water mark kept"
                    fail_run(conn, run_id=self.run_id, now=now, message=message)
                elif status == "failed":  # every request failed: the run names the cause
                    message = run_message_of(conn, self.run_id)
        except Exception as exc:
            logger.exception("could not close the run of %s", self.source)
            status, message = "failed", f"could not close the run: {type(exc).__name__}: {exc}"
        if status == "partial" and message is None:
            message = run_message(self.totals)
        self.close(status=status, message=message)
        self.engine.dispose()

    def close(self, *, status: str, message: str | None) -> None:
        self.closed = True
        emit(finish_event(self.source, self.run_id, status, self.totals, message))
        self.crawler.signals.send_catch_log(signal=run_finished, source=self.source, status=status)


def _record_error(key: str | None, reason: str, url: str, record: Any) -> dict[str, Any]:
    return {
        "kind": "record",
        "record_key": key,
        "reason": f"{reason} (page {url})"[:1000],
        "excerpt": repr(record)[:500],
    }


def _add(total: int | None, more: int | None) -> int | None:
    if more is None:
        return total
    return (total or 0) + more
