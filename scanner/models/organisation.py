"""Registered organisations: the profiles tenders are matched against (issue 5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime


class Organisation(Base):
    """One profile, unique by `slug` (the `id` of the profile file). Amounts are in `currency`
    as written; conversion to the reporting currency happens when matching. `version` counts
    content changes (`content_hash` detects them), so stored matches know when to recompute."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    emails: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    capabilities: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    exclusions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cpv: Mapped[list[str]] = mapped_column(JSONType, default=list)
    naics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    national: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[bool] = mapped_column(Boolean, default=True)
    value_min: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    value_max: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    turnover: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    team_size: Mapped[int | None] = mapped_column(Integer)
    certifications: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # What a reserved contract may be reserved to that it says it is (migration 0029).
    reserved_eligible: Mapped[list[str]] = mapped_column(JSONType, default=list)
    open_source: Mapped[str] = mapped_column(String(20), default="no preference")
    digest: Mapped[str] = mapped_column(String(10), default="weekly")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Consent to be named to procurement officers in a tender's market depth (issue 14).
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))  # stated; detected when NULL
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
