"""Markup in tender titles, descriptions and buyer names is shown as text in every page and
export, never run."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from web_fixtures import (
    NOW,
    PASSWORD,
    SQLITE_ONLY,
    add_accounts,
    csrf_of,
    org_slugs,
    seed,
    web_settings,
)

from scanner.demo.generate import generate_releases
from scanner.models import Match, Organisation, Tender
from scanner.web import create_app

# Escaping is the templates' and exports' work, whatever database held the text: SQLite alone.
pytestmark = SQLITE_ONLY

TITLE = '<script>alert("title")</script>Data platform'
DESCRIPTION = "<img src=x onerror=alert(1)> discovery, build and hosting"
BUYER = '"><svg onload=alert(2)> Borough Council'
PAYLOADS = (
    '<script>alert("title")</script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)>",
)


@pytest.fixture
def hostile(engine: Engine, database_url: str, tmp_path: Path) -> tuple[TestClient, int]:
    # Ingest strips markup from source text, so the payloads are written into the stored rows
    # directly: the pages must be safe whatever a future source lets through.
    seed(engine, tmp_path, releases=generate_releases(40))
    with engine.begin() as conn:
        conn.execute(update(Tender).values(title=TITLE, description=DESCRIPTION, buyer_name=BUYER))
        conn.execute(update(Match).values(title=TITLE))
    slugs = org_slugs(engine)
    emails = add_accounts(engine, slugs[0], slugs[1])
    app = create_app(web_settings(database_url), engine, now=lambda: NOW)
    client = TestClient(app, follow_redirects=True)
    token = csrf_of(client.get("/signin").text)
    client.post(
        "/signin", data={"email": emails["officer"], "password": PASSWORD, "csrf_token": token}
    )
    with engine.connect() as conn:
        tender_id = conn.scalar(select(Tender.id).where(Tender.title == TITLE).limit(1))
    assert tender_id is not None
    return client, int(tender_id)


def _no_live_markup(html: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html or "&lt;img" in html


def test_pages_show_hostile_text_escaped(hostile: tuple[TestClient, int]) -> None:
    client, tender_id = hostile
    page = client.get(f"/tenders/{tender_id}").text
    _no_live_markup(page)
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;Data platform" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt; Borough Council" in page
    listing = client.get("/tenders?show=all&per_page=100").text
    _no_live_markup(listing)
    assert "&lt;script&gt;" in listing
    check = client.post(
        "/check",
        data={
            "text": f"{TITLE}\nBudget: £2.4m. {DESCRIPTION}",
            "csrf_token": csrf_of(client.get("/check").text),
        },
    ).text
    _no_live_markup(check)


def test_exports_carry_hostile_text_as_data_not_html(hostile: tuple[TestClient, int]) -> None:
    client, tender_id = hostile
    for fmt, kind in (
        ("json", "application/json"),
        ("ocds.json", "application/json"),
        ("csv", "text/csv"),
    ):
        response = client.get(f"/tenders/{tender_id}/export.{fmt}")
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"].startswith("attachment")
    document = client.get(f"/tenders/{tender_id}/export.json").json()
    assert document["tender"]["title"] == TITLE  # the exact text, for a program to use
    rows = list(csv.reader(io.StringIO(client.get(f"/tenders/{tender_id}/export.csv").text)))
    assert rows[1][2] == TITLE
    api = client.get(f"/api/v1/tenders/{tender_id}")
    assert api.headers["content-type"] == "application/json"
    assert json.loads(api.text)["buyer_name"] == BUYER


def test_match_titles_are_escaped_on_the_organisation_page(
    hostile: tuple[TestClient, int], engine: Engine, database_url: str
) -> None:

    with engine.connect() as conn:
        slug = conn.scalar(
            select(Organisation.slug).join(Match, Match.organisation_id == Organisation.id).limit(1)
        )
    app = create_app(web_settings(database_url), engine, now=lambda: NOW)
    operator = TestClient(app, follow_redirects=True)
    token = csrf_of(operator.get("/signin").text)
    operator.post(
        "/signin", data={"email": "ops@lotwise.example", "password": PASSWORD, "csrf_token": token}
    )
    page = operator.get(f"/orgs/{slug}").text
    _no_live_markup(page)
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;Data platform" in page
    calendar = operator.get(f"/orgs/{slug}/matches.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")


def test_pages_forbid_scripts_by_content_security_policy(hostile: tuple[TestClient, int]) -> None:
    client, tender_id = hostile
    policy = client.get(f"/tenders/{tender_id}").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
