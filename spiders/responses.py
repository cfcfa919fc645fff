"""Reading a response into an OCDS package, and naming why a page failed.

Every way a page can go wrong ends as a `PageErrorItem` with a kind, the HTTP status when
there was one, a reason a person can act on and the start of the body: errors are data.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DownloadTimeoutError, ResponseDataLossError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import response_status_message
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.ingest.ocds import OCDSFormatError, releases_in_package
from scanner.ingest.repair import InvalidJSON, decode_body, parse_json_lenient
from spiders.items import PageErrorItem

EXCERPT_CHARS = 500

#: Set in a request's meta by a middleware that stopped retrying it, to say why.
GAVE_UP_META = "lotwise_gave_up"


class UnusablePageError(Exception):
    """A fetched page that holds no usable package."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def header(response: Response, name: str) -> str:
    """A response header as text ("" when absent)."""
    value = response.headers.get(name.encode("ascii"))
    return value.decode("latin-1") if value else ""


def declared_charset(response: Response) -> str | None:
    """The charset of the Content-Type header, if the server declared one."""
    content_type = header(response, "Content-Type")
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"'")
    return None


def response_text(response: Response, forced_encoding: str | None = None) -> str:
    """The body as text: a configured encoding wins, then the declared charset; undeclared
    bodies that are not UTF-8 are read as ISO-8859-1 (see `decode_body`)."""
    return decode_body(response.body, forced_encoding or declared_charset(response))


def excerpt(response: Response, forced_encoding: str | None = None) -> str:
    try:
        text = response_text(response, forced_encoding)
    except Exception:  # an excerpt must never fail the error it documents
        text = response.body.decode("latin-1")
    return text[:EXCERPT_CHARS]


def looks_like_html(response: Response, text: str) -> bool:
    content_type = header(response, "Content-Type").lower()
    return "html" in content_type or text.lstrip("\ufeff \t\r\n")[:1] == "<"


def read_package(
    response: Response, forced_encoding: str | None = None, limits: JsonLimits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The package and its releases (compiled or embedded ones for record packages).

    Invalid numbers such as `1e9999` are repaired rather than failing the page; an HTML page
    (often a maintenance or rate-limit page served with 200) is a `parse` problem; JSON that is
    not an OCDS package is a `schema` problem.
    """
    text = response_text(response, forced_encoding)
    if looks_like_html(response, text):
        raise UnusablePageError("parse", f"HTML page instead of JSON (HTTP {response.status})")
    try:
        package = parse_json_lenient(text, limits)
    except InvalidJSON as exc:
        raise UnusablePageError("parse", f"invalid JSON: {exc}") from exc
    try:
        releases = releases_in_package(package)
    except OCDSFormatError as exc:
        raise UnusablePageError("schema", str(exc)) from exc
    return (package if isinstance(package, dict) else {}), releases


def dotted(data: Any, path: str) -> Any:
    """`data["a"]["b"]` for path "a.b"; None when any step is missing."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def announced_total(package: dict[str, Any], total_key: str | None) -> int | None:
    if not total_key:
        return None
    value = dotted(package, total_key)
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def failure_to_error(failure: Failure, *, source: str, url: str) -> PageErrorItem:
    """Name a download failure: HTTP status with its body, timeout, truncated body, or a
    connection problem (refused, reset, DNS)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        reason = response_status_message(response.status)
        gave_up = response.meta.get(GAVE_UP_META) if response.request is not None else None
        if gave_up:
            reason = f"{reason}: {gave_up}"
        return PageErrorItem(
            source=source,
            kind="http",
            url=url,
            status=response.status,
            reason=reason,
            excerpt=excerpt(response),
        )
    if type(exc).__name__ == "RedirectRefused":  # spiders.middlewares; named, not imported
        return PageErrorItem(source=source, kind="redirect", url=url, reason=str(exc)[:1000])
    if isinstance(exc, (DownloadTimeoutError, TwistedTimeoutError, TCPTimedOutError)):
        kind = "timeout"
    elif isinstance(exc, ResponseDataLossError):
        kind = "truncated"
    else:
        kind = "connection"
    message = str(exc).strip() or type(exc).__name__
    return PageErrorItem(
        source=source, kind=kind, url=url, reason=f"{type(exc).__name__}: {message}"[:1000]
    )
