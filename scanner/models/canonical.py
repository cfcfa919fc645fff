"""Canonical opportunities: the same opportunity published by several sources is one row here,
linking its source tenders, with the reasons of each merge; the reporting-currency value of
every tender; and the pairs an operator split apart (never merged again automatically)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime

MONEY = Numeric(24, 2)


class CanonicalOpportunity(Base):
    """One opportunity, whatever the number of sources publishing it. Its id is one member
    tender's id; its fields come from the most recently updated member that has them."""

    __tablename__ = "canonical_opportunities"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    buyer_name: Mapped[str | None] = mapped_column(String(1000))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    value_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    value_reporting: Mapped[Decimal | None] = mapped_column(MONEY)
    member_count: Mapped[int] = mapped_column(Integer, default=1, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CanonicalMember(Base):
    """A tender's place in a canonical opportunity: how it got there (`single`, `identifier`,
    `fuzzy`, `unmerged`), the score and reasons, and the tender version last de-duplicated."""

    __tablename__ = "canonical_members"

    tender_id: Mapped[int] = mapped_column(
        ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    canonical_id: Mapped[int] = mapped_column(Integer, index=True)
    tender_version: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    matched_tender_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TenderValue(Base):
    """A tender's value (and its lots') in the reporting currency, converted with the dated
    rates table in configuration; `rates_key` names the table so new rates re-convert."""

    __tablename__ = "tender_values"

    tender_id: Mapped[int] = mapped_column(
        ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tender_version: Mapped[int] = mapped_column(Integer)
    value_reporting: Mapped[Decimal | None] = mapped_column(MONEY, index=True)
    reporting_currency: Mapped[str] = mapped_column(String(3))
    rate_date: Mapped[date | None] = mapped_column(Date)
    rates_key: Mapped[str] = mapped_column(String(64))
    lot_values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))


class DedupeExclusion(Base):
    """A pair of tenders an operator said are different opportunities (`tenders unmerge`)."""

    __tablename__ = "dedupe_exclusions"
    __table_args__ = (UniqueConstraint("tender_a", "tender_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_a: Mapped[int] = mapped_column(Integer)  # the smaller id
    tender_b: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
