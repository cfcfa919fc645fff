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
