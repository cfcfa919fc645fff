"""Accounts: operators and officers added from the command line, organisations signing up
themselves (`services.signup`), password sign-in (argon2) slowed down by growing delays after
failures, server-side sessions with idle and absolute limits, and password changes that sign
the account out everywhere (issue 14)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.alerts.mailer import SmtpConfigError, SmtpMailer
from scanner.alerts.message import POLICY, domain_of, envelope_sender
from scanner.orgs.codes import check_email
from scanner.services.digests import DigestConfig
from scanner.services.passwords import MAX_PASSWORD, PasswordRejectedError, check_password
from scanner.storage import auth as store
from scanner.storage import users as users_store

if TYPE_CHECKING:  # annotations only: rows come from scanner.storage
    from scanner.models import User

ROLES = ("operator", "officer", "organisation")
FAILURE_WINDOW = timedelta(hours=1)  # failed sign-ins counted over the last hour
MAX_DELAY = timedelta(minutes=15)  # the longest wait a run of failures imposes
CLIENT_FACTOR = 5  # a client may fail this many times more, spread over accounts
ACCOUNT_FACTOR = 10  # and an account this many times more, spread over clients
MAIL_TIMEOUT = 10.0  # seconds: a web request never waits longer for the SMTP server
# argon2id, RFC 9106's second recommended option (t=3, 64 MiB, p=4): above OWASP's minimum.
HASH_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(HASH_PARAMETERS)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when no account has the address, so an unknown address costs
    the same as a wrong password. Made on first use: hashing takes a third of a second, which
    every command paid at import."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A refused account action; the message is safe to show to the person."""


class MailError(AccountError):
    """The SMTP server did not take a message; trying again later may work."""


@dataclass(frozen=True)
class Account:
    """Who is signed in: what every web request needs to decide access."""

    id: int
    email: str
    role: str
    organisation_id: int | None
    organisation_slug: str | None


def hash_password(password: str, *, context: tuple[str, ...] = ()) -> str:
    """The argon2id hash of a password the rule accepts (`services.passwords`)."""
    try:
        check_password(password, context=context)
    except PasswordRejectedError as exc:
        raise AccountError(str(exc)) from None
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(
    engine: Engine,
    email: str,
    role: str,
    password: str,
    *,
    now: datetime,
    organisation: str | None = None,
) -> Account:
    """Create a confirmed account (operators and officers; organisation users need `organisation`)."""
    email = normal_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if (role == "organisation") != (organisation is not None):
        raise AccountError("--org is required for role organisation and only for it")
    password_hash = hash_password(password, context=(email, organisation or ""))
    with Session(engine) as session, session.begin():
        org_id = None
        if organisation is not None:
            org_id = users_store.organisation_id(session, organisation)
            if org_id is None:
                raise AccountError(f"no organisation with id {organisation!r}")
        if users_store.email_taken(session, email):
            raise AccountError(f"an account for {email} exists already")
        user = users_store.add_user(
            session,
            email=email,
            role=role,
            organisation_id=org_id,
            password_hash=password_hash,
            confirmed_at=now,
            active=True,
            created_at=now,
        )
        return Account(user.id, email, role, org_id, organisation)


def authenticate(engine: Engine, email: str, password: str, *, now: datetime) -> Account | None:
    """The account whose confirmed e-mail and password these are, else None. A password longer
    than any that can be chosen matches nothing and is not hashed."""
    if len(password) > MAX_PASSWORD:
        return None
    with Session(engine) as session, session.begin():
        user = users_store.user_by_email(session, email.strip().lower())
        stored = user.password_hash if user is not None else _dummy_hash()
        if not verify_password(stored, password):
            return None
        if user is None or not user.active or user.confirmed_at is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now
        return _account(session, user)


def get_account(engine: Engine, user_id: int) -> Account | None:
    with Session(engine) as session:
        user = users_store.user_by_id(session, user_id)
        if user is None or not user.active or user.confirmed_at is None:
            return None
        return _account(session, user)


def find_account(engine: Engine, email: str) -> Account | None:
    """The confirmed, active account of an address, if any."""
    with Session(engine) as session:
        user = users_store.user_by_email(session, email.strip().lower())
        if user is None or not user.active or user.confirmed_at is None:
            return None
        return _account(session, user)


def _account(session: Session, user: User) -> Account:
    slug = None
    if user.organisation_id is not None:
        slug = users_store.organisation_slug(session, user.organisation_id)
    return Account(user.id, user.email, user.role, user.organisation_id, slug)


def normal_email(value: str) -> str:
    """An address as stored: trimmed, lower case, checked; AccountError when it is not one."""
    try:
        return check_email(value.strip().lower())
    except ValueError as exc:
        raise AccountError(str(exc)) from None


# --- sign-in delays ----------------------------------------------------------------------


def _failure_buckets(email: str, client: str) -> list[tuple[str, int]]:
    """(bucket, failures allowed before delays start) per unit of `free`."""
    email = email.strip().lower()[:320]
    return [
        (f"signin-fail:{email}|{client}", 1),
        (f"signin-fail-client:{client}", CLIENT_FACTOR),
        (f"signin-fail-account:{email}", ACCOUNT_FACTOR),
    ]


def signin_wait(engine: Engine, email: str, client: str, *, free: int, now: datetime) -> int:
    """Seconds before this client may try this account again; 0 when it may now.

    Only failures count. After `free` failures (per account and client in the last hour;
    more per client alone and per account alone) each further attempt waits 1 s, then 2, 4 ...
    up to 15 minutes after the last failure: a guesser slows to a crawl, and the real person
    signing in from elsewhere is never locked out."""
    wait = 0.0
    with engine.connect() as conn:
        for bucket, factor in _failure_buckets(email, client):
            count, last = store.failures_since(conn, bucket, now - FAILURE_WINDOW)
            allowed = free * factor
            if count < allowed or last is None:
                continue
            delay = min(2.0 ** (count - allowed), MAX_DELAY.total_seconds())
            wait = max(wait, (last + timedelta(seconds=delay) - now).total_seconds())
    return max(int(-(-wait // 1)), 0)


def record_signin_failure(engine: Engine, email: str, client: str, *, now: datetime) -> None:
    with engine.begin() as conn:
        users_store.prune_attempts(conn, before=now - FAILURE_WINDOW)
        store.record_failure(conn, [b for b, _ in _failure_buckets(email, client)], now=now)


def forget_signin_failures(engine: Engine, email: str, client: str) -> None:
    """A successful sign-in clears that client's failures for the account."""
    with engine.begin() as conn:
        store.clear_failures(conn, _failure_buckets(email, client)[0][0])


def allow_attempt(
    engine: Engine, buckets: list[str], *, limit: int, window: timedelta, now: datetime
) -> bool:
    """Record one request in each bucket (client address, e-mail ...) and say whether every
    bucket is still within `limit` requests per `window` (sign-up and reset requests, which
    send mail). Rows older than the longest window are pruned on the way."""
    since = now - window
    with Session(engine) as session, session.begin():
        users_store.prune_attempts(session, before=now - FAILURE_WINDOW)
        allowed = True
        for bucket in buckets:
            if users_store.count_attempts(session, bucket, since=since) >= limit:
                allowed = False
            users_store.add_attempt(session, bucket, now=now)
        return allowed


# --- sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta
    # last_seen_at is written at most this often, not on every request
    touch_every: timedelta = timedelta(minutes=1)


def start_session(engine: Engine, account: Account, *, limits: SessionLimits, now: datetime) -> str:
    """A new server-side session; the returned token goes in the (signed) cookie. Sessions
    past their limits are deleted on the way."""
    token = store.new_token()
    with engine.begin() as conn:
        store.prune_sessions(
            conn, seen_before=now - limits.idle, created_before=now - limits.lifetime
        )
        store.insert_session(conn, token, account.id, now=now)
    return token


def session_account(
    engine: Engine, token: str, *, limits: SessionLimits, now: datetime
) -> Account | None:
    """The account of a live session, or None: unknown (signed out), idle too long, or older
    than its lifetime (then the row is deleted)."""
    with engine.begin() as conn:
        found = store.find_session(conn, token)
        if found is None:
            return None
        if now - found.last_seen_at > limits.idle or now - found.created_at > limits.lifetime:
            store.delete_session(conn, token)
            return None
        if not found.usable:
            return None
        if now - found.last_seen_at >= limits.touch_every:
            store.touch_session(conn, found.id, now=now)
    return Account(
        found.user_id, found.email, found.role, found.organisation_id, found.organisation_slug
    )


def end_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        store.delete_session(conn, token)


def end_all_sessions(engine: Engine, user_id: int) -> int:
    with engine.begin() as conn:
        return store.delete_user_sessions(conn, user_id)


def password_context(engine: Engine, user_id: int) -> tuple[str, ...]:
    """The words a password of this account must not be built from (address, organisation id)."""
    with Session(engine) as session:
        row = users_store.email_and_slug(session, user_id)
    return () if row is None else (row[0], row[1] or "")


def set_password(engine: Engine, user_id: int, password: str) -> None:
    """Store a new password (checked by the rule) and end every session of the account."""
    password_hash = hash_password(password, context=password_context(engine, user_id))
    with Session(engine) as session, session.begin():
        user = users_store.user_by_id(session, user_id)
        if user is None:
            raise AccountError("this account no longer exists")
        user.password_hash = password_hash
        store.delete_user_sessions(session.connection(), user_id)


def change_password(engine: Engine, account: Account, current: str, new: str, confirm: str) -> None:
    """The signed-in person's change: the current password first, the new one twice."""
    with Session(engine) as session:
        stored = users_store.password_hash_of(session, account.id)
    if stored is None or len(current) > MAX_PASSWORD or not verify_password(stored, current):
        raise AccountError("the current password is not right")
    if new != confirm:
        raise AccountError("the new password and its repetition differ")
    if new == current:
        raise AccountError("the new password must differ from the current one")
    set_password(engine, account.id, new)


# --- mail --------------------------------------------------------------------------------


def send_mail(config: DigestConfig, to: str, subject: str, text: str, *, now: datetime) -> str:
    """One plain-text message through the digest mailer, waiting at most MAIL_TIMEOUT seconds
    for each step of the server; returns the outcome's detail, raises MailError when the
    server did not take it."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = config.mail_from
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("lotwise", domain=domain_of(config.mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    smtp = replace(config.smtp, timeout=min(config.smtp.timeout, MAIL_TIMEOUT))
    try:
        with SmtpMailer(smtp) as mailer:
            delivery = mailer.deliver(
                envelope_sender(config.mail_from), [to], message.as_bytes(), lambda: None
            )
    except (OSError, SmtpConfigError):
        delivery = None
    if delivery is None or delivery.outcome != "sent":
        raise MailError("the e-mail could not be sent; try again later")
    return delivery.detail
