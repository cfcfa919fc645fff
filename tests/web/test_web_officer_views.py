"""The officer list's filters, sorting and paging against the stored data, market depth, the
feedback loop to operators, the .ics of an organisation's deadlines, and the API's paging."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from conftest import Site
from icalendar import Calendar
from sqlalchemy import select
from web_fixtures import NOW, csrf_of

from matchers.types import OrgProfile
from scanner.models import SplitAssessment, Tender
from scanner.orgs import load_rates
from scanner.services.web_officer import market_depth
from scanner.settings import DEFAULT_CONFIG_DIR
from scanner.tender_state import is_open


def _all(client: Any, query: str) -> list[dict[str, Any]]:
    items, page = [], 1
    while True:
        body = client.get(f"/api/v1/assessments?{query}&per_page=10&page={page}").json()
        items += body["items"]
        if body["next"] is None:
            return items
        page += 1


def test_filters_agree_with_the_stored_rows(site: Site) -> None:
    client = site.client("officer")
    with site.engine.connect() as conn:
        stored = conn.execute(
            select(SplitAssessment.should_split, SplitAssessment.score,
                   SplitAssessment.aggregated_value, Tender.buyer_name, Tender.main_cpv, Tender.regions,
                   Tender.cpv_codes, Tender.status, Tender.deadline_at)
            .join(Tender, Tender.id == SplitAssessment.tender_id)
        ).all()  # fmt: skip
    flagged = [r for r in stored if r.should_split]
    # By default the list shows open tenders only (scanner.tender_state: status, deadline).
    still_open = [r for r in flagged if is_open(r.status, r.deadline_at, NOW)]
    assert len(_all(client, "show=flagged")) == len(still_open) > 0
    assert len(_all(client, "show=flagged&status=all")) == len(flagged)
    assert len(_all(client, "show=all&status=all")) == len(stored)
    # Scores separate the flagged tenders instead of piling them up at 1.00.
    scores = [r.score for r in flagged]
    assert max(scores) < 1.0 and len(set(scores)) >= min(5, len(scores))
    cancelled = _all(client, "show=all&status=cancelled")
    assert len(cancelled) == sum(r.status == "cancelled" for r in stored)
    assert all(r["tender_status"] == "cancelled" for r in cancelled)
    high = _all(client, "show=all&status=all&min_score=0.8")
    assert len(high) == sum(r.score >= 0.8 for r in stored)
    band = _all(client, "show=all&status=all&band=100k-1m")
    assert len(band) == sum(
        r.aggregated_value is not None and 100_000 <= r.aggregated_value < 1_000_000 for r in stored
    )
    buyer = next(r.buyer_name for r in stored if r.buyer_name)
    word = buyer.split()[-1].lower()
    assert len(_all(client, f"show=all&status=all&buyer={word}")) == sum(
        word in (r.buyer_name or "").lower() for r in stored
    )
    cpv = next(r.main_cpv for r in stored if r.main_cpv)[:3]
    found = _all(client, f"show=all&status=all&cpv={cpv}")
    assert (
        len(found)
        == sum(
            (r.main_cpv or "").startswith(cpv) or any(c.startswith(cpv) for c in r.cpv_codes)
            for r in stored
        )
        > 0
    )
    region = next(r.regions[0] for r in stored if r.regions)[:3]
    regional = _all(client, f"show=all&status=all&region={region}")
    assert len(regional) == sum(any(g.startswith(region) for g in r.regions) for r in stored)


def test_sorting_and_paging_cover_every_row_once_in_order(site: Site) -> None:
    client = site.client("officer")
    by_value = _all(client, "show=all&sort=value")
    values = [Decimal(r["aggregated_value"]) for r in by_value if r["aggregated_value"]]
    assert values == sorted(values, reverse=True)
    by_score = _all(client, "show=all&sort=score")
    assert [r["score"] for r in by_score] == sorted((r["score"] for r in by_score), reverse=True)
    assert len({r["tender_id"] for r in by_score}) == len(by_score)
    page = client.get("/tenders?show=all&per_page=10&page=2").text
    assert "page 2 of" in page and 'rel="prev"' in page


def test_a_cancelled_tender_says_so_and_every_page_carries_its_lotting_note(site: Site) -> None:
    client = site.client("officer")
    with site.engine.connect() as conn:
        rows = conn.execute(
            select(Tender.id, Tender.status).join(
                SplitAssessment, SplitAssessment.tender_id == Tender.id
            )
        ).all()
    cancelled = next(r.id for r in rows if r.status == "cancelled")
    still_open = next(r.id for r in rows if r.status == "active")
    page = client.get(f"/tenders/{cancelled}").text
    assert "This tender is <strong>cancelled</strong>" in page
    assert "This tender is" not in client.get(f"/tenders/{still_open}").text
    open_page = client.get(f"/tenders/{still_open}").text
    assert 'id="lotting-note"' in open_page and "Questions for market engagement" in open_page
    note = client.get(f"/tenders/{still_open}/export.note.md")
    assert note.status_code == 200 and note.text.startswith("# Lotting note: ")
    assert "Still above the micro-contract ceiling" not in note.text
    text = client.get(f"/tenders/{still_open}/export.note.txt").text
    assert text.startswith("Lotting note: ") and "**" not in text
    listed = client.get("/tenders?show=all").text
    assert f'href="/tenders/{cancelled}"' not in listed  # out of the default list
    assert (
        f'href="/tenders/{cancelled}"'
        in client.get("/tenders?show=all&status=all&per_page=100").text
    )


def test_market_depth_counts_who_could_bid_for_the_whole_and_each_package() -> None:
    rates = load_rates(DEFAULT_CONFIG_DIR / "rates.toml")
    small = OrgProfile(id="small", name="Small", cpv=("722",), value_max=Decimal(150_000))
    big = OrgProfile(id="big", name="Big", cpv=("72",), value_min=Decimal(500_000))
    off_topic = OrgProfile(id="build", name="Builder", cpv=("45",))
    words = OrgProfile(
        id="words", name="Words", keywords=("user research",), exclusions=("hosting",)
    )
    tender = {
        "title": "Digital service",
        "description": "",
        "cpv_codes": ["72000000"],
        "currency": "GBP",
        "value_amount": "900000",
    }
    assessment = {
        "currency": "GBP",
        "aggregated_value": "900000",
        "packages": [
            {
                "title": "Discovery",
                "scope": "user research",
                "estimated_value": "100000",
                "cpv": "72220000",
            },
            {
                "title": "Build and hosting",
                "scope": "user research and hosting",
                "estimated_value": "800000",
                "cpv": None,
            },
        ],
    }
    orgs = [small, big, off_topic, words]
    everyone = frozenset(o.id for o in orgs)
    depth = market_depth(tender, assessment, orgs, rates, on=date(2026, 11, 27), listed=everyone)
    assert [(d.label, d.count) for d in depth] == [
        ("Whole tender", 1),
        ("Package 1", 2),
        ("Package 2", 1),
    ]
    assert depth[0].names == ("Big",) and depth[1].names == ("Small", "Words")
    # only organisations that agreed to be listed are named; the counts stay whole
    quiet = market_depth(
        tender, assessment, orgs, rates, on=date(2026, 11, 27), listed=frozenset({"words"})
    )
    assert [d.count for d in quiet] == [1, 2, 1]
    assert [d.names for d in quiet] == [(), ("Words",), ()]
    # the splitter's single package of an undivided tender is the whole again: not listed twice
    whole = {**assessment, "packages": assessment["packages"][:1]}
    alone = market_depth(tender, whole, orgs, rates, on=date(2026, 11, 27), listed=everyone)
    assert [(d.label, d.count) for d in alone] == [("Whole tender", 1)]


def test_officer_feedback_is_stored_and_shown_to_operators(site: Site) -> None:
    officer = site.client("officer")
    tender = officer.get("/api/v1/assessments?per_page=1").json()["items"][0]
    token = csrf_of(officer.get(f"/tenders/{tender['tender_id']}").text)
    response = officer.post(
        f"/tenders/{tender['tender_id']}/feedback",
        data={"useful": "no", "comment": "Lots 2 and 3 <overlap>", "csrf_token": token},
    )
    assert response.status_code == 303
    page = site.client("operator").get("/operator").text
    assert "not useful — Lots 2 and 3 &lt;overlap&gt;" in page
    assert site.emails["officer"] in page


def test_deadlines_download_as_icalendar(site: Site) -> None:
    client = site.client("org_a")
    slug = site.slugs[0]
    matches = client.get(f"/api/v1/organisations/{slug}/matches?per_page=200").json()["items"]
    response = client.get(f"/orgs/{slug}/matches.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    submissions = [e for e in events if str(e["uid"]).endswith("-submission@lotwise")]
    deadlines = {m["tender_id"]: m["deadline_at"] for m in matches if m["deadline_at"]}
    assert len(submissions) == len(deadlines) > 0  # one event per tender, not per part
    ends = sorted(e.decoded("dtend").isoformat() for e in submissions)
    assert ends == sorted(deadlines.values())


def test_digest_frequency_and_unsubscribe_from_the_organisation_page(site: Site) -> None:
    client = site.client("org_a")
    slug = site.slugs[0]
    for choice in ("daily", "never"):
        token = csrf_of(client.get(f"/orgs/{slug}").text)
        client.post(f"/orgs/{slug}/digest", data={"frequency": choice, "csrf_token": token})
        page = client.get(f"/orgs/{slug}", follow_redirects=True).text
        assert f"<option selected>{choice}</option>" in page
    assert "You are unsubscribed" in page


def test_openapi_documents_the_versioned_api(site: Site) -> None:
    schema = site.client(None).get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/tenders",
        "/api/v1/assessments",
        "/api/v1/organisations/{slug}/matches",
    } <= paths
    assert not any(p.startswith(("/tenders", "/orgs", "/operator")) for p in paths)
