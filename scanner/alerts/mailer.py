"""SMTP delivery with stdlib smtplib, one connection reused across many digests.

The transaction is driven step by step (MAIL, RCPT, DATA, body) rather than with `sendmail`,
so the caller can record "DATA issued" between the server's 354 and the body: up to then a
failure means the message was certainly not accepted; after it, a lost connection is
ambiguous and reported as `unknown`, never as retryable.
"""

from __future__ import annotations

import ipaddress
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from scanner.alerts.outbox import is_permanent

Outcome = Literal["sent", "transient", "permanent", "unknown"]
_LEADING_DOT = re.compile(rb"(?m)^\.")
_BARE_EOL = re.compile(rb"\r\n|\r|\n")


class SmtpConfigError(Exception):
    """Settings that must not be used (e.g. a password over a plain connection)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str = "none"  # none | starttls | tls
    username: str = ""
    password: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class Delivery:
    """What happened to one message. `refused` lists recipients the server refused for good."""

    outcome: Outcome
    detail: str
    refused: tuple[str, ...] = ()
    unavailable: bool = False  # the server could not be reached or dropped the connection


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpMailer:
    """Delivers messages over one SMTP connection, opened on first use and reopened after a
    failure. Use as a context manager so the connection is QUIT at the end."""

    def __init__(self, config: SmtpConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        if config.security not in ("none", "starttls", "tls"):
            raise SmtpConfigError(
                f"SMTP security must be none, starttls or tls: {config.security!r}"
            )
        if config.username and config.security == "none" and not is_loopback(config.host):
            raise SmtpConfigError(
                "refusing to send the SMTP password unencrypted to "
                f"{config.host}; set LOTWISE_SMTP_SECURITY=starttls or tls"
            )
        self.config = config
        # Made on first TLS use: loading the system's CA certificates costs a tenth of a
        # second, wasted on a plain local relay.
        self._context = ssl_context
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            c = self.config
            if c.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout, context=self._tls()
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
                if c.security == "starttls":
                    smtp.starttls(context=self._tls())
            smtp.ehlo_or_helo_if_needed()
            if c.username:
                smtp.login(c.username, c.password)
            self._smtp = smtp
        return self._smtp

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def _abandon(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._abandon()

    def deliver(
        self,
        sender: str,
        recipients: Sequence[str],
        message: bytes,
        before_data: Callable[[], None],
    ) -> Delivery:
        """Send `message`; `before_data` runs after the server's 354 and before the body."""
        try:
            smtp = self._connection()
            code, reply = smtp.mail(sender)
            if code != 250:
                self._reset(smtp)
                return _refusal("MAIL FROM", code, reply)
            refused: list[str] = []
            deferred: list[str] = []
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code in (250, 251):
                    continue
                (refused if is_permanent(code) else deferred).append(
                    f"{recipient}: {code} {_text(reply)}"
                )
            if deferred:
                self._reset(smtp)
                return Delivery("transient", "recipient deferred: " + "; ".join(deferred))
            if len(refused) == len(recipients):
                self._reset(smtp)
                return Delivery("permanent", "every recipient refused", tuple(refused))
            code, reply = smtp.docmd("DATA")
            if code != 354:
                self._reset(smtp)
                return _refusal("DATA", code, reply)
        except (smtplib.SMTPException, OSError) as exc:
            # Connecting, TLS or login failed (a 535 too: a settings problem, not the
            # digest's), or the connection dropped before DATA: certainly not sent.
            self._abandon()
            return Delivery(
                "transient", f"SMTP unavailable: {type(exc).__name__}: {exc}", unavailable=True
            )
        try:
            before_data()
        except BaseException:
            self._abandon()  # no final dot was sent: the server discards the message
            raise
        try:
            smtp.send(_dot_terminated(message))
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._abandon()
            return Delivery(
                "unknown",
                f"connection lost after the message was sent, before the reply: "
                f"{type(exc).__name__}: {exc}",
                tuple(refused),
            )
        if code == 250:
            return Delivery("sent", f"{code} {_text(reply)}", tuple(refused))
        self._reset(smtp)
        return _refusal("message", code, reply, tuple(refused))


def _refusal(step: str, code: int, reply: bytes | str, refused: tuple[str, ...] = ()) -> Delivery:
    outcome: Outcome = "permanent" if is_permanent(code) else "transient"
    return Delivery(outcome, f"{step} refused: {code} {_text(reply)}", refused)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _dot_terminated(message: bytes) -> bytes:
    """CRLF line ends, leading dots doubled (RFC 5321 4.5.2), then the lone dot."""
    body = _LEADING_DOT.sub(b"..", _BARE_EOL.sub(b"\r\n", message))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"
