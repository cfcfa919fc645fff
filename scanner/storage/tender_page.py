"""What a tender's web page reads, in three or four statements built once (issue 16).

The page used to assemble its data from the readers the API and the CLI share: the whole
tender row (its raw release and items parsed), its lots, its reporting value and duplicate
group (not shown on the page), its outcome row, its awards twice over (once as JSON, once as
records for the flags), the whole tender row again with its assessment: twelve statements,
each built and compiled anew, about half of a first read's CPU. Here one statement reads the
tender's shown columns with its source, assessment and outcome (one row each at most), then
its lots, its awards and, only when it has awards, their suppliers; each statement is built
once and run with the tender's id as its parameter, on a plain connection (no ORM objects).

The rows are turned into what the shared readers give (`tender_reads`, `outcome_reads`,
`split_queries`) by the same functions, so the page shows the same facts as the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from scanner.models import (
    Award,
    AwardSupplier,
    Lot,
    Source,
    SplitAssessment,
    Supplier,
    Tender,
    TenderOutcome,
)
from scanner.storage.outcome_reads import AWARD_COLUMNS, AWARD_SUPPLIER_COLUMNS, OUTCOME_COLUMNS

__all__ = ["TenderPageRows", "tender_page_rows"]

_ID: BindParameter[int] = bindparam("tender_id")

# The tender's columns the page, its flags (`outcome_reads._record`) and its assessment's
# identity (`split_queries`) read; with its source's name, its assessment and its outcome.
_TENDER = (
    select(
        Tender.id,
        Source.name.label("source"),
        Tender.ocid,
        Tender.title,
        Tender.description,
        Tender.buyer_id,
        Tender.buyer_name,
        Tender.value_amount,
        Tender.currency,
        Tender.status,
        Tender.published_at,
        Tender.deadline_at,
        Tender.main_cpv,
        Tender.cpv_codes,
        Tender.notice_url,
        Tender.version,
        SplitAssessment.id.label("assessment_id"),
        SplitAssessment.data.label("assessment_data"),
        SplitAssessment.tender_version.label("assessed_version"),
        SplitAssessment.assessed_at,
        SplitAssessment.error.label("assessment_error"),
        OUTCOME_COLUMNS[0].label("outcome_id"),
        *OUTCOME_COLUMNS[1:],
        TenderOutcome.contracts,
    )
    .join(Source, Source.id == Tender.source_id)
    .outerjoin(SplitAssessment, SplitAssessment.tender_id == Tender.id)
    .outerjoin(TenderOutcome, TenderOutcome.tender_id == Tender.id)
    .where(Tender.id == _ID)
)
_LOTS = (
    select(Lot.lot_id, Lot.title, Lot.value_amount, Lot.currency)
    .where(Lot.tender_id == _ID)
    .order_by(Lot.position)
)
_AWARDS = select(*AWARD_COLUMNS).where(Award.tender_id == _ID).order_by(Award.position)
_SUPPLIERS = (
    select(*AWARD_SUPPLIER_COLUMNS)
    .outerjoin(Supplier, Supplier.id == AwardSupplier.supplier_id)
    .where(AwardSupplier.tender_id == _ID)
    .order_by(AwardSupplier.award_position, AwardSupplier.position)
)


@dataclass(frozen=True, slots=True)
class TenderPageRows:
    """One tender's rows as the page reads them: `tender` (with `source`, the assessment's
    `assessment_*` columns and `assessed_at`, and the outcome's columns, `outcome_id` None
    when it has none), its lots in order, its awards in order and their suppliers in order."""

    # Rows (`sqlalchemy.Row`), read by column name.
    tender: Any
    lots: Sequence[Any]
    awards: Sequence[Any]
    suppliers: Sequence[Any]


def tender_page_rows(conn: Connection, tender_id: int) -> TenderPageRows | None:
    """The tender's rows, or None when there is no such tender."""
    values = {"tender_id": tender_id}
    tender = conn.execute(_TENDER, values).first()
    if tender is None:
        return None
    lots = conn.execute(_LOTS, values).all()
    awards = conn.execute(_AWARDS, values).all()
    # Suppliers belong to an award's position: without awards none is shown or counted.
    suppliers = conn.execute(_SUPPLIERS, values).all() if awards else []
    return TenderPageRows(tender, lots, awards, suppliers)
