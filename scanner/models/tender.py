"""Tenders (current state per procedure and source), their lots, and the raw releases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from scanner.models.base import Base, JSONType, UTCDateTime

MONEY = Numeric(24, 2)
# Python None is SQL NULL here (not the JSON value null), so COALESCE sees it.
_NULLABLE_JSON = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Tender(Base):
    """A procurement procedure's current state from one source, unique by
    (source, source_key). `version` counts content changes; `content_hash` detects them."""

    __tablename__ = "tenders"
    __table_args__ = (
        UniqueConstraint("source_id", "source_key"),
        Index("ix_tenders_status_deadline", "status", "deadline_at"),
        # a tender's page reads its buyer's other tenders (integrity flags; migration 0022)
        Index("ix_tenders_buyer", "buyer_id", "buyer_name"),
        # when the next tender stops being open: how long a kept page is exact (migration 0028)
        Index("ix_tenders_deadline", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    source_key: Mapped[str] = mapped_column(String(300))
    ocid: Mapped[str | None] = mapped_column(String(300), index=True)
    notice_id: Mapped[str | None] = mapped_column(String(300))
    notice_url: Mapped[str | None] = mapped_column(String(2000))
    notice_type: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    buyer_name: Mapped[str | None] = mapped_column(String(1000))
    buyer_id: Mapped[str | None] = mapped_column(String(300))
    value_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str | None] = mapped_column(String(40))
    procedure_type: Mapped[str | None] = mapped_column(String(200))
    main_cpv: Mapped[str | None] = mapped_column(String(8))
    cpv_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    classifications: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    countries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    suitable_sme: Mapped[bool | None] = mapped_column()
    suitable_vcse: Mapped[bool | None] = mapped_column()
    # Detected by matching (ISO 639-1, "und" when undetermined; NULL: not yet detected).
    language: Mapped[str | None] = mapped_column(String(8))
    title_language: Mapped[str | None] = mapped_column(String(8))
    # Region names of the notice that no table reads as a code, kept to be reported.
    place_names: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    # NULL when the tender is its one release as received: `raw` (below) then reads it.
    stored_raw: Mapped[dict[str, Any] | None] = mapped_column(
        "raw", _NULLABLE_JSON, key="raw", deferred=True
    )
    if TYPE_CHECKING:
        raw: Mapped[dict[str, Any]]

    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", order_by="Lot.position", cascade="all, delete-orphan"
    )


class Lot(Base):
    """A lot the buyer defined, as published."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("tender_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    lot_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    value_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str | None] = mapped_column(String(40))
    cpv_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    related_items: Mapped[list[str]] = mapped_column(JSONType, default=list)

    tender: Mapped[Tender] = relationship(back_populates="lots")


class Release(Base):
    """An OCDS release as received (contact points removed). Append-only: the tender's state
    is compiled from all releases of its ocid, so late or out-of-order releases merge right."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("source_id", "ocid", "release_id", "date_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    ocid: Mapped[str] = mapped_column(String(300), index=True)
    release_id: Mapped[str] = mapped_column(String(300))
    date_key: Mapped[str] = mapped_column(String(40))  # release date as published, "" if none
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # sha256 of the release as received (sorted keys); NULL for releases stored before 0021
    content_hash: Mapped[str | None] = mapped_column(String(64))


def _raw_payload() -> Any:
    """`tenders.raw`, or when NULL the tender's one release as received (written once)."""
    tenders, releases = Tender.__table__.c, Release.__table__.c
    return column_property(
        func.coalesce(
            tenders.raw,
            select(releases.payload)
            .where(releases.source_id == tenders.source_id, releases.ocid == tenders.source_key)
            .order_by(releases.id)
            .limit(1)
            .scalar_subquery(),
            type_=JSONType,
        ).label("raw")
    )


Tender.raw = _raw_payload()


# The API's tender listing order, newest publication first, NULLs last (written `x IS NULL`
# so SQLite, which has no NULLS LAST in an index, can use it too).
TENDER_LISTING_INDEXES = [
    Index(
        "ix_tenders_listing_published",
        Tender.__table__.c.published_at.is_(None),
        Tender.__table__.c.published_at.desc(),
        Tender.__table__.c.id.desc(),
    )
]
