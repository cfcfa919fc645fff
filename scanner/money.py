"""Money as a person reads it, on the web pages and in the digests alike: whole units with the
currency's symbol from CLDR (Babel), and an amount of a notice shown to an organisation in its
own currency with the notice's amount beside it: "€1,162,000 (PLN 5,000,000 in the notice)".

The conversion is the matcher's (`scanner.orgs.convert.to_reader`), so a page, a digest and
`lotwise match --json` agree. An amount in a currency without a rate is shown as published
and says it was not converted; nothing is guessed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

from scanner.orgs.convert import to_reader
from scanner.orgs.rates import RateTable

__all__ = ["LOCALE", "ReaderAmount", "for_reader", "format_money", "reader_money"]

LOCALE = "en_GB"  # the pages and the mail are written in English; CLDR's British symbols


def format_money(amount: Any, currency: str | None = None, *, missing: str = "unknown") -> str:
    """ "£40,000", "€1,162,000", "PLN 5,000,000", "US$120": whole units, the currency's CLDR
    symbol; `missing` for no amount, the text itself for one that is not a number."""
    if amount is None or amount == "":
        return missing
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    code = (currency or "").strip().upper()
    if not code:
        return f"{value:,.0f}"
    return str(_pattern(code).apply(value, _LOCALE, currency=code, currency_digits=False))


_LOCALE = Locale.parse(LOCALE)


@lru_cache(maxsize=512)
def _pattern(code: str) -> NumberPattern:
    """CLDR's currency spacing, which Babel does not apply: a symbol that ends in a letter
    ("PLN", "CHF") is kept apart from the digits by a no-break space; "€" and "£" are not.
    Parsed once per currency, with the locale parsed once: Babel's `format_currency` parses
    both on every call (28 -> 11 us an amount; a tender's page shows dozens)."""
    symbol = get_currency_symbol(code, LOCALE)
    apart = unicodedata.category(symbol[-1])[0] not in "SZ" if symbol else True
    return parse_pattern("¤\u00a0#,##0" if apart else "¤#,##0")


@dataclass(frozen=True)
class ReaderAmount:
    """An amount of a notice (`notice` in `notice_currency`) as a reader of `reader_currency`
    sees it: `reader` is the converted amount, None when no rate converts it. `estimate` marks
    a value Lotwise estimated (a suggested package's share), not one the buyer published."""

    notice: Decimal
    notice_currency: str | None
    reader: Decimal | None
    reader_currency: str
    estimate: bool = False

    @property
    def converted(self) -> bool:
        """Shown in another currency than the notice's."""
        return self.reader is not None and self.notice_currency != self.reader_currency

    @property
    def text(self) -> str:
        own = format_money(self.notice, self.notice_currency)
        if self.notice_currency is None or self.notice_currency == self.reader_currency:
            shown = own
        elif self.reader is None:
            shown = (
                f"{own} (not converted to {self.reader_currency}: "
                f"no rate for {self.notice_currency})"
            )
        else:
            beside = own if self.estimate else f"{own} in the notice"
            shown = f"{format_money(self.reader, self.reader_currency)} ({beside})"
        return f"{shown}, Lotwise's estimate" if self.estimate else shown

    def __str__(self) -> str:
        return self.text


def for_reader(
    amount: Any,
    currency: str | None,
    reader_currency: str,
    rates: RateTable | None,
    *,
    on: date,
    estimate: bool = False,
) -> ReaderAmount | None:
    """`amount` of a notice in `currency`, for a reader of `reader_currency` on day `on`; None
    when there is no amount. Without `rates` nothing is converted."""
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    own = currency.strip().upper() if currency and currency.strip() else None
    reader = reader_currency.upper()
    converted: Decimal | None = None
    if own is not None and value.is_finite():
        if own == reader:
            converted = value
        elif rates is not None:
            converted = to_reader(value, own, reader, rates, on=on)
    return ReaderAmount(value, own, converted, reader, estimate)


def reader_money(value: ReaderAmount | None, missing: str = "unknown") -> str:
    """A `ReaderAmount` as text, `missing` for none (the template filter of the same name)."""
    return missing if value is None else value.text
