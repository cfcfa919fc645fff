"""The rules of DOMAIN.md section 2, each a signal with a plain-language reason and its source.

Every rule is evaluated on every tender and returned fired or not, so a buyer sees what was
checked as well as what was found. Each source is a provision of the buyer's own regime, or is
marked "by analogy" (`Law.cite`). The score combines the fired weights as independent pieces
of evidence (1 − Π(1 − w)), so it separates tenders instead of piling them up at 1.00.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from scanner.ingest.tender import NormalisedTender
from scanner.reference.cpv import cpv_vocabulary
from scanner.splitter.deliverables import (
    CONSOLIDATION,
    NOT_DIVIDED_REASON,
    ONE_SYSTEM,
    OPENNESS,
    openness_in,
)
from scanner.splitter.facts import Facts, first_code, is_cpv, sane_value
from scanner.splitter.law import Law
from scanner.splitter.prose import article, clip, join_words
from scanner.splitter.types import Package, Signal

SHORT_WINDOW_DAYS = 15
LONG_DELIVERY_MONTHS = 18
OPENNESS_CODES = ("open_source", "user_research", "agile", "published_code")
CONCESSION_NOTE = (
    "this is a concession ({how}), let under Directive 2014/23/EU, which lets the buyer divide "
    "into lots but asks for no reasons for not dividing; the lots duty of Directive 2014/24/EU "
    "Art. 46 and the national rules transposing it apply to public contracts, not to "
    "concessions"
)


def evaluate(
    tender: NormalisedTender,
    facts: Facts,
    law: Law,
    now: datetime,
    packages: tuple[Package, ...],
    products: int,
) -> tuple[Signal, ...]:
    """Every rule, fired or not, in the order a procurement officer would read them."""
    above = _above_threshold(facts, law, tender.currency)
    lots_duty = law.cite("lots_duty")
    return (
        _no_lots_above_threshold(tender, facts, law, above, lots_duty),
        _no_reasons_for_not_dividing(tender, facts, law, above, lots_duty),
        _several_subjects(tender, law),
        _several_classes(tender, law),
        _several_products(tender, products, law),
        _several_regions(facts, law),
        _above_small_supplier_turnover(facts, law),
        _long_it_delivery(facts, law),
        _separable_work(facts, law),
        _consolidation_wording(facts, law),
        _already_divided(tender, lots_duty),
        _lots_stated(facts, lots_duty),
        _small_enough(tender, facts, law),
        _one_system(facts, law),
        _lots_too_large(tender, facts, law),
        _short_window(tender, now, law.cite("time_limits")),
        *_openness(facts, law),
    )


def score_of(signals: tuple[Signal, ...]) -> float:
    """Fired weights combined as independent evidence, 1 − Π(1 − w); a negative weight scales
    the result down (already divided by the buyer). Between 0 and 1, and 1 only in theory."""
    remaining, damping = 1.0, 1.0
    for signal in signals:
        if not signal.fired:
            continue
        if signal.weight >= 0:
            remaining *= 1.0 - min(signal.weight, 1.0)
        else:
            damping *= 1.0 + max(signal.weight, -1.0)
    return max(0.0, min(1.0, (1.0 - remaining) * damping))


def civic_friendliness(signals: tuple[Signal, ...]) -> float:
    """Share of the four openness signals present: a read-out, not part of the score."""
    fired = {s.code for s in signals if s.fired}
    return round(sum(c in fired for c in OPENNESS_CODES) / len(OPENNESS_CODES), 2)


def aggregation(facts: Facts, law: Law, currency: str | None) -> tuple[str, str]:
    """The procedure the whole requirement's value calls for, and the guard's explanation."""
    jurisdiction = law.jurisdiction
    if jurisdiction is None:
        return (
            f"unknown: {law.no_rules}",
            "Whatever the rules, the packages' values add up to the whole requirement's value "
            f"({law.cite('aggregation')}): dividing is for access by small suppliers, never a "
            "way round a rule.",
        )
    source = law.cite("aggregation")
    value = law.in_regime_currency(facts.value)
    if facts.value is None or value is None:
        why = "valued" if facts.value is None else "comparable with the thresholds"
        return (
            f"unknown until the whole requirement is {why}",
            f"Estimate the whole requirement's value first: packages' values add up for "
            f"threshold purposes ({source}).",
        )
    threshold, procedure = jurisdiction.procedure_for(value, law.kind, law.buyer_type)
    threshold = law.named(threshold)
    reached = f" (at or above the {threshold.label})" if threshold else ""
    shown = f"{currency or jurisdiction.currency} {facts.value:,.0f}"
    if value != facts.value:
        shown += f" (about {jurisdiction.currency} {value:,.0f})"
    return (
        f"{procedure}{reached}",
        f"Divided or not, the packages add up to {shown}, and that total decides the "
        f"procedure ({source}): the same procedure applies to every package. Dividing is for "
        "access by small suppliers, never a way under a threshold.",
    )


def _above_threshold(facts: Facts, law: Law, currency: str | None) -> str | None:
    """Sentences naming the one threshold the value reaches for this buyer, or None. In another
    currency both are given in the tender's, converted at the rate said (an EEA state's own
    figures are set in its currency, so the EUR amount is not repeated there)."""
    threshold = law.threshold()
    value = law.in_regime_currency(facts.value)
    if threshold is None or value is None or law.jurisdiction is None or value < threshold.amount:
        return None
    regime_currency = law.jurisdiction.currency
    buyer = law.buyer_type or "buyer"
    assumed = " (buyer type assumed)" if law.assumed else ""
    amount = f"{regime_currency} {threshold.amount:,.0f}"
    worth = f"{regime_currency} {value:,.0f}"
    if law.rate not in (None, Decimal(1)) and facts.value is not None and currency:
        local = law.in_tender_currency(threshold.amount)
        published = law.member is not None and law.member.rate is not None
        rate = "the published rate" if published else "the reference rate"
        amount = f"about {currency} {local:,.0f} at {rate}"
        if law.member is None or not law.member.eea:
            amount += f"; {regime_currency} {threshold.amount:,.0f}"
        worth = f"{currency} {facts.value:,.0f}"
    # Two sentences: the value, then the one threshold it reaches (an amount beside a
    # threshold's name reads as a second threshold).
    return (
        f"The whole requirement is worth {worth}. That reaches the {threshold.label} "
        f"({amount}) that applies to {article(buyer)} {buyer} buyer{assumed}"
    )


def _no_lots_above_threshold(
    tender: NormalisedTender, facts: Facts, law: Law, above: str | None, source: str
) -> Signal:
    always = law.member.lots_always if law.member else None
    undivided = len(tender.lots) < 2 and facts.stated is None
    fired = (above is not None or always is not None) and undivided and not facts.concession
    if fired and above is None and always is not None:
        reason = f"{always}, and it is not divided into lots."
    elif fired and law.reasons != "required":
        reason = f"{above}, and it is not divided into lots. {law.reasons_note}."
    elif fired:
        reason = f"{above}, and it is not divided into lots: the buyer must consider lots."
    elif facts.stated is not None:
        reason = f"The notice says it is divided into {facts.stated.described}."
    elif facts.concession and undivided and (above is not None or always is not None):
        reason = f"Not checked: {CONCESSION_NOTE.format(how=facts.concession)}."
    elif law.jurisdiction is None:
        reason = f"Not checked: {law.no_rules}."
    elif facts.value is not None and law.rate is None:
        reason = f"Not checked: {law.rate_note}."
    else:
        reason = "Not an undivided requirement above the threshold (or its value is unknown)."
    return Signal("no_lots_above_threshold", fired, reason, source, 0.3)


def _no_reasons_for_not_dividing(
    tender: NormalisedTender, facts: Facts, law: Law, above: str | None, source: str
) -> Signal:
    duty = above is not None or (law.member is not None and law.member.lots_always is not None)
    undivided = (
        duty
        and len(tender.lots) < 2
        and facts.stated is None
        and not facts.concession
        and not NOT_DIVIDED_REASON.search(facts.text, facts.lowered)
    )
    # A utility's reasons duty is national law, not the Directive's: fired only where the file
    # says that law asks for reasons, never claimed where it is not established.
    fired = undivided and law.reasons == "required"
    if fired:
        reason = (
            "The notice gives no reasons for not dividing into lots, which the law asks for "
            "above the threshold."
        )
    elif undivided:
        note = law.reasons_note or ""
        reason = f"Not checked: {note[:1].lower()}{note[1:]}."
    elif duty and facts.concession and len(tender.lots) < 2:
        reason = f"Not checked: {CONCESSION_NOTE.format(how=facts.concession)}."
    else:
        reason = "Either divided, below the threshold, or reasons for not dividing are given."
    return Signal("no_reasons_for_not_dividing", fired, reason, source, 0.1)


def _several_subjects(tender: NormalisedTender, law: Law) -> Signal:
    codes = [c for c in (first_code(i) for i in tender.items) if c] or list(tender.cpv_codes)
    divisions = sorted({c[:2] for c in codes})
    groups = sorted({c[:3] for c in codes})
    fired = len(groups) >= 2
    level = f"{len(groups)} CPV groups"
    if len(divisions) >= 2:
        level = f"{len(divisions)} CPV divisions and {level}"
    reason = (
        f"The items span {level} ({_in_words(groups)}): separate subject-matter that "
        "specialist suppliers could bid for alone."
        if fired
        else "All items fall in one CPV group (or none is coded)."
    )
    return Signal("several_cpv_groups", fired, reason, law.cite("subjects"), 0.25)


def _several_classes(tender: NormalisedTender, law: Law) -> Signal:
    """Different CPV classes (four digits) are different supply markets; in Ukraine each
    DK 021 class is a separate subject of procurement."""
    codes = [c for c in (first_code(i) for i in tender.items) if c and is_cpv(c)]
    classes = sorted({c[:4] for c in codes})
    fired = len(classes) >= 2 and len(tender.lots) < 2
    reason = (
        f"The items fall in {len(classes)} CPV classes ({_in_words(classes)}): different "
        "markets, each with its own suppliers."
        if fired
        else "The items fall in one CPV class (or none is coded, or the buyer divided them)."
    )
    return Signal("several_cpv_classes", fired, reason, law.cite("subjects"), 0.2)


def _small_enough(tender: NormalisedTender, facts: Facts, law: Law) -> Signal:
    """A requirement already within reach of a small supplier is a micro-contract as it is."""
    ceiling = law.ceiling
    source = law.cite("participation")
    if facts.value is None or ceiling is None or law.jurisdiction is None or tender.lots:
        return Signal(
            "small_enough", False, "Not checked (value or ceiling unknown).", source, -0.5
        )
    fired = facts.value <= ceiling
    j = law.jurisdiction
    limit = f"{_in_tender_money(law, law.ceiling_amount, tender.currency)}, {law.ceiling_basis}"
    reason = (
        f"At {tender.currency or j.currency} {facts.value:,.0f} the whole requirement is "
        f"within {limit}: one small supplier can take it as it is."
        if fired
        else f"Larger than {limit}."
    )
    return Signal("small_enough", fired, reason, source, -0.5)


def _one_system(facts: Facts, law: Law) -> Signal:
    """Parts that must work as one (safety-critical) system: the interfaces between lots would
    be the risk, an accepted reason not to divide."""
    match = ONE_SYSTEM.search(facts.text, facts.lowered)
    reason = (
        f'The text says "{match.group(0)}": splitting responsibility between suppliers would '
        "put the whole at risk, a reason not to divide."
        if match
        else "No sign that the parts must work as one integrated system."
    )
    return Signal("one_system", match is not None, reason, law.cite("lots_duty"), -0.6)


def _several_products(tender: NormalisedTender, products: int, law: Law) -> Signal:
    fired = products >= 2 and len(tender.lots) < 2
    reason = (
        f"The {len(tender.items)} items are {products} different products: each can be a lot "
        "that a supplier of that product bids for alone."
        if fired
        else "The items are one product (or there are none, or the buyer already divided them)."
    )
    return Signal("several_products", fired, reason, law.cite("subjects"), 0.15)


def _several_regions(facts: Facts, law: Law) -> Signal:
    fired = len(facts.regions) >= 2
    reason = (
        f"Delivery is spread over {len(facts.regions)} regions ({', '.join(facts.regions[:6])}): "
        "local suppliers could each serve one."
        if fired
        else "One delivery region (or none given)."
    )
    return Signal("several_regions", fired, reason, law.cite("regions"), 0.15)


def _above_small_supplier_turnover(facts: Facts, law: Law) -> Signal:
    source = law.cite("participation")
    value = law.in_regime_currency(facts.value)
    if law.jurisdiction is None or value is None:
        why = law.no_rules or law.rate_note or "the value is unknown"
        return Signal("above_small_supplier_turnover", False, f"Not checked: {why}.", source, 0.2)
    currency, turnover = law.jurisdiction.currency, law.jurisdiction.small_supplier_turnover
    fired = value > turnover
    rule = (
        "Buyers may ask for a minimum turnover of up to twice the contract value"
        if "twice" in source or "58(3)" in source
        else "Conditions of participation must be proportionate to the contract"
    )
    reason = (
        f"{rule}; at {currency} {value:,.0f} a turnover requirement in proportion to the value "
        f"excludes small suppliers (turnover around {currency} {turnover:,.0f}) unless the work "
        "is divided."
        if fired
        else "The value is within reach of a small supplier's turnover."
    )
    return Signal("above_small_supplier_turnover", fired, reason, source, 0.2)


def _long_it_delivery(facts: Facts, law: Law) -> Signal:
    months = facts.duration_months
    fired = facts.is_it and months is not None and months > LONG_DELIVERY_MONTHS
    reason = (
        f"An IT requirement lasting {months} months: deliver it in increments of at most 18 "
        "months, each useful alone."
        if fired
        else "Not an IT requirement longer than 18 months (or its duration is unknown)."
    )
    # The 18 months are FAR 39.103's: cited as such where it is the law, by analogy elsewhere.
    return Signal("long_it_delivery", fired, reason, law.cite("long_delivery"), 0.2)


def _separable_work(facts: Facts, law: Law) -> Signal:
    if facts.listed_work:
        reason = (
            f"The buyer lists {len(facts.work)} separate deliverables "
            f"({clip(join_words([w.title for w in facts.work[:4]]), 200)}{', ...' if len(facts.work) > 4 else ''})."
        )
    elif facts.phases:
        names = join_words([name for name, _, _ in facts.phases])
        reason = f"The requirement names service phases ({names}) that can be contracted in turn."
    elif facts.work:
        reason = f"The description enumerates {len(facts.work)} separate deliverables."
    else:
        reason = "No phases or enumerated deliverables found in the description."
    fired = bool(facts.phases or facts.work)
    # Phases are the service manuals' idea; a list of separate deliverables is lots law's.
    key = "phases" if facts.phases and not facts.listed_work else "subjects"
    return Signal("separable_phases_or_deliverables", fired, reason, law.cite(key), 0.25)


def _consolidation_wording(facts: Facts, law: Law) -> Signal:
    match = CONSOLIDATION.search(facts.text, facts.lowered)
    reason = (
        f'The text asks for "{match.group(0)}", bundling work that small suppliers could '
        "deliver separately."
        if match
        else "No consolidation wording found."
    )
    return Signal(
        "consolidation_wording", match is not None, reason, law.cite("consolidation"), 0.15
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


def _lots_stated(facts: Facts, source: str) -> Signal:
    """A division the notice states in words when its lots were not read: the buyer's own
    division, reported as such, never a suggestion of Lotwise's."""
    stated = facts.stated
    if stated is None:
        return Signal("lots_stated", False, "The text states no division into lots.", source, -0.3)
    named = (
        " The packages below are those lots as the notice names them."
        if stated.headings and facts.listed_work
        else " The lots are not named in what was read."
        if not facts.work
        else ""
    )
    words = "" if stated.headings else f' ("{stated.quote}")'
    reason = f"The notice says the buyer divided it into {stated.described}{words}.{named}"
    return Signal("lots_stated", True, reason, source, -0.3)


def _lots_too_large(tender: NormalisedTender, facts: Facts, law: Law) -> Signal:
    source = f"{law.cite('lots_duty')}; {law.cite('participation')}"
    ceiling = law.ceiling
    stated = facts.stated.count if facts.stated is not None else None
    if (len(tender.lots) < 2 and not stated) or law.jurisdiction is None or ceiling is None:
        return Signal("lots_too_large", False, "No published lots to check.", source, 0.25)
    values: list[Decimal] = []
    if stated and len(tender.lots) < 2:  # lots counted in the text: an equal share each
        values = [facts.value / stated] * stated if facts.value is not None else []
        large = [v for v in values if v > ceiling]
        reason = (
            f"At an equal share, each of the {stated} lots the notice states is worth more "
            f"than {_in_tender_money(law, law.ceiling_amount, tender.currency)} "
            f"({law.ceiling_basis}): too large for the smallest suppliers."
            if large
            else "The lots the notice states are small enough at an equal share (or the value "
            "is unknown)."
        )
        return Signal("lots_too_large", bool(large), reason, source, 0.25)
    for lot in tender.lots:
        published, _ = sane_value(lot.value_amount)
        if published is not None:
            values.append(published)
        elif facts.value is not None:
            values.append(facts.value / len(tender.lots))
    large = [v for v in values if v > ceiling]
    fired = bool(large)
    reason = (
        f"{len(large)} of {len(tender.lots)} lots are worth more than "
        f"{_in_tender_money(law, law.ceiling_amount, tender.currency)} ({law.ceiling_basis}): "
        "too large for the smallest suppliers."
        if fired
        else "The lots are small enough for small suppliers (or their values are unknown)."
    )
    return Signal("lots_too_large", fired, reason, source, 0.25)


def _in_words(prefixes: list[str], shown: int = 5) -> str:
    """CPV prefixes with their English labels: "351 Emergency and security equipment"."""
    vocabulary = cpv_vocabulary()
    named = []
    for prefix in prefixes[:shown]:
        code = prefix.ljust(8, "0")
        label = vocabulary.label(code) if prefix.isdigit() else None
        named.append(f"{prefix} {label}" if label else prefix)
    more = f" and {len(prefixes) - shown} more" if len(prefixes) > shown else ""
    return "; ".join(named) + more


def _in_tender_money(law: Law, amount: Decimal | None, currency: str | None) -> str:
    """A regime amount as the buyer reads it: in the tender's currency when it is another."""
    if law.jurisdiction is None or amount is None:
        return ""
    if law.rate in (None, Decimal(1)) or not currency:
        return f"{law.jurisdiction.currency} {amount:,.0f}"
    return f"about {currency} {law.in_tender_currency(amount):,.0f}"


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


def _openness(facts: Facts, law: Law) -> list[Signal]:
    found = {code: (label, words) for code, label, words in openness_in(facts.text, facts.lowered)}
    source = law.cite("openness")
    signals = []
    for code in OPENNESS_CODES:
        if code in found:
            label, words = found[code]
            reason = f'Civic-friendly: the requirement {label} ("{words}").'
            signals.append(Signal(code, True, reason, source, 0.0))
        else:
            label = OPENNESS[code][0]
            signals.append(Signal(code, False, f"No sign that it {label}.", source, 0.0))
    return signals
