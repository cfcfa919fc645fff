"""Links sent by e-mail that create or recover an account: an organisation's sign-up and a
password reset. Each link holds a random single-use token (only its SHA-256 is stored) that
expires; opening it changes nothing until the person presses the button on its page, and it
never signs anyone in: afterwards they sign in with their password (issue 14).

Both requests answer the same whether or not the address has an account, and send one
message either way, so neither the page nor the mail flow tells who is registered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.orgs import RecordError
from scanner.orgs.loaders import validate_records
from scanner.services.digests import DigestConfig
from scanner.services.passwords import PasswordRejectedError, check_password
from scanner.services.users import (
    Account,
    AccountError,
    get_account,
    hash_password,
    normal_email,
    password_context,
    send_mail,
    set_password,
)
from scanner.storage import auth as store
from scanner.storage import users as users_store
from scanner.storage.organisations import upsert_organisations

SIGNUP_MAX_AGE = timedelta(days=2)
RESET_MAX_AGE = timedelta(hours=1)
LinkState = Literal["valid", "used", "expired", "invalid"]
_REFUSED = {
    "used": "this link has been used already; sign in instead",
    "expired": "this link has expired; ask for a new one",
    "invalid": "this link is not valid (it may have been cut or altered)",
}


def _link(config: DigestConfig, path: str, token: str) -> str:
    return f"{config.base_url.rstrip('/')}{path}?token={token}"


def link_state(engine: Engine, token: str, purpose: str, *, now: datetime) -> LinkState:
    """What a link would do if used now (its GET page says so before anything happens)."""
    with engine.connect() as conn:
        found = store.find_token(conn, token, purpose) if token else None
    return _state(found, now)


def refusal(state: LinkState) -> str:
    return _REFUSED.get(state, "")


# --- sign-up -----------------------------------------------------------------------------


def start_signup(
    engine: Engine,
    config: DigestConfig,
    *,
    email: str,
    password: str,
    profile: dict[str, Any],
    currencies: frozenset[str] | None,
    now: datetime,
    language: str | None = None,
) -> list[RecordError]:
    """Validate the profile as an import would, then mail the address: a confirmation link
    (kept as a token holding the profile, replacing any earlier sign-up of the address), or,
    when the address has an account already, a note saying so. Returns the profile's errors;
    raises AccountError for a taken organisation id, a refused password or a failed mail.
    Kinds of work typed as words are searched in `language` (the reader's)."""
    try:
        email, refused = normal_email(email), None
    except AccountError as exc:  # said together with the profile's errors, all at once
        email, refused = "placeholder@example.org", RecordError(1, None, "email", str(exc))
    loaded = validate_records(
        [{**profile, "emails": [email]}], currencies=currencies, language=language
    )
    if refused is not None or loaded.errors:
        return ([refused] if refused else []) + loaded.errors
    chosen = loaded.profiles[0]
    with Session(engine) as session:
        has_account = users_store.email_taken(session, email)
        taken = users_store.organisation_id(session, chosen.id)
        reserved = store.slug_reserved(session.connection(), chosen.id, now=now, other_than=email)
    if taken is not None or reserved:
        raise AccountError(f"the organisation id {chosen.id!r} is taken; choose another")
    password_hash = hash_password(password, context=(email, chosen.id))  # either way: same cost
    if has_account:
        send_mail(
            config,
            email,
            "Your Lotwise account",
            "Someone (we hope you) tried to register an organisation on Lotwise with this "
            "address, which has an account already.\n\n"
            f"Sign in at {config.base_url.rstrip('/')}/signin, or choose a new password at "
            f"{config.base_url.rstrip('/')}/password/forgot.\n\n"
            "If it was not you, ignore this message: nothing has changed.\n",
            now=now,
        )
        return []
    token = store.new_token()
    send_mail(
        config,
        email,
        "Confirm your Lotwise account",
        "Someone (we hope you) signed up to Lotwise with this address.\n\n"
        f"Confirm it within two days by opening:\n{_link(config, '/signup/confirm', token)}\n\n"
        "If it was not you, ignore this message: nothing happens without confirmation.\n",
        now=now,
    )
    # Stored only once the server took the message: a failed mail leaves nothing behind.
    with engine.begin() as conn:
        store.prune_expired(conn, now=now)
        store.delete_tokens(conn, "signup", email=email)
        store.insert_token(
            conn,
            token,
            "signup",
            email=email,
            slug=chosen.id,
            data={"profile": chosen.model_dump(mode="json"), "password_hash": password_hash},
            now=now,
            expires_at=now + SIGNUP_MAX_AGE,
        )
    return []


def confirm_signup(engine: Engine, token: str, *, now: datetime) -> Account:
    """Use a sign-up link once: create the profile and the account it holds."""
    with Session(engine) as session, session.begin():
        conn = session.connection()
        found = store.find_token(conn, token, "signup") if token else None
        state = _state(found, now)
        if found is None or state != "valid" or not store.mark_used(conn, found.id, now=now):
            raise AccountError(refusal(state if state != "valid" else "used"))
        data = found.data or {}
        loaded = validate_records([data.get("profile") or {}])
        if loaded.errors or not data.get("password_hash"):
            raise AccountError(
                "the profile kept for this sign-up is no longer valid; sign up again"
            )
        profile = loaded.profiles[0]
        if users_store.email_taken(session, found.email):
            raise AccountError("an account with this address exists already; sign in instead")
        if users_store.organisation_id(session, profile.id):
            raise AccountError(f"the organisation id {profile.id!r} was taken meanwhile")
        upsert_organisations(conn, [profile], now=now)
        user = users_store.add_user(
            session,
            email=found.email,
            role="organisation",
            organisation_id=users_store.organisation_id(session, profile.id),
            password_hash=str(data["password_hash"]),
            confirmed_at=now,
            active=True,
            created_at=now,
        )
        return Account(user.id, user.email, user.role, user.organisation_id, profile.id)


def _state(found: store.StoredToken | None, now: datetime) -> LinkState:
    if found is None:
        return "invalid"
    if found.used_at is not None:
        return "used"
    return "expired" if found.expires_at <= now else "valid"


# --- password reset ----------------------------------------------------------------------


def request_reset(engine: Engine, config: DigestConfig, email: str, *, now: datetime) -> None:
    """Mail a reset link (valid one hour, once) to an address with an account, or a note that
    there is none to one without: the same answer and one message either way."""
    email = normal_email(email)
    with Session(engine) as session:
        user = users_store.user_by_email(session, email)
        user_id = user.id if user is not None and user.active and user.confirmed_at else None
    base = config.base_url.rstrip("/")
    if user_id is None:
        send_mail(
            config,
            email,
            "Lotwise password",
            "Someone (we hope you) asked to choose a new Lotwise password for this address, "
            "but no account uses it.\n\n"
            f"To register an organisation, go to {base}/signup. Otherwise ignore this message.\n",
            now=now,
        )
        return
    token = store.new_token()
    send_mail(
        config,
        email,
        "Choose a new Lotwise password",
        "Someone (we hope you) asked to choose a new Lotwise password for this address.\n\n"
        f"Open this link within an hour to choose it:\n{_link(config, '/password/reset', token)}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n",
        now=now,
    )
    with engine.begin() as conn:
        store.prune_expired(conn, now=now)
        store.delete_tokens(conn, "reset", user_id=user_id)
        store.insert_token(
            conn,
            token,
            "reset",
            email=email,
            user_id=user_id,
            now=now,
            expires_at=now + RESET_MAX_AGE,
        )


def reset_password(engine: Engine, token: str, new: str, confirm: str, *, now: datetime) -> Account:
    """Use a reset link once: set the new password and end every session of the account."""
    with engine.connect() as conn:
        found = store.find_token(conn, token, "reset") if token else None
    state = _state(found, now)
    if found is None or found.user_id is None or state != "valid":
        raise AccountError(refusal(state if state != "valid" else "invalid"))
    if new != confirm:
        raise AccountError("the new password and its repetition differ")
    try:  # checked before the link is spent, so a refused password can be retried
        check_password(new, context=password_context(engine, found.user_id))
    except PasswordRejectedError as exc:
        raise AccountError(str(exc)) from None
    with engine.begin() as conn:
        if not store.mark_used(conn, found.id, now=now):
            raise AccountError(refusal("used"))
    set_password(engine, found.user_id, new)
    account = get_account(engine, found.user_id)
    if account is None:
        raise AccountError("this account is no longer active")
    return account
