"""Digest recipients an organisation adds on the web are confirmed by their owners first.

An address typed into the profile form is not stored in the profile (so no digest goes to
it): it gets a link (single use, valid a week) and joins the profile's `emails` when its
owner opens the link and presses the button. Addresses imported by the operator with
`lotwise orgs import`, and the address confirmed at sign-up, need no second confirmation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from scanner.services.digests import DigestConfig
from scanner.services.signup import refusal
from scanner.services.users import AccountError, send_mail
from scanner.storage import auth as store
from scanner.storage import organisations as org_store

RECIPIENT_MAX_AGE = timedelta(days=7)


def awaiting(engine: Engine, organisation_id: int, *, now: datetime) -> list[str]:
    """Addresses added on the web whose owners have not confirmed yet."""
    with engine.connect() as conn:
        tokens = store.live_tokens(conn, "recipient", now=now, organisation_id=organisation_id)
    return list(dict.fromkeys(t.email for t in tokens))


def ask_to_confirm(
    engine: Engine,
    config: DigestConfig,
    *,
    organisation_id: int,
    slug: str,
    name: str,
    addresses: list[str],
    now: datetime,
) -> list[str]:
    """Mail each address a confirmation link (not again while one is waiting); returns the
    addresses whose mail failed."""
    waiting = {a.lower() for a in awaiting(engine, organisation_id, now=now)}
    failed = []
    for address in addresses:
        if address.lower() in waiting:
            continue
        token = store.new_token()
        link = f"{config.base_url.rstrip('/')}/recipients/confirm?token={token}"
        try:
            send_mail(
                config,
                address,
                f"Lotwise digests for {name}?",
                f"{name} (Lotwise organisation {slug}) asked for its digests of matching "
                "public tenders to be sent to this address as well.\n\n"
                f"To agree, open this link within a week and press the button:\n{link}\n\n"
                "If you do not want them, ignore this message: nothing is sent to you "
                "without your confirmation.\n",
                now=now,
            )
        except AccountError:
            failed.append(address)
            continue
        with engine.begin() as conn:
            store.delete_tokens(conn, "recipient", email=address, organisation_id=organisation_id)
            store.insert_token(
                conn,
                token,
                "recipient",
                email=address,
                slug=slug,
                organisation_id=organisation_id,
                now=now,
                expires_at=now + RECIPIENT_MAX_AGE,
            )
    return failed


def withdraw(engine: Engine, organisation_id: int, keep: set[str], *, now: datetime) -> None:
    """Cancel the confirmations of addresses the organisation took off its list again
    (`keep` holds the listed addresses, lower case)."""
    with engine.begin() as conn:
        for token in store.live_tokens(conn, "recipient", now=now, organisation_id=organisation_id):
            if token.email.lower() not in keep:
                store.delete_tokens(
                    conn, "recipient", email=token.email, organisation_id=organisation_id
                )


def confirm(engine: Engine, token: str, *, now: datetime) -> tuple[str, str]:
    """Use a recipient link once: add its address to the organisation's digest recipients.
    Returns (organisation name, address)."""
    with engine.begin() as conn:
        found = store.find_token(conn, token, "recipient") if token else None
        if found is None or found.slug is None:
            raise AccountError(refusal("invalid"))
        if found.used_at is not None:
            raise AccountError(refusal("used"))
        if found.expires_at <= now:
            raise AccountError("this link has expired; ask the organisation to add you again")
        if not store.mark_used(conn, found.id, now=now):
            raise AccountError(refusal("used"))
        stored = org_store.get_organisation(conn, found.slug)
        if stored is None:
            raise AccountError("this link is for an organisation that no longer exists")
        emails = list(stored.profile.emails)
        if found.email.lower() not in {e.lower() for e in emails}:
            emails.append(found.email)
            updated = stored.profile.model_copy(update={"emails": tuple(emails)})
            org_store.upsert_organisations(conn, [updated], now=now)
        return stored.profile.name, found.email
