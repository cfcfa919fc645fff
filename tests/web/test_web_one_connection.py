"""Every page works with a pool of ONE database connection: a handler that took a second
connection while holding one would deadlock under load (16 concurrent requests exhausted the
default pool that way in the benchmark). Here it would wait for the pool and fail."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from schema_template import migrate
from web_fixtures import (
    NOW,
    PASSWORD,
    add_accounts,
    add_error,
    csrf_of,
    org_slugs,
    seed,
    web_settings,
)

from scanner.storage.database import make_engine
from scanner.web import create_app


def test_each_page_needs_one_connection_at_a_time(sqlite_url: str, tmp_path: Path) -> None:
    setup = make_engine(sqlite_url)
    migrate(setup)
    seed(setup, tmp_path)
    add_error(setup)
    slugs = org_slugs(setup)
    emails = add_accounts(setup, slugs[0], slugs[1])
    tender = None
    setup.dispose()
    engine = make_engine(sqlite_url, pool_size=1, max_overflow=0, pool_timeout=3)
    app = create_app(web_settings(sqlite_url), engine, now=lambda: NOW)
    pages = {
        "officer": ["/tenders", "/tenders?buyer=council&sort=deadline", "/check", "/api/v1/assessments"],
        "operator": ["/operator", "/metrics", f"/orgs/{slugs[0]}"],
        "org_a": [f"/orgs/{slugs[0]}", f"/orgs/{slugs[0]}/profile", f"/orgs/{slugs[0]}/matches.ics", f"/orgs/{slugs[0]}/tracking",
                  f"/api/v1/organisations/{slugs[0]}/matches"],
    }  # fmt: skip
    for role, paths in pages.items():
        client = TestClient(app, raise_server_exceptions=True)
        token = csrf_of(client.get("/signin").text)
        client.post(
            "/signin", data={"email": emails[role], "password": PASSWORD, "csrf_token": token}
        )
        if tender is None:
            tender = client.get("/api/v1/tenders?per_page=1").json()["items"][0]["id"]
        for path in [*paths, f"/tenders/{tender}", f"/api/v1/tenders/{tender}", "/healthz"]:
            assert client.get(path).status_code == 200, (role, path)
    engine.dispose()
