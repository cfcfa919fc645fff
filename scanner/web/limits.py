"""Request bodies are limited before anything reads them (issue 14, item 5).

An ASGI middleware, outermost but for error handling: a body whose Content-Length is over
the limit of its path is refused with 413 before routing, sign-in, the CSRF check or any
parsing; a body without a length (chunked) is counted as it arrives and refused at the first
byte over. Form fields (urlencoded) and parts (multipart) are counted the same way, so a
form of thousands of fields is refused before the parser sees it. The limits: 2 MB plus the
multipart envelope for a draft uploaded to `/check`, 256 KB for every other form or API
body (the largest form, an organisation's profile, is at most ~180 KB even with every
character escaped), 64 fields and 8 parts.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_DRAFT = 2 * 1024 * 1024  # what /check accepts, as its page says
MAX_FORM = 256 * 1024
MAX_UPLOAD = MAX_DRAFT + 64 * 1024  # the draft and its text field in one multipart body
MAX_FIELDS = 64
MAX_PARTS = 8
UPLOAD_PATHS = frozenset({"/check"})
ErrorPage = Callable[[Scope, int, str], Response]


def body_limit(path: str) -> int:
    return MAX_UPLOAD if path in UPLOAD_PATHS else MAX_FORM


def too_large(limit: int) -> str:
    return (
        f"The request is larger than {_size(limit)}, the most this page accepts; nothing was "
        "read or changed."
    )


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.1f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class _Counter:
    """Bytes, and form fields or parts, of one body as it streams in."""

    def __init__(self, limit: int, content_type: str) -> None:
        self.limit, self.size, self.seen = limit, 0, 0
        self.separator, self.most, self.what = b"", 0, ""
        kind, _, params = content_type.partition(";")
        kind = kind.strip().lower()
        if kind == "application/x-www-form-urlencoded":
            self.separator, self.most, self.what = b"&", MAX_FIELDS - 1, f"{MAX_FIELDS} fields"
        elif kind == "multipart/form-data" and (boundary := _boundary(params)):
            # the closing delimiter is one occurrence more than there are parts
            self.separator, self.most, self.what = (
                b"--" + boundary,
                MAX_PARTS + 1,
                f"{MAX_PARTS} parts",
            )
        self.tail = b""

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise HTTPException(413, too_large(self.limit))
        if not self.separator:
            return
        # The tail (one byte short of a separator) catches one split across two chunks.
        window = self.tail + chunk
        self.seen += window.count(self.separator)
        self.tail = window[-(len(self.separator) - 1) :] if len(self.separator) > 1 else b""
        if self.seen > self.most:
            raise HTTPException(
                413,
                f"The form has more than {self.what}, more than any page of Lotwise sends; "
                "nothing was read or changed.",
            )


def _boundary(params: str) -> bytes:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary":
            return value.strip().strip('"').encode("latin-1", "replace")
    return b""


class BodyLimitMiddleware:
    """Refuse oversized bodies and forms with 413 before the application reads them."""

    def __init__(self, app: ASGIApp, *, error_page: ErrorPage) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(scope["path"])
        length = headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            await self.error_page(scope, 413, too_large(limit))(scope, receive, send)
            return
        counter = _Counter(limit, headers.get("content-type", ""))

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counter.add(message.get("body", b""))
            return message

        await self.app(scope, counted, send)
