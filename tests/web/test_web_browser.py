"""Each kind of user's main path in real headless Chromium (Debian's, driven by Playwright)
against the app served by uvicorn on 127.0.0.1. The screenshots land in docs/screenshots/.

Skipped with the reason when Chromium or Playwright is absent, unless
LOTWISE_REQUIRE_BROWSER=1 (set by .ci/run)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from page_audit import audit
from required import require_or_skip
from schema_template import migrate
from sqlalchemy import Engine, func, select, update
from web_fixtures import (
    NOW,
    PASSWORD,
    Inbox,
    add_accounts,
    add_error,
    confirmation_link,
    free_port,
    org_slugs,
    seed,
    web_settings,
)

from scanner.models import Match, Organisation, SuggestionFeedback, Tender
from scanner.services.crawl_cycle import CycleReport
from scanner.services.web_operator import CrawlLauncher
from scanner.settings import PROJECT_ROOT
from scanner.storage.crawls import ensure_source
from scanner.storage.database import make_engine
from scanner.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
# The README's screenshots are refreshed with LOTWISE_UPDATE_SCREENSHOTS=1; otherwise they go
# to a scratch folder, so running the tests never changes tracked files.
SHOTS = (
    PROJECT_ROOT / "docs" / "screenshots"
    if os.environ.get("LOTWISE_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "lotwise-screenshots"
)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


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


class Served:
    def __init__(
        self,
        url: str,
        engine: Engine,
        inbox: Inbox,
        crawls: list[list[str]],
        emails: dict[str, str],
        slugs: list[str],
    ) -> None:
        self.url, self.engine, self.inbox, self.crawls = url, engine, inbox, crawls
        self.emails, self.slugs = emails, slugs


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[Served]:
    """The seeded app under a real uvicorn server and a real SMTP server on loopback."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    seed(engine, tmp_path)
    _spread_over_days_and_sources(engine)
    add_error(engine)
    slugs = org_slugs(engine)
    emails = add_accounts(engine, slugs[0], slugs[1])
    inbox = Inbox()
    smtp_port, web_port = free_port(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    base = f"http://127.0.0.1:{web_port}"
    settings = web_settings(sqlite_url, smtp_port=smtp_port, base_url=base)
    crawls: list[list[str]] = []

    def runner(_settings: object, sources: list[str], **_: object) -> CycleReport:
        crawls.append(list(sources))  # the crawl subprocess is tested in tests/cli
        return CycleReport(list(sources))

    app = create_app(
        settings, engine, now=lambda: NOW, launcher=CrawlLauncher(settings, runner=runner)
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=web_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield Served(base, engine, inbox, crawls, emails, slugs)
    server.should_exit = True
    thread.join(timeout=10)
    controller.stop()
    engine.dispose()


def _spread_over_days_and_sources(engine: Engine) -> None:
    """Generated tenders all arrive at one instant; spread them over two weeks and two sources
    so the operator's chart has something to draw."""
    with engine.begin() as conn:
        second = ensure_source(
            conn,
            name="contracts_finder",
            kind="contracts_finder",
            url="https://cf.example",
            now=NOW,
        )
        ids = list(conn.scalars(select(Tender.id).order_by(Tender.id)))
        for tender_id in ids:
            conn.execute(
                update(Tender)
                .where(Tender.id == tender_id)
                .values(first_seen=NOW - timedelta(days=(tender_id * 5) % 14, hours=tender_id % 5))
            )
        conn.execute(update(Tender).where(Tender.id.in_(ids[::3])).values(source_id=second))


def _page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    return page


def _sign_in(page: Any, served: Served, role: str) -> None:
    page.goto(f"{served.url}/signin")
    page.fill("input[name=email]", served.emails[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")


def _shot(page: Any, name: str, *, full_page: bool = True, height: int | None = None) -> None:
    """A screenshot of the page (its top `height` pixels when given, to keep the file small)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=str(SHOTS / name), full_page=full_page, clip=clip if height else None)


def test_officer_filters_opens_a_tender_gives_feedback_and_checks_a_draft(
    browser: Any, served: Served
) -> None:
    page = _page(browser)
    _sign_in(page, served, "officer")
    page.wait_for_url(f"{served.url}/tenders")
    assert page.locator("table.list tbody tr").count() > 1
    _shot(page, "officer-list.png", height=2000)
    page.select_option("select[name=sort]", "value")
    page.fill("input[name=min_score]", "0.5")
    page.click("form.filters button")
    page.wait_for_url("**/tenders?*min_score=0.5*")
    scores = [float(s) for s in page.locator("table.list tbody .score").all_inner_texts()]
    assert scores and min(scores) >= 0.5
    page.locator("table.list tbody a").first.click()
    page.wait_for_selector("table.signals")
    assert page.locator("svg.bars rect.bar").count() >= 2
    assert page.locator("table.depth tbody tr").count() >= 3  # the whole and each package
    _shot(page, "officer-tender.png", height=3200)
    page.check("input[name=useful][value=no]")
    page.fill("textarea[name=comment]", "Lot 2 overlaps lot 1")
    page.click("#feedback + form button")
    page.wait_for_selector(".flash")
    assert "Thank you" in page.inner_text(".flash")
    with served.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SuggestionFeedback)) == 1
    page.goto(f"{served.url}/check")
    page.fill(
        "textarea[name=text]",
        "Digital front door for council services\nBudget: £2.4m over three years: discovery, build, hosting, support and training.",
    )
    page.click("form.card button")
    page.wait_for_selector("section.verdict")
    assert "score" in page.inner_text("section.verdict h2")
    _shot(page, "officer-check.png", height=1400)
    page.close()


def test_organisation_signs_up_confirms_edits_profile_and_downloads_deadlines(
    browser: Any, served: Served
) -> None:
    page = _page(browser)
    page.goto(f"{served.url}/signup")
    page.fill("input[name=email]", "team@civic-coop.example")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=id]", "civic-coop")
    page.fill("input[name=name]", "Civic Co-op")
    page.fill("input[name=keywords]", "user research; accessibility")
    page.fill("input[name=regions]", "London")  # words, not codes
    page.fill("#f-cpv-search", "market research")  # the picker (JavaScript)
    page.locator(".picker-results button", has_text="Market research services (7931)").click()
    assert page.input_value("input[name=cpv]") == "Market research services (7931)"
    page.fill("input[name=value_max]", "£120k")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    ((_, message),) = served.inbox.messages
    page.goto(confirmation_link(message))
    page.click("text=Confirm and create my profile")  # the link's GET only shows this button
    page.wait_for_url(f"{served.url}/signin")
    flashes = " ".join(page.locator(".flash").all_inner_texts())
    assert "confirmed" in flashes and re.search(r"Computed \d+ match", flashes), flashes
    page.fill("input[name=email]", "team@civic-coop.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{served.url}/orgs/civic-coop")
    assert "Civic Co-op" in page.inner_text("h1")
    page.click("text=Edit profile")
    page.fill("input[name=keywords]", "user research; accessibility; service design")
    assert page.input_value("input[name=regions]") == "London (UKI)"  # codes shown as words
    page.fill("input[name=regions]", "London; Limburg")
    page.click("form.card button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.evaluate("e => e === document.activeElement")  # focus moves to it
    assert "several places are called 'Limburg'" in summary.inner_text()
    summary.locator("a").first.click()  # links to its field
    assert page.evaluate("document.activeElement.id") == "f-regions"
    assert "Limburg" in page.inner_text("#f-regions-error")
    page.fill("input[name=regions]", "London; Limburg (NL42)")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{served.url}/orgs/civic-coop")
    assert "Computed" in " ".join(page.locator(".flash").all_inner_texts())
    page.select_option("select[name=frequency]", "daily")
    page.click("form.inline-form >> nth=0 >> button")
    page.wait_for_selector(".flash")
    assert "daily" in page.inner_text(".flash")
    page.click("text=Sign out")
    # a demo organisation with matches: explanations and the calendar
    _sign_in(page, served, "org_a")
    page.wait_for_url(f"{served.url}/orgs/{served.slugs[0]}")
    assert page.locator("article.match .explanation").count() >= 1
    _shot(page, "organisation-matches.png", height=2600)
    with page.expect_download() as download:
        page.click("text=Deadlines as a calendar")
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body
    page.goto(f"{served.url}/orgs/{served.slugs[1]}")
    assert "Not allowed" in page.inner_text("h1")
    page.close()


def test_operator_sees_health_chart_errors_and_starts_crawls(browser: Any, served: Served) -> None:
    page = _page(browser)
    _sign_in(page, served, "operator")
    page.wait_for_url(f"{served.url}/operator")
    assert page.locator("table.sources tbody tr").count() >= 2
    assert page.locator("svg.line polyline").count() == 2  # one line per source
    assert page.locator("table.errors-table tbody tr").count() == 1
    _shot(page, "operator.png")
    page.click("table.errors-table button")
    page.wait_for_selector(".flash")
    assert "Retrying" in page.inner_text(".flash")
    page.locator("table.sources tr", has_text="find_a_tender").locator("button").click()
    page.wait_for_selector(".flash")
    deadline = time.monotonic() + 10
    while len(served.crawls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.crawls == [["find_a_tender"], ["find_a_tender"]]
    page.close()


def test_api_docs_render_from_packaged_files_under_their_policy(
    browser: Any, served: Served
) -> None:
    """Swagger UI draws the operations with nothing fetched from elsewhere and no
    Content-Security-Policy violation (it works offline)."""
    page = _page(browser)
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{served.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/tenders" in p for p in paths)
    assert requested and all(url.startswith(served.url) for url in requested), requested
    assert problems == [] and failed == [], (problems, failed)
    page.close()


PAGES = {
    None: ["/", "/signin", "/signup", "/help/profile", "/password/forgot"],
    "officer": ["/tenders", "/tenders/{tender}", "/check", "/impact", "/flags", "/impact/cases",
                "/account/password"],
    "operator": ["/operator", "/impact/coverage"],
    "org_a": ["/orgs/{org}", "/orgs/{org}/profile", "/orgs/{org}/opportunities/{opportunity}",
              "/orgs/{org}/tracking"],
}  # fmt: skip
WIDTHS = {"desktop": (1280, 900), "mobile": (390, 844)}


def test_every_page_of_every_role_passes_the_accessibility_checks_at_desktop_and_390px(
    browser: Any, served: Served
) -> None:
    """The WCAG 2.2 A/AA checks of `page_audit` (contrast from computed styles, names, headings,
    captions and scope, skip link, focus outline, reflow at 390 px, chart labels) on each page
    of each role, and on the sign-up form showing its errors."""
    with served.engine.connect() as conn:
        tender = conn.scalar(select(Tender.id).order_by(Tender.id))
        opportunity = conn.scalar(
            select(Match.opportunity_id)
            .join(Organisation, Organisation.id == Match.organisation_id)
            .where(Organisation.slug == served.slugs[0])
            .order_by(Match.id)
        )
    found: dict[str, list[str]] = {}
    widths: dict[str, int] = {}
    contrast: list[float] = []
    for role, paths in PAGES.items():
        for size, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(15_000)
            if role is not None:
                _sign_in(page, served, role)
                page.wait_for_load_state()
            for path in paths:
                url = path.format(tender=tender, org=served.slugs[0], opportunity=opportunity)
                page.goto(served.url + url)
                if url == "/check":
                    page.fill(
                        "textarea[name=text]",
                        "Website rebuild: discovery, build and hosting, £900k",
                    )
                    page.click("form.card button")
                    page.wait_for_selector("section.verdict")
                if url == "/signup":
                    page.fill("input[name=regions]", "Limburg")
                    page.click("form.card button[type=submit]")
                    page.wait_for_selector(".error-summary")
                shot = {"/tenders": "list", f"/tenders/{tender}": "tender", "/operator": "operator"}
                if size == "mobile" and url in shot:  # before the audit moves the focus
                    _shot(page, f"mobile-{shot[url]}.png", full_page=False)
                result = audit(page)
                widths[f"{url} {size}"] = result["width"]
                if result["minContrast"]:
                    contrast.append(result["minContrast"])
                if result["problems"]:
                    found[f"{role or 'anonymous'} {url} {size}"] = result["problems"]
            page.close()
    print("widths:", widths, "lowest contrast:", min(contrast))
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
