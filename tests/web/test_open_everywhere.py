"""One definition of "open" (`scanner.tender_state`) everywhere a tender is shown or used as
open: three tenders (no status and a deadline ahead; active with its deadline passed;
cancelled with its deadline ahead) get the same verdict from the tender listing (`tenders
list --open` and `/api/v1/tenders?open=true`), matching's candidates, digests, the officer
list (page and `/api/v1/assessments`), an organisation's matches (page and API), its
calendar, its opportunity pages and the officer's tender page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from conftest import Bare
from icalendar import Calendar
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from web_fixtures import NOW

from scanner.models import Match, Organisation, Source, SplitAssessment, Tender
from scanner.services.calendar_feed import calendar_of
from scanner.services.queries import TenderFilter, list_tenders
from scanner.services.web_officer import OfficerFilter, list_flagged
from scanner.storage.digests import new_matches
from scanner.storage.matches import open_tenders
from scanner.tender_state import is_open

TENDERS: dict[str, tuple[str | None, Any]] = {  # title: (status, deadline)
    "No status, deadline ahead": (None, NOW + timedelta(days=10)),
    "Active, deadline passed": ("active", NOW - timedelta(hours=1)),
    "Cancelled, deadline ahead": ("cancelled", NOW + timedelta(days=10)),
}
OPEN = {"No status, deadline ahead"}


def _seed(bare: Bare) -> tuple[int, dict[int, str]]:
    """The three tenders, each assessed (flagged) and matched to the first organisation."""
    titles: dict[int, str] = {}
    with bare.engine.begin() as conn:
        source = conn.execute(
            insert(Source).values(name="s", kind="ocds", url="http://127.0.0.1/", created_at=NOW)
        ).inserted_primary_key[0]
        org = conn.execute(select(Organisation.id).where(Organisation.slug == bare.slugs[0]))
        org_id = int(org.scalar_one())
        for n, (title, (status, deadline)) in enumerate(TENDERS.items()):
            tender_id = int(
                conn.execute(
                    insert(Tender).values(
                        source_id=source, source_key=f"k{n}", title=title, buyer_name="Council",
                        value_amount=Decimal(120_000), currency="GBP", deadline_at=deadline,
                        status=status, cpv_codes=[], classifications=[], regions=[],
                        countries=[], items=[], content_hash="h", version=1, first_seen=NOW,
                        last_seen=NOW, raw={"tender": {}},
                    )
                ).inserted_primary_key[0]
            )  # fmt: skip
            titles[tender_id] = title
            conn.execute(
                insert(SplitAssessment).values(
                    tender_id=tender_id, tender_version=1, rules_version="r", should_split=True,
                    score=0.5, status="assessed", civic_friendliness=0.0, package_count=2,
                    aggregated_value=Decimal(120_000), currency="GBP", assessed_at=NOW, data={},
                )
            )  # fmt: skip
            conn.execute(
                insert(Match).values(
                    organisation_id=org_id, tender_id=tender_id,
                    opportunity_id=f"tender:{tender_id}", kind="tender", title=title, score=0.8,
                    explanation="CPV 72 matches", breakdown=[], tender_version=1,
                    organisation_version=1, weights_version="w1", found_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
    return org_id, titles


def test_one_tender_is_open_or_not_alike_everywhere(bare: Bare) -> None:
    org_id, titles = _seed(bare)
    assert {
        t for t, (status, deadline) in TENDERS.items() if is_open(status, deadline, NOW)
    } == OPEN
    seen: dict[str, set[str]] = {}
    with Session(bare.engine) as session:
        listed = list_tenders(session, TenderFilter(open_at=NOW))
        seen["tenders list --open"] = {row["title"] for row in listed}
        rows, total = list_flagged(session, OfficerFilter(now=NOW))
        assert total == len(rows)
        seen["officer list"] = {titles[row["tender_id"]] for row in rows}
    with bare.engine.connect() as conn:
        candidates = open_tenders(conn, now=NOW, after_id=0, limit=100)
        seen["matching"] = {titles[stale.tender_id] for stale, _ in candidates}
        seen["digest"] = {row.title for row in new_matches(conn, org_id, None, NOW)}
    ics = Calendar.from_ical(calendar_of(bare.engine, "http://testserver", bare.slugs[0], now=NOW))
    seen["calendar"] = {
        title
        for title in TENDERS
        if any(title in str(e.get("summary")) for e in ics.walk("VEVENT"))
    }

    officer, member = bare.client("officer"), bare.client("org_a")
    api = officer.get("/api/v1/tenders?open=true").json()
    seen["API tenders"] = {row["title"] for row in api["items"]}
    assessments = officer.get("/api/v1/assessments").json()
    seen["API assessments"] = {titles[row["tender_id"]] for row in assessments["items"]}
    page = officer.get("/tenders").text
    seen["officer page"] = {title for title in TENDERS if title in page}
    matches = member.get(f"/api/v1/organisations/{bare.slugs[0]}/matches").json()
    seen["API matches"] = {row["title"] for row in matches["items"]}
    dashboard = member.get(f"/orgs/{bare.slugs[0]}").text
    seen["organisation page"] = {title for title in TENDERS if title in dashboard}
    for where, found in seen.items():
        assert found == OPEN, where
    for tender_id, title in titles.items():  # an opportunity page says when it has closed
        shown = member.get(f"/orgs/{bare.slugs[0]}/opportunities/tender:{tender_id}").text
        assert f"<h1>{title}</h1>" in shown, title
        assert ("no longer open" in shown) == (title not in OPEN), title
    with bare.engine.begin() as conn:  # the seeded assessments are bare: the page without them
        conn.execute(delete(SplitAssessment))
    for tender_id, title in titles.items():  # the tender page says when it is no longer open
        shown = officer.get(f"/tenders/{tender_id}").text
        assert shown.startswith("<!doctype html>") and f"<h1>{title}</h1>" in shown
        assert ('class="notice closed"' in shown) == (title not in OPEN), title
