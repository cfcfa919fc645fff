"""Spider tests run real crawls: `python -m spiders crawl` in a process of its own (forked from
a server that did the imports once: crawl_fork.py), against a `RecordedServer` on 127.0.0.1
serving recorded-format responses, into a real database.

`crawler` gives a migrated database (SQLite and PostgreSQL through `database_url`), a sources
file to write, and `crawler.run(...)` which returns the exit code and the parsed events.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from crawl_fork import run_crawl
from schema_template import migrate
from sqlalchemy import Engine, select

from scanner.models import CrawlError, CrawlRun, Source, Tender
from scanner.storage.database import make_engine

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTACT_URL = "https://example.org/lotwise-tests"
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}
#: Sources in tests: no delays, so the crawl takes as long as the faults it meets.
FAST = "politeness = { concurrency = 1, delay = 0.0, autothrottle = false, ban_backoff = 0.2 }"


@dataclass
class Crawl:
    """One finished crawl process."""

    returncode: int
    events: list[dict[str, Any]]
    stderr: str

    def finish(self, source: str) -> dict[str, Any]:
        found = [e for e in self.events if e["event"] == "finish" and e["source"] == source]
        assert len(found) == 1, f"no single finish event for {source}:\n{self.stderr[-3000:]}"
        return found[0]

    def start(self, source: str) -> dict[str, Any]:
        return next(e for e in self.events if e["event"] == "start" and e["source"] == source)


@dataclass
class Crawler:
    engine: Engine
    env: dict[str, str]
    sources_file: Path
    runs: list[Crawl] = field(default_factory=list)

    def write_sources(self, text: str) -> None:
        self.sources_file.write_text(text, encoding="utf-8")

    def run(self, *names: str, since: str | None = None, until: str | None = None) -> Crawl:
        """`python -m spiders crawl NAMES`, forked from a server that did the imports once
        (see crawl_fork.py): the crawl is its own process, without a second of imports."""
        argv = ["crawl", *names]
        if since:
            argv += ["--since", since]
        if until:
            argv += ["--until", until]
        returncode, stdout, stderr = run_crawl(argv, env=self.env, cwd=REPO, timeout=120)
        events = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        crawl = Crawl(returncode, events, stderr)
        self.runs.append(crawl)
        return crawl

    # What the database holds

    def tenders(self, source: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(Tender)
                    .join(Source, Source.id == Tender.source_id)
                    .where(Source.name == source)
                    .order_by(Tender.source_key)
                )
            )

    def errors(self, source: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(CrawlError, Source.name)
                    .join(Source, Source.id == CrawlError.source_id)
                    .where(Source.name == source)
                    .order_by(CrawlError.id)
                )
            )

    def crawl_runs(self, source: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(CrawlRun)
                    .join(Source, Source.id == CrawlRun.source_id)
                    .where(Source.name == source)
                    .order_by(CrawlRun.id)
                )
            )

    def mark(self, source: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(
                select(Source.high_water_mark).where(Source.name == source)
            ).scalar_one_or_none()


def make_crawler(database_url: str, tmp_path: Path) -> Crawler:
    """A migrated database and the environment of a fast test crawl (1 s timeout, 1 retry)."""
    engine = make_engine(database_url)
    migrate(engine)
    sources_file = tmp_path / "sources.toml"
    env = {
        **os.environ,
        "LOTWISE_DATABASE_URL": database_url,
        "LOTWISE_SOURCES_FILE": str(sources_file),
        "LOTWISE_HTTP_TIMEOUT": "1",
        "LOTWISE_HTTP_RETRIES": "1",
        "LOTWISE_CONTACT_URL": CONTACT_URL,
        "LOTWISE_LOG_LEVEL": "INFO",
    }
    return Crawler(engine=engine, env=env, sources_file=sources_file)


@pytest.fixture
def crawler(database_url: str, tmp_path: Path) -> Iterator[Crawler]:
    """Crawls into SQLite and into PostgreSQL."""
    made = make_crawler(database_url, tmp_path)
    yield made
    made.engine.dispose()


@pytest.fixture
def sqlite_crawler(sqlite_url: str, tmp_path: Path) -> Iterator[Crawler]:
    """For tests of the process rather than the database."""
    made = make_crawler(sqlite_url, tmp_path)
    yield made
    made.engine.dispose()


def route(path: str, body_file: str | None = None, **options: Any) -> dict[str, Any]:
    """A manifest route serving a fixture file (JSON, templated) unless told otherwise."""
    entry: dict[str, Any] = {"method": "GET", "path": path, "status": 200, "headers": JSON_UTF8}
    if body_file is not None:
        entry.update(body_file=body_file, template=True)
    entry.update(options)
    return entry


def queries(server: Any, path: str) -> list[dict[str, str]]:
    """The query of every request the server received for `path`, in order."""
    return [r["query"] for r in server.requests if r["path"] == path]
