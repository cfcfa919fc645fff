"""Dates as sources write them, turned into timezone-aware UTC datetimes.

OCDS uses ISO 8601 with offsets, but publishers also send naive times (meant in their local
zone), bare dates, TED's `2026-07-13+02:00`, US `MM/dd/yyyy`, RSS (RFC 2822) dates and portal
formats such as `11-May-2026 10:00 am (ACT Local Time)`. Deadlines decide whether a tender is
open, so a wrong zone matters; an unreadable date is None, never an exception.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["format_window", "parse_datetime"]

_MIN_YEAR, _MAX_YEAR = 1900, 2200  # outside: placeholders such as 0001-01-01 or 9999-12-31
_END_OF_DAY = time(23, 59, 59)

_DATE_OFFSET_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:?\d{2})", re.IGNORECASE)
_BARE_DATE_RE = re.compile(r"\d{4}-?\d{2}-?\d{2}")
_SLASH_RE = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_DOUBLE_TIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_PAREN_RE = re.compile(r"\s*\(([^()]*)\)\s*$")
_ZONE_WORDS_RE = re.compile(r"\s+(UTC|GMT|Z)$", re.IGNORECASE)
# "(ACT Local Time)" style suffixes of Australian portals, mapped to IANA zones.
_LOCAL_TIME_ZONES = {
    "act": "Australia/Sydney",
    "nsw": "Australia/Sydney",
    "vic": "Australia/Melbourne",
    "qld": "Australia/Brisbane",
    "sa": "Australia/Adelaide",
    "wa": "Australia/Perth",
    "tas": "Australia/Hobart",
    "nt": "Australia/Darwin",
    "aest": "Australia/Brisbane",
    "uk": "Europe/London",
    "london": "Europe/London",
}
_TEXT_FORMATS = (
    "%d-%b-%Y %I:%M %p",
    "%d-%b-%Y %I:%M%p",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%d %b %Y %H:%M",
    "%d %b %Y %I:%M %p",
    "%d %b %Y",
    "%d %B %Y %H:%M",
    "%d %B %Y %I:%M %p",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d, %Y %I:%M %p",
    "%Y-%m-%d %I:%M %p",
    "%Y%m%d%H%M%S",
)


def parse_datetime(
    value: object,
    *,
    tz: str = "UTC",
    dayfirst: bool | None = None,
    end_of_day: bool = False,
) -> datetime | None:
    """Return `value` as an aware UTC datetime, or None when it is not a readable date.

    Naive values are read in `tz` (an IANA zone; DST handled by zoneinfo). Slashed dates are
    read only when unambiguous (`13/05/2026`, `05/13/2026`) unless `dayfirst` says which
    order the source uses. With `end_of_day`, a date without a time means its last second
    (a deadline "2026-07-13" is still open that day). Raises ValueError only for an unknown
    `tz` (a configuration error), never for `value`.
    """
    if type(value) is str:  # the usual case (exact type: the cache compares by equality)
        return _parse_text_cached(value, tz, dayfirst, end_of_day)
    return _parse_checked(value, _zone(tz), dayfirst, end_of_day)


@lru_cache(maxsize=8192)
def _parse_text_cached(
    text: str, tz: str, dayfirst: bool | None, end_of_day: bool
) -> datetime | None:
    """`_parse_checked` for strings, memoised: a release repeats its dates (release date,
    publication date, each notice document's date). Datetimes are immutable, so sharing is safe.
    An unknown `tz` raises every time (exceptions are not cached)."""
    zone = _zone(tz)
    if _looks_iso(text):
        # ISO 8601 date and time, as OCDS has it: what `_parse` comes to, without the detours.
        try:
            result: datetime | None = _aware(datetime.fromisoformat(_iso(text)), zone)
        except (ValueError, OverflowError):
            result = None  # the full parse decides (and says the same)
        if result is not None:
            return result if _MIN_YEAR <= result.year <= _MAX_YEAR else None
    return _parse_checked(text, zone, dayfirst, end_of_day)


def _looks_iso(text: str) -> bool:
    """`YYYY-..-..T...` with nothing to strip: `_parse` would go straight to `fromisoformat`."""
    return (
        text[4:5] == "-"
        and text[10:11] == "T"
        and len(text) <= 80
        and text[0].isdigit()
        and not text[-1].isspace()
    )


def _parse_checked(
    value: object, zone: tzinfo, dayfirst: bool | None, end_of_day: bool
) -> datetime | None:
    try:
        result = _parse(value, zone, dayfirst, end_of_day)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None
    if result is None or not _MIN_YEAR <= result.year <= _MAX_YEAR:
        return None
    return result


def format_window(dt: datetime, fmt: str = "%Y-%m-%dT%H:%M:%S", tz: str = "UTC") -> str:
    """Render `dt` (naive means UTC) in zone `tz` with a strftime format.

    For date-windowed query parameters: FTS reads `updatedFrom` as Europe/London time, SAM.gov
    wants `MM/dd/yyyy`.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(_zone(tz)).strftime(fmt)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    if name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _parse(value: object, zone: tzinfo, dayfirst: bool | None, end_of_day: bool) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, date):
        return _aware(datetime.combine(value, _END_OF_DAY if end_of_day else time()), zone)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 80:
        return None
    doubled = _DOUBLE_TIME_RE.fullmatch(text)
    if doubled is not None:
        # "2025-01-08 17:31:38.793T12:00:00Z" (an Italian publisher's): a full timestamp with
        # a default time glued on; the first time is the real one, the suffix's zone applies
        text = f"{doubled.group(1)}T{doubled.group(2)}{doubled.group(3) or ''}"
    if text[0].isdigit():
        parsed = _parse_numeric(text, zone, dayfirst, end_of_day)
        if parsed is not None:
            return parsed
    return _parse_words(text, zone, dayfirst, end_of_day)


def _parse_numeric(
    text: str, zone: tzinfo, dayfirst: bool | None, end_of_day: bool
) -> datetime | None:
    if text[4:5] == "-" and text[10:11] == "T":  # ISO date and time: none of the patterns below
        return _parse_iso(text, zone)
    if _BARE_DATE_RE.fullmatch(text):
        day = date.fromisoformat(text)
        return _aware(datetime.combine(day, _END_OF_DAY if end_of_day else time()), zone)
    match = _DATE_OFFSET_RE.fullmatch(text)
    if match:  # TED: a date with an offset and no time
        day = date.fromisoformat(match.group(1))
        offset = _offset(match.group(2))
        at = _END_OF_DAY if end_of_day else time()
        return datetime.combine(day, at, tzinfo=offset).astimezone(UTC)
    match = _SLASH_RE.fullmatch(text)
    if match:
        return _parse_slashed(match, zone, dayfirst, end_of_day)
    return _parse_iso(text, zone)


def _parse_iso(text: str, zone: tzinfo) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(_iso(text)), zone)
    except ValueError:
        return None


def _iso(text: str) -> str:
    return text[:-1] + "+00:00" if text[-1:] in "zZ" else text


def _parse_slashed(
    match: re.Match[str], zone: tzinfo, dayfirst: bool | None, end_of_day: bool
) -> datetime | None:
    first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if dayfirst is None:
        if first > 12 >= second:
            dayfirst = True
        elif second > 12 >= first:
            dayfirst = False
        elif first == second:
            dayfirst = True
        else:
            return None  # 05/06/2026: May or June? Not guessing.
    day, month = (first, second) if dayfirst else (second, first)
    if match.group(4) is None:
        at = _END_OF_DAY if end_of_day else time()
    else:
        hour, minute = int(match.group(4)), int(match.group(5))
        second_ = int(match.group(6) or 0)
        hour = _twelve_hour(hour, match.group(7))
        at = time(hour, minute, second_)
    return _aware(datetime.combine(date(year, month, day), at), zone)


def _parse_words(
    text: str, zone: tzinfo, dayfirst: bool | None, end_of_day: bool
) -> datetime | None:
    paren = _PAREN_RE.search(text)
    if paren:
        zone = _zone_from_words(paren.group(1)) or zone
        text = text[: paren.start()]
    words = _ZONE_WORDS_RE.search(text)
    if words:
        zone = UTC
        text = text[: words.start()]
    text = " ".join(text.split())
    if (paren or words) and text[:1].isdigit():
        parsed_numeric = _parse_numeric(text, zone, dayfirst, end_of_day)
        if parsed_numeric is not None:
            return parsed_numeric
    for fmt in _TEXT_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if end_of_day and "%H" not in fmt and "%I" not in fmt:
            parsed = datetime.combine(parsed.date(), _END_OF_DAY)
        return _aware(parsed, zone)
    if "," in text or text[:3].isalpha():  # RSS: "Mon, 11 May 2026 10:00:00 +1000"
        try:
            return _aware(parsedate_to_datetime(text), zone)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _zone_from_words(words: str) -> tzinfo | None:
    key = words.lower().replace("local time", "").replace("time", "").strip()
    name = _LOCAL_TIME_ZONES.get(key)
    if name is None:
        return UTC if key in {"utc", "gmt"} else None
    return _zone(name)


def _twelve_hour(hour: int, meridiem: str | None) -> int:
    if meridiem is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError("hour out of range for am/pm")
    pm = meridiem.lower() == "pm"
    return (hour % 12) + (12 if pm else 0)


def _offset(text: str) -> tzinfo:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(sign * delta)


def _aware(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
