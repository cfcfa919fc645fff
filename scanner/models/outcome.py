"""Outcomes: what happened after the notice (procedure, bids, awards, suppliers, contracts).

One `TenderOutcome` row per tender (replaced when the source's outcome changes, found by its
`content_hash`), its awards and each award's suppliers as published. A supplier with a register
identifier is one `Supplier` row whatever source named it; one without stays only in
`award_suppliers`, by name, with no supplier id.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime

MONEY = Numeric(24, 2)


class Supplier(Base):
    """An organisation that won an award, unique by its register identifier."""

    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("scheme", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(100))
    identifier: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(1000))
    scale: Mapped[str | None] = mapped_column(String(20))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class TenderOutcome(Base):
    """The outcome of one tender as its source published it (see `scanner.ingest.outcome`)."""

    __tablename__ = "tender_outcomes"

    tender_id: Mapped[int] = mapped_column(
        ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    method: Mapped[str | None] = mapped_column(String(20), index=True)
    method_details: Mapped[str | None] = mapped_column(String(200))
    method_field: Mapped[str | None] = mapped_column(String(100))
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bid_count: Mapped[int | None] = mapped_column(Integer)
    bid_count_field: Mapped[str | None] = mapped_column(String(100))
    lot_bid_counts: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    bids: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    contracts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    unknowns: Mapped[list[str]] = mapped_column(JSONType, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Award(Base):
    """An award of a tender, in the order published (`position`)."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("tender_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    award_id: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(40))
    date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    value_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    lot_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    related_bid: Mapped[str | None] = mapped_column(String(300))


class AwardSupplier(Base):
    """One supplier of one award, as the notice named it. `supplier_id` is null when the notice
    gives no register identifier: such a supplier is counted as unidentified, never matched by
    name. Keyed by (tender, award position, position) so awards are written in one statement."""

    __tablename__ = "award_suppliers"
    __table_args__ = (
        UniqueConstraint("tender_id", "award_position", "position"),
        Index("ix_award_suppliers_supplier_id", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    award_position: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    party_ref: Mapped[str | None] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(Text)
    scale: Mapped[str | None] = mapped_column(String(20))
