"""Reading a non-OCDS API answer (TED, SAM.gov) into a JSON object, or naming why not."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.ingest.repair import InvalidJSON, parse_json_lenient
from spiders.responses import UnusablePageError, looks_like_html, response_text


def read_json_object(
    response: Response,
    list_key: str,
    forced_encoding: str | None = None,
    limits: JsonLimits = DEFAULT_LIMITS,
) -> tuple[dict[str, Any], list[Any]]:
    """The answer and its list of records under `list_key` (missing: an empty list).

    An HTML page (a maintenance or login page served with 200) and invalid JSON are `parse`
    problems; JSON without the expected shape is a `schema` problem."""
    text = response_text(response, forced_encoding)
    if looks_like_html(response, text):
        raise UnusablePageError("parse", f"HTML page instead of JSON (HTTP {response.status})")
    try:
        data = parse_json_lenient(text, limits)
    except InvalidJSON as exc:
        raise UnusablePageError("parse", f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UnusablePageError("schema", f"expected a JSON object, got {type(data).__name__}")
    records = data.get(list_key)
    if records is None:
        records = []
    if not isinstance(records, list):
        raise UnusablePageError("schema", f"`{list_key}` is {type(records).__name__}, not a list")
    return data, records


def total_of(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
