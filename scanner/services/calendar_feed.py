"""An organisation's subscribable calendar: one event per deadline of each tender it matches
(the deadline for clarification questions and the submission deadline), each naming the buyer
and the parts that fit, with reminders 7 and 2 days before.

The feed is read from the database on every request, so a moved deadline shows at the next
refresh, and no text in it counts days (a "closes in 85 days" would be frozen in the
subscriber's calendar). Its URL needs no session: it carries a token signed with
`LOTWISE_SECRET_KEY` over the organisation id and its current feed key; revoking draws a new
key, after which every earlier URL is refused."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine

from scanner.storage import opportunity_reads as reads
from scanner.storage import organisations as org_store
from scanner.storage import tracking as store
from scanner.tender_state import is_open

REMINDERS = (timedelta(days=7), timedelta(days=2))
SLOT = timedelta(minutes=30)  # an event ending at the deadline, on the right day and time
KINDS = {
    "tender": "the whole tender",
    "buyer_lot": "a lot the buyer offers",
    "suggested_package": "a package Lotwise suggests, not offered by the buyer",
}


class FeedError(Exception):
    """A feed URL that is forged, cut, or revoked; the message says so."""


@dataclass(frozen=True)
class FeedSigner:
    secret_key: str
    base_url: str

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt="lotwise-calendar-feed")

    def url(self, slug: str, key: str) -> str:
        token = self._serializer().dumps([slug, key])
        return f"{self.base_url.rstrip('/')}/calendar/{token}.ics"

    def claim(self, token: str) -> tuple[str, str]:
        try:
            slug, key = self._serializer().loads(token)
        except (BadSignature, ValueError, TypeError):
            raise FeedError("This calendar address is not valid (it may have been cut).") from None
        return str(slug), str(key)


def _organisation(conn: Any, slug: str) -> int:
    stored = org_store.get_organisation(conn, slug)
    if stored is None:
        raise LookupError(slug)
    return stored.key


def feed_url(engine: Engine, signer: FeedSigner, slug: str) -> str | None:
    """The organisation's feed URL, or None until it asks for one."""
    with engine.connect() as conn:
        key = store.calendar_key(conn, _organisation(conn, slug))
    return None if key is None else signer.url(slug, key)


def new_feed_url(engine: Engine, signer: FeedSigner, slug: str, *, now: datetime) -> str:
    """Draw a new key (the first, or revoking the last: every URL given out before stops
    working) and return the URL made with it."""
    key = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        store.set_calendar_key(conn, _organisation(conn, slug), key, now)
    return signer.url(slug, key)


def feed_for_token(
    engine: Engine, signer: FeedSigner, token: str, *, now: datetime
) -> tuple[str, bytes]:
    """(organisation id, iCalendar) for a feed token, or FeedError."""
    slug, key = signer.claim(token)
    with engine.connect() as conn:
        stored = org_store.get_organisation(conn, slug)
        current = store.calendar_key(conn, stored.key) if stored else None
        if stored is None or current is None or not secrets.compare_digest(current, key):
            raise FeedError("This calendar address has been revoked; ask for the new one.")
        rows = reads.calendar_rows(conn, stored.key)
    return slug, build_calendar(
        rows, base_url=signer.base_url, slug=slug, name=stored.profile.name, now=now
    )


def calendar_of(engine: Engine, base_url: str, slug: str, *, now: datetime) -> bytes:
    """The same calendar for a signed-in download."""
    with engine.connect() as conn:
        stored = org_store.get_organisation(conn, slug)
        if stored is None:
            raise LookupError(slug)
        rows = reads.calendar_rows(conn, stored.key)
    return build_calendar(rows, base_url=base_url, slug=slug, name=stored.profile.name, now=now)


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None  # a date without a zone cannot be placed


def build_calendar(
    rows: list[dict[str, Any]], *, base_url: str, slug: str, name: str, now: datetime
) -> bytes:
    """One event per (tender, deadline) among `rows` (see `reads.calendar_rows`), open ones
    only; the UID is stable so a subscriber's calendar moves the event when the date moves."""
    cal = Calendar()
    cal.add("prodid", "-//Lotwise//opportunity deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Lotwise: {name}")
    cal.add("refresh-interval;value=duration", "PT6H")
    tenders: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        tenders.setdefault(row["tender_id"], []).append(row)
    for tender_id, parts in tenders.items():
        first = parts[0]
        closes = first["deadline_at"]
        if not is_open(first["status"], closes, now):  # scanner.tender_state
            continue  # closed: none of its dates is worth a reminder
        published = first["published"] if isinstance(first["published"], Mapping) else {}
        enquiry = published.get("enquiryPeriod")
        deadlines = [
            ("submission", "Submission deadline", first["deadline_at"]),
            (
                "questions",
                "Deadline for clarification questions",
                _date(enquiry.get("endDate")) if isinstance(enquiry, Mapping) else None,
            ),
        ]
        for key, label, moment in deadlines:
            if moment is None or moment < now:
                continue
            cal.add_component(_event(slug, tender_id, key, label, moment, parts, base_url, now))
    return bytes(cal.to_ical())


def _event(
    slug: str,
    tender_id: int,
    key: str,
    label: str,
    moment: datetime,
    parts: list[dict[str, Any]],
    base_url: str,
    now: datetime,
) -> Event:
    first = parts[0]
    buyer = first["buyer_name"] or "Unknown buyer"
    url = (
        f"{base_url.rstrip('/')}/orgs/{quote(slug)}/opportunities/"
        f"{quote(first['opportunity_id'], safe=':')}"
    )
    fits = "; ".join(f"{p['title']} ({KINDS.get(p['kind'], p['kind'])})" for p in parts)
    event = Event()
    event.add("uid", f"lotwise-{slug}-{tender_id}-{key}@lotwise")
    event.add("dtstamp", now)
    event.add("dtstart", moment - SLOT)
    event.add("dtend", moment)
    event.add("summary", f"{label}: {first['tender_title']} ({buyer})")
    event.add(
        "description",
        f"{label} of {first['tender_title']}.\nBuyer: {buyer}\nWhat fits you: {fits}\n"
        f"Why: {first['explanation']}\n{url}",
    )
    event.add("url", url)
    event.add("categories", ["Lotwise", label])
    for before in REMINDERS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{label} in {before.days} days: {first['tender_title']}")
        alarm.add("trigger", -before, parameters={"RELATED": "END"})  # before the deadline
        event.add_component(alarm)
    return event
