"""Shared helpers of the web tests (a module with a unique name: tests have no packages): a
database holding generated tenders, their assessments, the demo organisations and their
matches, plus accounts of every role."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from seed_template import copy_seeded, releases_key
from sqlalchemy import Engine

from scanner.demo.generate import generate_releases
from scanner.services.ingest import ingest_files
from scanner.services.matching import MatchingConfig, refresh_matches
from scanner.services.organisations import import_organisations
from scanner.services.splitting import refresh_assessments
from scanner.services.users import add_user
from scanner.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT, Settings
from scanner.splitter import load_thresholds

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
DEMO_ORGS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# For a module whose tests do not depend on the database (tokens, escaping, upload guards): the
# `database_url` fixture's matrix narrowed to SQLite. Pages' SQL is run on both databases by
# the access matrix and the officer-view tests.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def seed(engine: Engine, tmp_path: Path, *, releases: list[dict[str, Any]] | None = None) -> None:
    """What `seed_fresh` stores, copied from a template seeded once per test process and
    backend (`seed_template`): seeding took most of each web test's time. `engine` must be
    migrated and hold no rows yet."""
    copy_seeded(engine, releases_key(releases), lambda e, p: seed_fresh(e, p, releases=releases))


def seed_fresh(
    engine: Engine, tmp_path: Path, *, releases: list[dict[str, Any]] | None = None
) -> None:
    """Tenders through the real ingest, assessed, organisations imported and matched."""
    package = tmp_path / "package.json"
    package.write_text(
        json.dumps(
            {
                "uri": "x",
                "publishedDate": "2026-11-01T00:00:00Z",
                "releases": releases if releases is not None else generate_releases(120),
            }
        )
    )
    outcomes = ingest_files(engine, [package], source_name="import", now=lambda: NOW)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    refresh_assessments(
        engine, thresholds=load_thresholds(DEFAULT_CONFIG_DIR / "thresholds.toml"), now=NOW
    )
    report = import_organisations(engine, DEMO_ORGS, now=NOW)
    assert report.stored, report.errors
    config = MatchingConfig.load(
        DEFAULT_CONFIG_DIR / "matching.toml", DEFAULT_CONFIG_DIR / "rates.toml"
    )
    refresh_matches(engine, config, now=NOW)


def add_error(engine: Engine, source: str = "find_a_tender") -> int:
    """One unresolved crawl error of a configured source (what the retry button acts on)."""
    from sqlalchemy import select

    from scanner.models import CrawlError
    from scanner.storage.crawls import ensure_source, record_error

    with engine.begin() as conn:
        source_id = ensure_source(
            conn, name=source, kind="find_a_tender", url="https://x.example", now=NOW
        )
        record_error(
            conn,
            source_id=source_id,
            run_id=None,
            kind="http",
            reason="HTTP 503 <b>busy</b>",
            now=NOW,
            url="https://x.example/page?cursor=3",
            status=503,
        )
        return int(conn.scalar(select(CrawlError.id).order_by(CrawlError.id.desc())))


def org_slugs(engine: Engine) -> list[str]:
    from scanner.services.organisations import list_organisations

    return [o["id"] for o in list_organisations(engine)]


def add_accounts(engine: Engine, first_org: str, second_org: str) -> dict[str, str]:
    """E-mail per role name: operator, officer, org_a (first_org), org_b (second_org)."""
    emails = {
        "operator": "ops@lotwise.example",
        "officer": "buyer@council.example",
        "org_a": "a@org-a.example",
        "org_b": "b@org-b.example",
    }
    add_user(engine, emails["operator"], "operator", PASSWORD, now=NOW)
    add_user(engine, emails["officer"], "officer", PASSWORD, now=NOW)
    add_user(engine, emails["org_a"], "organisation", PASSWORD, now=NOW, organisation=first_org)
    add_user(engine, emails["org_b"], "organisation", PASSWORD, now=NOW, organisation=second_org)
    return emails


TEST_SECRET_KEY = "test-only-key-" + "x" * 40  # not the development default


def web_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "base_url": "http://testserver",
        "smtp_host": "127.0.0.1",
        "smtp_port": 1,
        "secret_key": TEST_SECRET_KEY,
    }
    values.update(overrides)
    return Settings(**values)


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Inbox:
    """aiosmtpd handler keeping every message (the real mailer talks to a real server)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


class Clock:
    """The app's clock, moved by the test (sessions, delays and links expire without sleeping)."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


def sign_in(client: Any, email: str, password: str = PASSWORD, next: str = "") -> Any:
    """Post the sign-in form as a browser would (token from the page)."""
    token = csrf_of(client.get("/signin").text)
    data = {"email": email, "password": password, "csrf_token": token, "next": next}
    return client.post("/signin", data=data)


def post_form(client: Any, page: str, action: str, data: dict[str, Any]) -> Any:
    """Open `page` for its CSRF token, then post `data` to `action`."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token})


def mail_link(message: str, path: str) -> str:
    """The path and query of the first link to `path` in a plain-text message."""
    import email
    from email import policy
    from urllib.parse import urlsplit

    parsed = email.message_from_string(message, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"(https?://\S+{re.escape(path)}\?token=\S+)", body.get_content())
    assert found, body.get_content()
    link = urlsplit(found.group(1))
    return f"{link.path}?{link.query}"


def mail_text(message: str) -> str:
    import email
    from email import policy

    parsed = email.message_from_string(message, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@contextmanager
def served(app: Any, port: int | None = None) -> Iterator[int]:
    """`app` under a real uvicorn server on 127.0.0.1 in a thread; yields its port once it
    listens (an event set by uvicorn's startup, no polling)."""
    import threading

    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    started = threading.Event()
    original = server.startup

    async def startup(sockets: Any = None) -> None:
        await original(sockets=sockets)
        started.set()

    server.startup = startup  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert started.wait(30), "uvicorn did not start"
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def confirmation_link(message: str) -> str:
    import email
    from email import policy

    parsed = email.message_from_string(message, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"(https?://\S+/signup/confirm\?token=\S+)", body.get_content())
    assert found, body.get_content()
    return found.group(1)


def served_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, from the routers it includes."""
    from fastapi.routing import APIRoute

    from scanner.web.app import API_PREFIX
    from scanner.web.routes import account, api, impact, officer, operator, organisation, public

    found = set()
    for router, prefix in (
        (public.router, ""),
        (account.router, ""),
        (officer.router, ""),
        (organisation.router, ""),
        (operator.router, ""),
        (impact.router, ""),
        (api.router, API_PREFIX),
        (impact.api_router, API_PREFIX),
    ):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found |= {(method, prefix + route.path) for method in route.methods}
    return found
