"""Digest use cases: build and record due digests, deliver the outbox, preview, and the
operator's and recipients' actions (issue 6; docs/alerts.md).

Order per digest: content selected -> rendered -> recorded as `pending` with its Message-ID
(committed) -> claimed -> MAIL/RCPT -> `in_data` committed -> body -> outcome committed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scanner.alerts.content import (
    CLOSING_LIMIT,
    CLOSING_SOON_DAYS,
    NEW_LIMIT,
    DigestContent,
    DigestItem,
    period_key,
)
from scanner.alerts.links import LinkError, LinkSigner, opportunity_url
from scanner.alerts.mailer import SmtpConfig, SmtpMailer, is_loopback
from scanner.alerts.message import POLICY, build_message, envelope_sender, make_message_id
from scanner.alerts.render import DigestLinks, DigestRenderer
from scanner.dedupe.similar import group_similar
from scanner.money import for_reader
from scanner.orgs import RatesError, RateTable, load_rates
from scanner.settings import DEV_SECRET_KEY, Settings
from scanner.storage import digests as store
from scanner.storage.organisations import get_organisation

BUILD_BATCH = 500
OVERLAP = timedelta(days=1)


class DigestConfigError(Exception):
    """Settings that would send mail unsafely; the message names the setting."""


@dataclass(frozen=True)
class DigestConfig:
    smtp: SmtpConfig
    mail_from: str
    base_url: str
    secret_key: str
    # the matcher's dated rates: amounts are shown in each organisation's currency (None: as
    # published, each saying it was not converted)
    rates: RateTable | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, strict: bool = True) -> DigestConfig:
        """Sending needs the rates (a RatesError says what is wrong with the file); the web
        passes `strict=False` so a broken rates file leaves money as published, each amount
        saying it was not converted, instead of stopping every page."""
        try:
            rates: RateTable | None = load_rates(settings.rates_file)
        except RatesError:
            if strict:
                raise
            rates = None
        return cls(
            smtp=SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=settings.smtp_security,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value(),
                timeout=settings.http_timeout,
            ),
            mail_from=settings.mail_from,
            base_url=settings.base_url,
            secret_key=settings.secret_key.get_secret_value(),
            rates=rates,
        )

    def check_can_send(self) -> None:
        """The development key signs links anyone can forge, and a password must not cross the
        network in clear: refuse both before anything is recorded."""
        if self.smtp.username and self.smtp.security == "none" and not is_loopback(self.smtp.host):
            raise DigestConfigError(
                f"refusing to send the SMTP password unencrypted to {self.smtp.host}; set "
                "LOTWISE_SMTP_SECURITY=starttls or tls"
            )
        if self.secret_key == DEV_SECRET_KEY and not is_loopback(self.smtp.host):
            raise DigestConfigError(
                "LOTWISE_SECRET_KEY is the development default; set a secret of your own "
                f"before sending mail to {self.smtp.host} (loopback servers are allowed)"
            )


@dataclass
class SendReport:
    """What one `send_digests` run did, per digest as `slug/period`."""

    recorded: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    nothing_new: list[str] = field(default_factory=list)
    already_recorded: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    retrying: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    unknown: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    requeued_after_crash: int = 0
    unknown_after_crash: int = 0
    dry_run: bool = False
    outbox_dir: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class BuiltDigest:
    organisation: store.Recipient
    period: str
    content: DigestContent
    subject: str
    sender: str
    message_id: str
    message: str
    window_start: datetime | None


class DigestBuilder:
    """Content selection and rendering for one run; the renderer is compiled once."""

    def __init__(self, config: DigestConfig, renderer: DigestRenderer | None = None) -> None:
        self.config = config
        self.signer = LinkSigner(config.secret_key, config.base_url)
        self.renderer = renderer or DigestRenderer()

    def build(
        self, conn: Any, org: store.Recipient, since: datetime | None, now: datetime
    ) -> BuiltDigest | None:
        """The digest `org` is due for `now`, or None when nothing is new."""
        closing: list[store.MatchRow] = []
        if since is None:
            found = store.new_matches(conn, org.key, None, now)
        else:
            # A match stamped before the last digest but committed after it (the matcher stamps
            # a batch when it starts) must not be lost: look back OVERLAP and leave out what
            # earlier digests already held.
            lower = since - OVERLAP
            held = store.recent_match_ids(conn, org.key, lower)
            found = [
                row
                for row in store.new_matches(conn, org.key, lower, now)
                if row.match_id not in held
            ]
            if found:
                until = now + timedelta(days=CLOSING_SOON_DAYS)
                fresh = {row.match_id for row in found}
                closing = [
                    row
                    for row in store.closing_matches(
                        conn, org.key, since, now, until, CLOSING_LIMIT
                    )
                    if row.match_id not in fresh
                ]
        if not found:
            return None
        period = period_key(org.frequency, now)
        # near-identical notices of several buyers are one entry "and N similar"
        groups = group_similar(found, _reading_title, lambda row: row.tender_id)
        content = DigestContent(
            organisation_slug=org.slug,
            organisation_name=org.name,
            frequency=org.frequency,
            period=period,
            new=tuple(self._item(g[0], org, now, g[1:]) for g in groups[:NEW_LIMIT]),
            closing=tuple(self._item(row, org, now) for row in closing),
            more_new=sum(len(g) for g in groups[NEW_LIMIT:]),
        )
        unsubscribe = self.signer.url(org.slug, org.token_version, "unsubscribe")
        links = DigestLinks(
            unsubscribe=unsubscribe,
            preferences=self.signer.url(org.slug, org.token_version, "preferences"),
        )
        rendered = self.renderer.render(content, links, now)
        message_id = make_message_id(org.slug, period, self.config.mail_from)
        message = build_message(
            rendered,
            sender=self.config.mail_from,
            recipients=org.emails,
            message_id=message_id,
            date=now,
            unsubscribe_url=unsubscribe,
        )
        return BuiltDigest(
            organisation=org,
            period=period,
            content=content,
            subject=rendered.subject,
            sender=self.config.mail_from,
            message_id=message_id,
            message=message.as_string(policy=POLICY),
            window_start=since,
        )

    def _item(
        self,
        row: store.MatchRow,
        org: store.Recipient,
        now: datetime,
        similar: Sequence[store.MatchRow] = (),
    ) -> DigestItem:
        part = row.kind in ("buyer_lot", "suggested_package")
        shown = for_reader(
            row.value, row.currency, org.currency, self.config.rates, on=now.date(),
            estimate=row.estimate,
        )  # fmt: skip
        return DigestItem(
            match_id=row.match_id,
            opportunity_id=row.opportunity_id,
            kind=row.kind,
            title=row.tender_title,
            part_title=row.title if part else None,
            buyer=row.buyer,
            value=row.value,
            currency=row.currency,
            reader_value=shown,
            deadline=row.deadline,
            score=row.score,
            explanation=row.explanation,
            notice_url=row.notice_url,
            page_url=opportunity_url(self.config.base_url, org.slug, row.opportunity_id),
            similar=tuple(self._item(other, org, now) for other in similar),
        )


def _reading_title(row: store.MatchRow) -> str:
    """What a reader takes for the notice: the tender's title, with the part when only a
    lot or package fits."""
    return row.tender_title if row.kind == "tender" else f"{row.tender_title} {row.title}"


def send_digests(
    engine: Engine,
    config: DigestConfig,
    *,
    now: datetime,
    org: str | None = None,
    dry_run: bool = False,
    outbox_dir: Path | None = None,
    mailer_factory: Callable[[SmtpConfig], SmtpMailer] = SmtpMailer,
    builder: DigestBuilder | None = None,
) -> SendReport:
    """Record every due digest, then deliver everything pending and due.

    A dry run records nothing and opens no connection: it writes each digest it would send to
    `outbox_dir` as an .eml file. Otherwise `outbox_dir`, when given, keeps a copy of each
    newly recorded digest."""
    report = SendReport(dry_run=dry_run, outbox_dir=str(outbox_dir) if outbox_dir else None)
    if not dry_run:
        config.check_can_send()
    builder = builder or DigestBuilder(config)
    with engine.connect() as conn:
        orgs = store.recipients(conn, org)
        if org and not orgs:
            raise LookupError(f"no organisation with id {org!r}")
        due = [o for o in orgs if o.frequency in ("daily", "weekly") and o.emails]
        periods = {o.key: period_key(o.frequency, now) for o in due}
        recorded = store.recorded_periods(conn, periods.values())
        since = store.last_window_ends(conn)
    todo = []
    for o in due:
        if (o.key, periods[o.key]) in recorded:
            report.already_recorded.append(f"{o.slug}/{periods[o.key]}")
        else:
            todo.append(o)
    for start in range(0, len(todo), BUILD_BATCH):
        _build_batch(
            engine,
            builder,
            todo[start : start + BUILD_BATCH],
            since,
            now,
            report,
            dry_run=dry_run,
            outbox_dir=outbox_dir,
        )
    if not dry_run:
        _deliver(engine, config, now, report, orgs[0].key if org else None, mailer_factory)
    return report


def _build_batch(
    engine: Engine,
    builder: DigestBuilder,
    orgs: list[store.Recipient],
    since: dict[int, datetime],
    now: datetime,
    report: SendReport,
    *,
    dry_run: bool,
    outbox_dir: Path | None,
) -> None:
    with engine.begin() as conn:
        built = []
        for o in orgs:
            try:
                digest = builder.build(conn, o, since.get(o.key), now)
            except Exception as exc:  # one organisation's bad data never stops the others
                report.errors.append(
                    {"organisation": o.slug, "error": f"{type(exc).__name__}: {exc}"}
                )
                continue
            if digest is None:
                report.nothing_new.append(f"{o.slug}/{period_key(o.frequency, now)}")
            else:
                built.append(digest)
        if outbox_dir is not None:
            report.written += [str(_write_eml(outbox_dir, d)) for d in built]
        if dry_run or not built:
            return
        recorded = store.record_digests(conn, [digest_row(d, now) for d in built])
        for digest, new in zip(built, recorded, strict=True):
            label = f"{digest.organisation.slug}/{digest.period}"
            (report.recorded if new else report.already_recorded).append(label)


def digest_row(digest: BuiltDigest, now: datetime) -> dict[str, Any]:
    """The outbox row of a built digest: pending, due now."""
    org = digest.organisation
    return {
        "organisation_id": org.key,
        "period": digest.period,
        "frequency": org.frequency,
        "status": "pending",
        "message_id": digest.message_id,
        "subject": digest.subject,
        "sender": digest.sender,
        "recipients": org.emails,
        "message": digest.message,
        "match_ids": digest.content.match_ids,
        "new_count": digest.content.new_count,
        "closing_count": len(digest.content.closing),
        "window_start": digest.window_start,
        "window_end": now,
        "attempts": 0,
        "next_attempt_at": now,
        "refused": [],
        "created_at": now,
        "updated_at": now,
    }


def _write_eml(folder: Path, digest: BuiltDigest) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest.organisation.slug}-{digest.period}.eml"
    path.write_text(digest.message, encoding="utf-8", newline="")
    return path


def _deliver(
    engine: Engine,
    config: DigestConfig,
    now: datetime,
    report: SendReport,
    organisation: int | None,
    mailer_factory: Callable[[SmtpConfig], SmtpMailer],
) -> None:
    claimant = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    with engine.begin() as conn:
        requeued, unknown = store.recover_stale_claims(conn, now, _is_dead)
        report.requeued_after_crash, report.unknown_after_crash = requeued, unknown
        due = [digest_id for digest_id, _ in store.due_digests(conn, now, organisation)]
    if not due:
        return
    with mailer_factory(config.smtp) as mailer:
        for index, digest_id in enumerate(due):
            with engine.begin() as conn:
                digest = store.claim(conn, digest_id, claimant, now)
            if digest is None:
                continue  # another sender took it
            label = f"{digest.message_id}"

            def before_data(digest_id: int = digest_id) -> None:
                with engine.begin() as conn:
                    store.mark_in_data(conn, digest_id, now)

            delivery = mailer.deliver(
                envelope_sender(digest.sender),
                digest.recipients,
                digest.message.encode("utf-8"),
                before_data,
            )
            entry = {"digest": str(digest_id), "message_id": label, "detail": delivery.detail}
            with engine.begin() as conn:
                if delivery.outcome == "sent":
                    store.mark_sent(conn, digest_id, now, delivery.refused)
                    report.sent.append(label)
                elif delivery.outcome == "unknown":
                    store.mark_unknown(conn, digest_id, now, delivery.detail)
                    report.unknown.append(entry)
                elif delivery.outcome == "permanent":
                    store.mark_failed(conn, digest_id, now, delivery.detail, delivery.refused)
                    report.failed.append(entry)
                else:
                    # A server that cannot be reached is not tried again for each digest in
                    # this run: every remaining one is rescheduled with the same back-off.
                    rest = due[index:] if delivery.unavailable else [digest_id]
                    store.mark_retry(conn, rest, now, delivery.detail)
                    report.retrying += [{**entry, "digest": str(i)} for i in rest]
            if delivery.outcome == "transient" and delivery.unavailable:
                return


def _is_dead(claimant: str) -> bool:
    """True when `claimant` (host:pid:run) is a sender on this host that no longer runs.
    Claims from other hosts are left to the lease (`CLAIM_LEASE`)."""
    host, _, rest = claimant.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another run in this process (a scheduler thread): leave it to the lease
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] == "Z"  # killed, not yet reaped
    return False


def preview_digest(
    engine: Engine, config: DigestConfig, slug: str, *, now: datetime
) -> BuiltDigest | None:
    """The digest `slug` would get now (its frequency, or weekly when it chose none), without
    recording it; None when nothing is new."""
    with engine.connect() as conn:
        found = store.recipients(conn, slug)
        if not found:
            raise LookupError(f"no organisation with id {slug!r}")
        org = found[0]
        if org.frequency not in ("daily", "weekly"):
            org = store.Recipient(**{**org.__dict__, "frequency": "weekly"})
        since = store.last_window_ends(conn).get(org.key)
        return DigestBuilder(config).build(conn, org, since, now)


def outbox(
    engine: Engine, *, statuses: tuple[str, ...] = (), org: str | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.outbox(conn, statuses=statuses, slug=org)


def resolve(engine: Engine, digest_id: int, *, resend: bool, now: datetime) -> str | None:
    with engine.begin() as conn:
        return store.resolve(conn, digest_id, resend=resend, now=now)


def revoke_links(engine: Engine, slug: str, *, now: datetime) -> int:
    """Invalidate every unsubscribe and preference link sent to `slug` so far."""
    with engine.begin() as conn:
        found = store.preference(conn, slug)
        if found is None:
            raise LookupError(f"no organisation with id {slug!r}")
        return store.set_preference(conn, found[0], now, bump_version=True)


def link_organisation(engine: Engine, config: DigestConfig, token: str, purpose: str) -> str:
    """The name of the organisation a live link is for (what its page may show); raises
    LinkError for a forged, expired, revoked or wrong-purpose link, before any name is read."""
    signer = LinkSigner(config.secret_key, config.base_url)
    claim = signer.check(token, purpose)
    with engine.connect() as conn:
        found = store.preference(conn, claim.organisation_slug)
        if found is None:
            raise LinkError("this link is for an organisation that no longer exists")
        signer.check(token, purpose, current_version=found[2])
        stored = get_organisation(conn, claim.organisation_slug)
    if stored is None:
        raise LinkError("this link is for an organisation that no longer exists")
    return stored.profile.name


def apply_link(
    engine: Engine,
    config: DigestConfig,
    token: str,
    purpose: str,
    *,
    now: datetime,
    frequency: str | None = None,
) -> str:
    """Act on a signed link (what the web page or the one-click POST calls): unsubscribe sets
    the frequency to never; preferences sets the chosen one. Returns the organisation's slug;
    raises LinkError for forged, expired, revoked or wrong-purpose links."""
    signer = LinkSigner(config.secret_key, config.base_url)
    claim = signer.check(token, purpose)
    chosen = "never" if purpose == "unsubscribe" else frequency
    if chosen not in ("daily", "weekly", "never"):
        raise ValueError(f"frequency must be daily, weekly or never, not {chosen!r}")
    with engine.begin() as conn:
        found = store.preference(conn, claim.organisation_slug)
        if found is None:
            raise LinkError("this link is for an organisation that no longer exists")
        signer.check(token, purpose, current_version=found[2])
        store.set_preference(conn, found[0], now, frequency=chosen)
    return claim.organisation_slug
