"""The digest outbox and digest preferences in the database (issue 6).

Every state change is its own short transaction, committed before the SMTP step it guards:
the row exists before any SMTP command, and `in_data` is committed before the message body
is sent. Claims carry the claimant's host and pid so a dead sender's claims can be told from
a live one's (see `recover_stale_claims`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from scanner.alerts.outbox import (
    CLAIM_LEASE,
    FAILED,
    IN_DATA,
    MAX_ATTEMPTS,
    PENDING,
    SENDING,
    SENT,
    UNKNOWN,
    backoff,
)
from scanner.models import (
    Digest,
    DigestPreference,
    Lot,
    Match,
    Organisation,
    SplitAssessment,
    Tender,
    Tracking,
    UTCDateTime,
)
from scanner.storage.open_tenders import tender_is_open
from scanner.storage.tracking import QUIET_STATES


@dataclass(frozen=True)
class Recipient:
    """An active organisation as the digest sees it; `frequency` already honours the choice
    made through its preference link."""

    key: int
    slug: str
    name: str
    emails: list[str]
    frequency: str
    token_version: int
    currency: str = "GBP"  # the profile's: the digest shows money in it


@dataclass(frozen=True)
class MatchRow:
    match_id: int
    tender_id: int
    opportunity_id: str
    kind: str
    title: str
    tender_title: str
    buyer: str | None
    value: Decimal | None
    currency: str | None
    deadline: datetime | None
    score: float
    explanation: str
    notice_url: str | None
    found_at: datetime
    estimate: bool = False  # `value` is Lotwise's estimate of a suggested package's share


def recipients(conn: Connection, slug: str | None = None) -> list[Recipient]:
    """Active organisations (or the one `slug`, active or not), by slug."""
    stmt = (
        select(
            Organisation.id,
            Organisation.slug,
            Organisation.name,
            Organisation.emails,
            Organisation.digest,
            Organisation.active,
            Organisation.currency,
            DigestPreference.frequency,
            DigestPreference.token_version,
        )
        .outerjoin(DigestPreference, DigestPreference.organisation_id == Organisation.id)
        .order_by(Organisation.slug)
    )
    stmt = (
        stmt.where(Organisation.slug == slug) if slug else stmt.where(Organisation.active.is_(True))
    )
    return [
        Recipient(
            key=row.id,
            slug=row.slug,
            name=row.name,
            emails=list(row.emails),
            frequency=(row.frequency or row.digest) if row.active else "never",
            token_version=row.token_version or 1,
            currency=row.currency or "GBP",
        )
        for row in conn.execute(stmt)
    ]


def recorded_periods(conn: Connection, periods: Iterable[str]) -> set[tuple[int, str]]:
    """(organisation, period) pairs that already have a digest, in any state."""
    wanted = sorted(set(periods))
    if not wanted:
        return set()
    rows = conn.execute(
        select(Digest.organisation_id, Digest.period).where(Digest.period.in_(wanted))
    )
    return {(row.organisation_id, row.period) for row in rows}


def last_window_ends(conn: Connection) -> dict[int, datetime]:
    """Per organisation, the end of its latest digest's window: "new" means found after it."""
    rows = conn.execute(
        select(Digest.organisation_id, func.max(Digest.window_end)).group_by(Digest.organisation_id)
    )
    return {org: end for org, end in rows}


_MATCH_COLUMNS = (
    Match.id,
    Match.tender_id,
    Match.opportunity_id,
    Match.kind,
    Match.title,
    Match.score,
    Match.explanation,
    Match.found_at,
    Tender.title.label("tender_title"),
    Tender.buyer_name,
    Tender.value_amount,
    Tender.currency,
    Tender.deadline_at,
    Tender.notice_url,
)


def _open(now: Any) -> Any:
    """Still open, and not dismissed (nor decided against) by the organisation."""
    return and_(
        tender_is_open(now),  # scanner.tender_state
        ~exists().where(
            Tracking.organisation_id == Match.organisation_id,
            Tracking.opportunity_id == Match.opportunity_id,
            Tracking.state.in_(QUIET_STATES),
        ),
    )


# Built once with bound parameters: constructing the statements per organisation cost more
# than running them.
_NOW = bindparam("now", type_=UTCDateTime())
_ORG = bindparam("org", type_=Integer())
_SINCE = bindparam("since", type_=UTCDateTime())
_NEW = (
    select(*_MATCH_COLUMNS)
    .join(Tender, Tender.id == Match.tender_id)
    .where(Match.organisation_id == _ORG, Match.found_at <= _NOW, _open(_NOW))
    .order_by(Match.score.desc(), Match.found_at, Match.id)
)
_NEW_SINCE = _NEW.where(Match.found_at > _SINCE)
_CLOSING = (
    select(*_MATCH_COLUMNS)
    .join(Tender, Tender.id == Match.tender_id)
    .where(
        Match.organisation_id == _ORG,
        Match.found_at <= _SINCE,
        Tender.deadline_at <= bindparam("until", type_=UTCDateTime()),
        _open(_NOW),
    )
    .order_by(Tender.deadline_at, Match.score.desc(), Match.id)
    .limit(bindparam("limit", type_=Integer()))
)


def new_matches(
    conn: Connection, organisation: int, since: datetime | None, now: datetime
) -> list[MatchRow]:
    """Open opportunities first matched after `since` (all open ones when None), best first."""
    params = {"org": organisation, "now": now, "since": since}
    found = conn.execute(_NEW if since is None else _NEW_SINCE, params)
    return _with_part_values(conn, [_match_row(row) for row in found])


def closing_matches(
    conn: Connection, organisation: int, since: datetime, now: datetime, until: datetime, limit: int
) -> list[MatchRow]:
    """Matches sent in earlier digests (found by `since`) whose deadline falls before `until`."""
    params = {"org": organisation, "now": now, "since": since, "until": until, "limit": limit}
    found = conn.execute(_CLOSING, params)
    return _with_part_values(conn, [_match_row(row) for row in found])


def _match_row(row: Any) -> MatchRow:
    return MatchRow(
        match_id=row.id,
        tender_id=row.tender_id,
        opportunity_id=row.opportunity_id,
        kind=row.kind,
        title=row.title,
        tender_title=row.tender_title,
        buyer=row.buyer_name,
        value=row.value_amount,
        currency=row.currency,
        deadline=row.deadline_at,
        score=row.score,
        explanation=row.explanation,
        notice_url=row.notice_url,
        found_at=row.found_at,
    )


def _with_part_values(conn: Connection, rows: list[MatchRow]) -> list[MatchRow]:
    """A lot's own value replaces the tender's (`lot:42:2` is the tender's second lot), and a
    suggested package's estimated share does (`package:42:1`, marked as Lotwise's estimate;
    none when the splitter made no estimate)."""
    lot_tenders = {row.tender_id for row in rows if row.kind == "buyer_lot"}
    package_tenders = {row.tender_id for row in rows if row.kind == "suggested_package"}
    if not lot_tenders and not package_tenders:
        return rows
    values: dict[tuple[str, int, int], tuple[Any, str | None]] = {}
    if lot_tenders:
        for lot in conn.execute(
            select(Lot.tender_id, Lot.position, Lot.value_amount, Lot.currency).where(
                Lot.tender_id.in_(lot_tenders)
            )
        ):
            values["buyer_lot", lot.tender_id, lot.position + 1] = (lot.value_amount, lot.currency)
    if package_tenders:
        for tender_id, data in conn.execute(
            select(SplitAssessment.tender_id, SplitAssessment.data).where(
                SplitAssessment.tender_id.in_(package_tenders)
            )
        ):
            packages = data.get("packages") if isinstance(data, dict) else None
            for position, package in enumerate(packages or [], start=1):
                if isinstance(package, dict):
                    values["suggested_package", tender_id, position] = (
                        package.get("estimated_value"),
                        data.get("currency"),
                    )
    result = []
    for row in rows:
        if row.kind in ("buyer_lot", "suggested_package"):
            tail = row.opportunity_id.rsplit(":", 1)[1]
            position = int(tail) if tail.isdigit() else 0
            amount, currency = values.get((row.kind, row.tender_id, position), (None, None))
            row = MatchRow(
                **{
                    **row.__dict__,
                    "value": _decimal(amount),
                    "currency": currency or row.currency,
                    "estimate": row.kind == "suggested_package",
                }
            )
        result.append(row)
    return result


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def recent_match_ids(conn: Connection, organisation: int, since: datetime) -> set[int]:
    """Matches already put in this organisation's digests whose window ended after `since`."""
    found: set[int] = set()
    for (ids,) in conn.execute(
        select(Digest.match_ids).where(
            Digest.organisation_id == organisation, Digest.window_end >= since
        )
    ):
        found.update(ids)
    return found


def record_digests(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[bool]:
    """Insert pending digests; a row whose (organisation, period) exists is skipped, so two
    runs racing for one period record one digest. Says, per row, whether it was recorded."""
    recorded = []
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(insert(Digest), [row])
            recorded.append(True)
        except IntegrityError:
            recorded.append(False)
    return recorded


def due_digests(
    conn: Connection, now: datetime, organisation: int | None = None
) -> list[tuple[int, datetime | None]]:
    """Pending digests whose next attempt is due, oldest first: (id, next_attempt_at)."""
    stmt = (
        select(Digest.id, Digest.next_attempt_at)
        .where(
            Digest.status == PENDING,
            or_(Digest.next_attempt_at.is_(None), Digest.next_attempt_at <= now),
        )
        .order_by(Digest.created_at, Digest.id)
    )
    if organisation is not None:
        stmt = stmt.where(Digest.organisation_id == organisation)
    return [(row.id, row.next_attempt_at) for row in conn.execute(stmt)]


def claim(conn: Connection, digest_id: int, claimant: str, now: datetime) -> Digest | None:
    """Take a pending digest for sending; None when another sender took it first."""
    taken = conn.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.status == PENDING)
        .values(status=SENDING, claimed_by=claimant, claimed_at=now, updated_at=now)
    ).rowcount
    if taken != 1:
        return None
    row = conn.execute(select(Digest.__table__).where(Digest.id == digest_id)).one()
    return Digest(**row._asdict())


def mark_in_data(conn: Connection, digest_id: int, now: datetime) -> None:
    conn.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(status=IN_DATA, attempts=Digest.attempts + 1, updated_at=now)
    )


def mark_sent(conn: Connection, digest_id: int, now: datetime, refused: Sequence[str]) -> None:
    conn.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(status=SENT, sent_at=now, refused=list(refused), last_error=None, updated_at=now)
    )


def mark_unknown(conn: Connection, digest_id: int, now: datetime, detail: str) -> None:
    conn.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(status=UNKNOWN, last_error=detail, updated_at=now)
    )


def mark_failed(
    conn: Connection, digest_id: int, now: datetime, detail: str, refused: Sequence[str] = ()
) -> None:
    conn.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(status=FAILED, last_error=detail, refused=list(refused), updated_at=now)
    )


def mark_retry(conn: Connection, digest_ids: Sequence[int], now: datetime, detail: str) -> None:
    """A known-unsent attempt failed: back to pending with a doubled wait, or failed for good
    once `MAX_ATTEMPTS` are used up. Attempts that never reached DATA count here."""
    for digest_id in digest_ids:
        row = conn.execute(
            select(Digest.attempts, Digest.status).where(Digest.id == digest_id)
        ).one()
        if row.status not in (PENDING, SENDING, IN_DATA):
            continue
        attempts = row.attempts + (0 if row.status == IN_DATA else 1)
        if attempts >= MAX_ATTEMPTS:
            values: dict[str, Any] = {
                "status": FAILED,
                "last_error": f"gave up after {attempts} attempts; last: {detail}",
            }
        else:
            values = {
                "status": PENDING,
                "last_error": detail,
                "next_attempt_at": now + backoff(attempts),
            }
        conn.execute(
            update(Digest)
            .where(Digest.id == digest_id)
            .values(**values, attempts=attempts, claimed_by=None, updated_at=now)
        )


def recover_stale_claims(
    conn: Connection, now: datetime, is_dead: Callable[[str], bool]
) -> tuple[int, int]:
    """Claims whose sender died (or whose lease ran out): `sending` ones go back to pending
    (DATA was never issued), `in_data` ones become `unknown` (the message may have been
    accepted). Returns (requeued, unknown)."""
    stale = conn.execute(
        select(Digest.id, Digest.status, Digest.claimed_by, Digest.claimed_at).where(
            Digest.status.in_((SENDING, IN_DATA))
        )
    ).all()
    requeued = unknown = 0
    for row in stale:
        expired = row.claimed_at is None or row.claimed_at < now - CLAIM_LEASE
        if not (expired or is_dead(row.claimed_by or "")):
            continue
        if row.status == SENDING:
            conn.execute(
                update(Digest)
                .where(Digest.id == row.id, Digest.status == SENDING)
                .values(status=PENDING, claimed_by=None, next_attempt_at=now, updated_at=now)
            )
            requeued += 1
        else:
            mark_unknown(
                conn,
                row.id,
                now,
                f"sender {row.claimed_by} stopped after issuing DATA; the message may or may "
                "not have been delivered",
            )
            unknown += 1
    return requeued, unknown


def outbox(
    conn: Connection, *, statuses: Sequence[str] = (), slug: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Outbox rows for the operator, newest first, without the message bodies."""
    stmt = (
        select(
            Digest.id,
            Organisation.slug.label("organisation"),
            Digest.period,
            Digest.status,
            Digest.message_id,
            Digest.recipients,
            Digest.new_count,
            Digest.closing_count,
            Digest.attempts,
            Digest.next_attempt_at,
            Digest.last_error,
            Digest.refused,
            Digest.created_at,
            Digest.sent_at,
        )
        .join(Organisation, Organisation.id == Digest.organisation_id)
        .order_by(Digest.created_at.desc(), Digest.id.desc())
        .limit(limit)
    )
    if statuses:
        stmt = stmt.where(Digest.status.in_(statuses))
    if slug:
        stmt = stmt.where(Organisation.slug == slug)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def resolve(conn: Connection, digest_id: int, *, resend: bool, now: datetime) -> str | None:
    """The operator's decision on an `unknown` or `failed` digest: mark it sent (it arrived)
    or queue it again (it did not). Returns the old status, None when there is no such row."""
    status = conn.execute(select(Digest.status).where(Digest.id == digest_id)).scalar()
    if status not in (UNKNOWN, FAILED):
        return status
    values: dict[str, Any] = (
        {"status": PENDING, "next_attempt_at": now, "attempts": 0, "claimed_by": None}
        if resend
        else {"status": SENT, "sent_at": now}
    )
    conn.execute(update(Digest).where(Digest.id == digest_id).values(**values, updated_at=now))
    return status


def preference(conn: Connection, slug: str) -> tuple[int, str | None, int] | None:
    """(organisation key, chosen frequency or None, token version) for `slug`."""
    row = conn.execute(
        select(Organisation.id, DigestPreference.frequency, DigestPreference.token_version)
        .outerjoin(DigestPreference, DigestPreference.organisation_id == Organisation.id)
        .where(Organisation.slug == slug)
    ).first()
    if row is None:
        return None
    return row.id, row.frequency, row.token_version or 1


def set_preference(
    conn: Connection,
    organisation: int,
    now: datetime,
    *,
    frequency: str | None = None,
    bump_version: bool = False,
) -> int:
    """Store a frequency choice and/or revoke links; returns the token version now in force."""
    current = conn.execute(
        select(DigestPreference.frequency, DigestPreference.token_version).where(
            DigestPreference.organisation_id == organisation
        )
    ).first()
    version = (current.token_version if current else 1) + (1 if bump_version else 0)
    chosen = frequency if frequency is not None else (current.frequency if current else None)
    if current is None:
        conn.execute(
            insert(DigestPreference).values(
                organisation_id=organisation,
                frequency=chosen,
                token_version=version,
                updated_at=now,
            )
        )
    else:
        conn.execute(
            update(DigestPreference)
            .where(DigestPreference.organisation_id == organisation)
            .values(frequency=chosen, token_version=version, updated_at=now)
        )
    return version
