"""Operators' account management in SQL: list, enable or disable, remove. Signing in and
sessions live in `storage.auth`; password hashing in `services.users`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.orm import Session

from scanner.models import (
    AuthAttempt,
    AuthToken,
    Organisation,
    SuggestionFeedback,
    User,
    WebSession,
)


def list_users(conn: Connection, *, role: str | None = None) -> list[dict[str, Any]]:
    """Every account, oldest first: address, role, organisation, state, dates."""
    stmt = (
        select(
            User.id,
            User.email,
            User.role,
            Organisation.slug.label("organisation"),
            User.active,
            User.confirmed_at,
            User.created_at,
            User.last_login_at,
        )
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(User.id)
    )
    if role is not None:
        stmt = stmt.where(User.role == role)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def user_id(conn: Connection, email: str) -> int | None:
    return conn.execute(select(User.id).where(User.email == email)).scalar_one_or_none()


def set_active(conn: Connection, user: int, active: bool) -> None:
    """Enable or disable an account; a disabled one is also signed out everywhere."""
    conn.execute(update(User).where(User.id == user).values(active=active))
    if not active:
        conn.execute(delete(WebSession).where(WebSession.user_id == user))


def delete_user(conn: Connection, user: int) -> None:
    """Remove an account with its sessions and tokens; its feedback stays, unattributed."""
    conn.execute(delete(WebSession).where(WebSession.user_id == user))
    conn.execute(delete(AuthToken).where(AuthToken.user_id == user))
    conn.execute(
        update(SuggestionFeedback).where(SuggestionFeedback.user_id == user).values(user_id=None)
    )
    conn.execute(delete(User).where(User.id == user))


# --- accounts, for `services.users` and `services.signup` (ORM rows in their session) ------


def organisation_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Organisation.id).where(Organisation.slug == slug))


def organisation_slug(session: Session, organisation: int) -> str | None:
    return session.scalar(select(Organisation.slug).where(Organisation.id == organisation))


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def user_by_id(session: Session, user: int) -> User | None:
    return session.get(User, user)


def add_user(session: Session, **values: Any) -> User:
    """A new account row, flushed so its id is known."""
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def email_and_slug(session: Session, user: int) -> tuple[str, str | None] | None:
    """The account's address and its organisation's id (None for staff), or None."""
    row = session.execute(
        select(User.email, Organisation.slug)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.id == user)
    ).first()
    return None if row is None else (row.email, row.slug)


def password_hash_of(session: Session, user: int) -> str | None:
    return session.scalar(select(User.password_hash).where(User.id == user))


def prune_attempts(conn: Connection | Session, *, before: datetime) -> None:
    """Forget request and failure counts older than `before`."""
    conn.execute(delete(AuthAttempt).where(AuthAttempt.at < before))


def count_attempts(session: Session, bucket: str, *, since: datetime) -> int:
    found = session.scalar(
        select(func.count()).where(AuthAttempt.bucket == bucket, AuthAttempt.at >= since)
    )
    return int(found or 0)


def add_attempt(session: Session, bucket: str, *, now: datetime) -> None:
    session.add(AuthAttempt(bucket=bucket[:400], at=now, attempts=1))
