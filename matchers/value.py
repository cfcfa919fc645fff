"""Value fit: is the opportunity's value one the organisation can take on?

Inside the profile's range scores 1; below the minimum it falls as value / minimum, above the
maximum as maximum / value. Turnover rule: a buyer may ask for a minimum yearly turnover of up
to twice the contract value (Directive 2014/24/EU Art. 58(3), DOMAIN.md section 2), so a lot of
more than half the organisation's turnover risks excluding it; above that the score is capped at
(turnover / 2) / value. No value, or an unusable one (zero, negative, not finite, over a
trillion, or under 10: a placeholder such as the EUR 1 some buyers give every lot), scores a
neutral 0.5: most notices publish none and that is no evidence either way.

The value judged is what one supplier would be awarded (`Opportunity.value`, see
`scanner.matching.value_basis`): a framework ceiling or a fund total is no such value, so it
is neutral; a per-supplier range (150k-5M) is a range, fitting when it overlaps the profile's;
a divided tender whose lots all publish values runs from its smallest lot to its largest. A
`ceiling` is a total one supplier wins some part of: a framework shared by up to N suppliers
(from an even share to the whole) or a total over lots that publish no value (from 0): it is
never known to fit, so it scores half the range fit (neutral at best), falling when the whole
is under the minimum or even an even share is over the maximum. A suggested `part` (Lotwise's
package) is judged on the whole the buyer awards; its estimated share is context only.
Amounts are shown in the reader's currency, with the notice's own beside them.
"""

from __future__ import annotations

import math
from decimal import Decimal

from matchers.result import Criterion
from matchers.types import Amount, NoteParts, Opportunity, OrgProfile
from matchers.weights import Weights

__all__ = [
    "ABSURD_VALUE",
    "CURRENCY_SYMBOL",
    "NEUTRAL",
    "PLACEHOLDER_VALUE",
    "award_range",
    "money",
    "note_text",
    "range_fit",
    "reader_money",
    "symbol_of",
    "usable_value",
    "value_fit",
    "value_note",
    "with_published",
]

ABSURD_VALUE = 1e12
# Under it (reporting currency) a value is a placeholder, not a price: buyers who must fill the
# field write 1 (Deutsche Bahn's lots on TED: EUR 1 each); no public contract is worth less.
PLACEHOLDER_VALUE = 10.0
NEUTRAL = 0.5
CURRENCY_SYMBOL = "£"  # matchers see money in the reporting currency, GBP
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "UAH": "₴", "PLN": "zł ", "JPY": "¥"}


def symbol_of(currency: str | None) -> str:
    """ "€" for EUR, "£" for GBP...; other currencies by their code ("CHF 40k")."""
    code = (currency or "GBP").upper()
    return SYMBOLS.get(code, f"{code} ")


def money(amount: float, symbol: str = CURRENCY_SYMBOL) -> str:
    """Compact amount: 40000 -> "£40k", 1250000 -> "£1.25m", 3360000000 -> "£3.36bn".

    Three significant figures; an amount that rounds to 1000 of one unit is shown in the next
    (999,600 -> "£1m", not "£1e+03k"), and so are the billions of forint or yen budgets
    ("HUF 3.36bn", not "HUF 3.36e+03m")."""
    for scale, unit in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if amount >= scale * 0.9995:
            shown = f"{amount / scale:.3g}"
            return f"{symbol}{shown if 'e' not in shown else f'{amount / scale:.0f}'}{unit}"
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


def note_text(parts: NoteParts, currency: str | None = None, rate: float = 1.0) -> str:
    """A note's words with its amounts shown to a reader of `currency` (`rate` units of it per
    unit of the reporting currency), the notice's own amounts beside any converted ones:
    "3 lots of €604k-€24m (notice: RON 3m-RON 119m)". Without a reader's currency, or for an
    amount no rate converts, the notice's own amount. A range (amount, "-", amount) is shown
    as one."""
    out: list[str] = []
    position = 0
    while position < len(parts):
        part = parts[position]
        if not isinstance(part, Amount):
            out.append(part)
            position += 1
            continue
        run = [part]
        while (
            position + 2 < len(parts)
            and parts[position + 1] == "-"
            and isinstance(parts[position + 2], Amount)
        ):
            following = parts[position + 2]
            assert isinstance(following, Amount)
            run.append(following)
            position += 2
        out.append(_amounts_text(run, currency, rate))
        position += 1
    return "".join(out)


def _amounts_text(run: list[Amount], currency: str | None, rate: float) -> str:
    """One amount or a range of them, in the reader's currency with the notice's beside."""
    own = "-".join(money(float(a.own), symbol_of(a.currency) if a.currency else "") for a in run)
    same = currency is None or all(
        (a.currency or "").upper() == currency.upper() or a.reporting is None for a in run
    )
    if same or any(a.reporting is None for a in run):
        return own
    assert currency is not None
    reader = "-".join(money(float(a.reporting or 0) * rate, symbol_of(currency)) for a in run)
    return f"{reader} (notice: {own})"


def value_note(org: OrgProfile, opportunity: Opportunity) -> str:
    """How the opportunity's value was read (`Opportunity.value_note`), its amounts in the
    reader's currency."""
    if not opportunity.value_note_parts:
        return opportunity.value_note
    return note_text(opportunity.value_note_parts, org.currency, org.currency_rate)


def usable_value(value: Decimal | float | None) -> float | None:
    """The value as a float when it can be reasoned about, else None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number < PLACEHOLDER_VALUE or number > ABSURD_VALUE:
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
    single value is its own range; a per-supplier range runs `value_low`-`value`; a
    `ceiling` runs from an even share of it (`value_low`: a framework shared by up to N
    suppliers) or from 0 (a lot of a total, no value per lot) to it."""
    high = usable_value(opportunity.value)
    if high is None:
        return None
    if opportunity.value_kind == "part":
        return 0.0, high
    if opportunity.value_kind == "ceiling":
        share = usable_value(opportunity.value_low)
        return (share if share is not None and share <= high else 0.0), high
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
    said = value_note(org, opportunity)
    note = f" ({said})" if said else ""
    if award is None:
        published = opportunity.published_value
        own = usable_value(published[0]) if published is not None else None
        if own is not None and opportunity.value_kind in ("contract", "range") and published:
            shown = money(own, symbol_of(published[1]))
            return Criterion("value", NEUTRAL, weight, f"{shown} published, no rate to convert it")
        if said:
            reason = f"value per award not known: {said}"
        else:
            reason = "no value published" if opportunity.value is None else "value unusable"
        return Criterion("value", NEUTRAL, weight, reason)
    if opportunity.value_kind == "part":
        return _part_fit(org, opportunity, award[1], weight)
    low, high, turnover = org_range(org)
    score = range_fit(award, low, high, turnover)
    small, large = award
    ceiling = opportunity.value_kind == "ceiling"
    if small == large:
        shown = with_published(large, org, opportunity)
    elif ceiling and small == 0:
        shown = f"up to {with_published(large, org, opportunity)}"
    elif ceiling:
        shown = (
            f"{reader_money(small, org)} each if shared evenly, up to {reader_money(large, org)}"
        )
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
    if ceiling:  # what one supplier wins is some part of it: never known to fit
        score *= NEUTRAL
    if reasons:
        detail = f"{shown} is " + " and ".join(reasons)
    elif ceiling:
        detail = f"{shown}: what one supplier would win is not published"
    elif low == 0 and high == math.inf:
        detail = f"{shown} (no range in profile)"
    elif low == 0:
        detail = f"{shown} within your maximum {cash(high)}"
    elif high == math.inf:
        detail = f"{shown} above your minimum {cash(low)}"
    else:
        detail = f"{shown} inside your range {cash(low)}-{cash(high)}"
    return Criterion("value", score, weight, detail)


def _part_fit(org: OrgProfile, opportunity: Opportunity, whole: float, weight: float) -> Criterion:
    """A suggested package, judged on the whole the buyer awards: under the minimum when the
    whole is (the part is smaller still); fitting when the whole does (it can be bid for
    whole); else neutral (a subcontract or consortium share, its size never published)."""
    low, high, turnover = org_range(org)
    score = fit(whole, low, high, turnover)
    shown = f"part of a tender of {with_published(whole, org, opportunity)}"
    said = value_note(org, opportunity)
    context = f" ({said})" if said else ""
    if whole < low:
        detail = f"{shown}, under your minimum {reader_money(low, org)}"
    elif score == 1.0:
        detail = f"{shown}, a whole that fits your size: you can bid for all of it"
    else:
        score = NEUTRAL
        detail = f"{shown}, more than you take on alone: a share's size is not published"
    return Criterion("value", score, weight, detail + context)
