"""Accounts: operators and officers added from the command line, organisations signing up
themselves (e-mail confirmed through the digest mailer), password sign-in (argon2), and the
sign-in/sign-up rate limit kept in the database so every worker process shares it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from scanner.alerts.mailer import SmtpMailer
from scanner.alerts.message import POLICY, domain_of, envelope_sender
from scanner.models import AuthAttempt, Organisation, User
from scanner.orgs import RecordError
from scanner.orgs.codes import check_email
from scanner.orgs.loaders import validate_records
from scanner.services.digests import DigestConfig
from scanner.storage.organisations import upsert_organisations

ROLES = ("operator", "officer", "organisation")
MIN_PASSWORD = 10
CONFIRM_MAX_AGE = 2 * 24 * 3600
_hasher = PasswordHasher()
# Verified against when the address is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A refused account action; the message is safe to show to the person."""


@dataclass(frozen=True)
class Account:
    """Who is signed in: what every web request needs to decide access."""

    id: int
    email: str
    role: str
    organisation_id: int | None
    organisation_slug: str | None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


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
    email = _email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if (role == "organisation") != (organisation is not None):
        raise AccountError("--org is required for role organisation and only for it")
    with Session(engine) as session, session.begin():
        org_id = None
        if organisation is not None:
            org_id = session.scalar(
                select(Organisation.id).where(Organisation.slug == organisation)
            )
            if org_id is None:
                raise AccountError(f"no organisation with id {organisation!r}")
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise AccountError(f"an account for {email} exists already")
        user = User(
            email=email,
            role=role,
            organisation_id=org_id,
            password_hash=hash_password(password),
            confirmed_at=now,
            active=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        return Account(user.id, email, role, org_id, organisation)


def authenticate(engine: Engine, email: str, password: str, *, now: datetime) -> Account | None:
    """The account whose confirmed e-mail and password these are, else None."""
    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        stored = user.password_hash if user is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active or user.confirmed_at is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now
        return _account(session, user)


def get_account(engine: Engine, user_id: int) -> Account | None:
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.active or user.confirmed_at is None:
            return None
        return _account(session, user)


def _account(session: Session, user: User) -> Account:
    slug = None
    if user.organisation_id is not None:
        slug = session.scalar(
            select(Organisation.slug).where(Organisation.id == user.organisation_id)
        )
    return Account(user.id, user.email, user.role, user.organisation_id, slug)


def _email(value: str) -> str:
    try:
        return check_email(value.strip().lower())
    except ValueError as exc:
        raise AccountError(str(exc)) from None


# --- sign-up -----------------------------------------------------------------------------


def start_signup(
    engine: Engine,
    *,
    email: str,
    password: str,
    profile: dict[str, Any],
    currencies: frozenset[str] | None,
    now: datetime,
) -> tuple[int, list[RecordError]]:
    """Validate the profile exactly as an import would and keep it pending until the address is
    confirmed. Returns the new user id, or (0, errors) when the profile is invalid."""
    email = _email(email)
    record = {**profile, "emails": [email]}
    loaded = validate_records([record], currencies=currencies)
    if loaded.errors:
        return 0, loaded.errors
    slug = loaded.profiles[0].id
    password_hash = hash_password(password)
    with Session(engine) as session, session.begin():
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise AccountError("an account with this address exists already; sign in instead")
        if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
            raise AccountError(f"the organisation id {slug!r} is taken; choose another")
        user = User(
            email=email,
            role="organisation",
            password_hash=password_hash,
            pending=loaded.profiles[0].model_dump(mode="json"),
            active=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        return user.id, []


def confirm_token(secret_key: str, user_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt="lotwise-signup").dumps(user_id)


def confirm_signup(engine: Engine, secret_key: str, token: str, *, now: datetime) -> Account:
    """Confirm the address: create the profile asked for and activate the account."""
    try:
        user_id = URLSafeTimedSerializer(secret_key, salt="lotwise-signup").loads(
            token, max_age=CONFIRM_MAX_AGE
        )
    except SignatureExpired:
        raise AccountError("this confirmation link has expired; sign up again") from None
    except BadSignature:
        raise AccountError("this confirmation link is not valid") from None
    with Session(engine) as session, session.begin():
        user = session.get(User, int(user_id)) if isinstance(user_id, int) else None
        if user is None:
            raise AccountError("this confirmation link is for an account that no longer exists")
        # Only a pending organisation sign-up is confirmed, once: a link never signs anyone in
        # to an account that exists already (an operator's, or one confirmed before).
        if user.confirmed_at is not None or user.role != "organisation" or user.pending is None:
            raise AccountError("this confirmation link has been used already; sign in instead")
        loaded = validate_records([user.pending or {}])
        if loaded.errors:
            raise AccountError(
                "the profile kept for this sign-up is no longer valid; sign up again"
            )
        profile = loaded.profiles[0]
        conn = session.connection()
        if session.scalar(select(Organisation.id).where(Organisation.slug == profile.id)):
            raise AccountError(f"the organisation id {profile.id!r} was taken meanwhile")
        upsert_organisations(conn, [profile], now=now)
        user.organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.slug == profile.id)
        )
        user.confirmed_at = now
        user.pending = None
        return _account(session, user)


def send_mail(config: DigestConfig, to: str, subject: str, text: str, *, now: datetime) -> str:
    """One plain-text message through the digest mailer; returns the outcome's detail, raises
    AccountError when the server did not take it."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = config.mail_from
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("lotwise", domain=domain_of(config.mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    with SmtpMailer(config.smtp) as mailer:
        delivery = mailer.deliver(
            envelope_sender(config.mail_from), [to], message.as_bytes(), lambda: None
        )
    if delivery.outcome != "sent":
        raise AccountError("the confirmation e-mail could not be sent; try again later")
    return delivery.detail


# --- rate limit --------------------------------------------------------------------------


def allow_attempt(
    engine: Engine, buckets: list[str], *, limit: int, window: timedelta, now: datetime
) -> bool:
    """Record one attempt in each bucket (client address, e-mail ...) and say whether every
    bucket is still within `limit` attempts per `window`. Old rows are pruned on the way."""
    since = now - window
    with Session(engine) as session, session.begin():
        session.execute(delete(AuthAttempt).where(AuthAttempt.at < since))
        allowed = True
        for bucket in buckets:
            count = session.scalar(
                select(func.count()).where(AuthAttempt.bucket == bucket, AuthAttempt.at >= since)
            )
            if (count or 0) >= limit:
                allowed = False
            session.add(AuthAttempt(bucket=bucket[:400], at=now, attempts=1))
        return allowed
