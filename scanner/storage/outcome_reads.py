"""Reads of stored outcomes: tender records for the integrity flags and impact figures, a
tender's awards as `--json` shows them, and what the own-loop and coverage views need.

Three queries whatever the number of tenders (tenders with outcomes, awards, award suppliers),
filtered in SQL by buyer, publication date or tender ids, so impact over thousands of tenders
stays a fraction of a second of database time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from scanner.integrity.records import AwardRecord, BidRecord, SupplierRecord, TenderRecord
from scanner.models import (
    Award,
    AwardSupplier,
    Lot,
    Match,
    Organisation,
    Source,
    SplitAssessment,
    Supplier,
    Tender,
    TenderOutcome,
)

__all__ = [
    "RecordFilter",
    "awards_json",
    "coverage_by_source",
    "lot_counts_after",
    "matched_pairs",
    "outcome_row",
    "page_awards",
    "records_stamp",
    "split_flagged",
    "tender_buyer",
    "tender_records",
]

if TYPE_CHECKING:  # `page_awards` reads the page's rows; the page's statement reads OUTCOME_COLUMNS
    from scanner.storage.tender_page import TenderPageRows


@dataclass(frozen=True)
class RecordFilter:
    buyer_ids: tuple[str, ...] = ()  # a buyer id, or `name:<buyer name>` for one without id
    since: datetime | None = None  # published on or after
    tender_ids: tuple[int, ...] = ()
    # Only tenders whose main CPV code starts with this (its first characters, as the
    # `split_below_threshold` rule groups them): a tender's page reads its kind of work alone.
    cpv_prefix: str | None = None
    # Only tenders with an award, or with an estimate in one of the [low, high) ranges
    # published within [start, end]: those the `split_below_threshold` rule could group with
    # a tender published at a date (`scanner.services.impact._tender_flags`).
    near: tuple[tuple[tuple[Decimal, Decimal], ...], datetime, datetime] | None = None


_AWARDED = aliased(Award)  # "has an award", inside statements that read `awards` themselves
_TENDER_COLUMNS = (
    Tender.id,
    Source.name,
    Tender.title,
    Tender.buyer_id,
    Tender.buyer_name,
    Tender.status,
    Tender.published_at,
    Tender.deadline_at,
    Tender.value_amount,
    Tender.currency,
    Tender.main_cpv,
)
# An outcome's columns in `_record`'s order (also read by the tender page's own statement).
OUTCOME_COLUMNS = (
    TenderOutcome.tender_id,
    TenderOutcome.method,
    TenderOutcome.method_details,
    TenderOutcome.method_field,
    TenderOutcome.period_start,
    TenderOutcome.bid_count,
    TenderOutcome.bid_count_field,
    TenderOutcome.lot_bid_counts,
    TenderOutcome.bids,
    TenderOutcome.unknowns,
)
# An award's columns and its suppliers', in the order `_awards` unpacks them and under the
# names a tender's page reads them by (`page_awards`): one list for both reads.
AWARD_COLUMNS = (
    Award.position,
    Award.status,
    Award.date,
    Award.value_amount,
    Award.currency,
    Award.lot_ids,
)
AWARD_SUPPLIER_COLUMNS = (
    AwardSupplier.award_position,
    AwardSupplier.name,
    AwardSupplier.scale,
    AwardSupplier.party_ref,
    Supplier.scheme,
    Supplier.identifier,
    Supplier.name.label("known_name"),
    Supplier.scale.label("known_scale"),
)


def tender_records(session: Session, flt: RecordFilter) -> list[TenderRecord]:
    """Every tender matching `flt` with its outcome, awards, suppliers and bids. Only the
    columns read are loaded: a tender's raw release and items never leave the database."""
    # Counted per selected tender through the lots' index (a grouped subquery counted every
    # stored tender's lots, however few tenders were asked for).
    rows = session.execute(*_statement(_records_statement, flt)).all()
    awards = _awards(session, flt)
    width = len(_TENDER_COLUMNS)
    return [
        _record(row[:width], row[width] or 0, row[width + 1 :], awards.get(row[0], []))
        for row in rows
    ]


def _records_statement() -> Any:
    # Counted per selected tender through the lots' index (a grouped subquery counted every
    # stored tender's lots, however few tenders were asked for).
    lots = (
        select(func.count(Lot.id))
        .where(Lot.tender_id == Tender.id)
        .correlate(Tender)
        .scalar_subquery()
        .label("n")
    )
    return (
        select(*_TENDER_COLUMNS, lots, *OUTCOME_COLUMNS)
        .join(Source, Source.id == Tender.source_id)
        .outerjoin(TenderOutcome, TenderOutcome.tender_id == Tender.id)
        .order_by(Tender.id)
    )


def records_stamp(session: Session, flt: RecordFilter) -> tuple[Any, ...]:
    """What changes whenever `tender_records(session, flt)` would read something else: how many
    tenders and outcomes, the largest id, the sum of the tenders' versions (each change of a
    tender adds one) and the latest outcome write. One indexed read, without the awards."""
    return tuple(session.execute(*_statement(_stamp_statement, flt)).one())


def _stamp_statement() -> Any:
    return select(
        func.count(Tender.id),
        func.max(Tender.id),
        func.sum(Tender.version),
        func.count(TenderOutcome.tender_id),
        func.max(TenderOutcome.updated_at),
    ).outerjoin(TenderOutcome, TenderOutcome.tender_id == Tender.id)


# Each statement of this module, narrowed by a filter of one shape (`_shape`), is built once
# and run with the filter's values as parameters: building a statement and its cache key cost
# more than running it for one tender's page (issue 16).
_BUILT: dict[tuple[Callable[[], Any], tuple[Any, ...]], Any] = {}


def _statement(build: Callable[[], Any], flt: RecordFilter) -> tuple[Any, dict[str, Any]]:
    """The statement `build` makes (joined to `tenders`) narrowed to the tenders `flt`
    selects, and its parameters."""
    shape = _shape(flt)
    stmt = _BUILT.get((build, shape))
    if stmt is None:
        stmt = _BUILT[(build, shape)] = _filtered(build(), shape)
    return stmt, _parameters(flt)


def _shape(flt: RecordFilter) -> tuple[Any, ...]:
    return (
        bool(flt.buyer_ids),
        flt.since is not None,
        bool(flt.tender_ids),
        flt.cpv_prefix is not None,
        None if flt.near is None else len(flt.near[0]),
    )


def _parameters(flt: RecordFilter) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if flt.buyer_ids:
        values["f_buyer_ids"] = [b for b in flt.buyer_ids if not b.startswith("name:")]
        values["f_buyer_names"] = [b[5:] for b in flt.buyer_ids if b.startswith("name:")]
    if flt.since is not None:
        values["f_since"] = flt.since
    if flt.tender_ids:
        values["f_tender_ids"] = list(flt.tender_ids)
    if flt.cpv_prefix is not None:
        values["f_cpv_prefix"] = flt.cpv_prefix
        values["f_cpv_length"] = len(flt.cpv_prefix)
    if flt.near is not None:
        ranges, values["f_near_start"], values["f_near_end"] = flt.near
        for n, (low, high) in enumerate(ranges):
            values[f"f_low_{n}"], values[f"f_high_{n}"] = low, high
    return values


def _filtered(stmt: Any, shape: tuple[Any, ...]) -> Any:
    """`stmt` (joined to `tenders`) narrowed by the conditions of a filter of this shape,
    its values left as parameters (`_parameters`)."""
    buyers, since, tender_ids, cpv_prefix, ranges = shape
    if buyers:
        stmt = stmt.where(
            or_(
                Tender.buyer_id.in_(bindparam("f_buyer_ids", expanding=True)),
                Tender.buyer_id.is_(None)
                & Tender.buyer_name.in_(bindparam("f_buyer_names", expanding=True)),
            )
        )
    if since:
        stmt = stmt.where(Tender.published_at >= bindparam("f_since"))
    if tender_ids:
        stmt = stmt.where(Tender.id.in_(bindparam("f_tender_ids", expanding=True)))
    if cpv_prefix:
        first = func.substr(Tender.main_cpv, 1, bindparam("f_cpv_length", type_=Integer))
        stmt = stmt.where(first == bindparam("f_cpv_prefix", type_=String))
    if ranges is not None:
        awarded = select(_AWARDED.id).where(_AWARDED.tender_id == Tender.id).correlate(Tender)
        values = [
            Tender.value_amount.between(bindparam(f"f_low_{n}"), bindparam(f"f_high_{n}"))
            for n in range(ranges)
        ]
        stmt = stmt.where(
            or_(
                awarded.exists(),
                and_(
                    or_(*values),
                    Tender.published_at >= bindparam("f_near_start"),
                    Tender.published_at <= bindparam("f_near_end"),
                ),
            )
        )
    return stmt


def _awards(session: Session, flt: RecordFilter) -> dict[int, list[AwardRecord]]:
    suppliers: dict[tuple[int, int], list[SupplierRecord]] = defaultdict(list)
    for (
        tender_id,
        position,
        name,
        scale,
        ref,
        scheme,
        ident,
        known_name,
        known_scale,
    ) in session.execute(*_statement(_suppliers_statement, flt)):
        suppliers[(tender_id, position)].append(
            _supplier_record(name, scale, ref, scheme, ident, known_name, known_scale)
        )
    awards: dict[int, list[AwardRecord]] = defaultdict(list)
    for tender_id, position, status, date, value, currency, lot_ids in session.execute(
        *_statement(_awards_statement, flt)
    ):
        awards[tender_id].append(
            _award_record(
                status, date, value, currency, suppliers.get((tender_id, position), ()), lot_ids
            )
        )
    return awards


def _supplier_record(
    name: str | None,
    scale: str | None,
    ref: str | None,
    scheme: str | None,
    ident: str | None,
    known_name: str | None,
    known_scale: str | None,
) -> SupplierRecord:
    key = f"{scheme}:{ident}" if scheme and ident else None
    return SupplierRecord(key=key, name=name or known_name, scale=scale or known_scale, ref=ref)


def _award_record(
    status: str | None,
    date: datetime | None,
    value: Decimal | None,
    currency: str | None,
    suppliers: Sequence[SupplierRecord],
    lot_ids: Sequence[str] | None,
) -> AwardRecord:
    return AwardRecord(
        status=status,
        date=date,
        value=value,
        currency=currency,
        suppliers=tuple(suppliers),
        lot_ids=tuple(lot_ids or ()),
    )


def _suppliers_statement() -> Any:
    return (
        select(AwardSupplier.tender_id, *AWARD_SUPPLIER_COLUMNS)
        .join(Tender, Tender.id == AwardSupplier.tender_id)
        .outerjoin(Supplier, Supplier.id == AwardSupplier.supplier_id)
        .order_by(AwardSupplier.tender_id, AwardSupplier.award_position, AwardSupplier.position)
    )


def _awards_statement() -> Any:
    return (
        select(Award.tender_id, *AWARD_COLUMNS)
        .join(Tender, Tender.id == Award.tender_id)
        .order_by(Award.tender_id, Award.position)
    )


def _record(
    tender: Sequence[Any], lot_count: int, outcome: Sequence[Any], awards: list[AwardRecord]
) -> TenderRecord:
    tender_id, source, title, buyer_id, buyer_name, status, published, deadline = tender[:8]
    value, currency, main_cpv = tender[8:]
    (
        outcome_id,
        method,
        details,
        method_field,
        period_start,
        bid_count,
        bid_count_field,
        lot_counts,
        bids,
        unknowns,
    ) = outcome
    return TenderRecord(
        tender_id=tender_id,
        source=source,
        title=title,
        buyer_id=buyer_id,
        buyer_name=buyer_name,
        status=status,
        published_at=published,
        deadline_at=deadline,
        value=value,
        currency=currency,
        main_cpv=main_cpv,
        lot_count=lot_count,
        has_outcome=outcome_id is not None,
        method=method,
        method_details=details,
        method_field=method_field,
        period_start=period_start,
        bid_count=bid_count,
        bid_count_field=bid_count_field,
        lot_bid_counts=tuple(
            (str(pair[0]), int(pair[1])) for pair in lot_counts or () if len(pair) == 2
        ),
        bids=tuple(_bid(b) for b in bids or () if isinstance(b, dict)),
        awards=tuple(awards),
        unknowns=tuple(unknowns or ()) if outcome_id is not None else ("no outcome stored",),
    )


def _bid(data: dict[str, Any]) -> BidRecord:
    value = data.get("value_amount")
    return BidRecord(
        status=data.get("status"),
        value=Decimal(value) if isinstance(value, str) else None,
        currency=data.get("currency"),
        tenderers=tuple(
            SupplierRecord(
                key=f"{p['scheme']}:{p['identifier']}"
                if p.get("scheme") and p.get("identifier")
                else None,
                name=p.get("name"),
                scale=p.get("scale"),
                ref=p.get("ref"),
            )
            for p in data.get("tenderers") or ()
            if isinstance(p, dict)
        ),
        lot_ids=tuple(str(x) for x in data.get("lot_ids") or ()),
    )


def awards_json(session: Session, tender_id: int) -> list[dict[str, Any]]:
    """A tender's awards as `tenders show --json` gives them: status, date, value_amount,
    currency and suppliers `[{id, name}]`; a supplier's id is its register identifier as an
    organisation id (`GB-COH-01234567`), else the notice's own reference for it."""
    suppliers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(
            AwardSupplier.award_position,
            AwardSupplier.party_ref,
            AwardSupplier.name,
            Supplier.scheme,
            Supplier.identifier,
            Supplier.name,
        )
        .outerjoin(Supplier, Supplier.id == AwardSupplier.supplier_id)
        .where(AwardSupplier.tender_id == tender_id)
        .order_by(AwardSupplier.award_position, AwardSupplier.position)
    )
    for position, ref, name, scheme, identifier, known_name in rows:
        suppliers[position].append(_supplier_json(ref, name, scheme, identifier, known_name))
    awards = session.execute(  # the columns shown, not whole rows (issue 16)
        select(Award.position, Award.status, Award.date, Award.value_amount, Award.currency)
        .where(Award.tender_id == tender_id)
        .order_by(Award.position)
    )
    return [_award_json(award, suppliers.get(award.position, [])) for award in awards]


def _supplier_json(
    ref: str | None,
    name: str | None,
    scheme: str | None,
    identifier: str | None,
    known_name: str | None,
) -> dict[str, Any]:
    supplier_id = f"{scheme}-{identifier}" if scheme and identifier else ref
    return {"id": supplier_id, "name": name or known_name}


def _award_json(award: Any, suppliers: list[dict[str, Any]]) -> dict[str, Any]:
    """An award row (`status`, `date`, `value_amount`, `currency`) as `awards_json` gives it."""
    return {
        "status": award.status,
        "date": award.date.isoformat() if award.date else None,
        "value_amount": str(award.value_amount) if award.value_amount is not None else None,
        "currency": award.currency,
        "suppliers": suppliers,
    }


def page_awards(rows: TenderPageRows) -> tuple[TenderRecord, list[dict[str, Any]]]:
    """A tender's record for its flags (as `tender_records` reads it) and its awards as
    `awards_json` gives them, from the rows its page read (`scanner.storage.tender_page`)."""
    records: dict[int, list[SupplierRecord]] = defaultdict(list)
    shown: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in rows.suppliers:
        records[s.award_position].append(
            _supplier_record(
                s.name, s.scale, s.party_ref, s.scheme, s.identifier, s.known_name, s.known_scale
            )
        )
        shown[s.award_position].append(
            _supplier_json(s.party_ref, s.name, s.scheme, s.identifier, s.known_name)
        )
    awards = [
        _award_record(
            a.status, a.date, a.value_amount, a.currency, records.get(a.position, ()), a.lot_ids
        )
        for a in rows.awards
    ]
    t = rows.tender
    own = (t.id, t.source, t.title, t.buyer_id, t.buyer_name, t.status, t.published_at)
    outcome = (t.outcome_id, *(getattr(t, column.key) for column in OUTCOME_COLUMNS[1:]))
    record = _record(
        (*own, t.deadline_at, t.value_amount, t.currency, t.main_cpv),
        len(rows.lots),
        outcome,
        awards,
    )
    return record, [_award_json(a, shown.get(a.position, [])) for a in rows.awards]


def tender_buyer(session: Session, tender_id: int) -> tuple[str | None, str | None] | None:
    """(buyer id, buyer name) of a tender, or None when there is no such tender."""
    row = session.execute(
        select(Tender.buyer_id, Tender.buyer_name).where(Tender.id == tender_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def outcome_row(session: Session, tender_id: int) -> TenderOutcome | None:
    return session.get(TenderOutcome, tender_id)


def split_flagged(session: Session) -> dict[int, int]:
    """Tenders the splitter suggested dividing: tender id -> the tender version assessed."""
    stmt = select(SplitAssessment.tender_id, SplitAssessment.tender_version).where(
        SplitAssessment.should_split.is_(True)
    )
    return {tender_id: version for tender_id, version in session.execute(stmt)}


def lot_counts_after(session: Session) -> dict[int, tuple[int, int]]:
    """Tender id -> (current version, lot count) for every tender (for the own loop)."""
    lots = select(Lot.tender_id, func.count(Lot.id).label("n")).group_by(Lot.tender_id).subquery()
    rows = session.execute(
        select(Tender.id, Tender.version, lots.c.n).outerjoin(lots, lots.c.tender_id == Tender.id)
    )
    return {tender_id: (version, n or 0) for tender_id, version, n in rows}


def matched_pairs(session: Session) -> list[tuple[int, str, str]]:
    """(tender id, organisation slug, organisation name) of every stored match."""
    rows = session.execute(
        select(Match.tender_id, Organisation.slug, Organisation.name)
        .join(Organisation, Organisation.id == Match.organisation_id)
        .distinct()
    )
    return [(tender_id, slug, name) for tender_id, slug, name in rows]


def coverage_by_source(session: Session) -> list[dict[str, Any]]:
    """Per source: tenders, with an outcome, with a method, with a bid count, awards, awards
    without supplier, suppliers without identifier: how much each source lets Lotwise tell."""
    tenders = dict(
        session.execute(
            select(Source.name, func.count(Tender.id))
            .join(Tender, Tender.source_id == Source.id)
            .group_by(Source.name)
        ).all()
    )
    outcomes = {
        name: (n, methods, counts)
        for name, n, methods, counts in session.execute(
            select(
                Source.name,
                func.count(TenderOutcome.tender_id),
                func.count(TenderOutcome.method),
                func.count(TenderOutcome.bid_count),
            )
            .join(Tender, Tender.source_id == Source.id)
            .join(TenderOutcome, TenderOutcome.tender_id == Tender.id)
            .group_by(Source.name)
        )
    }
    awards = dict(
        session.execute(
            select(Source.name, func.count(Award.id))
            .join(Tender, Tender.source_id == Source.id)
            .join(Award, Award.tender_id == Tender.id)
            .group_by(Source.name)
        ).all()
    )
    suppliers = {
        name: (n, unidentified)
        for name, n, unidentified in session.execute(
            select(
                Source.name,
                func.count(AwardSupplier.id),
                func.count(AwardSupplier.id) - func.count(AwardSupplier.supplier_id),
            )
            .join(Tender, Tender.source_id == Source.id)
            .join(AwardSupplier, AwardSupplier.tender_id == Tender.id)
            .group_by(Source.name)
        )
    }
    rows = []
    for name in sorted(tenders):
        with_outcome, with_method, with_count = outcomes.get(name, (0, 0, 0))
        named, unidentified = suppliers.get(name, (0, 0))
        rows.append(
            {
                "source": name,
                "tenders": tenders[name],
                "with_outcome": with_outcome,
                "with_method": with_method,
                "with_bid_count": with_count,
                "awards": awards.get(name, 0),
                "award_suppliers": named,
                "suppliers_without_identifier": unidentified,
            }
        )
    return rows
