"""An organisation's opportunity page: from a digest or dashboard link to what it needs to
decide whether to bid, read from the tender as published, with no personal data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import Bare
from opportunity_fixtures import (
    PERSON,
    award_release,
    ingest,
    match_row,
    open_release,
    set_listed,
    set_matches,
    tender_id,
)
from web_fixtures import NOW

from scanner.services.opportunity_page import buyer_contact


def _published(bare: Bare, tmp_path: Path) -> int:
    deadline = NOW + timedelta(days=30)
    ingest(
        bare.engine,
        tmp_path,
        [open_release(1, deadline=deadline), *(award_release(n, f"Access Co {n}") for n in (1, 2))],
        NOW,
    )
    tender = tender_id(bare.engine, "ocds-opp-1")
    own, other = bare.slugs
    set_matches(
        bare.engine,
        own,
        [
            match_row(tender, f"lot:{tender}:2", "buyer_lot", "User research", NOW),
            match_row(tender, f"package:{tender}:1", "suggested_package", "Usability tests", NOW),
        ],
    )
    set_matches(
        bare.engine, other, [match_row(tender, f"lot:{tender}:1", "buyer_lot", "Audit", NOW)]
    )
    return tender


def test_lot_page_shows_dates_procedure_criteria_documents_buyer_awards_and_partners(
    bare: Bare, tmp_path: Path
) -> None:
    tender = _published(bare, tmp_path)
    own, other = bare.slugs
    set_listed(bare.engine, other, True)
    client = bare.client("org_a")
    page = client.get(f"/orgs/{own}/opportunities/lot:{tender}:2")
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "A lot the buyer offers separately" in text and "User research" in text
    assert "Research with residents." in text and "WCAG 2.2 AA" in text  # what is wanted
    assert "Fits: User research" in text and "CPV 72000000 (IT services)" in text  # why
    assert "Deadline for clarification questions" in text and "Expected start" in text
    assert (NOW + timedelta(days=20)).strftime("%d %b %Y") in text  # questions, 10 days before
    assert ">30<" in text and ">20<" in text  # days left, from the app's clock
    assert "Open procedure: anyone may bid" in text
    assert "online: https://procure.hackney.example/tenders" in text
    assert "Methodology: 60%" in text and "Price: 40%" in text
    assert "https://docs.example/spec.pdf" in text and "javascript:" not in text
    assert (
        "Town Hall, Mare Street, London, E8 1EA" in text and "https://www.hackney.example" in text
    )
    assert all(value not in text for value in PERSON.values())  # no personal data
    assert "Access Co 1" in text and "Access Co 2" in text and "Islington Council" in text
    organisation_b = bare.client("operator").get(f"/orgs/{other}").text.split("<h1>")[1]
    assert organisation_b.split("<")[0] in text and "Audit" in text  # the listed partner


def test_suggested_package_is_never_dressed_as_an_opportunity(bare: Bare, tmp_path: Path) -> None:
    tender = _published(bare, tmp_path)
    own, _ = bare.slugs
    client = bare.client("org_a")
    text = client.get(f"/orgs/{own}/opportunities/package:{tender}:1").text
    assert "Suggested by Lotwise, not offered by the buyer." in text
    assert "The buyer is not offering this package" in text and "whole tender" in text
    assert "No listed organisation fits this tender too." in text  # org_b has not agreed


def test_dashboard_links_to_the_opportunity_page_and_other_ids_are_not_found(
    bare: Bare, tmp_path: Path
) -> None:
    tender = _published(bare, tmp_path)
    own, other = bare.slugs
    client = bare.client("org_a")
    dashboard = client.get(f"/orgs/{own}").text
    assert f'href="/orgs/{own}/opportunities/lot:{tender}:2"' in dashboard
    assert f"/tenders/{tender}" not in dashboard
    # another organisation's match is not this one's page
    assert client.get(f"/orgs/{own}/opportunities/lot:{tender}:1").status_code == 404
    assert client.get(f"/orgs/{other}/opportunities/lot:{tender}:1").status_code == 403
    assert client.get(f"/orgs/{own}/opportunities/nonsense").status_code == 404


def test_buyer_contact_is_the_organisation_never_a_person() -> None:
    raw = {
        "buyer": {"id": "B1", "name": "Leeds City Council"},
        "parties": [
            {"id": "S1", "name": "A supplier", "roles": ["supplier"]},
            {
                "id": "B1",
                "name": "Leeds City Council",
                "address": {"locality": "Leeds", "postalCode": "LS1 1UR"},
                "contactPoint": {**PERSON, "url": "https://jane.example"},
                "details": {"url": "javascript:alert(1)"},
            },
        ],
        "tender": {"submissionMethodDetails": "https://portal.example"},
    }
    contact = buyer_contact(raw, None)
    assert contact.name == "Leeds City Council" and contact.address == "Leeds, LS1 1UR"
    assert contact.url is None  # not a web address, and a contact point's is never read
    assert all(value not in repr(contact) for value in (*PERSON.values(), "jane.example"))


def test_a_bare_notice_says_what_is_not_published(bare: Bare, tmp_path: Path) -> None:
    release = {
        "ocid": "ocds-bare-1",
        "id": "ocds-bare-1-tender",
        "date": "2026-11-01T00:00:00Z",
        "tag": ["tender"],
        "tender": {
            "id": "T-BARE",
            "title": "Website maintenance",
            "awardCriteria": "priceOnly",
            "tenderPeriod": {"endDate": "not a date"},
        },
    }
    ingest(bare.engine, tmp_path, [release], NOW)
    tender = tender_id(bare.engine, "ocds-bare-1")
    own = bare.slugs[0]
    set_matches(bare.engine, own, [match_row(tender, f"tender:{tender}", "tender", "Web", NOW)])
    text = bare.client("org_a").get(f"/orgs/{own}/opportunities/tender:{tender}").text
    assert "The whole tender, as the buyer offers it" in text
    assert "The notice publishes no dates." in text and "The notice gives no description." in text
    assert "Price only" in text and text.count("Not published") == 2  # procedure, submission
    assert "No documents are linked from the notice." in text
    assert "No similar awards are known yet." in text
