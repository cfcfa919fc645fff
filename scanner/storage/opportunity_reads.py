"""Reads behind an organisation's opportunity page: the match with its tender as published
(the raw OCDS the parsers kept), similar tenders already awarded and who won them, and the
other organisations that agreed to be listed and fit the same tender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from scanner.models import (
    Award,
    AwardSupplier,
    Lot,
    Match,
    Organisation,
    SplitAssessment,
    Tender,
    Tracking,
)
from scanner.storage.tracking import QUIET_STATES

SIMILAR_LIMIT = 5


@dataclass(frozen=True)
class OpportunityRecord:
    """One organisation's match and everything stored about its tender."""

    match: dict[str, Any]
    tender: dict[str, Any]
    raw: dict[str, Any]
    lots: list[dict[str, Any]]
    packages: list[dict[str, Any]]


@dataclass(frozen=True)
class PastAward:
    tender_id: int
    title: str
    buyer: str | None
    date: datetime | None
    value: Decimal | None
    currency: str | None
    winners: tuple[str, ...]


def opportunity(
    conn: Connection, organisation_id: int, opportunity_id: str
) -> OpportunityRecord | None:
    """The organisation's stored match of `opportunity_id` with its tender, or None."""
    match = (
        conn.execute(
            select(Match.__table__).where(
                Match.organisation_id == organisation_id, Match.opportunity_id == opportunity_id
            )
        )
        .mappings()
        .one_or_none()
    )
    if match is None:
        return None
    return _with_tender(conn, dict(match))


def _with_tender(conn: Connection, match: dict[str, Any]) -> OpportunityRecord:
    tender = (
        conn.execute(
            select(
                Tender.id,
                Tender.title,
                Tender.description,
                Tender.buyer_name,
                Tender.buyer_id,
                Tender.value_amount,
                Tender.currency,
                Tender.deadline_at,
                Tender.published_at,
                Tender.status,
                Tender.procedure_type,
                Tender.main_cpv,
                Tender.cpv_codes,
                Tender.notice_url,
                Tender.raw,
            ).where(Tender.id == match["tender_id"])
        )
        .mappings()
        .one()
    )
    lots = [
        dict(row)
        for row in conn.execute(
            select(Lot.__table__).where(Lot.tender_id == tender["id"]).order_by(Lot.position)
        ).mappings()
    ]
    data = conn.scalar(
        select(SplitAssessment.data).where(SplitAssessment.tender_id == tender["id"])
    )
    packages = data.get("packages") if isinstance(data, dict) else None
    raw = tender["raw"] if isinstance(tender["raw"], dict) else {}
    return OpportunityRecord(
        match=match,
        tender={k: v for k, v in tender.items() if k != "raw"},
        raw=raw,
        lots=lots,
        packages=[p for p in packages or [] if isinstance(p, dict)],
    )


def similar_awards(
    conn: Connection, tender_id: int, cpv: str | None, limit: int = SIMILAR_LIMIT
) -> list[PastAward]:
    """Other tenders under the same CPV group (first five digits) that were awarded, latest
    award first, with the suppliers each award named."""
    if not cpv or len(cpv) < 5:
        return []
    rows = conn.execute(
        select(
            Award.tender_id,
            Award.position,
            Award.date,
            Award.value_amount,
            Award.currency,
            Tender.title,
            Tender.buyer_name,
        )
        .join(Tender, Tender.id == Award.tender_id)
        .where(Tender.main_cpv.startswith(cpv[:5]), Tender.id != tender_id)
        .order_by(Award.date.desc(), Award.tender_id.desc(), Award.position)
        .limit(limit * 4)
    ).all()
    picked: dict[int, Any] = {}
    for row in rows:  # one line per tender: its first award as published
        if row.tender_id not in picked and len(picked) < limit:
            picked[row.tender_id] = row
    if not picked:
        return []
    winners: dict[tuple[int, int], list[str]] = {}
    for sup in conn.execute(
        select(AwardSupplier.tender_id, AwardSupplier.award_position, AwardSupplier.name)
        .where(AwardSupplier.tender_id.in_(list(picked)))
        .order_by(AwardSupplier.tender_id, AwardSupplier.award_position, AwardSupplier.position)
    ):
        if sup.name:
            winners.setdefault((sup.tender_id, sup.award_position), []).append(sup.name)
    return [
        PastAward(
            tender_id=row.tender_id,
            title=row.title,
            buyer=row.buyer_name,
            date=row.date,
            value=row.value_amount,
            currency=row.currency,
            winners=tuple(winners.get((row.tender_id, row.position), ())),
        )
        for row in picked.values()
    ]


def listed_partners(
    conn: Connection, tender_id: int, organisation_id: int
) -> list[tuple[str, list[str]]]:
    """Other active organisations that agreed to be listed and have a match in the same
    tender: (name, the titles of the parts they fit), by name."""
    found: dict[str, list[str]] = {}
    for name, title in conn.execute(
        select(Organisation.name, Match.title)
        .join(Match, Match.organisation_id == Organisation.id)
        .where(
            Match.tender_id == tender_id,
            Organisation.id != organisation_id,
            Organisation.listed.is_(True),
            Organisation.active.is_(True),
        )
        .order_by(Organisation.name, Match.score.desc())
    ):
        found.setdefault(name, []).append(title)
    return sorted(found.items())


def calendar_rows(conn: Connection, organisation_id: int) -> list[dict[str, Any]]:
    """The organisation's matches it has not dismissed or decided against, with the tender's
    buyer, submission deadline and published `tender` object (for its other dates), by
    tender. Read on every request, so a moved deadline shows at the next refresh."""
    quiet = (
        select(Tracking.opportunity_id)
        .where(
            Tracking.organisation_id == organisation_id,
            Tracking.state.in_(QUIET_STATES),
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            Match.opportunity_id,
            Match.kind,
            Match.title,
            Match.explanation,
            Tender.id.label("tender_id"),
            Tender.title.label("tender_title"),
            Tender.buyer_name,
            Tender.deadline_at,
            Tender.status,
            Tender.raw,
        )
        .join(Tender, Tender.id == Match.tender_id)
        .where(Match.organisation_id == organisation_id, Match.opportunity_id.not_in(quiet))
        .order_by(Tender.id, Match.score.desc())
    ).mappings()
    return [
        {
            **{k: v for k, v in row.items() if k != "raw"},
            "published": row["raw"].get("tender") if isinstance(row["raw"], dict) else None,
        }
        for row in rows
    ]


__all__ = [
    "OpportunityRecord",
    "PastAward",
    "calendar_rows",
    "listed_partners",
    "opportunity",
    "similar_awards",
]
