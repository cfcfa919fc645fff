"""Web accounts and officers' feedback on split suggestions (issue 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, JSONType, UTCDateTime


class User(Base):
    """A person who signs in. `role` is operator, officer or organisation; an organisation user
    is tied to one profile (`organisation_id`) and sees only its data. A self sign-up becomes a
    user only once its address is confirmed (until then it is an `AuthToken` of purpose
    `signup`)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SuggestionFeedback(Base):
    """An officer's verdict on a tender's split suggestion, shown to operators."""

    __tablename__ = "suggestion_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    useful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    rules_version: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuthAttempt(Base):
    """One sign-in or sign-up attempt, counted by the rate limiter (shared by every worker
    process, unlike a memory counter)."""

    __tablename__ = "auth_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(400), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class WebSession(Base):
    """A signed-in browser. The cookie carries a random token whose SHA-256 is `token_hash`:
    signing out deletes the row, so a copied cookie is worth nothing afterwards. A session
    ends after `LOTWISE_SESSION_IDLE_MINUTES` without a request (`last_seen_at`) and
    `LOTWISE_SESSION_LIFETIME_HOURS` after sign-in (`created_at`), whichever comes first."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuthToken(Base):
    """A single-use, expiring token sent by e-mail; only its SHA-256 is stored.

    `purpose` says what opening it does: `signup` creates the account and profile kept in
    `data` (the organisation id in `slug` is reserved while the token is live), `reset` sets a
    new password for `user_id`, `recipient` confirms that `email` may receive the digests of
    `organisation_id`."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    slug: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
