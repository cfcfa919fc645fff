"""Settings that make a site others can reach unsafe, each as one line `lotwise serve` prints
before it listens (the development signing key is not here: it is refused outright, see
`secret_key`). A site only this machine can reach gets no warnings."""

from __future__ import annotations

from urllib.parse import urlsplit

from scanner.alerts.mailer import is_loopback
from scanner.settings import Settings


def exposed(settings: Settings, bind_host: str | None) -> bool:
    """Can other machines reach the site (its public address, or where it listens)?"""
    base = urlsplit(settings.base_url)
    return (
        base.scheme == "https"
        or not is_loopback(base.hostname or "")
        or (bind_host is not None and not is_loopback(bind_host))
    )


def unsafe_settings(
    settings: Settings, *, bind_host: str, forwarded_allow_ips: str | None = None
) -> list[str]:
    """One sentence per unsafe setting, naming it and what to do."""
    if not exposed(settings, bind_host):
        return []
    found = []
    base = urlsplit(settings.base_url)
    if base.scheme != "https":
        found.append(
            f"LOTWISE_BASE_URL is {settings.base_url}: passwords and session cookies cross the "
            "network unencrypted; serve behind an HTTPS proxy and set an https:// address."
        )
    elif not forwarded_allow_ips:
        found.append(
            "behind an HTTPS proxy without --forwarded-allow-ips every visitor has the proxy's "
            "address, so sign-in delays and request limits are shared by everyone; pass the "
            "proxy's address."
        )
    if not is_loopback(bind_host) and base.scheme == "https":
        found.append(
            f"--host {bind_host} lets other machines reach plain HTTP around the HTTPS proxy; "
            "listen on 127.0.0.1 (or a private address only the proxy reaches)."
        )
    if settings.smtp_security == "none" and not is_loopback(settings.smtp_host):
        found.append(
            f"LOTWISE_SMTP_SECURITY is none for {settings.smtp_host}: sign-up and password "
            "links cross the network readable; set starttls or tls."
        )
    if not settings.metrics_token.get_secret_value():
        found.append(
            "LOTWISE_METRICS_TOKEN is empty: a Prometheus scraper cannot read /metrics "
            "(operators signed in still can); set a long random token for the scraper."
        )
    if settings.session_lifetime_hours > 24 or settings.session_idle_minutes > 120:
        found.append(
            "LOTWISE_SESSION_LIFETIME_HOURS over 24 or LOTWISE_SESSION_IDLE_MINUTES over 120 "
            "keeps a forgotten session open long; the defaults are 12 hours and 30 minutes."
        )
    return found
