"""Server-side web sessions, single-use e-mail tokens and failed sign-ins in the database, so
every worker process sees the same state (issue 14). Tokens are stored only as SHA-256
digests: a copy of the database opens no session and confirms nothing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from scanner.models import AuthAttempt, AuthToken, Organisation, User, WebSession

__all__ = [
    "LiveSession",
    "StoredToken",
    "clear_failures",
    "delete_session",
    "delete_tokens",
    "delete_user_sessions",
    "failures_since",
    "find_session",
    "find_token",
    "insert_session",
    "insert_token",
    "live_tokens",
    "mark_used",
    "new_token",
    "prune_expired",
    "prune_sessions",
    "record_failure",
    "slug_reserved",
    "token_digest",
    "touch_session",
]


def new_token() -> str:
    """A random token for a cookie or a link (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --- sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSession:
    """A stored session with what the request needs of its account: read in one query, as
    every signed-in request asks for it."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    email: str = ""
    role: str = ""
    usable: bool = False  # the account is active and confirmed
    organisation_id: int | None = None
    organisation_slug: str | None = None


def insert_session(conn: Connection, token: str, user_id: int, *, now: datetime) -> None:
    conn.execute(
        insert(WebSession).values(
            token_hash=token_digest(token), user_id=user_id, created_at=now, last_seen_at=now
        )
    )


# Built once: every signed-in request runs it, and building it cost more than running it.
_FIND_SESSION = (
    select(
        WebSession.id,
        WebSession.user_id,
        WebSession.created_at,
        WebSession.last_seen_at,
        User.email,
        User.role,
        User.active,
        User.confirmed_at,
        User.organisation_id,
        Organisation.slug,
    )
    .join(User, User.id == WebSession.user_id)
    .outerjoin(Organisation, Organisation.id == User.organisation_id)
    .where(WebSession.token_hash == bindparam("token_hash"))
)


def find_session(conn: Connection, token: str) -> LiveSession | None:
    """The session of `token` with its account (one indexed lookup and two joins by key)."""
    row = conn.execute(_FIND_SESSION, {"token_hash": token_digest(token)}).first()
    if row is None:
        return None
    return LiveSession(
        row.id,
        row.user_id,
        row.created_at,
        row.last_seen_at,
        email=row.email,
        role=row.role,
        usable=bool(row.active) and row.confirmed_at is not None,
        organisation_id=row.organisation_id,
        organisation_slug=row.slug,
    )


def touch_session(conn: Connection, session_id: int, *, now: datetime) -> None:
    conn.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now))


def delete_session(conn: Connection, token: str) -> None:
    conn.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def prune_sessions(conn: Connection, *, seen_before: datetime, created_before: datetime) -> None:
    """Delete sessions past their idle or absolute limit (a closed browser never signs out)."""
    conn.execute(
        delete(WebSession).where(
            (WebSession.last_seen_at < seen_before) | (WebSession.created_at < created_before)
        )
    )


def delete_user_sessions(conn: Connection, user_id: int) -> int:
    """End every session of one user (sign-out everywhere)."""
    return conn.execute(delete(WebSession).where(WebSession.user_id == user_id)).rowcount or 0


# --- single-use tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class StoredToken:
    id: int
    purpose: str
    email: str
    slug: str | None
    user_id: int | None
    organisation_id: int | None
    data: dict[str, Any] | None
    expires_at: datetime
    used_at: datetime | None


_TOKEN_COLUMNS = (
    AuthToken.id,
    AuthToken.purpose,
    AuthToken.email,
    AuthToken.slug,
    AuthToken.user_id,
    AuthToken.organisation_id,
    AuthToken.data,
    AuthToken.expires_at,
    AuthToken.used_at,
)


def insert_token(
    conn: Connection,
    token: str,
    purpose: str,
    *,
    email: str,
    now: datetime,
    expires_at: datetime,
    slug: str | None = None,
    user_id: int | None = None,
    organisation_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(AuthToken).values(
            token_hash=token_digest(token),
            purpose=purpose,
            email=email,
            slug=slug,
            user_id=user_id,
            organisation_id=organisation_id,
            data=data,
            created_at=now,
            expires_at=expires_at,
        )
    )


def find_token(conn: Connection, token: str, purpose: str) -> StoredToken | None:
    """The token's row whatever its state (the caller tells used from expired)."""
    row = conn.execute(
        select(*_TOKEN_COLUMNS).where(
            AuthToken.token_hash == token_digest(token), AuthToken.purpose == purpose
        )
    ).first()
    return None if row is None else StoredToken(*row)


def live_tokens(
    conn: Connection, purpose: str, *, now: datetime, organisation_id: int | None = None
) -> list[StoredToken]:
    """Unused, unexpired tokens of one purpose (of one organisation when given)."""
    stmt = select(*_TOKEN_COLUMNS).where(
        AuthToken.purpose == purpose, AuthToken.used_at.is_(None), AuthToken.expires_at > now
    )
    if organisation_id is not None:
        stmt = stmt.where(AuthToken.organisation_id == organisation_id)
    return [StoredToken(*row) for row in conn.execute(stmt.order_by(AuthToken.id))]


def mark_used(conn: Connection, token_id: int, *, now: datetime) -> bool:
    """Use a token once: False when another request used it first."""
    result = conn.execute(
        update(AuthToken)
        .where(AuthToken.id == token_id, AuthToken.used_at.is_(None))
        .values(used_at=now)
    )
    return (result.rowcount or 0) == 1


def delete_tokens(
    conn: Connection,
    purpose: str,
    *,
    email: str | None = None,
    user_id: int | None = None,
    organisation_id: int | None = None,
) -> None:
    """Withdraw the unused tokens of a purpose for an address, user or organisation."""
    stmt = delete(AuthToken).where(AuthToken.purpose == purpose, AuthToken.used_at.is_(None))
    if email is not None:
        stmt = stmt.where(AuthToken.email == email)
    if user_id is not None:
        stmt = stmt.where(AuthToken.user_id == user_id)
    if organisation_id is not None:
        stmt = stmt.where(AuthToken.organisation_id == organisation_id)
    conn.execute(stmt)


def slug_reserved(conn: Connection, slug: str, *, now: datetime, other_than: str) -> bool:
    """Is the organisation id held by a live sign-up of another address?"""
    found = conn.scalar(
        select(func.count()).where(
            AuthToken.purpose == "signup",
            AuthToken.slug == slug,
            AuthToken.email != other_than,
            AuthToken.used_at.is_(None),
            AuthToken.expires_at > now,
        )
    )
    return bool(found)


def prune_expired(conn: Connection, *, now: datetime) -> None:
    """Expired tokens of every purpose go, used or not (a used one is kept until then, so a
    second click says "used already")."""
    conn.execute(delete(AuthToken).where(AuthToken.expires_at <= now))


# --- failed sign-ins ---------------------------------------------------------------------


def record_failure(conn: Connection, buckets: list[str], *, now: datetime) -> None:
    conn.execute(
        insert(AuthAttempt), [{"bucket": b[:400], "at": now, "attempts": 1} for b in buckets]
    )


def failures_since(conn: Connection, bucket: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures `bucket` has since `since`, and when the last one was."""
    count, last = conn.execute(
        select(func.count(), func.max(AuthAttempt.at)).where(
            AuthAttempt.bucket == bucket[:400], AuthAttempt.at >= since
        )
    ).one()
    return int(count or 0), last


def clear_failures(conn: Connection, bucket: str, *, before: datetime | None = None) -> None:
    """Forget a bucket's failures (all of them, or those older than `before`)."""
    stmt = delete(AuthAttempt).where(AuthAttempt.bucket == bucket[:400])
    if before is not None:
        stmt = stmt.where(AuthAttempt.at < before)
    conn.execute(stmt)
