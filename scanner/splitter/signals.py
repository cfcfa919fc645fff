"""The rules of DOMAIN.md section 2, each a signal with a plain-language reason and its source.

Every rule is evaluated on every tender and returned fired or not, so a buyer sees what was
checked as well as what was found. Weights make the score: the sum of the fired ones, capped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from scanner.ingest.tender import NormalisedTender
from scanner.splitter.assessment import Package, Signal
from scanner.splitter.strategies.deliverables import CONSOLIDATION, NOT_DIVIDED_REASON, openness_in
from scanner.splitter.strategies.facts import Facts, first_code, sane_value
from scanner.splitter.thresholds import Jurisdiction, contract_kind

SHORT_WINDOW_DAYS = 15
LONG_DELIVERY_MONTHS = 18
OPENNESS_CODES = ("open_source", "user_research", "agile", "published_code")

LOTS_DUTY = {
    "UK": "Procurement Act 2023 s.18",
    "EU": "Directive 2014/24/EU Art. 46",
    "US": "FAR 19.202-1(a); FAR 7.107",
}
AGGREGATION = {
    "UK": "Procurement Act 2023 s.4 and Sch. 3 (formerly PCR 2015 reg. 6)",
    "EU": "Directive 2014/24/EU Art. 5(3) and 5(10)",
    "US": "FAR 13.003(c)(2)",
}
TIME_LIMITS = {
    "UK": "Procurement Act 2023 s.54 (minimum time limits)",
    "EU": "Directive 2014/24/EU Arts. 27-28",
    "US": "FAR 5.203",
}
_DEFAULT_LOTS_DUTY = "Directive 2014/24/EU Art. 46 (by analogy)"


def evaluate(
    tender: NormalisedTender,
    facts: Facts,
    jurisdiction: Jurisdiction | None,
    now: datetime,
    packages: tuple[Package, ...],
) -> tuple[Signal, ...]:
    """Every rule, fired or not, in the order a procurement officer would read them."""
    code = jurisdiction.code if jurisdiction else ""
    lots_duty = LOTS_DUTY.get(code, _DEFAULT_LOTS_DUTY)
    above = _above_threshold(tender, facts, jurisdiction)
    return (
        _no_lots_above_threshold(tender, above, lots_duty),
        _no_reasons_for_not_dividing(tender, facts, above, lots_duty),
        _several_subjects(tender, facts),
        _several_regions(facts),
        _above_small_supplier_turnover(facts, jurisdiction),
        _long_it_delivery(facts),
        _separable_work(facts),
        _consolidation_wording(facts),
        _already_divided(tender, lots_duty),
        _lots_too_large(tender, facts, jurisdiction),
        _short_window(tender, now, TIME_LIMITS.get(code, "Directive 2014/24/EU Arts. 27-28")),
        *_openness(facts),
    )


def score_of(signals: tuple[Signal, ...]) -> float:
    """Sum of the fired weights, between 0 and 1."""
    return max(0.0, min(1.0, sum(s.weight for s in signals if s.fired)))


def civic_friendliness(signals: tuple[Signal, ...]) -> float:
    """Share of the four openness signals present: a read-out, not part of the score."""
    fired = {s.code for s in signals if s.fired}
    return round(sum(c in fired for c in OPENNESS_CODES) / len(OPENNESS_CODES), 2)


def aggregation(
    tender: NormalisedTender, facts: Facts, jurisdiction: Jurisdiction | None
) -> tuple[str, str]:
    """The procedure the whole requirement's value calls for, and the guard's explanation."""
    if jurisdiction is None:
        return (
            "unknown: no thresholds configured for this currency or country",
            "Packages' values add up to the whole requirement's value for any threshold rule.",
        )
    source = AGGREGATION.get(jurisdiction.code, "Directive 2014/24/EU Art. 5")
    if facts.value is None or tender.currency not in (None, jurisdiction.currency):
        return (
            "unknown until the whole requirement is valued",
            f"Estimate the whole requirement's value first: packages' values add up for "
            f"threshold purposes ({source}).",
        )
    kind = contract_kind(_main_codes(tender, facts))
    threshold, procedure = jurisdiction.procedure_for(facts.value, kind)
    reached = f" (at or above the {threshold.label})" if threshold else ""
    return (
        f"{procedure}{reached}",
        f"Divided or not, the packages add up to {jurisdiction.currency} {facts.value:,.0f}, "
        f"the value that counts for threshold rules ({source}): the same procedure applies "
        "to every package. Dividing is for access by small suppliers, never a way under a "
        "threshold.",
    )


def _main_codes(tender: NormalisedTender, facts: Facts) -> list[str]:
    return [c for c in (tender.main_cpv, *facts.codes) if c]


def _above_threshold(
    tender: NormalisedTender, facts: Facts, jurisdiction: Jurisdiction | None
) -> str | None:
    """A sentence naming the threshold the value reaches, or None."""
    if jurisdiction is None or facts.value is None:
        return None
    if tender.currency not in (None, jurisdiction.currency):
        return None
    threshold = jurisdiction.regulated_threshold(contract_kind(_main_codes(tender, facts)))
    if threshold is None or facts.value < threshold.amount:
        return None
    return (
        f"The estimated value {jurisdiction.currency} {facts.value:,.0f} reaches the "
        f"{threshold.label} ({jurisdiction.currency} {threshold.amount:,.0f})"
    )


def _no_lots_above_threshold(tender: NormalisedTender, above: str | None, source: str) -> Signal:
    fired = above is not None and len(tender.lots) < 2
    reason = (
        f"{above} and it is not divided into lots: the buyer must consider lots."
        if fired
        else "Not an undivided requirement above a threshold (or its value is unknown)."
    )
    return Signal("no_lots_above_threshold", fired, reason, source, 0.3)


def _no_reasons_for_not_dividing(
    tender: NormalisedTender, facts: Facts, above: str | None, source: str
) -> Signal:
    fired = above is not None and len(tender.lots) < 2 and not NOT_DIVIDED_REASON.search(facts.text)
    reason = (
        "The notice gives no reasons for not dividing into lots, which the law asks for above "
        "the threshold."
        if fired
        else "Either divided, below the threshold, or reasons for not dividing are given."
    )
    return Signal("no_reasons_for_not_dividing", fired, reason, source, 0.1)


def _several_subjects(tender: NormalisedTender, facts: Facts) -> Signal:
    codes = [c for c in (first_code(i) for i in tender.items) if c] or list(tender.cpv_codes)
    divisions = sorted({c[:2] for c in codes})
    groups = sorted({c[:3] for c in codes})
    fired = len(groups) >= 2
    level = f"{len(groups)} CPV groups"
    if len(divisions) >= 2:
        level = f"{len(divisions)} CPV divisions and {level}"
    reason = (
        f"The items span {level} ({', '.join(groups[:8])}): separate subject-matter that "
        "specialist suppliers could bid for alone."
        if fired
        else "All items fall in one CPV group (or none is coded)."
    )
    return Signal("several_cpv_groups", fired, reason, "Directive 2014/24/EU Art. 46", 0.25)


def _several_regions(facts: Facts) -> Signal:
    fired = len(facts.regions) >= 2
    reason = (
        f"Delivery is spread over {len(facts.regions)} regions ({', '.join(facts.regions[:6])}): "
        "local suppliers could each serve one."
        if fired
        else "One delivery region (or none given)."
    )
    return Signal(
        "several_regions", fired, reason, "Procurement Act 2023 s.18; lots guidance", 0.15
    )


def _above_small_supplier_turnover(facts: Facts, jurisdiction: Jurisdiction | None) -> Signal:
    source = "Directive 2014/24/EU Art. 58(3)"
    if jurisdiction is None or facts.value is None:
        return Signal(
            "above_small_supplier_turnover", False, "Value or jurisdiction unknown.", source, 0.2
        )
    turnover = jurisdiction.small_supplier_turnover
    fired = facts.value > turnover
    reason = (
        f"Buyers may ask for a minimum turnover of up to twice the contract value; at "
        f"{jurisdiction.currency} {facts.value:,.0f} that excludes small suppliers (turnover "
        f"around {jurisdiction.currency} {turnover:,.0f}) unless the work is divided."
        if fired
        else "The value is within reach of a small supplier's turnover."
    )
    return Signal("above_small_supplier_turnover", fired, reason, source, 0.2)


def _long_it_delivery(facts: Facts) -> Signal:
    months = facts.duration_months
    fired = facts.is_it and months is not None and months > LONG_DELIVERY_MONTHS
    reason = (
        f"An IT requirement lasting {months} months: modular contracting asks for increments "
        "delivered within 18 months, each useful alone."
        if fired
        else "Not an IT requirement longer than 18 months (or its duration is unknown)."
    )
    return Signal("long_it_delivery", fired, reason, "FAR 39.103", 0.2)


def _separable_work(facts: Facts) -> Signal:
    if facts.phases:
        names = ", ".join(name for name, _, _ in facts.phases)
        reason = f"The requirement names service phases ({names}) that can be contracted in turn."
    elif facts.deliverables:
        reason = f"The description enumerates {len(facts.deliverables)} separate deliverables."
    else:
        reason = "No phases or enumerated deliverables found in the description."
    fired = bool(facts.phases or facts.deliverables)
    source = "FAR 39.103(b); GOV.UK Service Manual phases"
    return Signal("separable_phases_or_deliverables", fired, reason, source, 0.25)


def _consolidation_wording(facts: Facts) -> Signal:
    match = CONSOLIDATION.search(facts.text)
    reason = (
        f'The text asks for "{match.group(0)}", bundling work that small suppliers could '
        "deliver separately."
        if match
        else "No consolidation wording found."
    )
    return Signal(
        "consolidation_wording", match is not None, reason, "FAR 7.107 (by analogy)", 0.15
    )


def _already_divided(tender: NormalisedTender, source: str) -> Signal:
    count = len(tender.lots)
    fired = count >= 2
    reason = (
        f"The buyer already divided this into {count} lots."
        if fired
        else "Not divided into lots by the buyer."
    )
    return Signal("already_divided", fired, reason, source, -0.3)


def _lots_too_large(
    tender: NormalisedTender, facts: Facts, jurisdiction: Jurisdiction | None
) -> Signal:
    source = "Directive 2014/24/EU Art. 46 and Art. 58(3)"
    if len(tender.lots) < 2 or jurisdiction is None:
        return Signal("lots_too_large", False, "No published lots to check.", source, 0.25)
    values: list[Decimal] = []
    for lot in tender.lots:
        published, _ = sane_value(lot.value_amount)
        if published is not None:
            values.append(published)
        elif facts.value is not None:
            values.append(facts.value / len(tender.lots))
    ceiling = jurisdiction.micro_ceiling
    large = [v for v in values if v > ceiling]
    fired = bool(large)
    reason = (
        f"{len(large)} of {len(tender.lots)} lots are worth more than the micro-contract ceiling "
        f"({jurisdiction.currency} {ceiling:,.0f}, {jurisdiction.ceiling_basis})."
        if fired
        else "The lots are within the micro-contract ceiling (or their values are unknown)."
    )
    return Signal("lots_too_large", fired, reason, source, 0.25)


def _short_window(tender: NormalisedTender, now: datetime, source: str) -> Signal:
    start, end = tender.published_at or now, tender.deadline_at
    days: float | None = None
    if end is not None:
        try:
            days = (end - start).total_seconds() / 86400
        except TypeError:  # naive against aware: the dates cannot be compared
            days = None
    fired = days is not None and 0 <= days < SHORT_WINDOW_DAYS
    reason = (
        f"Only {days:.0f} days to respond: small suppliers rarely manage under "
        f"{SHORT_WINDOW_DAYS} days."
        if fired and days is not None
        else f"The submission window is at least {SHORT_WINDOW_DAYS} days (or unknown)."
    )
    return Signal("short_submission_window", fired, reason, source, 0.0)


def _openness(facts: Facts) -> list[Signal]:
    found = {code: (label, words) for code, label, words in openness_in(facts.text)}
    source = "UK Service Standard 12; Technology Code of Practice 3; US OMB M-16-21"
    signals = []
    for code in OPENNESS_CODES:
        if code in found:
            label, words = found[code]
            reason = f'Civic-friendly: the requirement {label} ("{words}").'
            signals.append(Signal(code, True, reason, source, 0.0))
        else:
            signals.append(
                Signal(code, False, f"No sign that it {code.replace('_', ' ')}.", source, 0.0)
            )
    return signals
