"""What an organisation decided about its matches, and its calendar feed's key (issue 18)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, UTCDateTime


class Tracking(Base):
    """One organisation's state of one opportunity, shared by all its users: `saved`,
    `dismissed` (with a `reason`: kept out of its digests, listed last), `bid` or `no_bid`,
    with free-text `note`. Kept by opportunity id, so it survives the match being recomputed;
    `user_email` says who changed it last (kept as text: a removed account leaves its name)."""

    __tablename__ = "tracking"
    __table_args__ = (UniqueConstraint("organisation_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    user_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeed(Base):
    """The key inside an organisation's calendar feed URL. The URL is signed over (slug, key),
    so it needs no session; a new key (revoke) makes every earlier URL fail."""

    __tablename__ = "calendar_feeds"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
