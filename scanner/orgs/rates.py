"""Dated currency reference rates (`config/rates.toml`): money into the reporting currency.

Matching compares amounts in one currency; a profile may state its range in euros or dollars.
Rates are data with dates, ECB style (units per 1 EUR), so a conversion names the table it used.
Pure: the caller reads the file and passes the table in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = ["CENT", "RateTable", "RatesError", "load_rates", "parse_rates"]

CENT = Decimal("0.01")


class RatesError(ValueError):
    """The rates file is missing or invalid; the message names the file, table and currency."""


@dataclass(frozen=True)
class RateTable:
    """Rates per date: `tables[d][CUR]` is units of CUR per 1 `base`. Conversions go through the
    base, so any two listed currencies convert."""

    base: str
    reporting: str
    tables: tuple[tuple[date, dict[str, Decimal]], ...]  # oldest first

    @property
    def currencies(self) -> frozenset[str]:
        """Currencies every table lists (so a conversion works whatever the date)."""
        sets = [frozenset(rates) for _, rates in self.tables]
        return frozenset.intersection(*sets) if sets else frozenset()

    def table_for(self, on: date) -> tuple[date, dict[str, Decimal]]:
        """The latest table dated on or before `on`, else the earliest one."""
        chosen = self.tables[0]
        for entry in self.tables:
            if entry[0] <= on:
                chosen = entry
        return chosen

    def convert(
        self, amount: Decimal, currency: str, *, on: date, to: str | None = None
    ) -> Decimal:
        """`amount` in `currency` expressed in `to` (default: the reporting currency), to the cent."""
        target = to or self.reporting
        if currency == target:
            return amount
        _, rates = self.table_for(on)
        missing = [code for code in (currency, target) if code not in rates]
        if missing:
            raise KeyError(f"no reference rate for {', '.join(missing)}")
        return (amount / rates[currency] * rates[target]).quantize(CENT)


def load_rates(path: Path) -> RateTable:
    """Read and check a rates file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as exc:
        raise RatesError(f"{path}: rates file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RatesError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_rates(data)
    except RatesError as exc:
        raise RatesError(f"{path}: {exc}") from exc


def parse_rates(data: dict[str, Any]) -> RateTable:
    """A `RateTable` from the parsed TOML document."""
    base = str(data.get("base", "EUR"))
    reporting = str(data.get("reporting", "GBP"))
    tables: list[tuple[date, dict[str, Decimal]]] = []
    for position, entry in enumerate(data.get("rates") or [], start=1):
        when = entry.get("date")
        if not isinstance(when, date):
            raise RatesError(f"[[rates]] table {position}: `date` must be a TOML date")
        rates: dict[str, Decimal] = {}
        for code, raw in entry.items():
            if code == "date":
                continue
            if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
                raise RatesError(f"[[rates]] {when}: {code!r} is not an ISO 4217 currency code")
            rates[code] = _rate(raw, f"[[rates]] {when}: {code}")
        if rates.get(base) != 1:
            raise RatesError(f"[[rates]] {when}: the base currency {base} must be 1")
        tables.append((when, rates))
    if not tables:
        raise RatesError("no [[rates]] tables")
    tables.sort(key=lambda entry: entry[0])
    if reporting not in frozenset.intersection(*(frozenset(r) for _, r in tables)):
        raise RatesError(f"the reporting currency {reporting} is missing from a table")
    return RateTable(base=base, reporting=reporting, tables=tuple(tables))


def _rate(raw: object, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
        raise RatesError(f"{where}: rate must be a number")
    try:
        rate = Decimal(raw)
    except InvalidOperation as exc:
        raise RatesError(f"{where}: {raw!r} is not a number") from exc
    if not rate.is_finite() or rate <= 0:
        raise RatesError(f"{where}: rate must be positive")
    return rate
