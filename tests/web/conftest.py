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
from sqlalchemy import Engine
from web_fixtures import (
    NOW,
    PASSWORD,
    Inbox,
    add_accounts,
    add_error,
    csrf_of,
    free_port,
    org_slugs,
    seed,
    web_settings,
)

from scanner.services.crawl import CrawlOutcome
from scanner.services.web_operator import CrawlLauncher
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


@pytest.fixture
def site(engine: Engine, database_url: str, tmp_path: Path, mailbox: Mailbox) -> Site:
    seed(engine, tmp_path)
    slugs = org_slugs(engine)
    emails = add_accounts(engine, slugs[0], slugs[1])
    error_id = add_error(engine)
    settings = web_settings(database_url, smtp_port=mailbox.port)
    crawls: list[list[str]] = []

    def runner(_settings: object, sources: list[str], **_: object) -> CrawlOutcome:
        """Stands in for the crawl subprocess (tested in tests/cli): records the request."""
        crawls.append(list(sources))
        return CrawlOutcome(returncode=0)

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
