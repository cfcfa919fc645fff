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
_CODE = r"(?:GBP|EUR|USD|PLN|UAH|PYG|AMD|CZK|HUF|RON|SEK|DKK|NOK|CHF|CAD|AUD|MXN|грн|Gs\.?)"
# Thousands written with spaces ("45 000 zł") only in groups of three, so "£45,000 6 months"
# stays 45,000.
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d[\d,.]{0,13}\d|\d"
_SUFFIX = r"(?:\s?(?P<scale>bn|billion|million|mn|thousand|m|k)\b)?"
_MONEY_PATTERNS = (
    re.compile(rf"(?P<cur>[£€$]\s?|{_CODE}\s?)(?P<num>{_NUMBER}){_SUFFIX}", re.IGNORECASE),
    re.compile(rf"(?P<num>{_NUMBER}){_SUFFIX}\s?(?P<cur>{_CODE}\b|[£€$]|zł)", re.IGNORECASE),
)
_ANY_CURRENCY = re.compile(rf"[£€$]|zł|\b{_CODE}\b", re.IGNORECASE)
_VALUE_LINE = re.compile(
    r"\b(budget|value|worth|estimated|total|contract sum|up to|not to exceed|ceiling|"
    r"Auftragswert|Wert|valeur|montant|budget|importo|valore|wartość|kwota|valor|monto|"
    r"presupuesto|verdi|anslått|вартість|сума)\b",
    re.IGNORECASE,
)
_LIST_ENTRY = re.compile(r"^[ \t]*(?:[-*•·▪◦–—]|\(?\d{1,2}[.)]|\(?[a-h][.)])[ \t]")
# Month and week words of the drafts' languages (English, German, French, Italian, Spanish,
# Polish, Norwegian, Ukrainian), for "(months 1-4)", "(Monate 5–18)", "(mesi 1-8)".
MONTH_WORDS = r"months?|monate?n?|mois|mesi|mese|meses|mes|miesi[ąęa]c\w*|måned(?:er)?|місяц\w*"
WEEK_WORDS = r"weeks?|wochen?|semaines?|settimane?|semanas?|tygodni\w*|uker?|тижн\w*"
YEAR_WORDS = r"years?|jahre?n?|ans?|années?|anni|anno|años?|lat|rok\w*|år|рок\w*"
# "(months 1-4)", "months 5 to 12", "month 3", "weeks 1-6"
_PERIOD = re.compile(
    rf"\b(?P<unit>{MONTH_WORDS}|{WEEK_WORDS})\s+(?P<start>\d{{1,3}})"
    r"(?:\s*(?:-|–|—|to|until|bis|à|al|a|do|til|до)\s*(?P<end>\d{1,3}))?\b",
    re.IGNORECASE,
)
# "6 months", "6-month", "over 12 weeks", "2 years", "18 month", "30 Monate"
_LENGTH = re.compile(
    rf"\b(?P<n>\d{{1,3}})[ -]?(?P<unit>{MONTH_WORDS}|{WEEK_WORDS}|{YEAR_WORDS})\b",
    re.IGNORECASE,
)
_WEEK = re.compile(WEEK_WORDS, re.IGNORECASE)
_YEAR = re.compile(YEAR_WORDS, re.IGNORECASE)
MAX_MONTHS = 240
_EXTRA_CURRENCY = {"zł": "PLN", "ZŁ": "PLN", "грн": "UAH", "Gs": "PYG", "Gs.": "PYG"}


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
    """The amount on a line naming a budget or value for the whole, or (None, None): a line
    that starts with the word ("Budget: ...", "Estimated value ...") first, then any other. A
    list entry ("3. Audit, estimated £40,000") or its indented continuation states a
    deliverable's value, not the total's."""
    lines = [
        line
        for line in text.splitlines()[:2000]
        if not _LIST_ENTRY.match(line) and not line[:1].isspace() and _VALUE_LINE.search(line)
    ]
    leading = [line for line in lines if _VALUE_LINE.match(line.lstrip("#*>-_ \t"))]
    for line in leading + lines:
        found = first_money(line)
        if found[0] is not None:
            return found
    return None, None


def lengths_in(text: str) -> list[int]:
    """Every stated length in whole months ("36 months", "2 years", "30 Monate")."""
    found = []
    for match in _LENGTH.finditer(text):
        n, unit = int(match["n"]), match["unit"]
        months = n * 12 if _YEAR.fullmatch(unit) else -(-n // 4) if _WEEK.fullmatch(unit) else n
        if 0 < months <= MAX_MONTHS:
            found.append(months)
    return found


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
    if _WEEK.fullmatch(match["unit"]):
        start, end = (start - 1) // 4 + 1, (end - 1) // 4 + 1
    if not 1 <= start <= end <= MAX_MONTHS:
        return None
    return Span(start, end, match.group(0))


def months_in(text: str) -> int | None:
    """A stated length ("6 months", "12-week", "2 years") in whole months, else None."""
    found = lengths_in(text)
    return found[0] if found else None


def whole(amount: Decimal) -> Decimal:
    """An amount without a spurious fraction: 2400000, not 2400000.0."""
    return Decimal(int(amount)) if amount == amount.to_integral_value() else amount.normalize()


def _digits(number: str) -> str:
    """Digits as `parse_amount` reads them: spaces dropped, and the continental format
    ("910.000", "182.000,00": dots for thousands, a comma for decimals) turned around."""
    number = number.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if _CONTINENTAL.fullmatch(number):
        return number.replace(".", "").replace(",", ".")
    return number


_CONTINENTAL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+,\d{2}")
