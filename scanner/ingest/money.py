"""Amounts and currencies as publishers write them, turned into exact `Decimal` and ISO 4217.

Values arrive as JSON numbers, floats with binary noise, strings with thousands separators or
currency signs, and invalid numbers (`1e9999`, `" 000,"`). Money is never a float downstream, and
a nonsense amount is worse than none, so anything doubtful becomes None.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = ["MAX_AMOUNT", "parse_amount", "parse_currency"]

# Larger than any real procurement (a quadrillion); beyond it the value is a placeholder or junk.
MAX_AMOUNT = Decimal(10) ** 15
_MAX_INT = 10**15

_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD", "US$": "USD", "¥": "JPY", "₹": "INR", "zł": "PLN"}
_CURRENCY_RE = re.compile(r"[A-Za-z]{3}")
# A currency sign or ISO code before or after the number, and spaces (also no-break and thin)
# or apostrophes used as thousands separators.
_AFFIX_RE = re.compile(r"^(?:US\$|[£€$¥₹]|zł|[A-Za-z]{3})|(?:[£€$¥₹]|zł|[A-Za-z]{3})$")
_SPACES_RE = re.compile(r"[\s\u00a0\u2009\u202f']")
_PLAIN_RE = re.compile(r"[+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?")
_THOUSANDS_COMMA_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_THOUSANDS_DOT_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?")
_DECIMAL_COMMA_RE = re.compile(r"\d+,\d{1,2}")


def parse_amount(value: object) -> Decimal | None:
    """Return a non-negative, finite amount up to `MAX_AMOUNT`, or None. Never raises.

    Accepts int, float, Decimal and numeric strings: "1,234.50", "1.234,50", "£1,000",
    "1 000", "GBP 5000", " 000,". Integral values come back without a fractional part so that
    `3369570.0` and `3369570` are the same amount.
    """
    if type(value) is int:  # the usual case: in range, an int is its own exact amount
        return Decimal(value) if 0 <= value <= _MAX_INT else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return _bounded(Decimal(value)) if 0 <= value <= MAX_AMOUNT else None
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0 or value > _MAX_INT:
            return None
        if value.is_integer():  # exact: an integral float up to 10**15 is that integer
            return Decimal(int(value))
        return _bounded(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _bounded(value)
    if type(value) is str:  # exact type: the cache compares by equality
        return _parse_string_cached(value)
    if isinstance(value, str):
        return _parse_string(value)
    return None


@lru_cache(maxsize=4096)
def _parse_string_cached(text: str) -> Decimal | None:
    """`_parse_string`, memoised: it tries several patterns, and publishers that send amounts as
    text repeat them (a lot's value is often the tender's). Decimals are immutable."""
    return _parse_string(text)


def _parse_string(text: str) -> Decimal | None:
    if len(text) > 64:
        return None
    text = _SPACES_RE.sub("", text)
    text = _AFFIX_RE.sub("", text).rstrip(",.")
    if not text or text.startswith("-"):
        return None
    if _PLAIN_RE.fullmatch(text):
        number = text
    elif _THOUSANDS_COMMA_RE.fullmatch(text):
        number = text.replace(",", "")
    elif _THOUSANDS_DOT_RE.fullmatch(text):
        number = text.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA_RE.fullmatch(text):
        number = text.replace(",", ".")
    else:
        return None
    try:
        return _bounded(Decimal(number))
    except (InvalidOperation, ValueError):
        return None


def _bounded(amount: Decimal) -> Decimal | None:
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        return None
    if amount == amount.to_integral_value():
        return Decimal(int(amount))
    return amount.normalize()


def parse_currency(value: object) -> str | None:
    """Return an ISO 4217-shaped code ("gbp" -> "GBP", "£" -> "GBP"), or None."""
    if type(value) is str:  # exact type: the cache compares by equality
        return _parse_currency_cached(value)
    if not isinstance(value, str):
        return None
    return _parse_currency(value)


@lru_cache(maxsize=1024)
def _parse_currency_cached(value: str) -> str | None:
    """`_parse_currency`, memoised: a handful of currencies, on every value of every release."""
    return _parse_currency(value)


def _parse_currency(value: str) -> str | None:
    text = value.strip()
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    if _CURRENCY_RE.fullmatch(text):
        return text.upper()
    return None
