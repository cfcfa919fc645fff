"""A configured source of tenders and its crawl bookkeeping."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, UTCDateTime


class Source(Base):
    """One publisher endpoint. `high_water_mark` is where the next incremental run resumes
    (minus the source's overlap window): the upper bound of the last run that covered its
    whole window."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(2000))
    high_water_mark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
