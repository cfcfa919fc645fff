"""The officer list in SQL: tenders with a split assessment, filtered, counted, sorted and
paged on the narrow `tender_listing` table (an index per sort, issue 16), "open" as
everywhere (`scanner.storage.open_tenders`); and officers' feedback on suggestions.
`scanner.services.web_officer` serves them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ColumnElement, bindparam, exists, func, literal_column, select
from sqlalchemy.orm import Session

from scanner.models import (
    Source,
    SplitAssessment,
    SuggestionFeedback,
    Tender,
    TenderListing,
    TenderListingCode,
    User,
)
from scanner.models.listing import CLOSED_STATUSES as LISTING_CLOSED_STATUSES
from scanner.storage.listing_counts import ListingCounts
from scanner.storage.open_tenders import listing_is_open
from scanner.storage.search import like_escape as escape_like

VALUE_BANDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "under-100k": (None, Decimal(100_000)),
    "100k-1m": (Decimal(100_000), Decimal(1_000_000)),
    "1m-10m": (Decimal(1_000_000), Decimal(10_000_000)),
    "over-10m": (Decimal(10_000_000), None),
}
_L = TenderListing
# Every sort is an index of `tender_listing` (NULLs last, written `x IS NULL` as indexed).
SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "score": (_L.score.desc(), _L.aggregated_value.is_(None), _L.aggregated_value.desc()),
    "value": (_L.aggregated_value.is_(None), _L.aggregated_value.desc(), _L.score.desc()),
    "deadline": (_L.deadline_at.is_(None), _L.deadline_at.asc(), _L.score.desc()),
    "published": (_L.published_at.is_(None), _L.published_at.desc(), _L.score.desc()),
    "buyer": (_L.buyer_name.is_(None), _L.buyer_name.asc(), _L.score.desc()),
}
PAGE_SIZES = (10, 25, 50, 100)
# Procedures that are over: nothing left to divide, so out of the default list.
CLOSED_STATUSES = LISTING_CLOSED_STATUSES
# The status choices of the list: "open" (the default: every status but the closed ones),
# "all", or one stored status.
STATUS_CHOICES = ("open", "all", "active", "planning", "planned", *CLOSED_STATUSES)


@dataclass(frozen=True)
class OfficerFilter:
    """Filters of the officer list; `flagged` False shows every assessed tender."""

    buyer: str = ""
    band: str = ""
    cpv: str = ""
    region: str = ""
    min_score: float | None = None
    flagged: bool = True
    status: str = "open"
    sort: str = "score"
    page: int = 1
    per_page: int = 25
    #: The moment "open" is judged at (`scanner.tender_state`); None is the time of the query.
    now: datetime | None = None


def list_flagged(
    session: Session, flt: OfficerFilter, counts: ListingCounts | None = None
) -> tuple[list[dict[str, Any]], int]:
    """One page of assessed tenders and the number matching the filters.

    Filters, count and sort read `tender_listing` alone (narrow rows, an index per sort),
    then only the page's rows are read from the assessments and tenders: sorting and
    filtering whole tender rows read every row's JSON, seconds at 100,000 tenders. With
    `counts`, the count is reused while it is exact (`scanner.storage.listing_counts`)."""
    now = flt.now or datetime.now(UTC)
    flt = replace(flt, now=now)  # count and rows judge "open" at the same moment
    conditions = _conditions(flt)
    count_conditions = _count_conditions(flt, session)
    if counts is None:
        total = session.scalar(
            select(func.count()).select_from(TenderListing).where(*count_conditions)
        )
    else:
        key = replace(flt, page=1, per_page=0, sort="", now=None)
        total = counts.count(session, key, count_conditions, now=now)
    order = SORTS.get(flt.sort, SORTS["score"])
    page_ids = list(
        session.scalars(
            select(TenderListing.tender_id)
            .where(*conditions)
            .order_by(*order, TenderListing.tender_id)
            .limit(flt.per_page)
            .offset((flt.page - 1) * flt.per_page)
        )
    )
    found = {
        row.tender_id: row
        for row in session.execute(
            select(*_LIST_COLUMNS)
            .join(Tender, Tender.id == SplitAssessment.tender_id)
            .join(Source, Source.id == Tender.source_id)
            .where(SplitAssessment.tender_id.in_(page_ids))
        )
    }
    rows = [
        {
            "tender_id": row.tender_id,
            "title": row.title,
            "buyer_name": row.buyer_name,
            "source": row.source,
            "should_split": row.should_split,
            "score": row.score,
            "status": row.status,
            "package_count": row.package_count,
            "aggregated_value": _money(row.aggregated_value),
            "currency": row.currency,
            "main_cpv": row.main_cpv,
            "regions": row.regions,
            "deadline_at": row.deadline_at.isoformat() if row.deadline_at else None,
            "published_at": row.published_at.isoformat() if row.published_at else None,
            "tender_status": row.tender_status,
        }
        for row in (found[i] for i in page_ids if i in found)
    ]
    return rows, int(total or 0)


_LIST_COLUMNS = (
    SplitAssessment.tender_id,
    Tender.title,
    Tender.buyer_name,
    Source.name.label("source"),
    SplitAssessment.should_split,
    SplitAssessment.score,
    SplitAssessment.status,
    SplitAssessment.package_count,
    SplitAssessment.aggregated_value,
    SplitAssessment.currency,
    Tender.main_cpv,
    Tender.regions,
    Tender.deadline_at,
    Tender.published_at,
    Tender.status.label("tender_status"),
)


def _count_conditions(flt: OfficerFilter, session: Session) -> list[Any]:
    """The filters for the count. With a code filter SQLite counts from the codes' range
    (migration 0025) and fetches each of those listing rows by its key (`+should_split` keeps
    it off the flagged index, which it would walk row by row)."""
    if not (flt.flagged and (flt.cpv or flt.region)):
        return _conditions(flt, for_count=True)
    if session.get_bind().dialect.name != "sqlite":
        return _conditions(flt, for_count=True)
    flagged = literal_column("+tender_listing.should_split", Boolean).is_(True)
    return [flagged, *_conditions(replace(flt, flagged=False), for_count=True)]


def _conditions(flt: OfficerFilter, *, for_count: bool = False) -> list[Any]:
    conditions: list[Any] = []
    if flt.flagged:
        conditions.append(TenderListing.should_split.is_(True))
    if flt.status == "open":  # scanner.tender_state: status not closed, deadline ahead or none
        conditions.append(listing_is_open(flt.now or datetime.now(UTC)))
    elif flt.status != "all":
        conditions.append(TenderListing.status == flt.status)
    if flt.buyer:
        pattern = f"%{escape_like(flt.buyer.lower())}%"
        conditions.append(func.lower(TenderListing.buyer_name).like(pattern, escape="\\"))
    low, high = VALUE_BANDS.get(flt.band, (None, None))
    if low is not None:
        conditions.append(TenderListing.aggregated_value >= low)
    if high is not None:
        conditions.append(TenderListing.aggregated_value < high)
    if flt.cpv:
        digits = "".join(ch for ch in flt.cpv if ch.isdigit())[:8]
        conditions.append(_has_code("c", digits, by_row=not for_count))
    if flt.region:
        region = flt.region.strip().upper()[:5]
        conditions.append(_has_code("r", region, by_row=not for_count))
    if flt.min_score is not None:
        conditions.append(TenderListing.score >= flt.min_score)
    return conditions


def _has_code(kind: str, prefix: str, *, by_row: bool) -> ColumnElement[bool]:
    """The listed tender has a code of `kind` (CPV "c", region "r") beginning with `prefix`:
    a range of the codes' key (migration 0025), the codes stored upper-cased. `by_row`: a
    probe per listing row (`EXISTS`, for a page: the sort's index is walked until the page is
    full); else the set of matching tenders (`IN`, for a count: read from the range, not
    sorted, which for a page read and sorted every match on each request)."""
    code = TenderListingCode
    conditions = [code.kind == kind]
    if prefix:
        following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        conditions += [code.code >= prefix, code.code < following]
    if by_row:
        return exists().where(code.tender_id == TenderListing.tender_id, *conditions)
    return TenderListing.tender_id.in_(select(code.tender_id).where(*conditions))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


# --- feedback ----------------------------------------------------------------------------


def add_feedback(
    session: Session,
    *,
    tender_id: int,
    user_id: int,
    useful: bool,
    comment: str,
    rules_version: str | None,
    now: datetime,
) -> None:
    session.add(
        SuggestionFeedback(
            tender_id=tender_id,
            user_id=user_id,
            useful=useful,
            comment=comment.strip()[:4000],
            rules_version=rules_version,
            created_at=now,
        )
    )


# Built once for each of its two shapes (every officer's view of a tender's page reads it):
# the columns shown, not whole rows.
_FEEDBACK = (
    select(
        SuggestionFeedback.id,
        SuggestionFeedback.tender_id,
        SuggestionFeedback.useful,
        SuggestionFeedback.comment,
        SuggestionFeedback.rules_version,
        SuggestionFeedback.created_at,
        User.email,
        Tender.title,
    )
    .join(Tender, Tender.id == SuggestionFeedback.tender_id)
    .outerjoin(User, User.id == SuggestionFeedback.user_id)
    .order_by(SuggestionFeedback.id.desc())
    .limit(bindparam("limit"))
)
_TENDER_FEEDBACK = _FEEDBACK.where(SuggestionFeedback.tender_id == bindparam("tender_id"))


def list_feedback(
    session: Session, *, tender_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Feedback newest first, with who gave it and on which tender."""
    if tender_id is None:
        rows = session.connection().execute(_FEEDBACK, {"limit": limit})
    else:
        rows = session.connection().execute(
            _TENDER_FEEDBACK, {"limit": limit, "tender_id": tender_id}
        )
    return [
        {
            "id": row.id,
            "tender_id": row.tender_id,
            "tender_title": row.title,
            "by": row.email,
            "useful": row.useful,
            "comment": row.comment,
            "rules_version": row.rules_version,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
