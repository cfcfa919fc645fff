"""Plain text out of publishers' strings, which may be HTML, escaped HTML or mis-decoded UTF-8.

Tender titles and descriptions arrive as plain text, as HTML (portals), as escaped HTML (RSS),
with double-escaped entities (Contracts Finder v2) and sometimes as UTF-8 read as Windows-1252
(`Â£`). Matching and display need one plain form, so everything goes through `clean_text`.
"""

from __future__ import annotations

import html
import math
import re
from decimal import Decimal
from functools import lru_cache

__all__ = ["clean_text"]

# Values publishers use to mean "nothing here" (compared case-insensitively).
_EMPTY_MARKERS = frozenset({"", "-", "--", "n/a", "na", "none", "null", "nil", "undefined"})
_LONGEST_MARKER = max(map(len, _EMPTY_MARKERS))

# A real tag: `<p>`, `</div>`, `<br/>`, `<a href="...">`, `<!-- ... -->`. Requires the closing `>`
# so that plain text such as `x<y` or `a < b` is not mistaken for markup.
_TAG_RE = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--.*?--)>", re.S)
_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});?")
# Tags of elements whose boundaries are paragraph (line) breaks in the plain text. Replaced by
# "\n" with a regex before parsing: 5x cheaper than editing the parsed tree.
_BLOCK_TAG_RE = re.compile(
    r"<(?:br|hr|/?(?:p|div|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header"
    r"|footer|dd|dt|dl))\b[^<>]*>",
    re.IGNORECASE,
)
# C0/C1 control characters other than tab, line feed and carriage return (PostgreSQL text
# cannot hold NUL, and the others are never meaningful in a title).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The printable characters of Latin-1 (all but C0/C1 controls, no-break space and soft hyphen, as
# `str.isprintable` says) and the line feed, as bytes; used from this length of text on.
_PRINTABLE_LATIN1_AND_BREAK = bytes(c for c in range(256) if chr(c).isprintable() or c == 10)
_LONG_TEXT = 64
# Strings up to this length are memoised: names, codes, statuses and classification labels
# repeat across items, lots, awards and releases; long descriptions rarely do.
_CACHED_LENGTH = 300


def clean_text(value: object) -> str | None:
    """Return `value` as plain text with single spaces and "\\n" between paragraphs, or None.

    None for empty markers ("", "N/A", "null", "-", ...), for non-text values (objects, lists,
    booleans) and for non-finite numbers. Never raises.
    """
    if value is None:
        return None
    if type(value) is str:  # the usual case (exact type: the cache compares by equality)
        if len(value) <= _CACHED_LENGTH:
            return _clean_cached(value)
        return _clean_safely(value)
    if isinstance(value, str):
        return _clean_safely(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number_text(value)
    return None


@lru_cache(maxsize=16384)
def _clean_cached(text: str) -> str | None:
    """`_clean_safely`, memoised: short strings repeat (a release's classification labels,
    buyer names, lot titles), and cleaning costs several scans of the string each time."""
    return _clean_safely(text)


def _clean_safely(text: str) -> str | None:
    try:
        return _clean(text)
    except Exception:  # pragma: no cover - last resort: parsers must not take ingest down
        return _finish(_TAG_RE.sub(" ", text))


def _number_text(value: float | Decimal) -> str | None:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return str(value) if value.is_finite() else None


def _clean(text: str) -> str | None:
    if "<" in text or "&" in text:
        text = _strip_markup(text)
    if "Ã" in text or "Â" in text or "â€" in text:
        text = _fix_mojibake(text)
    return _finish(text)


def _strip_markup(text: str) -> str:
    """Strip tags and decode entities, repeatedly: escaped HTML and `&amp;amp;` need two rounds."""
    for _ in range(4):
        # Each pattern starts with its character: the `in` test (fast) spares the regex scan.
        if "<" in text and _TAG_RE.search(text):
            text = _html_to_text(text)
        elif "&" in text and _ENTITY_RE.search(text):
            decoded = html.unescape(text)
            if decoded == text:
                break
            text = decoded
        else:
            break
    return text


def _html_to_text(markup: str) -> str:
    from bs4 import BeautifulSoup  # most text has no markup: a crawl imports bs4 only if needed

    soup = BeautifulSoup(_BLOCK_TAG_RE.sub("\n", markup), "html.parser")
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    return soup.get_text()


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 (`Â£` -> `£`), only when that is exact."""
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text
    return fixed


def _finish(text: str) -> str | None:
    if _printable_but_breaks(text):  # the usual case: no tabs or control characters
        if "\n" not in text:
            if "  " in text or text[:1] == " " or text[-1:] == " ":
                text = " ".join(text.split())
        elif not _clean_breaks(text):
            text = _reflow(text)
    else:
        text = _reflow(text)
    if len(text) <= _LONGEST_MARKER and text.casefold() in _EMPTY_MARKERS:
        return None
    return text


def _reflow(text: str) -> str:
    """Drop control characters, collapse whitespace in each line, drop empty lines."""
    text = _CONTROL_RE.sub("", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _printable_but_breaks(text: str) -> bool:
    """True when every character but "\\n" is printable (`str.isprintable`).

    For long Latin-1 text, deleting the allowed bytes is several times faster than
    `isprintable`, which looks every character up in the Unicode database.
    """
    if len(text) < _LONG_TEXT:
        return text.isprintable() or text.replace("\n", " ").isprintable()
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        return text.replace("\n", " ").isprintable()
    return not latin.translate(None, _PRINTABLE_LATIN1_AND_BREAK)


def _clean_breaks(text: str) -> bool:
    """True when printable `text` with line breaks is already in final form: paragraphs split by
    single "\\n", with no spaces doubled, leading or trailing, on any line.

    ("\\n" read as a space, that is: no doubled, leading or trailing space at all.)
    """
    flat = text.replace("\n", " ")
    return "  " not in flat and flat[:1] != " " and flat[-1:] != " "
