"""Every form is refused without the session's CSRF token, and nothing changes; the digest
links are the exception, their signed token being the credential (RFC 8058 one-click)."""

from __future__ import annotations

from conftest import Site
from sqlalchemy import func, select
from web_fixtures import PASSWORD, SQLITE_ONLY, csrf_of, served_routes

from scanner.models import SuggestionFeedback
from scanner.models.tracking import Tracking

# Refusal happens before any handler reads the database: SQLite alone.
pytestmark = SQLITE_ONLY

TOKEN_IS_CREDENTIAL = {"/digest/unsubscribe", "/digest/preferences"}


def _posts(site: Site, tender: int) -> dict[str, tuple[str, str, dict[str, str]]]:
    own = site.slugs[0]
    return {
        "/signin": ("officer", "/signin", {"email": site.emails["officer"], "password": PASSWORD}),
        "/signout": ("officer", "/signout", {}),
        "/signup": (None, "/signup", {"email": "new@x.example", "password": PASSWORD, "id": "new-org", "name": "New"}),
        "/tenders/{tender_id}/feedback": ("officer", f"/tenders/{tender}/feedback", {"useful": "no"}),
        "/check": ("officer", "/check", {"text": "Draft\nBudget: £1m"}),
        "/orgs/{slug}/profile": ("org_a", f"/orgs/{own}/profile", {"name": "Changed", "emails": "a@org-a.example"}),
        "/orgs/{slug}/digest": ("org_a", f"/orgs/{own}/digest", {"frequency": "never"}),
        "/orgs/{slug}/opportunities/{opportunity_id}/track": ("org_a", f"/orgs/{own}/opportunities/{tender}/track", {"state": "saved"}),
        "/orgs/{slug}/calendar": ("org_a", f"/orgs/{own}/calendar", {}),
        "/operator/crawl": ("operator", "/operator/crawl", {"source": "find_a_tender"}),
        "/operator/errors/{error_id}/retry": ("operator", f"/operator/errors/{site.error_id}/retry", {}),
        "/signup/confirm": (None, "/signup/confirm", {"token": "t"}),
        "/account/password": ("officer", "/account/password", {"current": PASSWORD, "new": "seven blue lanterns drift", "confirm": "seven blue lanterns drift"}),
        "/password/forgot": (None, "/password/forgot", {"email": site.emails["officer"]}),
        "/password/reset": (None, "/password/reset", {"token": "t", "new": "seven blue lanterns drift", "confirm": "seven blue lanterns drift"}),
        "/recipients/confirm": (None, "/recipients/confirm", {"token": "t"}),
    }  # fmt: skip


def test_every_form_without_or_with_a_wrong_csrf_token_is_refused(site: Site) -> None:
    officer = site.client("officer")
    tender = officer.get("/api/v1/assessments?per_page=1").json()["items"][0]["tender_id"]
    posts = _posts(site, tender)
    served = {path for method, path in served_routes() if method == "POST"}
    assert served - TOKEN_IS_CREDENTIAL == set(posts), "a POST route without a CSRF test"
    for template, (role, path, data) in posts.items():
        client = site.client(role)
        client.get("/signin")  # the session has a token; the forged form does not send it
        for extra in ({}, {"csrf_token": "forged"}):
            response = client.post(path, data={**data, **extra})
            assert response.status_code == 403, (template, extra, response.status_code)
            assert "expired or was not sent from Lotwise" in response.text
    with site.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SuggestionFeedback)) == 0
        assert conn.scalar(select(func.count()).select_from(Tracking)) == 0
    assert site.crawls == []
    assert "Changed" not in site.client("org_a").get(f"/orgs/{site.slugs[0]}/profile").text


def test_a_token_from_another_session_is_refused(site: Site) -> None:
    attacker = site.client("officer")
    stolen = csrf_of(attacker.get("/check").text)
    victim = site.client("officer")
    response = victim.post("/check", data={"text": "Draft\nBudget: £1m", "csrf_token": stolen})
    assert response.status_code == 403


def test_signing_in_gives_a_new_csrf_token(site: Site) -> None:
    client = site.client(None)
    before = csrf_of(client.get("/signin").text)
    client.post(
        "/signin",
        data={"email": site.emails["officer"], "password": PASSWORD, "csrf_token": before},
    )
    assert csrf_of(client.get("/check").text) != before
