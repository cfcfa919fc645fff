"""Delivery to a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and what the outbox
records when the server is down, defers, rejects or refuses a recipient."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage

from digest_fixtures import NOW, ScriptedHandler, Seeder, SmtpServer, config_for, free_port
from sqlalchemy import select

from scanner.alerts.message import POLICY
from scanner.alerts.outbox import MAX_ATTEMPTS
from scanner.models import Digest
from scanner.services import digests as service

EVIL = "<script>alert(1)</script> Survey & <i>analysis</i>"


def digest_rows(seed: Seeder) -> list[Digest]:
    with seed.engine.connect() as conn:
        found = conn.execute(select(Digest.__table__).order_by(Digest.id))
        return [Digest(**row._asdict()) for row in found]


def received(smtp: SmtpServer, index: int = 0) -> EmailMessage:
    message = message_from_bytes(smtp.handler.messages[index].content, policy=POLICY)
    assert isinstance(message, EmailMessage)
    return message


def test_digest_arrives_as_multipart_with_headers_and_escaped_text(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("open-data-works", emails=("a@example.org", "b@example.org"))
    seed.match(org, seed.tender(EVIL), score=0.9)
    seed.match(org, seed.tender("Second best"), score=0.5)
    report = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert len(report.sent) == 1 and report.failed == [] and report.retrying == []
    [envelope] = smtp.handler.messages
    assert envelope.mail_from == "digests@lotwise.test"
    assert envelope.rcpt_tos == ["a@example.org", "b@example.org"]
    message = received(smtp)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["From"] == "Lotwise <digests@lotwise.test>"
    assert message["Subject"] == "2 new opportunities for Open Data Works (week 48 of 2026)"
    assert message["Date"] == "Fri, 27 Nov 2026 07:00:00 +0000"
    assert message["List-Unsubscribe"].startswith("<https://lotwise.test/digest/unsubscribe?")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL in text and text.index(EVIL) < text.index("Second best")
    [row] = digest_rows(seed)
    assert row.status == "sent" and row.sent_at == NOW and row.attempts == 1
    assert row.message_id == message["Message-ID"] and row.new_count == 2


def test_smtp_down_then_up_retries_with_back_off_and_sends_once(seed: Seeder) -> None:
    for slug in ("first-org", "second-org"):
        seed.match(seed.org(slug), seed.tender(slug))
    server = SmtpServer(port=free_port(), handler=ScriptedHandler())  # not started: down
    config = config_for(server.port)
    down = service.send_digests(seed.engine, config, now=NOW)
    assert len(down.recorded) == 2 and down.sent == [] and len(down.retrying) == 2
    for row in digest_rows(seed):
        assert row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at == NOW + timedelta(minutes=1)
        assert "SMTP unavailable" in (row.last_error or "")
    # Not due yet: nothing is tried, nothing is recorded twice.
    early = service.send_digests(seed.engine, config, now=NOW + timedelta(seconds=30))
    assert early.retrying == [] and len(early.already_recorded) == 2
    server.start()
    try:
        up = service.send_digests(seed.engine, config, now=NOW + timedelta(minutes=2))
        assert len(up.sent) == 2
        again = service.send_digests(seed.engine, config, now=NOW + timedelta(minutes=30))
        assert again.sent == [] and len(server.handler.messages) == 2
    finally:
        server.stop()
    assert {r.status for r in digest_rows(seed)} == {"sent"}


def test_temporary_refusals_are_retried_then_succeed(seed: Seeder, smtp: SmtpServer) -> None:
    seed.match(seed.org("deferred-org"), seed.tender("T"))
    smtp.handler.mail_replies.append("451 4.3.0 greylisted, try again later")
    smtp.handler.data_replies.append("452 4.3.1 insufficient system storage")
    config = config_for(smtp.port)
    first = service.send_digests(seed.engine, config, now=NOW)
    assert "451" in first.retrying[0]["detail"]
    second = service.send_digests(seed.engine, config, now=NOW + timedelta(minutes=1))
    assert "452" in second.retrying[0]["detail"]
    [row] = digest_rows(seed)
    assert row.status == "pending" and row.attempts == 2
    assert row.next_attempt_at == NOW + timedelta(minutes=3)  # waits double
    third = service.send_digests(seed.engine, config, now=NOW + timedelta(minutes=3))
    assert len(third.sent) == 1 and len(smtp.handler.messages) == 1


def test_permanent_rejection_is_recorded_shown_and_not_retried(
    seed: Seeder, smtp: SmtpServer
) -> None:
    seed.match(seed.org("rejected-org"), seed.tender("T"))
    smtp.handler.data_replies.append("554 5.7.1 message rejected as spam")
    config = config_for(smtp.port)
    report = service.send_digests(seed.engine, config, now=NOW)
    assert "554 5.7.1" in report.failed[0]["detail"]
    later = service.send_digests(seed.engine, config, now=NOW + timedelta(days=1))
    assert later.sent == [] and smtp.handler.messages == []
    [shown] = service.outbox(seed.engine, statuses=("failed",))
    assert shown["organisation"] == "rejected-org" and "spam" in shown["last_error"]


def test_a_refused_recipient_is_recorded_and_the_others_still_get_it(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("two-people", emails=("ok@example.org", "gone@example.org"))
    seed.match(org, seed.tender("T"))
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 no such mailbox"
    report = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert len(report.sent) == 1
    assert smtp.handler.messages[0].rcpt_tos == ["ok@example.org"]
    [row] = digest_rows(seed)
    assert row.status == "sent" and row.refused == ["gone@example.org: 550 5.1.1 no such mailbox"]


def test_every_recipient_refused_fails_the_digest(seed: Seeder, smtp: SmtpServer) -> None:
    seed.match(seed.org("nobody-home", emails=("gone@example.org",)), seed.tender("T"))
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 no such mailbox"
    report = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert report.failed and "every recipient refused" in report.failed[0]["detail"]
    [row] = digest_rows(seed)
    assert row.status == "failed" and row.refused == ["gone@example.org: 550 5.1.1 no such mailbox"]
    assert smtp.handler.messages == []


def test_a_server_that_never_accepts_ends_in_failed_after_the_last_attempt(
    seed: Seeder,
) -> None:
    seed.match(seed.org("unlucky-org"), seed.tender("T"))
    config = config_for(free_port())  # nothing listens there
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        service.send_digests(seed.engine, config, now=moment)
        moment += timedelta(hours=7)
    [row] = digest_rows(seed)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS
    assert f"gave up after {MAX_ATTEMPTS} attempts" in (row.last_error or "")


def test_connection_lost_after_the_message_is_unknown_and_never_resent(
    seed: Seeder, smtp: SmtpServer
) -> None:
    seed.match(seed.org("hung-up-org"), seed.tender("T"))
    smtp.handler.drop_after_data = True
    config = config_for(smtp.port)
    report = service.send_digests(seed.engine, config, now=NOW)
    assert report.sent == [] and "connection lost after the message" in report.unknown[0]["detail"]
    smtp.handler.drop_after_data = False
    later = service.send_digests(seed.engine, config, now=NOW + timedelta(hours=1))
    assert later.sent == [] and later.retrying == [] and len(smtp.handler.messages) == 1
    [row] = digest_rows(seed)
    assert row.status == "unknown"
    assert service.resolve(seed.engine, row.id, resend=True, now=NOW) == "unknown"
    resent = service.send_digests(seed.engine, config, now=NOW + timedelta(hours=2))
    assert len(resent.sent) == 1 and len(smtp.handler.messages) == 2
    first, second = (received(smtp, i) for i in (0, 1))
    assert first["Message-ID"] == second["Message-ID"]  # an operator's resend is recognisable
