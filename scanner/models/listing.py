"""The officer list's narrow table: one row per assessed tender with only what the list
filters and sorts on, so every page is an index range or a scan of short rows (the tender and
assessment rows carry JSON payloads). Kept by triggers (migration 0016) from the assessment
and the tender: no code writes it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, UTCDateTime
from scanner.tender_state import CLOSED_STATUSES  # over (`closed`): out of the default view

__all__ = ["CLOSED_STATUSES", "TenderListing", "TenderListingCode", "TenderListingVersion"]


class TenderListing(Base):
    """An assessed tender's listing keys: the assessment's verdict, score and value, the
    tender's deadline, publication, buyer, codes (JSON text of `cpv_codes`, `regions`) and
    status, `closed` when that is one of `CLOSED_STATUSES`."""

    __tablename__ = "tender_listing"

    tender_id: Mapped[int] = mapped_column(
        ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    should_split: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    aggregated_value: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buyer_name: Mapped[str | None] = mapped_column(String(1000))
    main_cpv: Mapped[str | None] = mapped_column(String(8))
    cpv_codes: Mapped[str | None] = mapped_column(Text)
    regions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(40))
    closed: Mapped[bool] = mapped_column(Boolean)


class TenderListingCode(Base):
    """One CPV code (`kind` "c": the main code and every item's) or region ("r") of a listed
    tender, upper-cased: the list's prefix filters are a range of this key instead of a
    `LIKE` over every listing row's JSON text. Kept by triggers from `tender_listing`
    (migration 0025): no code writes it."""

    __tablename__ = "tender_listing_codes"
    __table_args__ = (
        # A tender's codes, whole: the test of one listed row is one index probe.
        Index("ix_tender_listing_codes_tender", "tender_id", "kind", "code"),
        {"sqlite_with_rowid": False},
    )

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    # "C" on PostgreSQL: a prefix is a byte range whatever the database's locale.
    code: Mapped[str] = mapped_column(
        String(40).with_variant(String(40, collation="C"), "postgresql"), primary_key=True
    )
    tender_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class TenderListingVersion(Base):
    """One row whose `version` grows with every committed change to `tender_listing` (kept by
    triggers, migration 0023): read in the same statement as a count, it tells a process
    whether a count it kept is still exact (`scanner.storage.listing_counts`). `xid` is the
    PostgreSQL transaction that last raised it, so a transaction raises it once."""

    __tablename__ = "tender_listing_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    xid: Mapped[int | None] = mapped_column(BigInteger)


def _sort_indexes() -> list[Index]:
    """One index per sort of the officer list, flagged and open (its default view) and all;
    NULLs last, written `x IS NULL, x` because SQLite has no NULLS LAST in an index."""
    table = TenderListing.__table__.c
    score, tender = table.score.desc(), table.tender_id
    value = (table.aggregated_value.is_(None), table.aggregated_value.desc())
    sorts = {
        "score": (score, *value, tender),
        "value": (*value, score, tender),
        "deadline": (table.deadline_at.is_(None), table.deadline_at, score, tender),
        "published": (table.published_at.is_(None), table.published_at.desc(), score, tender),
        "buyer": (table.buyer_name.is_(None), table.buyer_name, score, tender),
    }
    indexes = []
    for name, keys in sorts.items():
        flagged_open = (table.should_split, table.closed)
        indexes.append(Index(f"ix_tender_listing_flagged_by_{name}", *flagged_open, *keys))
        indexes.append(Index(f"ix_tender_listing_all_by_{name}", *keys))
    return indexes


LISTING_INDEXES = _sort_indexes()
# When the next deadline comes, "open" counts change (scanner.storage.listing_counts); 0023.
# Its other columns let counting open rows (all, a value band, a score) read it alone; 0026.
DEADLINE_INDEX = Index(
    "ix_tender_listing_deadline",
    *(
        TenderListing.__table__.c[name]
        for name in ("deadline_at", "closed", "should_split", "aggregated_value", "score")
    ),
)
