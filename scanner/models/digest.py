"""The digest outbox and the per-organisation digest preferences (issue 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime


class Digest(Base):
    """One digest email, recorded with its whole message BEFORE any SMTP transaction.

    Unique by (organisation, period): a second run for the same period finds the row and never
    builds another. `status` moves pending -> sending -> in_data -> sent | failed | unknown; see
    docs/alerts.md for what each state promises."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("organisation_id", "period"),
        Index("ix_digests_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(300))
    recipients: Mapped[list[str]] = mapped_column(JSONType)
    message: Mapped[str] = mapped_column(Text)
    match_ids: Mapped[list[int]] = mapped_column(JSONType)
    new_count: Mapped[int] = mapped_column(Integer)
    closing_count: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    refused: Mapped[list[str]] = mapped_column(JSONType, default=list)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestPreference(Base):
    """What an organisation chose through its signed links. Kept apart from the profile so a
    re-import of the profile file never re-subscribes anyone. Bumping `token_version` revokes
    every link issued before."""

    __tablename__ = "digest_preferences"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[str | None] = mapped_column(String(10))
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
