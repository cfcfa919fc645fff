"""Read side of split assessments for the CLI, exports and (later) the web.

Plain dicts with stable keys (docs/json-output.md): a list row per tender, and for one tender
the stored assessment itself with `tender`, `tender_version`, `assessed_at` and `error` added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from scanner.services.split_export import first_reason, in_field_order
from scanner.storage import assessments as reads
from scanner.storage.tender_reads import iso_text, money_text

if TYPE_CHECKING:  # annotations only: the rows come from scanner.storage
    from scanner.models import SplitAssessment, Tender
    from scanner.storage.tender_page import TenderPageRows


@dataclass(frozen=True)
class SplitFilter:
    """`should_split` True: only recommended divisions; None: every assessed tender."""

    should_split: bool | None = True
    min_score: float | None = None
    limit: int | None = None
    tender_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment: `entry` is what `show --json` prints; `tender` carries what the
    exports need besides (description, buyer id, published items)."""

    entry: dict[str, Any]
    tender: dict[str, Any]


def list_assessments(session: Session, flt: SplitFilter) -> list[dict[str, Any]]:
    """Assessed tenders, most worth dividing first (score, then value)."""
    rows = _rows(session, flt)
    return [
        {
            "tender_id": tender.id,
            "title": tender.title,
            "buyer_name": tender.buyer_name,
            "source": source,
            "ocid": tender.ocid,
            "should_split": stored.should_split,
            "score": stored.score,
            "status": stored.status,
            "package_count": stored.package_count,
            "aggregated_value": stored.data.get("aggregated_value"),  # as `show` prints it
            "currency": stored.currency,
            "jurisdiction": stored.jurisdiction,
            "procedure": stored.procedure,
            "civic_friendliness": stored.civic_friendliness,
            "first_reason": stored.error or first_reason(stored.data),
            "rules_version": stored.rules_version,
            "tender_version": stored.tender_version,
            "current": stored.tender_version == tender.version,
            "assessed_at": iso_text(stored.assessed_at),
        }
        for stored, tender, source in rows
    ]


def load_assessments(session: Session, flt: SplitFilter) -> list[StoredAssessment]:
    """Stored assessments in full, in list order."""
    return [_stored(stored, tender, source) for stored, tender, source in _rows(session, flt)]


def get_assessment(session: Session, tender_id: int) -> StoredAssessment | None:
    """The stored assessment of one tender, or None when it has none (yet)."""
    found = load_assessments(session, SplitFilter(should_split=None, tender_ids=(tender_id,)))
    return found[0] if found else None


def tender_exists(session: Session, tender_id: int) -> bool:
    return reads.tender_exists(session, tender_id)


def _rows(session: Session, flt: SplitFilter) -> list[tuple[SplitAssessment, Tender, str]]:
    return reads.assessment_rows(
        session,
        should_split=flt.should_split,
        min_score=flt.min_score,
        tender_ids=flt.tender_ids,
        limit=flt.limit,
    )


def _stored(stored: SplitAssessment, tender: Tender, source: str) -> StoredAssessment:
    found = _assessment(
        stored.data, stored.tender_version, stored.assessed_at, stored.error, tender, source
    )
    found.tender["items"] = tender.items
    return found


def page_assessment(rows: TenderPageRows) -> StoredAssessment | None:
    """The stored assessment among the rows a tender's page read (`scanner.storage.tender_page`),
    as `get_assessment` gives it but for the tender's items in `tender`: the page does not
    read them (the lotting note reads the tender's title, buyer and currency)."""
    t = rows.tender
    if t.assessment_id is None:
        return None
    return _assessment(
        t.assessment_data, t.assessed_version, t.assessed_at, t.assessment_error, t, t.source
    )


def _assessment(
    data: dict[str, Any],
    tender_version: int,
    assessed_at: datetime,
    error: str | None,
    tender: Tender | Any,
    source: str,
) -> StoredAssessment:
    """An assessment's stored columns with its tender (a `Tender` or a row answering the same
    names), `tender` without the tender's items."""
    identity = {
        "id": tender.id,
        "source": source,
        "ocid": tender.ocid,
        "title": tender.title,
        "buyer_name": tender.buyer_name,
        "value_amount": money_text(tender.value_amount),
        "currency": tender.currency,
        "status": tender.status,
        "deadline_at": iso_text(tender.deadline_at),
        "notice_url": tender.notice_url,
        "version": tender.version,
    }
    entry = {
        **in_field_order(data),
        "tender": identity,
        "tender_version": tender_version,
        "assessed_at": iso_text(assessed_at),
        "error": error,
    }
    context = {**identity, "description": tender.description, "buyer_id": tender.buyer_id}
    return StoredAssessment(entry=entry, tender=context)


__all__ = [
    "SplitFilter",
    "StoredAssessment",
    "get_assessment",
    "list_assessments",
    "load_assessments",
    "page_assessment",
    "tender_exists",
]
