"""Digest test helpers: rows written straight into a migrated database (SQLite and PostgreSQL), and
a real SMTP server (aiosmtpd) on 127.0.0.1 whose replies a test can script."""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, insert

from scanner.alerts.mailer import SmtpConfig
from scanner.models import Lot, Match, Organisation, Source, SplitAssessment, Tender
from scanner.orgs import RateTable
from scanner.services.digests import DigestConfig

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # a Friday, ISO week 48

KINDS = {"tender": "tender", "lot": "buyer_lot", "package": "suggested_package"}


class Seeder:
    """Writes organisations, tenders and matches as the matching service would."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._n = 0
        with engine.begin() as conn:
            self.source = conn.execute(
                insert(Source).values(
                    name="test", kind="ocds", url="http://127.0.0.1/", created_at=NOW
                )
            ).inserted_primary_key[0]

    def org(
        self,
        slug: str,
        *,
        emails: tuple[str, ...] = ("bids@example.org",),
        digest: str = "weekly",
        active: bool = True,
        name: str | None = None,
        currency: str = "GBP",
    ) -> int:
        values: dict[str, Any] = {
            "slug": slug,
            "name": name or slug.replace("-", " ").title(),
            "emails": list(emails),
            "description": "",
            "capabilities": "",
            "keywords": [],
            "exclusions": [],
            "cpv": [],
            "naics": [],
            "regions": [],
            "national": False,
            "remote": True,
            "currency": currency,
            "certifications": [],
            "open_source": "no preference",
            "digest": digest,
            "active": active,
            "content_hash": slug,
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
        }
        with self.engine.begin() as conn:
            return int(conn.execute(insert(Organisation).values(**values)).inserted_primary_key[0])

    def tender(
        self,
        title: str,
        *,
        deadline: datetime | None = NOW + timedelta(days=20),
        buyer: str | None = "Borough Council",
        value: str | None = "120000",
        status: str | None = "active",
        lots: tuple[tuple[str, str | None], ...] = (),
        notice_url: str | None = "https://notices.example/n/1",
        currency: str = "GBP",
        packages: tuple[str | None, ...] = (),
    ) -> int:
        """A tender in `currency` with its `lots` (title, value) and, when `packages` are
        given, a split assessment proposing one package per estimated value."""
        self._n += 1
        with self.engine.begin() as conn:
            tender_id = int(
                conn.execute(
                    insert(Tender).values(
                        source_id=self.source,
                        source_key=f"k{self._n}",
                        title=title,
                        buyer_name=buyer,
                        value_amount=Decimal(value) if value else None,
                        currency=currency,
                        deadline_at=deadline,
                        status=status,
                        notice_url=notice_url,
                        cpv_codes=[],
                        classifications=[],
                        regions=[],
                        countries=[],
                        items=[],
                        content_hash="h",
                        version=1,
                        first_seen=NOW,
                        last_seen=NOW,
                        raw={},
                    )
                ).inserted_primary_key[0]
            )
            for position, (lot_title, lot_value) in enumerate(lots):
                conn.execute(
                    insert(Lot).values(
                        tender_id=tender_id,
                        position=position,
                        lot_id=str(position + 1),
                        title=lot_title,
                        value_amount=Decimal(lot_value) if lot_value else None,
                        currency=currency,
                        cpv_codes=[],
                        related_items=[],
                    )
                )
            if packages:
                conn.execute(
                    insert(SplitAssessment).values(
                        tender_id=tender_id,
                        tender_version=1,
                        rules_version="r1",
                        status="assessed",
                        assessed_at=NOW,
                        currency=currency,
                        data={
                            "currency": currency,
                            "packages": [
                                {"title": f"package {n}", "estimated_value": estimate}
                                for n, estimate in enumerate(packages, start=1)
                            ],
                        },
                    )
                )
        return tender_id

    def match(
        self,
        org: int,
        tender: int,
        *,
        score: float = 0.8,
        found_at: datetime = NOW - timedelta(hours=2),
        opportunity: str | None = None,
        title: str = "",
        explanation: str = "CPV 72 matches your services; value within your range",
    ) -> int:
        opportunity = opportunity or f"tender:{tender}"
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(Match).values(
                        organisation_id=org,
                        tender_id=tender,
                        opportunity_id=opportunity,
                        kind=KINDS[opportunity.split(":")[0]],
                        title=title or f"match {opportunity}",
                        score=score,
                        explanation=explanation,
                        breakdown=[],
                        tender_version=1,
                        organisation_version=1,
                        weights_version="w1",
                        found_at=found_at,
                        updated_at=found_at,
                    )
                ).inserted_primary_key[0]
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ScriptedHandler:
    """Accepts mail, or answers from the scripted queues first. `on_data` runs when the whole
    message has arrived, before the reply (the crash test kills the sender there)."""

    messages: list[Any] = field(default_factory=list)
    mail_replies: list[str] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    on_rcpt: Callable[[], None] | None = None
    on_data: Callable[[], None] | None = None
    drop_after_data: bool = False  # take the message, then hang up without answering

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.on_rcpt:
            self.on_rcpt()
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.on_data:
            self.on_data()
        if self.drop_after_data:
            self.messages.append(copy.copy(envelope))
            server.transport.close()
            return "250 never heard"
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(copy.copy(envelope))
        return "250 2.0.0 queued"


@dataclass
class SmtpServer:
    port: int
    handler: ScriptedHandler
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def config_for(port: int, rates: RateTable | None = None) -> DigestConfig:
    return DigestConfig(
        smtp=SmtpConfig(host="127.0.0.1", port=port, timeout=10),
        mail_from="Lotwise <digests@lotwise.test>",
        base_url="https://lotwise.test",
        secret_key="a test secret",
        rates=rates,
    )
