"""From a digest's link to everything needed to decide to bid, in real headless Chromium
(Debian's, driven by Playwright) at desktop width and at 390 px: sign in from the link, land on
the organisation's opportunity page, read it, and record the decision.

Skipped with the reason when Chromium or Playwright is absent, unless
LOTWISE_REQUIRE_BROWSER=1 (set by .ci/run)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from opportunity_fixtures import (
    award_release,
    ingest,
    match_row,
    open_release,
    set_listed,
    set_matches,
    tender_id,
)
from required import require_or_skip
from schema_template import migrate
from web_fixtures import (
    DEMO_ORGS,
    NOW,
    PASSWORD,
    add_accounts,
    free_port,
    org_slugs,
    served,
    web_settings,
)

from scanner.services import digests
from scanner.services.organisations import import_organisations
from scanner.settings import PROJECT_ROOT
from scanner.storage.database import make_engine
from scanner.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Refreshed into docs/screenshots with LOTWISE_UPDATE_SCREENSHOTS=1, else a scratch folder.
SHOTS = (
    PROJECT_ROOT / "docs" / "screenshots"
    if os.environ.get("LOTWISE_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "lotwise-screenshots"
)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        require_or_skip(
            "Debian chromium not installed (apt-get install chromium)", "LOTWISE_REQUIRE_BROWSER"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("the playwright package is not installed", "LOTWISE_REQUIRE_BROWSER")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _sign_in_from(page: Any, link: str, email: str) -> None:
    """Open a digest link signed out: the sign-in page comes first, then the link's page."""
    page.goto(link)
    page.wait_for_url("**/signin?next=*")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(link)


def _no_sideways_scroll(page: Any, width: int) -> None:
    wide = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert wide == [], f"wider than {width} px: {wide}"
    assert page.evaluate("() => document.querySelector('main').scrollWidth") <= width


def test_digest_link_leads_to_everything_needed_to_decide_to_bid(
    browser: Any, sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    assert import_organisations(engine, DEMO_ORGS, now=NOW).stored
    own, other = org_slugs(engine)[:2]
    emails = add_accounts(engine, own, other)
    ingest(
        engine,
        tmp_path,
        [open_release(1, deadline=NOW + timedelta(days=30)), award_release(1, "Access Co")],
        NOW,
    )
    tender = tender_id(engine, "ocds-opp-1")
    set_matches(
        engine,
        own,
        [
            match_row(tender, f"lot:{tender}:2", "buyer_lot", "User research", NOW, 0.9),
            match_row(tender, f"package:{tender}:1", "suggested_package", "Usability tests", NOW),
        ],
    )
    set_matches(engine, other, [match_row(tender, f"lot:{tender}:1", "buyer_lot", "Audit", NOW)])
    set_listed(engine, other, True)
    port = free_port()
    settings = web_settings(sqlite_url, base_url=f"http://127.0.0.1:{port}")
    built = digests.preview_digest(
        engine, digests.DigestConfig.from_settings(settings), own, now=NOW
    )
    assert built is not None
    lot_link, package_link = (item.page_url for item in built.content.new)
    assert urlsplit(lot_link).path == f"/orgs/{own}/opportunities/lot:{tender}:2"
    assert lot_link in built.message.replace("=\n", "")

    with served(create_app(settings, engine, now=lambda: NOW), port=port):
        desktop = browser.new_page(viewport={"width": 1280, "height": 900})
        desktop.set_default_timeout(15_000)
        _sign_in_from(desktop, lot_link, emails["org_a"])
        assert desktop.inner_text("h1") == "User research"
        body = desktop.inner_text("main")
        for seen in (
            "A lot the buyer offers separately",
            "What the buyer wants",
            "Why it fits you",
            "Deadline for clarification questions",
            "Submission deadline",
            "Expected start",
            "Open procedure: anyone may bid",
            "Methodology: 60%",
            "Specification",
            "Town Hall, Mare Street, London, E8 1EA",
            "Access Co",
            "Audit",
        ):
            assert seen in body, seen
        assert "jane.procurer" not in desktop.content()
        desktop.check("input[name=state][value=bid]")
        desktop.fill("textarea[name=note]", "Pair with the audit team")
        desktop.click("form.track-form button[type=submit]")
        desktop.wait_for_selector(".flash")
        assert "bidding" in desktop.inner_text(".flash").lower()
        assert "Pair with the audit team" in desktop.inner_text(".tracking")
        _no_sideways_scroll(desktop, 1280)
        SHOTS.mkdir(parents=True, exist_ok=True)
        desktop.screenshot(path=str(SHOTS / "opportunity-desktop.png"), full_page=True)
        desktop.close()

        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.set_default_timeout(15_000)
        _sign_in_from(phone, package_link, emails["org_a"])
        assert "Suggested by Lotwise, not offered by the buyer." in phone.inner_text("main")
        assert phone.is_visible("text=Deadline for clarification questions")
        _no_sideways_scroll(phone, 390)
        phone.screenshot(path=str(SHOTS / "opportunity-390.png"), full_page=True)
        phone.goto(f"{urlsplit(lot_link).scheme}://{urlsplit(lot_link).netloc}/orgs/{own}/tracking")
        assert "Pair with the audit team" in phone.inner_text("main")  # shared, seen elsewhere
        _no_sideways_scroll(phone, 390)
        phone.close()
    engine.dispose()
