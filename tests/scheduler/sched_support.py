"""Helpers of the scheduler tests: settings for a test database, small OCDS packages served by
a `RecordedServer`, and the database's view of a source's runs and tenders."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from scanner.models import CrawlRun, Release, Source, Tender
from scanner.settings import Settings

REPO = Path(__file__).resolve().parents[2]
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}
FAST = "politeness = { concurrency = 1, delay = 0.0, autothrottle = false, ban_backoff = 0.2 }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(database_url: str, sources_file: Path, **overrides: Any) -> Settings:
    """Settings of a fast test: short timeouts, no retry delay, a test contact URL."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "sources_file": sources_file,
        "http_timeout": 5.0,
        "http_retries": 0,
        "contact_url": "https://example.org/lotwise-tests",
        "crawl_timeout": 120.0,
        "stop_grace": 10.0,
        "crawl_retry_delay": 60.0,
        "lock_ttl": 30.0,
        "timezone": "Europe/London",
        "log_level": "INFO",
    }
    values.update(overrides)
    return Settings(**values)


def release(prefix: str, number: int) -> dict[str, Any]:
    ocid = f"ocds-{prefix}-{number:04d}"
    return {
        "ocid": ocid,
        "id": f"{ocid}-01",
        "date": "2026-11-20T09:30:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "XX-CITY-001", "name": "Example City Council"},
        "tender": {
            "id": ocid,
            "title": f"Digital service discovery {number}",
            "description": "User research and service design for a resident-facing service.",
            "status": "active",
            "classification": {"scheme": "CPV", "id": "72200000"},
            "value": {"amount": 60000 + number, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2027-01-20T17:00:00Z"},
        },
    }


def package(prefix: str, numbers: range, next_path: str | None) -> str:
    body: dict[str, Any] = {
        "uri": "https://example.org/releases",
        "version": "1.1",
        "publishedDate": "2026-11-20T10:00:00Z",
        "publisher": {"name": "Example publisher"},
        "releases": [release(prefix, n) for n in numbers],
    }
    if next_path:
        body["links"] = {"next": "{base_url}" + next_path}
    return json.dumps(body)


def route(path: str, body: str, **options: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": "GET",
        "path": path,
        "status": 200,
        "headers": JSON_UTF8,
        "body": body,
        "template": True,
    }
    entry.update(options)
    return entry


def two_page_routes(path: str, prefix: str, *, hold_second: bool = False) -> list[dict[str, Any]]:
    """Page 1 (releases 0-4) links to page 2 (5-9). With `hold_second`, the first request of
    page 2 hangs (the server sends nothing) until the client goes away."""
    routes = []
    if hold_second:
        routes.append(
            route(path, "", query={"page": "2"}, fault="timeout", times=1),
        )
    routes.append(route(path, package(prefix, range(5, 10), None), query={"page": "2"}))
    routes.append(route(path, package(prefix, range(0, 5), f"{path}?page=2")))
    return routes


def source_toml(name: str, url: str, extra: str = "") -> str:
    return f'[sources.{name}]\nurl = "{url}"\npaging = "links"\n{extra}\n{FAST}\n'


def runs(engine: Engine, source: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(CrawlRun)
                .join(Source, Source.id == CrawlRun.source_id)
                .where(Source.name == source)
                .order_by(CrawlRun.id)
            )
        )


def counts(engine: Engine, source: str) -> tuple[int, int]:
    """(tenders, releases) stored for `source`."""
    with engine.connect() as conn:
        tenders = conn.execute(
            select(func.count())
            .select_from(Tender)
            .join(Source, Source.id == Tender.source_id)
            .where(Source.name == source)
        ).scalar_one()
        releases = conn.execute(
            select(func.count())
            .select_from(Release)
            .join(Source, Source.id == Release.source_id)
            .where(Source.name == source)
        ).scalar_one()
    return int(tenders), int(releases)
