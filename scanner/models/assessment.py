"""The splitter's stored answer per tender: one row, recomputed when the tender or the rules
change. Key figures are columns (for listing and sorting); the whole answer is JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime


class SplitAssessment(Base):
    """The assessment of `tender_id` at `tender_version` under `rules_version`.

    `status` is the splitter's ("assessed", "insufficient data") or "error" when assessing
    failed: then `error` says why and `data` is empty; the tender is tried again when it or the
    rules change."""

    __tablename__ = "split_assessments"
    __table_args__ = (Index("ix_split_assessments_should_split_score", "should_split", "score"),)
    # The officer list's sort keys, copied from the tender by triggers (migration 0016) so that
    # every filter and sort of the list is one index range: see `listing_indexes` below.
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buyer_name: Mapped[str | None] = mapped_column(String(1000))

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(
        ForeignKey("tenders.id", ondelete="CASCADE"), unique=True
    )
    tender_version: Mapped[int] = mapped_column(Integer)
    rules_version: Mapped[str] = mapped_column(String(100), index=True)
    should_split: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(40))
    civic_friendliness: Mapped[float] = mapped_column(Float, default=0.0)
    package_count: Mapped[int] = mapped_column(Integer, default=0)
    aggregated_value: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    jurisdiction: Mapped[str | None] = mapped_column(String(40))
    procedure: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


def listing_indexes() -> list[Index]:
    """One index per sort of the officer list, flagged only and all (NULLs last, as listed;
    written `x IS NULL, x` so SQLite, which has no NULLS LAST in an index, can use them)."""
    table = SplitAssessment.__table__.c
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
        indexes.append(Index(f"ix_split_assessments_flagged_by_{name}", table.should_split, *keys))
        indexes.append(Index(f"ix_split_assessments_all_by_{name}", *keys))
    return indexes


LISTING_INDEXES = listing_indexes()
