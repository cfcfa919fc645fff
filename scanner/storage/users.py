"""Operators' account management in SQL: list, enable or disable, remove. Signing in and
sessions live in `storage.auth`; password hashing in `services.users`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from scanner.models import AuthToken, Organisation, SuggestionFeedback, User, WebSession


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
