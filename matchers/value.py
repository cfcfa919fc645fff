"""Value fit: is the opportunity's value one the organisation can take on?

Inside the profile's range scores 1; below the minimum it falls as value / minimum, above the
maximum as maximum / value. Turnover rule: a buyer may ask for a minimum yearly turnover of up
to twice the contract value (Directive 2014/24/EU Art. 58(3), DOMAIN.md section 2), so a lot of
more than half the organisation's turnover risks excluding it; above that the score is capped at
(turnover / 2) / value. No value, or an unusable one (zero, negative, not finite, over a
trillion), scores a neutral 0.5: most notices publish none and that is no evidence either way.

The value judged is what one supplier would be awarded (`Opportunity.value`, see
`scanner.matching.value_basis`): a framework ceiling or a fund total is no such value, so it
is neutral; a per-supplier range (150k-5M) is a range, fitting when it overlaps the profile's.
Amounts are shown in the reader's currency, with the notice's own beside them.
"""

from __future__ import annotations

import math
from decimal import Decimal

from matchers.result import Criterion
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights

__all__ = [
    "ABSURD_VALUE",
    "CURRENCY_SYMBOL",
    "NEUTRAL",
    "award_range",
    "money",
    "range_fit",
    "reader_money",
    "symbol_of",
    "usable_value",
    "value_fit",
    "with_published",
]

ABSURD_VALUE = 1e12
NEUTRAL = 0.5
CURRENCY_SYMBOL = "£"  # matchers see money in the reporting currency, GBP
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "UAH": "₴", "PLN": "zł ", "JPY": "¥"}


def symbol_of(currency: str | None) -> str:
    """ "€" for EUR, "£" for GBP...; other currencies by their code ("CHF 40k")."""
    code = (currency or "GBP").upper()
    return SYMBOLS.get(code, f"{code} ")


def money(amount: float, symbol: str = CURRENCY_SYMBOL) -> str:
    """Compact amount: 40000 -> "£40k", 1250000 -> "£1.25m"."""
    if amount >= 1e6:
        return f"{symbol}{amount / 1e6:.3g}m"
    if amount >= 1e3:
        return f"{symbol}{amount / 1e3:.3g}k"
    return f"{symbol}{amount:.0f}"


def reader_money(amount: float, org: OrgProfile) -> str:
    """An amount of the reporting currency in the reader's currency (`org.currency`)."""
    return money(amount * org.currency_rate, symbol_of(org.currency))


def with_published(amount: float, org: OrgProfile, opportunity: Opportunity) -> str:
    """The reader's amount, with the notice's own beside it when its currency differs:
    "€46k (notice: £40k)"."""
    shown = reader_money(amount, org)
    published = opportunity.published_value
    if published is not None and published[1].upper() != org.currency.upper():
        own = usable_value(published[0])
        if own is not None:
            shown += f" (notice: {money(own, symbol_of(published[1]))})"
    return shown


def usable_value(value: Decimal | float | None) -> float | None:
    """The value as a float when it can be reasoned about, else None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number <= 0 or number > ABSURD_VALUE:
        return None
    return number


def _positive(value: Decimal | None) -> float | None:
    number = usable_value(value)
    return number


def org_range(org: OrgProfile) -> tuple[float, float, float | None]:
    """(minimum, maximum, turnover) as floats; unusable bounds are ignored, swapped ones fixed."""
    low = _positive(org.value_min) or 0.0
    high = _positive(org.value_max) or math.inf
    if low > high:
        low, high = high, low
    return low, high, _positive(org.turnover)


def fit(value: float, low: float, high: float, turnover: float | None) -> float:
    """The score of a usable value against a range and turnover (shared with the index)."""
    if value < low:
        score = value / low
    elif value > high:
        score = high / value
    else:
        score = 1.0
    if turnover is not None and value > turnover / 2:
        score = min(score, turnover / 2 / value)
    return score


def award_range(opportunity: Opportunity) -> tuple[float, float] | None:
    """(smallest, largest) value one supplier would be awarded, or None when unknown: a
    single value is its own range; a per-supplier range runs `value_low`-`value`."""
    high = usable_value(opportunity.value)
    if high is None:
        return None
    low = usable_value(opportunity.value_low)
    if low is None or low > high:
        low = high
    return low, high


def range_fit(award: tuple[float, float], low: float, high: float, turnover: float | None) -> float:
    """`fit` of a per-supplier range: 1 when it overlaps the profile's range, else the fit
    of its nearer end; the turnover cap judged on its smallest award."""
    small, large = award
    if small == large:
        return fit(small, low, high, turnover)
    if large < low:
        score = large / low
    elif small > high:
        score = high / small
    else:
        score = 1.0
    if turnover is not None and small > turnover / 2:
        score = min(score, turnover / 2 / small)
    return score


def value_fit(org: OrgProfile, opportunity: Opportunity, weights: Weights) -> Criterion:
    """Value one supplier would be awarded against range and turnover, with the reason in
    words and the value used named; an unknown per-award value is neutral."""
    weight = weights.weight("value")
    award = award_range(opportunity)
    note = f" ({opportunity.value_note})" if opportunity.value_note else ""
    if award is None:
        published = opportunity.published_value
        own = usable_value(published[0]) if published is not None else None
        if own is not None and opportunity.value_kind in ("contract", "range") and published:
            shown = money(own, symbol_of(published[1]))
            return Criterion("value", NEUTRAL, weight, f"{shown} published, no rate to convert it")
        if opportunity.value_note:
            reason = f"value per award not known: {opportunity.value_note}"
        else:
            reason = "no value published" if opportunity.value is None else "value unusable"
        return Criterion("value", NEUTRAL, weight, reason)
    low, high, turnover = org_range(org)
    score = range_fit(award, low, high, turnover)
    small, large = award
    if small == large:
        shown = with_published(large, org, opportunity)
    else:
        shown = f"{reader_money(small, org)}-{reader_money(large, org)}"
    shown += note

    def cash(amount: float) -> str:
        return reader_money(amount, org)

    reasons: list[str] = []
    if large < low:
        reasons.append(f"under your minimum {cash(low)}")
    elif small > high:
        reasons.append(f"over your maximum {cash(high)}")
    if turnover is not None and small > turnover / 2:
        reasons.append(
            f"over half your turnover {cash(turnover)} "
            "(buyers may ask turnover of 2x the value, Directive 2014/24/EU Art. 58(3))"
        )
    if reasons:
        detail = f"{shown} is " + " and ".join(reasons)
    elif low == 0 and high == math.inf:
        detail = f"{shown} (no range in profile)"
    elif low == 0:
        detail = f"{shown} within your maximum {cash(high)}"
    elif high == math.inf:
        detail = f"{shown} above your minimum {cash(low)}"
    else:
        detail = f"{shown} inside your range {cash(low)}-{cash(high)}"
    return Criterion("value", score, weight, detail)
