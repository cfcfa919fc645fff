"""The links in digest e-mails: a confirmation page on GET, the action on POST, including the
RFC 8058 one-click POST that a mail client sends without cookies or CSRF token."""

from __future__ import annotations

from conftest import Bare
from fastapi.testclient import TestClient
from web_fixtures import NOW

from scanner.alerts.links import LinkSigner
from scanner.services.digests import revoke_links
from scanner.services.web_orgs import frequency_of


def _link(bare: Bare, slug: str, purpose: str, version: int = 1) -> str:
    config = bare.app.state.digest_config
    return LinkSigner(config.secret_key, config.base_url).token(slug, version, purpose)


def test_unsubscribe_asks_first_then_one_click_post_unsubscribes(bare: Bare) -> None:
    slug = bare.slugs[0]
    token = _link(bare, slug, "unsubscribe")
    anonymous = TestClient(bare.app)
    page = anonymous.get("/digest/unsubscribe", params={"token": token})
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert frequency_of(bare.engine, slug) != "never"  # GET changes nothing (link scanners)
    response = anonymous.post(
        f"/digest/unsubscribe?token={token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert frequency_of(bare.engine, slug) == "never"
    assert frequency_of(bare.engine, bare.slugs[1]) != "never"


def test_preferences_link_sets_the_chosen_frequency(bare: Bare) -> None:
    slug = bare.slugs[1]
    token = _link(bare, slug, "preferences")
    client = TestClient(bare.app)
    assert "How often" in client.get("/digest/preferences", params={"token": token}).text
    response = client.post(f"/digest/preferences?token={token}", data={"frequency": "daily"})
    assert response.status_code == 200
    assert frequency_of(bare.engine, slug) == "daily"
    refused = client.post(f"/digest/preferences?token={token}", data={"frequency": "hourly"})
    assert refused.status_code == 400
    assert frequency_of(bare.engine, slug) == "daily"


def test_forged_wrong_purpose_and_revoked_links_are_refused(bare: Bare) -> None:
    slug = bare.slugs[0]
    client = TestClient(bare.app)
    good = _link(bare, slug, "unsubscribe")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for path, token in (
        ("/digest/unsubscribe", forged),
        ("/digest/preferences", good),  # an unsubscribe link is not a preferences link
        ("/digest/unsubscribe", ""),
    ):
        assert client.get(path, params={"token": token}).status_code == 400
        assert client.post(f"{path}?token={token}", data={"frequency": "never"}).status_code == 400
    revoke_links(bare.engine, slug, now=NOW)
    response = client.post(f"/digest/unsubscribe?token={good}")
    assert response.status_code == 400 and "revoked" in response.text
    assert frequency_of(bare.engine, slug) != "never"
