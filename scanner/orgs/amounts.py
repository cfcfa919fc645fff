"""Amounts as people type them into a form or a profile file: "£5k", "150,000", "€1.2m",
"5 000 EUR", "2.5 million", 120000.

One pure function, used by the profile schema, so sign-up, the profile form and `orgs import`
read an amount the same way. A currency written with the amount is returned with it; whether
it agrees with the profile's currency is the schema's question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from scanner.ingest.money import MAX_AMOUNT, parse_amount, parse_currency

__all__ = ["TypedAmount", "parse_typed_amount"]

_MULTIPLIERS = {
    "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
    "bn": 1_000_000_000, "b": 1_000_000_000, "billion": 1_000_000_000,
}  # fmt: skip
_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD", "us$": "USD"}
# sign? number multiplier? code?  or  code? number multiplier? sign?
_TYPED_RE = re.compile(
    r"^(?P<before>us\$|[£€$]|[a-z]{3}(?=[\s\d.]))?\s*"
    r"(?P<number>[\d][\d\s\u00a0\u202f,.']*|\.\d+)\s*"
    r"(?P<mult>k|thousand|mn|m|million|bn|b|billion)?\.?\s*"
    r"(?P<after>[£€$]|[a-z]{3})?$"
)


@dataclass(frozen=True)
class TypedAmount:
    """An exact, non-negative amount and the currency written with it (None when none was)."""

    amount: Decimal
    currency: str | None = None


def parse_typed_amount(value: object) -> TypedAmount:
    """Read an amount as typed; raise ValueError saying how to write it when it cannot be read.
    Numbers (not bools) are taken as they are."""
    if isinstance(value, bool):
        raise ValueError("must be an amount, not true/false")
    if isinstance(value, int | float | Decimal):
        amount = parse_amount(value)
        if amount is None:
            raise ValueError(_refusal(value))
        return TypedAmount(amount)
    if not isinstance(value, str):
        raise ValueError(_refusal(value))
    text = value.strip().lower()
    if text.startswith("-"):
        raise ValueError(f"{value!r} is negative")
    match = _TYPED_RE.fullmatch(text)
    if match is None:
        raise ValueError(_refusal(value))
    currency = _currency(match["before"], match["after"], value)
    amount = parse_amount(match["number"].strip())
    if amount is None:
        raise ValueError(_refusal(value))
    if match["mult"]:
        try:
            amount = amount * _MULTIPLIERS[match["mult"]]
        except InvalidOperation:  # pragma: no cover - Decimal has the precision
            raise ValueError(_refusal(value)) from None
        if amount > MAX_AMOUNT:
            raise ValueError(_refusal(value))
        amount = (
            amount.normalize() if amount != amount.to_integral_value() else Decimal(int(amount))
        )
    return TypedAmount(amount, currency)


def _currency(before: str | None, after: str | None, original: str) -> str | None:
    found = [c for c in (_code(before), _code(after)) if c]
    if len(set(found)) > 1:
        raise ValueError(f"{original!r} names two currencies")
    return found[0] if found else None


def _code(text: str | None) -> str | None:
    if not text:
        return None
    return _SIGNS.get(text) or parse_currency(text)


def _refusal(value: object) -> str:
    return (
        f"{value!r} is not an amount we can read; write it as, for example, 150000, "
        "150,000, £150k or €1.2m"
    )
