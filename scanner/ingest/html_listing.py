"""Fields extracted from a portal's HTML listing (or a feed item) -> one `NormalisedTender`.

Portals without an API show tenders as table rows or cards; the spider extracts each one's
fields as text with the selectors of the source's configuration, and this module, pure, turns
that text into a tender: dates by the source's own formats (tried in order, read in its time
zone), money through `scanner.ingest.money`, CPV codes found anywhere in the `cpv` text.
A record that cannot be used raises `ListingRecordError` naming the field, so the error log
says what to fix in the configuration (a new date format, a missing selector).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.normalise import NormaliseError
from scanner.ingest.tender import Classification, NormalisedTender
from scanner.ingest.text import clean_text

__all__ = [
    "FIELDS",
    "ListingRecordError",
    "ParseRules",
    "Selector",
    "normalise_fields",
    "normalise_listing_record",
    "parse_field_date",
    "parse_selector",
]

#: The fields a selector can fill. `id` (else `url`) identifies the tender within its source.
FIELDS = (
    "id",
    "title",
    "url",
    "description",
    "buyer",
    "published",
    "deadline",
    "value",
    "currency",
    "cpv",
    "status",
    "location",
    "procedure",
)
DATE_FIELDS = ("published", "deadline")

_SELECTOR_RE = re.compile(r"^(?P<css>.*?)\s*(?:::(?P<kind>text|attr)(?:\((?P<attr>[^()]+)\))?)?$")
_CPV_RE = re.compile(r"(?<!\d)(\d{8})(?:-\d)?(?!\d)")
_MONEY_RE = re.compile(
    r"(?P<pre>US\$|[£€$]|\b[A-Z]{3}\b)?\s?(?P<num>\d[\d,.\u00a0\u202f' ]*\d|\d)"
    r"(?:\s?(?P<scale>(?i:million|billion|bn|mn|m|k))\b)?(?:\s?(?P<post>\b[A-Z]{3}\b))?"
)
_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000}
_SCALES.update({"bn": 1_000_000_000, "billion": 1_000_000_000})
_ACTIVE_WORDS = ("open", "current", "live", "active", "published", "accepting")
_STATUS_WORDS = (
    (("cancel", "withdrawn"), "cancelled"),
    (("award", "complete", "closed", "expired", "ended"), "complete"),
    (("planned", "pipeline", "forthcoming", "prior information"), "planned"),
)


class ListingRecordError(NormaliseError):
    """The extracted record cannot become a tender; `reason` names the field."""


@dataclass(frozen=True)
class Selector:
    """A field selector: CSS (relative to the item; empty means the item itself), then the
    element's text or one of its attributes."""

    css: str
    attribute: str | None = None


def parse_selector(text: str) -> Selector:
    """`td.title a`, `td.title a::text`, `a.more::attr(href)`, `::attr(data-id)`.

    Raises ValueError for `::attr` without a name or another `::` suffix."""
    match = _SELECTOR_RE.match(text.strip())
    if match is None or "::" in (match.group("css") or ""):
        raise ValueError(f"{text!r}: end with ::text or ::attr(NAME), or neither")
    kind, attribute = match.group("kind"), match.group("attr")
    if kind == "attr" and not attribute:
        raise ValueError(f"{text!r}: ::attr needs an attribute name, e.g. ::attr(href)")
    if kind == "text" and attribute:
        raise ValueError(f"{text!r}: ::text takes no argument")
    css = match.group("css").strip()
    if not css and kind != "attr":
        raise ValueError(f"{text!r}: empty selector")
    return Selector(css=css, attribute=attribute.strip() if attribute else None)


@dataclass(frozen=True)
class ParseRules:
    """How a source writes its values (from its `listing` or `feed` configuration)."""

    date_formats: tuple[str, ...] = ()
    timezone: str = "Europe/London"
    dayfirst: bool = True
    currency: str | None = None
    status: str = "active"
    require: tuple[str, ...] = ("title",)
    #: Fields whose dates are in a standard form (a feed's RFC 822 / ISO 8601 `published`),
    #: read by the general parser instead of `date_formats`.
    standard_dates: frozenset[str] = field(default_factory=frozenset)


def parse_field_date(
    name: str, text: str, rules: ParseRules, *, end_of_day: bool = False
) -> datetime | None:
    """`text` as an aware UTC datetime by the source's formats, tried in order (then on the
    text after a `Label: ` prefix); without formats, the general parser. None when unreadable."""
    if name in rules.standard_dates or not rules.date_formats:
        return parse_datetime(
            text, tz=rules.timezone, dayfirst=rules.dayfirst, end_of_day=end_of_day
        )
    text = " ".join(text.split())
    candidates = [text]
    if ": " in text:
        candidates.append(text.split(": ", 1)[1])
    for candidate in candidates:
        for fmt in rules.date_formats:
            try:
                parsed = datetime.strptime(candidate, fmt)
            except ValueError:
                continue
            if end_of_day and not any(d in fmt for d in ("%H", "%I", "%X", "%c")):
                parsed = datetime.combine(parsed.date(), time(23, 59, 59), parsed.tzinfo)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=ZoneInfo(rules.timezone))
            return parsed.astimezone(UTC)
    return None


def normalise_listing_record(
    record: Mapping[str, Any], *, source: str, rules: ParseRules
) -> NormalisedTender:
    """One listing entry (field name -> text, plus `_page`: the page it came from).
    Raises `ListingRecordError` only."""
    return normalise_fields(record, source=source, rules=rules, kind="html-listing")


def normalise_fields(
    record: Mapping[str, Any], *, source: str, rules: ParseRules, kind: str
) -> NormalisedTender:
    """The shared mapping of extracted fields to a tender (HTML listings and feeds)."""
    if not isinstance(record, Mapping):
        raise ListingRecordError(f"a record must be a mapping, not {type(record).__name__}")
    try:
        return _normalise(record, source, rules, kind)
    except ListingRecordError:
        raise
    except Exception as exc:  # pragma: no cover - a bug; reported per record, never fatal
        raise ListingRecordError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _normalise(
    record: Mapping[str, Any], source: str, rules: ParseRules, kind: str
) -> NormalisedTender:
    text = {name: clean_text(record.get(name)) for name in FIELDS}
    url = _url(record.get("url"))
    key = text["id"] or url
    if key is None:
        raise ListingRecordError("id: missing, and no url to identify the tender by")
    missing = [name for name in rules.require if not (url if name == "url" else text.get(name))]
    if missing:
        raise ListingRecordError(
            f"{key}: {', '.join(missing)}: missing (required; not in the entry"
            f"{' nor on its detail page' if record.get('_detail') else ''})"
        )
    title = text["title"]
    if title is None:
        raise ListingRecordError(f"{key}: title: missing")
    dates: dict[str, datetime | None] = {}
    for name in DATE_FIELDS:
        value = text[name]
        dates[name] = None
        if value is not None:
            dates[name] = parse_field_date(name, value, rules, end_of_day=name == "deadline")
            if dates[name] is None:
                raise ListingRecordError(f"{key}: {name}: {value!r} {_date_problem(name, rules)}")
    problems: list[str] = []
    amount, currency = _money(text["value"], text["currency"], rules.currency)
    if text["value"] is not None and amount is None:
        problems.append(f"value: {text['value']!r} is not an amount")
    cpv = _unique(_CPV_RE.findall(text["cpv"] or ""))
    return NormalisedTender(
        source=source,
        source_key=key,
        title=title,
        notice_id=text["id"],
        notice_url=url,
        description=text["description"],
        buyer_name=text["buyer"],
        value_amount=amount,
        currency=currency if amount is not None else None,
        published_at=dates["published"],
        deadline_at=dates["deadline"],
        updated_at=dates["published"],
        status=_status(text["status"], rules.status),
        procedure_type=text["procedure"],
        main_cpv=cpv[0] if cpv else None,
        cpv_codes=cpv,
        classifications=tuple(Classification(scheme="CPV", code=code) for code in cpv),
        raw={
            "format": kind,
            "page": record.get("_page"),
            "fields": {k: v for k, v in record.items() if not k.startswith("_")},
            "location": text["location"],
            "problems": problems,
        },
    )


def _date_problem(name: str, rules: ParseRules) -> str:
    if name in rules.standard_dates or not rules.date_formats:
        return "is not a date"
    return f"matches none of the date formats {list(rules.date_formats)}"


def _url(value: object) -> str | None:
    text = value.strip() if isinstance(value, str) else None
    return text if text and text.startswith(("http://", "https://")) else None


def _money(
    value: str | None, currency_text: str | None, default_currency: str | None
) -> tuple[Decimal | None, str | None]:
    """The first amount in the text ("£50,000 - £75,000" -> 50000 GBP; "1.2m" -> 1200000)."""
    if value is None:
        return None, None
    for match in _MONEY_RE.finditer(value):
        amount = parse_amount(match.group("num"))
        if amount is None:
            continue
        scale = (match.group("scale") or "").lower()
        if scale:
            amount = parse_amount(amount * _SCALES[scale])
            if amount is None:
                continue
        sign = match.group("pre") or match.group("post")
        currency = parse_currency(sign) if sign else None
        currency = currency or parse_currency(currency_text) or default_currency
        return amount, currency
    return None, None


def _status(value: str | None, default: str) -> str:
    if value is None:
        return default
    lowered = value.lower()
    for words, status in _STATUS_WORDS:
        if any(word in lowered for word in words):
            return status
    if any(word in lowered for word in _ACTIVE_WORDS):
        return "active"
    return default


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
