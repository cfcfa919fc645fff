"""Stored matches: which opportunity fits which organisation, how well, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime


class Match(Base):
    """One organisation x one opportunity (a tender, one of its lots, or a proposed package).

    `found_at` is when the pair first matched and never moves, so a digest can ask for "new
    since the last one"; the versions say what the score was computed from, so a changed
    tender, profile or weighting recomputes it."""

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("organisation_id", "opportunity_id"),
        Index("ix_matches_organisation_score", "organisation_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # tender, buyer_lot, suggested_package
    title: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    tender_version: Mapped[int] = mapped_column(Integer)
    organisation_version: Mapped[int] = mapped_column(Integer)
    weights_version: Mapped[str] = mapped_column(String(100))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
