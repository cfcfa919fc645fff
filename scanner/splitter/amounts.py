"""Amounts and durations written in prose: "£2.4m", "Budget: 2,400,000 GBP", "(months 1-4)",
"over 6 months", "36-month contract".

Officers write values and durations into the text of a draft, per deliverable as often as for
the whole; reading them here lets a package carry the figure the officer wrote. Every pattern
is bounded (numbers of at most 15 characters), so long texts stay linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from scanner.ingest.money import parse_amount, parse_currency

_SCALE = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "million": 10**6,
    "mn": 10**6,
    "bn": 10**9,
    "billion": 10**9,
}
_CODE = r"(?:GBP|EUR|USD|PLN|UAH|PYG|AMD|CZK|HUF|RON|SEK|DKK|NOK|CHF|CAD|AUD|MXN)"
# Thousands written with spaces ("45 000 zł") only in groups of three, so "£45,000 6 months"
# stays 45,000.
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d[\d,.]{0,13}\d|\d"
_SUFFIX = r"(?:\s?(?P<scale>bn|billion|million|mn|thousand|m|k)\b)?"
_MONEY_PATTERNS = (
    re.compile(rf"(?P<cur>[£€$]|{_CODE}\s?)(?P<num>{_NUMBER}){_SUFFIX}", re.IGNORECASE),
    re.compile(rf"(?P<num>{_NUMBER}){_SUFFIX}\s?(?P<cur>{_CODE}\b|[£€$]|zł)", re.IGNORECASE),
)
_ANY_CURRENCY = re.compile(rf"[£€$]|zł|\b{_CODE}\b", re.IGNORECASE)
_VALUE_LINE = re.compile(
    r"\b(budget|value|worth|estimated|total|contract sum|up to|not to exceed|ceiling)\b",
    re.IGNORECASE,
)
_LIST_ENTRY = re.compile(r"^[ \t]*(?:[-*•·▪◦–—]|\(?\d{1,2}[.)]|\(?[a-h][.)])[ \t]")
# "(months 1-4)", "months 5 to 12", "month 3", "weeks 1-6"
_PERIOD = re.compile(
    r"\b(?P<unit>months?|weeks?)\s+(?P<start>\d{1,3})(?:\s*(?:-|–|—|to|until)\s*(?P<end>\d{1,3}))?\b",
    re.IGNORECASE,
)
# "6 months", "6-month", "over 12 weeks", "2 years", "18 month"
_LENGTH = re.compile(r"\b(?P<n>\d{1,3})[ -]?(?P<unit>months?|weeks?|years?)\b", re.IGNORECASE)
MAX_MONTHS = 240
_EXTRA_CURRENCY = {"zł": "PLN", "ZŁ": "PLN"}


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the contract: months `start` to `end` (1-based), as written."""

    start: int
    end: int
    text: str

    @property
    def months(self) -> int:
        return self.end - self.start + 1


def money_in_text(text: str) -> tuple[Decimal | None, str | None]:
    """The value of a whole draft: a line naming a budget or value first, else the first
    amount with a currency; `£2.4m` is 2,400,000 GBP."""
    found = total_in_text(text)
    if found[0] is not None:
        return found
    for line in text.splitlines():
        found = first_money(line)
        if found[0] is not None:
            return found
    return None, None


def total_in_text(text: str) -> tuple[Decimal | None, str | None]:
    """The amount on a line naming a budget or value for the whole, or (None, None). A list
    entry ("3. Audit, estimated £40,000") states a deliverable's value, not the total's."""
    for line in text.splitlines():
        if _LIST_ENTRY.match(line) or not _VALUE_LINE.search(line):
            continue
        found = first_money(line)
        if found[0] is not None:
            return found
    return None, None


def first_money(text: str) -> tuple[Decimal | None, str | None]:
    """The first amount with a currency in a short text, or (None, None)."""
    if not _ANY_CURRENCY.search(text):  # most texts name no money: one cheap pass
        return None, None
    for pattern in _MONEY_PATTERNS:
        for match in pattern.finditer(text):
            amount = parse_amount(_digits(match["num"]))
            if amount is None or amount == 0:
                continue
            scale = (match["scale"] or "").lower()
            amount = amount * _SCALE.get(scale, 1)
            cur = match["cur"].strip()
            currency = _EXTRA_CURRENCY.get(cur) or parse_currency(cur.upper())
            return whole(amount), currency
    return None, None


def span_in(text: str) -> Span | None:
    """A month range such as "(months 1-4)": where in the contract a piece of work falls."""
    match = _PERIOD.search(text)
    if match is None:
        return None
    start = int(match["start"])
    end = int(match["end"]) if match["end"] else start
    if match["unit"].lower().startswith("week"):
        start, end = (start - 1) // 4 + 1, (end - 1) // 4 + 1
    if not 1 <= start <= end <= MAX_MONTHS:
        return None
    return Span(start, end, match.group(0))


def months_in(text: str) -> int | None:
    """A stated length ("6 months", "12-week", "2 years") in whole months, else None."""
    for match in _LENGTH.finditer(text):
        n = int(match["n"])
        unit = match["unit"].lower()
        months = n * 12 if unit.startswith("year") else -(-n // 4) if unit.startswith("week") else n
        if 0 < months <= MAX_MONTHS:
            return months
    return None


def whole(amount: Decimal) -> Decimal:
    """An amount without a spurious fraction: 2400000, not 2400000.0."""
    return Decimal(int(amount)) if amount == amount.to_integral_value() else amount.normalize()


def _digits(number: str) -> str:
    return number.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
