"""Web fixtures: a seeded database on SQLite and PostgreSQL, the app over it, signed-in
clients of every role, and a real SMTP server for confirmation e-mails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schema_template import migrate
from sqlalchemy import Engine
from web_fixtures import (
    DEMO_ORGS,
    NOW,
    PASSWORD,
    Clock,
    Inbox,
    add_accounts,
    add_error,
    csrf_of,
    free_port,
    org_slugs,
    seed,
    sign_in,
    web_settings,
)

from scanner.services.crawl_cycle import CycleReport
from scanner.services.organisations import import_organisations
from scanner.services.web_operator import CrawlLauncher
from scanner.settings import Settings
from scanner.storage.database import make_engine
from scanner.web import create_app


@dataclass
class Site:
    engine: Engine
    app: FastAPI
    emails: dict[str, str]
    slugs: tuple[str, str]
    client: Callable[[str | None], TestClient]
    error_id: int
    crawls: list[list[str]]


@dataclass
class Mailbox:
    port: int
    inbox: Inbox


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Mailbox(port, inbox)
    controller.stop()


def _site(engine: Engine, database_url: str, tmp_path: Path, mailbox: Mailbox) -> Site:
    """Seeded tenders, assessments, organisations, matches and accounts, and the app."""
    seed(engine, tmp_path)
    slugs = org_slugs(engine)
    emails = add_accounts(engine, slugs[0], slugs[1])
    error_id = add_error(engine)
    settings = web_settings(database_url, smtp_port=mailbox.port)
    crawls: list[list[str]] = []

    def runner(_settings: object, sources: list[str], **_: object) -> CycleReport:
        """Stands in for the crawl subprocess (tested in tests/cli): records the request."""
        crawls.append(list(sources))
        return CycleReport(list(sources))

    launcher = CrawlLauncher(settings, runner=runner)
    app = create_app(settings, engine, now=lambda: NOW, launcher=launcher)

    def client(role: str | None) -> TestClient:
        """A client signed in as `role` (a key of `emails`), or anonymous for None."""
        c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        if role is not None:
            token = csrf_of(c.get("/signin").text)
            r = c.post(
                "/signin",
                data={"email": emails[role], "password": PASSWORD, "csrf_token": token},
            )
            assert r.status_code == 303, r.text
        return c

    return Site(engine, app, emails, (slugs[0], slugs[1]), client, error_id, crawls)


@pytest.fixture
def site(engine: Engine, database_url: str, tmp_path: Path, mailbox: Mailbox) -> Site:
    return _site(engine, database_url, tmp_path, mailbox)


@pytest.fixture
def sqlite_site(sqlite_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[Site]:
    """The seeded site on SQLite alone, for pages whose behaviour does not depend on the
    database (seeding is the slow part of these tests)."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield _site(engine, sqlite_url, tmp_path, mailbox)
    engine.dispose()


@dataclass
class Bare:
    """Accounts of every role and the demo organisations, but no tenders: for the account,
    session and form tests, which need no seeded data (and so run in a fraction of the time).
    `clock` is the app's clock; `app_with(...)` builds another app with other settings."""

    engine: Engine
    app: FastAPI
    clock: Clock
    emails: dict[str, str]
    slugs: tuple[str, str]
    mailbox: Mailbox
    settings: Settings
    database_url: str

    def client(self, role: str | None = None, *, address: str = "testclient") -> TestClient:
        c = TestClient(
            self.app, raise_server_exceptions=False, follow_redirects=False, client=(address, 50000)
        )
        if role is not None:
            response = sign_in(c, self.emails[role])
            assert response.status_code == 303, response.text
        return c

    def app_with(self, **overrides: object) -> FastAPI:
        settings = web_settings(self.database_url, **{"smtp_port": self.mailbox.port, **overrides})
        return create_app(settings, self.engine, now=self.clock)


@pytest.fixture
def bare(engine: Engine, database_url: str, mailbox: Mailbox) -> Bare:
    report = import_organisations(engine, DEMO_ORGS, now=NOW)
    assert report.stored, report.errors
    slugs = org_slugs(engine)
    emails = add_accounts(engine, slugs[0], slugs[1])
    clock = Clock()
    settings = web_settings(database_url, smtp_port=mailbox.port)
    app = create_app(settings, engine, now=clock)
    return Bare(engine, app, clock, emails, (slugs[0], slugs[1]), mailbox, settings, database_url)
