"""Account management for operators (`lotwise users list|disable|enable|remove|
reset-password`): the CLI calls these; SQL in `storage.users`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from scanner.services.users import AccountError, normal_email, set_password
from scanner.storage import users as store


def list_accounts(engine: Engine, *, role: str | None = None) -> list[dict[str, Any]]:
    """Every account as plain data (dates as ISO text)."""
    with engine.connect() as conn:
        rows = store.list_users(conn, role=role)
    for row in rows:
        for key in ("confirmed_at", "created_at", "last_login_at"):
            row[key] = row[key].isoformat() if row[key] is not None else None
    return rows


def _existing(engine: Engine, email: str) -> int:
    with engine.connect() as conn:
        found = store.user_id(conn, normal_email(email))
    if found is None:
        raise AccountError(f"no account for {email.strip()}")
    return found


def set_enabled(engine: Engine, email: str, enabled: bool) -> None:
    """Enable or disable an account (disabling signs it out everywhere)."""
    user = _existing(engine, email)
    with engine.begin() as conn:
        store.set_active(conn, user, enabled)


def remove_account(engine: Engine, email: str) -> None:
    """Delete an account, its sessions and tokens; its feedback stays, unattributed."""
    user = _existing(engine, email)
    with engine.begin() as conn:
        store.delete_user(conn, user)


def reset_password(engine: Engine, email: str, password: str) -> None:
    """Set a new password (checked by the password rule) and sign the account out everywhere."""
    set_password(engine, _existing(engine, email), password)
