"""A tender published with everything a bidder needs (dates, procedure, criteria, documents,
a buyer with an address and a personal contact point), similar awarded tenders, and the
organisations' matches of its parts: what the opportunity page, tracking and the calendar
feed are tested over."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from scanner.models import Organisation, Tender
from scanner.services.ingest import ingest_files
from scanner.storage.matches import replace_matches

PERSON = {"name": "Jane Procurer", "email": "jane.procurer@hackney.example", "telephone": "0207"}


def open_release(
    n: int,
    *,
    deadline: datetime,
    title: str = "Accessibility audit of the council website",
    buyer: str = "Hackney Borough Council",
    cpv: str = "72000000",
) -> dict[str, Any]:
    """An open tender in two lots, as Find a Tender publishes one."""
    lot = {
        "awardCriteria": {
            "criteria": [
                {"type": "quality", "name": "Methodology", "description": "60"},
                {"type": "price", "description": "40"},
            ]
        },
        "contractPeriod": {"startDate": (deadline + timedelta(days=40)).isoformat()},
    }
    return {
        "ocid": f"ocds-opp-{n}",
        "id": f"ocds-opp-{n}-tender",
        "date": (deadline - timedelta(days=30)).isoformat(),
        "tag": ["tender"],
        "language": "en",
        "buyer": {"id": f"GB-BUYER-{n}", "name": buyer},
        "parties": [
            {
                "id": f"GB-BUYER-{n}",
                "name": buyer,
                "roles": ["buyer"],
                "address": {
                    "streetAddress": "Town Hall, Mare Street",
                    "locality": "London",
                    "postalCode": "E8 1EA",
                    "countryName": "United Kingdom",
                },
                "contactPoint": PERSON,
                "details": {"url": "https://www.hackney.example"},
            }
        ],
        "tender": {
            "id": f"T-OPP-{n}",
            "title": title,
            "description": "An audit of the council website against WCAG 2.2 AA, with user "
            "research with disabled residents and a plan to fix what is found.",
            "status": "active",
            "procurementMethod": "open",
            "procurementMethodDetails": "Open procedure",
            "submissionMethod": ["electronicSubmission"],
            "submissionMethodDetails": "https://procure.hackney.example/tenders",
            "value": {"amount": 120000, "currency": "GBP"},
            "tenderPeriod": {"endDate": deadline.isoformat()},
            "enquiryPeriod": {"endDate": (deadline - timedelta(days=10)).isoformat()},
            "items": [
                {"id": "1", "relatedLot": "1", "classification": {"scheme": "CPV", "id": cpv}},
                {"id": "2", "relatedLot": "2", "classification": {"scheme": "CPV", "id": cpv}},
            ],
            "lots": [
                {
                    "id": "1",
                    "title": "Audit",
                    "description": "The WCAG audit.",
                    "value": {"amount": 50000, "currency": "GBP"},
                    **lot,
                },
                {
                    "id": "2",
                    "title": "User research",
                    "description": "Research with residents.",
                    "value": {"amount": 70000, "currency": "GBP"},
                    **lot,
                },
            ],
            "documents": [
                {"id": "spec", "title": "Specification", "url": "https://docs.example/spec.pdf"},
                {"id": "bad", "title": "Script", "url": "javascript:alert(1)"},
            ],
        },
    }


def award_release(n: int, winner: str, *, cpv: str = "72000000") -> dict[str, Any]:
    """A tender of the same kind of work, awarded."""
    return {
        "ocid": f"ocds-past-{n}",
        "id": f"ocds-past-{n}-award",
        "date": "2026-06-01T10:00:00Z",
        "tag": ["award"],
        "buyer": {"id": "GB-OTHER", "name": "Islington Council"},
        "parties": [
            {"id": "GB-OTHER", "name": "Islington Council", "roles": ["buyer"]},
            {"id": f"GB-COH-{n}", "name": winner, "roles": ["supplier"]},
        ],
        "tender": {
            "id": f"T-PAST-{n}",
            "title": f"Website accessibility review {n}",
            "status": "complete",
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}],
            "value": {"amount": 40000, "currency": "GBP"},
        },
        "awards": [
            {
                "id": "A1",
                "status": "active",
                "date": "2026-06-01T00:00:00Z",
                "value": {"amount": 38000, "currency": "GBP"},
                "suppliers": [{"id": f"GB-COH-{n}", "name": winner}],
            }
        ],
    }


def ingest(engine: Engine, tmp_path: Path, releases: list[dict[str, Any]], now: datetime) -> None:
    path = tmp_path / f"releases-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({"uri": "test", "releases": releases}), encoding="utf-8")
    (outcome,) = ingest_files(engine, [path], source_name="import", now=lambda: now)
    assert outcome.ok, outcome.error


def tender_id(engine: Engine, ocid: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(Tender.id).where(Tender.ocid == ocid)))


def org_id(engine: Engine, slug: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(Organisation.id).where(Organisation.slug == slug)))


def match_row(
    tender: int, opportunity: str, kind: str, title: str, now: datetime, score: float = 0.8
) -> dict[str, Any]:
    return {
        "tender_id": tender,
        "opportunity_id": opportunity,
        "kind": kind,
        "title": title,
        "score": score,
        "explanation": f"Fits: {title} is your kind of work.",
        "breakdown": [
            {
                "criterion": "cpv",
                "score": 1.0,
                "weight": 0.4,
                "detail": "CPV 72000000 (IT services)",
            },
            {"criterion": "value", "score": 0.5, "weight": 0.2, "detail": "Within your range"},
        ],
        "tender_version": 1,
        "organisation_version": 1,
        "weights_version": "test",
        "found_at": now,
        "updated_at": now,
    }


def set_matches(engine: Engine, slug: str, rows: list[dict[str, Any]]) -> None:
    organisation = org_id(engine, slug)
    with engine.begin() as conn:
        replace_matches(conn, organisation, [{**r, "organisation_id": organisation} for r in rows])


def set_listed(engine: Engine, slug: str, listed: bool) -> None:
    with engine.begin() as conn:
        conn.execute(update(Organisation).where(Organisation.slug == slug).values(listed=listed))


def move_deadline(engine: Engine, tender: int, deadline: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == tender).values(deadline_at=deadline))
