"""Value fit: is the opportunity's value one the organisation can take on?

Inside the profile's range scores 1; below the minimum it falls as value / minimum, above the
maximum as maximum / value. Turnover rule: a buyer may ask for a minimum yearly turnover of up
to twice the contract value (Directive 2014/24/EU Art. 58(3), DOMAIN.md section 2), so a lot of
more than half the organisation's turnover risks excluding it; above that the score is capped at
(turnover / 2) / value. No value, or an unusable one (zero, negative, not finite, over a
trillion), scores a neutral 0.5: most notices publish none and that is no evidence either way.
"""

from __future__ import annotations

import math
from decimal import Decimal

from matchers.result import Criterion
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights

__all__ = ["ABSURD_VALUE", "CURRENCY_SYMBOL", "NEUTRAL", "money", "usable_value", "value_fit"]

ABSURD_VALUE = 1e12
NEUTRAL = 0.5
CURRENCY_SYMBOL = "£"  # matchers see money in the reporting currency, GBP


def money(amount: float, symbol: str = CURRENCY_SYMBOL) -> str:
    """Compact amount in the reporting currency: 40000 -> "£40k", 1250000 -> "£1.25m"."""
    if amount >= 1e6:
        return f"{symbol}{amount / 1e6:.3g}m"
    if amount >= 1e3:
        return f"{symbol}{amount / 1e3:.3g}k"
    return f"{symbol}{amount:.0f}"


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


def value_fit(org: OrgProfile, opportunity: Opportunity, weights: Weights) -> Criterion:
    """Value against range and turnover, with the reason in words."""
    weight = weights.weight("value")
    value = usable_value(opportunity.value)
    if value is None:
        reason = "no value published" if opportunity.value is None else "value unusable"
        return Criterion("value", NEUTRAL, weight, reason)
    low, high, turnover = org_range(org)
    score = fit(value, low, high, turnover)
    shown = money(value)
    reasons: list[str] = []
    if value < low:
        reasons.append(f"under your minimum {money(low)}")
    elif value > high:
        reasons.append(f"over your maximum {money(high)}")
    if turnover is not None and value > turnover / 2:
        reasons.append(
            f"over half your turnover {money(turnover)} "
            "(buyers may ask turnover of 2x the value, Directive 2014/24/EU Art. 58(3))"
        )
    if reasons:
        detail = f"{shown} is " + " and ".join(reasons)
    elif low == 0 and high == math.inf:
        detail = f"{shown} (no range in profile)"
    elif low == 0:
        detail = f"{shown} within your maximum {money(high)}"
    elif high == math.inf:
        detail = f"{shown} above your minimum {money(low)}"
    else:
        detail = f"{shown} inside your range {money(low)}-{money(high)}"
    return Criterion("value", score, weight, detail)
