"""Refuse to serve with a signing key anyone can know.

The session cookie, CSRF tokens, sign-up confirmations and digest links are all signed with
`LOTWISE_SECRET_KEY`. The development default is in the source, so with it anyone can sign a
session as any user. It is tolerated only while the site is reachable from this machine alone.
"""

from __future__ import annotations

from scanner.settings import DEV_SECRET_KEY, Settings
from scanner.web.deployment import exposed

MIN_SECRET_KEY_LENGTH = 32


class UnsafeSecretKeyError(RuntimeError):
    """The configured key would let anyone sign sessions on a site others can reach."""


def secret_key_problem(settings: Settings, bind_host: str | None = None) -> str | None:
    """Why the key must not serve this site, or None when it may.

    The site is exposed when its public address (`LOTWISE_BASE_URL`) is https or names another
    host, or when it listens on a non-loopback address."""
    if not exposed(settings, bind_host):
        return None
    key = settings.secret_key.get_secret_value()
    where = f"{settings.base_url}" + (f" (listening on {bind_host})" if bind_host else "")
    if key == DEV_SECRET_KEY:
        return (
            f"LOTWISE_SECRET_KEY is the public development default, but {where} is reachable "
            "from other machines: anyone could sign a session as any user. Set "
            "LOTWISE_SECRET_KEY to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"LOTWISE_SECRET_KEY has {len(key)} characters; a site reachable from other "
            f"machines needs at least {MIN_SECRET_KEY_LENGTH} random characters."
        )
    return None
