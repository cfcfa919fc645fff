"""Stored split assessments: which tenders need (re)assessing, their current state, and the
upsert of the results.

A tender needs assessing when it has no assessment, changed since (`tenders.version` beyond
the assessed `tender_version`) or was assessed under other rules (`rules_version`). The
tender is rebuilt from its stored columns and lots, not re-normalised from `raw`: six times
cheaper, and it is exactly the state the store hashed (`raw` still rides along, since the
splitter reads contract periods from it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.models import Lot as LotRow
from scanner.models import Source, SplitAssessment, Tender

_TENDER_COLUMNS = (
    Tender.id,
    Tender.version,
    Tender.source_key,
    Tender.ocid,
    Tender.notice_id,
    Tender.notice_url,
    Tender.notice_type,
    Tender.title,
    Tender.description,
    Tender.buyer_name,
    Tender.buyer_id,
    Tender.value_amount,
    Tender.currency,
    Tender.published_at,
    Tender.deadline_at,
    Tender.updated_at,
    Tender.status,
    Tender.procedure_type,
    Tender.main_cpv,
    Tender.cpv_codes,
    Tender.classifications,
    Tender.regions,
    Tender.countries,
    Tender.items,
    Tender.suitable_sme,
    Tender.suitable_vcse,
    Tender.place_names,
    Tender.language,
    Tender.title_language,
    Tender.raw,
)


@dataclass(frozen=True, slots=True)
class StaleTender:
    """A stored tender due for assessment: its id and version, whether it had an assessment,
    and the row to rebuild it from (rebuilt by the caller, so a bad row costs one tender)."""

    tender_id: int
    version: int
    reassess: bool
    row: Mapping[Any, Any]  # a RowMapping: columns by name
    lots: tuple[Mapping[Any, Any], ...]


def stale_tenders(
    conn: Connection, *, rules_version: str, after_id: int, limit: int, everything: bool = False
) -> list[StaleTender]:
    """Up to `limit` tenders with id above `after_id` that need assessing (all of them when
    `everything`), in id order so callers page through with the last id."""
    stmt = (
        select(*_TENDER_COLUMNS, Source.name.label("source_name"), SplitAssessment.id.label("had"))
        .join(Source, Source.id == Tender.source_id)
        .outerjoin(SplitAssessment, SplitAssessment.tender_id == Tender.id)
        .where(Tender.id > after_id)
        .order_by(Tender.id)
        .limit(limit)
    )
    if not everything:
        stmt = stmt.where(
            or_(
                SplitAssessment.id.is_(None),
                SplitAssessment.tender_version != Tender.version,
                SplitAssessment.rules_version != rules_version,
            )
        )
    rows = conn.execute(stmt).mappings().all()
    lots: dict[int, list[Mapping[Any, Any]]] = {}
    if rows:
        lot_rows = conn.execute(
            select(LotRow.__table__)
            .where(LotRow.tender_id.in_([r["id"] for r in rows]))
            .order_by(LotRow.tender_id, LotRow.position)
        ).mappings()
        for lot in lot_rows:
            lots.setdefault(lot["tender_id"], []).append(lot)
    return [
        StaleTender(
            tender_id=row["id"],
            version=row["version"],
            reassess=row["had"] is not None,
            row=row,
            lots=tuple(lots.get(row["id"], ())),
        )
        for row in rows
    ]


def count_stale(conn: Connection, *, rules_version: str) -> int:
    """How many tenders a refresh would assess now."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Tender)
            .outerjoin(SplitAssessment, SplitAssessment.tender_id == Tender.id)
            .where(
                or_(
                    SplitAssessment.id.is_(None),
                    SplitAssessment.tender_version != Tender.version,
                    SplitAssessment.rules_version != rules_version,
                )
            )
        ).scalar_one()
    )


def rebuild_tender(stale: StaleTender) -> NormalisedTender:
    """The `NormalisedTender` the store saved, from its columns and lots."""
    row = stale.row
    return NormalisedTender(
        source=row["source_name"],
        source_key=row["source_key"],
        title=row["title"],
        ocid=row["ocid"],
        notice_id=row["notice_id"],
        notice_url=row["notice_url"],
        description=row["description"],
        buyer_name=row["buyer_name"],
        buyer_id=row["buyer_id"],
        value_amount=_amount(row["value_amount"]),
        currency=row["currency"],
        published_at=row["published_at"],
        deadline_at=row["deadline_at"],
        updated_at=row["updated_at"],
        status=row["status"],
        procedure_type=row["procedure_type"],
        main_cpv=row["main_cpv"],
        cpv_codes=tuple(row["cpv_codes"] or ()),
        classifications=tuple(_classification(c) for c in row["classifications"] or ()),
        regions=tuple(row["regions"] or ()),
        countries=tuple(row["countries"] or ()),
        items=tuple(_item(i) for i in row["items"] or ()),
        lots=tuple(_lot(lot) for lot in stale.lots),
        suitable_sme=row["suitable_sme"],
        suitable_vcse=row["suitable_vcse"],
        notice_type=row["notice_type"],
        place_names=tuple(row.get("place_names") or ()),
        raw=row["raw"] if isinstance(row["raw"], dict) else {},
    )


def save_assessments(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or replace the assessment of each row's `tender_id` (one statement)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(SplitAssessment)
    refreshed = {column: stmt.excluded[column] for column in rows[0] if column != "tender_id"}
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["tender_id"], set_=refreshed), list(rows)
    )


def _amount(value: Decimal | None) -> Decimal | None:
    """Stored money has two decimals; give it back as normalisation made it (`1000`, `12.5`)."""
    if value is None:
        return None
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _classification(data: Mapping[str, Any]) -> Classification:
    return Classification(
        scheme=str(data.get("scheme") or ""),
        code=str(data.get("code") or ""),
        description=data.get("description"),
    )


def _item(data: Mapping[str, Any]) -> Item:
    return Item(
        id=str(data.get("id")),
        description=data.get("description"),
        classifications=tuple(_classification(c) for c in data.get("classifications") or ()),
        related_lot=data.get("related_lot"),
        regions=tuple(data.get("regions") or ()),
    )


def _lot(row: Mapping[Any, Any]) -> Lot:
    # The lots table keeps CPV codes only: other lot classifications are not stored.
    return Lot(
        lot_id=row["lot_id"],
        title=row["title"],
        description=row["description"],
        value_amount=_amount(row["value_amount"]),
        currency=row["currency"],
        status=row["status"],
        classifications=tuple(Classification("CPV", code) for code in row["cpv_codes"] or ()),
        related_items=tuple(row["related_items"] or ()),
    )


__all__ = ["StaleTender", "count_stale", "rebuild_tender", "save_assessments", "stale_tenders"]


def assessment_rows(
    session: Session,
    *,
    should_split: bool | None,
    min_score: float | None,
    tender_ids: tuple[int, ...],
    limit: int | None,
) -> list[tuple[SplitAssessment, Tender, str]]:
    """Stored assessments with their tender and source name, most worth dividing first
    (score, then value); `should_split` None: every assessed tender."""
    stmt = (
        select(SplitAssessment, Tender, Source.name)
        .join(Tender, Tender.id == SplitAssessment.tender_id)
        .join(Source, Source.id == Tender.source_id)
        .order_by(
            SplitAssessment.score.desc(),
            SplitAssessment.aggregated_value.desc().nulls_last(),
            Tender.id,
        )
    )
    if should_split is not None:
        stmt = stmt.where(SplitAssessment.should_split.is_(should_split))
    if min_score is not None:
        stmt = stmt.where(SplitAssessment.score >= min_score)
    if tender_ids:
        stmt = stmt.where(SplitAssessment.tender_id.in_(tender_ids))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(stored, tender, source) for stored, tender, source in session.execute(stmt).all()]


def tender_exists(session: Session | Connection, tender_id: int) -> bool:
    return session.execute(select(Tender.id).where(Tender.id == tender_id)).first() is not None
