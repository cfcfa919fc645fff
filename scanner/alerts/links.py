"""Signed links that work without logging in: they expire, and bumping the organisation's
token version revokes every link issued before (itsdangerous, HMAC-SHA512 over the payload)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

LINK_MAX_AGE = 90 * 24 * 3600  # a quarter: old digests stay usable, leaked ones die
PURPOSES = ("unsubscribe", "preferences")


class LinkError(Exception):
    """A link that is forged, expired, revoked or for another purpose; the message says which."""


@dataclass(frozen=True)
class LinkClaim:
    organisation_slug: str
    token_version: int
    purpose: str


class LinkSigner:
    """Makes and checks the tokens in unsubscribe and preference links."""

    def __init__(self, secret_key: str, base_url: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="lotwise-digest-links")
        self.base_url = base_url.rstrip("/")

    def token(self, slug: str, token_version: int, purpose: str) -> str:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown link purpose {purpose!r}")
        return self._serializer.dumps([slug, token_version, purpose])

    def url(self, slug: str, token_version: int, purpose: str) -> str:
        query = urlencode({"token": self.token(slug, token_version, purpose)})
        return f"{self.base_url}/digest/{purpose}?{query}"

    def check(
        self,
        token: str,
        purpose: str,
        *,
        current_version: int | None = None,
        max_age: int = LINK_MAX_AGE,
    ) -> LinkClaim:
        """The claim inside `token`, or LinkError. `current_version` (when the caller has looked
        it up) revokes tokens of an older version."""
        try:
            loaded = self._serializer.loads(token, max_age=max_age)
        except SignatureExpired:
            raise LinkError("this link has expired; use the link in a newer digest") from None
        except BadSignature:
            raise LinkError("this link is not valid (it may have been cut or altered)") from None
        slug, version, found = loaded
        if found != purpose:
            raise LinkError(f"this is a {found} link, not a {purpose} link")
        if current_version is not None and version != current_version:
            raise LinkError("this link has been revoked; use the link in a newer digest")
        return LinkClaim(str(slug), int(version), str(found))


def opportunity_url(base_url: str, slug: str, opportunity_id: str) -> str:
    """The organisation's own page of one match (the tender, a lot or a suggested package):
    what it needs to decide whether to bid, not the procurement officer's view."""
    return (
        f"{base_url.rstrip('/')}/orgs/{quote(slug)}/opportunities/{quote(opportunity_id, safe=':')}"
    )
