"""Read-side queries for the CLI, the web and the API: tenders, runs, errors, sources
(`scanner.services.queries` serves them, adding what other services compute).

Results are plain dicts with stable field names (documented in docs/json-output.md), the
same for `--json` output and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from scanner.models import CrawlError, CrawlRun, Lot, Source, Tender, TenderValue
from scanner.storage import search
from scanner.storage.open_tenders import tender_is_open
from scanner.storage.tender_page import TenderPageRows


@dataclass(frozen=True)
class TenderFilter:
    open_at: datetime | None = None  # only tenders open at this instant
    sources: tuple[str, ...] = ()
    published_since: datetime | None = None
    search: str | None = None
    min_value: Decimal | None = None  # in the reporting currency (tender_values)
    max_value: Decimal | None = None
    limit: int | None = None
    offset: int = 0


# `text` for a LIKE pattern with `escape="\\"` (defined beside the search it serves).
escape_like = search.like_escape


def list_tenders(session: Session, flt: TenderFilter) -> list[dict[str, Any]]:
    """Every stored tender matching the filter, newest publication first.

    The page is chosen from `tenders` alone along its listing index (and the search index),
    then only its rows are joined to their source, value and lot count: grouping every
    tender with its lots to sort them read the whole table for each page."""
    order = (Tender.published_at.is_(None), Tender.published_at.desc(), Tender.id.desc())
    page = select(Tender.id).order_by(*order)
    dialect = session.get_bind().dialect.name
    if flt.open_at is not None:
        page = page.where(tender_is_open(flt.open_at))  # scanner.tender_state
    if flt.sources:
        sources = select(Source.id).where(Source.name.in_(flt.sources))
        page = page.where(_walk_listing_index(Tender.source_id, dialect).in_(sources))
    if flt.published_since is not None:
        page = page.where(Tender.published_at >= flt.published_since)
    if flt.search:
        words = search.words_match(dialect, flt.search)
        page = page.where(_walk_listing_index(Tender.id, dialect).in_(words))
    if flt.min_value is not None or flt.max_value is not None:
        values = select(TenderValue.tender_id)
        if flt.min_value is not None:
            values = values.where(TenderValue.value_reporting >= flt.min_value)
        if flt.max_value is not None:
            values = values.where(TenderValue.value_reporting <= flt.max_value)
        page = page.where(Tender.id.in_(values))
    if flt.limit is not None:
        page = page.limit(flt.limit)
    chosen = page.offset(flt.offset).subquery()
    lot_count = select(func.count(Lot.id)).where(Lot.tender_id == Tender.id).scalar_subquery()
    # Plain rows of the columns read, not ORM objects: building and instrumenting an object
    # per row was a third of an API listing's server time (issue 16). A row answers the same
    # attribute names as a `Tender`, so the summary is built the same way.
    stmt = (
        select(
            Tender.id,
            *_SUMMARY_COLUMNS,
            Source.name.label("source_name"),
            lot_count.label("lot_total"),
            TenderValue.value_reporting,
        )
        .join(chosen, chosen.c.id == Tender.id)
        .join(Source, Source.id == Tender.source_id)
        .outerjoin(TenderValue, TenderValue.tender_id == Tender.id)
        .order_by(*order)
    )
    return [
        {
            **_tender_summary(row, row.source_name, row.lot_total),
            "value_reporting": money_text(row.value_reporting),
        }
        for row in session.execute(stmt).all()
    ]


def _walk_listing_index(column: Any, dialect: str) -> Any:
    """`column` in a form SQLite cannot search by index (`+column`), so that it walks the
    listing index and stops at the page: without statistics it would rather fetch and sort
    every match (every tender of a source, every tender with a common word)."""
    if dialect != "sqlite":
        return column
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def get_tender(session: Session, tender_id: int) -> dict[str, Any] | None:
    """One tender in full: summary fields, items, lots and the raw payload (without its
    reporting value and group: `scanner.services.queries.get_tender` adds them)."""
    row = session.execute(
        select(Tender, Source.name)
        .join(Source, Source.id == Tender.source_id)
        .where(Tender.id == tender_id)
    ).first()
    if row is None:
        return None
    tender, source = row
    lots = session.execute(
        select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.position)
    ).scalars()
    detail = _tender_summary(tender, source, None)
    detail.update(
        description=tender.description,
        buyer_id=tender.buyer_id,
        notice_id=tender.notice_id,
        notice_type=tender.notice_type,
        procedure_type=tender.procedure_type,
        classifications=tender.classifications,
        items=tender.items,
        lots=[
            {
                "lot_id": lot.lot_id,
                "title": lot.title,
                "description": lot.description,
                "value_amount": money_text(lot.value_amount),
                "currency": lot.currency,
                "status": lot.status,
                "cpv_codes": lot.cpv_codes,
                "related_items": lot.related_items,
            }
            for lot in lots
        ],
        content_hash=tender.content_hash,
        updated_at=iso_text(tender.updated_at),
        raw=tender.raw,
    )
    detail["lot_count"] = len(detail["lots"])
    return detail


def page_tender(rows: TenderPageRows) -> dict[str, Any]:
    """What a tender's page shows of the tender itself, from the rows it read
    (`scanner.storage.tender_page`): the fields of `get_tender` the page and its market depth
    read, by the same names and in the same form (not its raw release, items, classifications,
    reporting value or duplicate group, which the page does not show)."""
    t = rows.tender
    lots = [
        {
            "lot_id": lot.lot_id,
            "title": lot.title,
            "value_amount": money_text(lot.value_amount),
            "currency": lot.currency,
        }
        for lot in rows.lots
    ]
    return {
        "id": t.id,
        "source": t.source,
        "ocid": t.ocid,
        "title": t.title,
        "description": t.description,
        "buyer_id": t.buyer_id,
        "buyer_name": t.buyer_name,
        "value_amount": money_text(t.value_amount),
        "currency": t.currency,
        "status": t.status,
        "published_at": iso_text(t.published_at),
        "deadline_at": iso_text(t.deadline_at),
        "main_cpv": t.main_cpv,
        "cpv_codes": t.cpv_codes,
        "notice_url": t.notice_url,
        "version": t.version,
        "lots": lots,
        "lot_count": len(lots),
    }


# The columns `_tender_summary` reads: a listing loads these alone (whole rows parsed every
# tender's raw JSON payload, a quarter of an API listing's time).
_SUMMARY_COLUMNS = (
    Tender.source_key,
    Tender.ocid,
    Tender.title,
    Tender.buyer_name,
    Tender.value_amount,
    Tender.currency,
    Tender.status,
    Tender.published_at,
    Tender.deadline_at,
    Tender.main_cpv,
    Tender.cpv_codes,
    Tender.regions,
    Tender.countries,
    Tender.suitable_sme,
    Tender.suitable_vcse,
    Tender.notice_url,
    Tender.version,
    Tender.first_seen,
    Tender.last_seen,
)


def _tender_summary(tender: Tender | Any, source: str, lot_count: int | None) -> dict[str, Any]:
    """The listing fields of a tender, from a `Tender` or a row of `_SUMMARY_COLUMNS`."""
    return {
        "id": tender.id,
        "source": source,
        "source_key": tender.source_key,
        "ocid": tender.ocid,
        "title": tender.title,
        "buyer_name": tender.buyer_name,
        "value_amount": money_text(tender.value_amount),
        "currency": tender.currency,
        "status": tender.status,
        "published_at": iso_text(tender.published_at),
        "deadline_at": iso_text(tender.deadline_at),
        "main_cpv": tender.main_cpv,
        "cpv_codes": tender.cpv_codes,
        "regions": tender.regions,
        "countries": tender.countries,
        "suitable_sme": tender.suitable_sme,
        "suitable_vcse": tender.suitable_vcse,
        "notice_url": tender.notice_url,
        "lot_count": lot_count,
        "version": tender.version,
        "first_seen": iso_text(tender.first_seen),
        "last_seen": iso_text(tender.last_seen),
    }


def list_runs(
    session: Session, *, source: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    stmt = (
        select(CrawlRun, Source.name)
        .join(Source, Source.id == CrawlRun.source_id)
        .order_by(CrawlRun.id.desc())
        .limit(limit)
    )
    if source:
        stmt = stmt.where(Source.name == source)
    return [
        {
            "id": run.id,
            "source": name,
            "status": run.status,
            "started_at": iso_text(run.started_at),
            "finished_at": iso_text(run.finished_at),
            "window_from": iso_text(run.window_from),
            "window_to": iso_text(run.window_to),
            "pages": run.pages,
            "items_seen": run.items_seen,
            "items_new": run.items_new,
            "items_updated": run.items_updated,
            "items_unchanged": run.items_unchanged,
            "errors": run.errors,
            "expected_total": run.expected_total,
            "shortfall": run.shortfall,
            "message": run.message,
        }
        for run, name in session.execute(stmt).all()
    ]


def list_errors(
    session: Session, *, source: str | None = None, include_resolved: bool = False, limit: int = 50
) -> list[dict[str, Any]]:
    stmt = (
        select(CrawlError, Source.name)
        .join(Source, Source.id == CrawlError.source_id)
        .order_by(CrawlError.id.desc())
        .limit(limit)
    )
    if source:
        stmt = stmt.where(Source.name == source)
    if not include_resolved:
        stmt = stmt.where(CrawlError.resolved_at.is_(None))
    return [
        {
            "id": err.id,
            "source": name,
            "run_id": err.run_id,
            "kind": err.kind,
            "url": err.url,
            "status": err.status,
            "reason": err.reason,
            "excerpt": err.excerpt,
            "record_key": err.record_key,
            "attempts": err.attempts,
            "created_at": iso_text(err.created_at),
            "resolved_at": iso_text(err.resolved_at),
        }
        for err, name in session.execute(stmt).all()
    ]


def source_stats(session: Session) -> dict[str, dict[str, Any]]:
    """Per stored source: tender counts, open count at no particular time, last run."""
    counts = dict(
        session.execute(select(Tender.source_id, func.count()).group_by(Tender.source_id)).all()
    )
    last_runs = {
        run.source_id: run
        for run in session.execute(
            select(CrawlRun).where(
                CrawlRun.id.in_(select(func.max(CrawlRun.id)).group_by(CrawlRun.source_id))
            )
        ).scalars()
    }
    unresolved = dict(
        session.execute(
            select(CrawlError.source_id, func.count())
            .where(CrawlError.resolved_at.is_(None))
            .group_by(CrawlError.source_id)
        ).all()
    )
    stats = {}
    for source in session.execute(select(Source)).scalars():
        run = last_runs.get(source.id)
        stats[source.name] = {
            "kind": source.kind,
            "url": source.url,
            "tenders": counts.get(source.id, 0),
            "high_water_mark": iso_text(source.high_water_mark),
            "last_run_status": run.status if run else None,
            "last_run_at": iso_text(run.started_at) if run else None,
            "unresolved_errors": unresolved.get(source.id, 0),
        }
    return stats


def iso_text(value: datetime | None) -> str | None:
    """A stored instant as ISO 8601 text for JSON output (None stays None)."""
    return value.isoformat() if value is not None else None


def money_text(value: Decimal | None) -> str | None:
    """A stored amount as plain decimal text for JSON output, never in exponent form."""
    return None if value is None else format(value, "f")


__all__ = [
    "TenderFilter",
    "escape_like",
    "get_tender",
    "list_errors",
    "list_runs",
    "list_tenders",
    "page_tender",
    "source_stats",
    "tender_count",
]


def tender_count(session: Session) -> int:
    """How many tenders are stored."""
    return int(session.scalar(select(func.count()).select_from(Tender)) or 0)
