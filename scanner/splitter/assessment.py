"""`assess`, the pure function that turns one tender into the splitter's answer.

It reads the tender once (`facts`), finds the law that applies to its buyer (`law`), proposes
packages (`strategies`), checks every rule (`signals`) and puts the verdict together. The data
types live in `types`, so none of these modules imports another's answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scanner.ingest.purpose import Purpose, purpose_of
from scanner.ingest.tender import NormalisedTender
from scanner.splitter.facts import Facts, read_facts
from scanner.splitter.law import Law, law_of, regime_of
from scanner.splitter.prose import article
from scanner.splitter.signals import aggregation, civic_friendliness, evaluate, score_of
from scanner.splitter.strategies.by_product import fixed_quantities, product_key
from scanner.splitter.strategies.combine import propose
from scanner.splitter.thresholds import Thresholds

# Re-exported for callers that imported the types from here before they had their own module.
from scanner.splitter.types import SPLIT_SCORE, Assessment, Package, Signal, Status

__all__ = ["SPLIT_SCORE", "Assessment", "Package", "Signal", "assess"]


def assess(tender: NormalisedTender, *, now: datetime, thresholds: Thresholds) -> Assessment:
    """Assess one tender: signals, a score, proposed packages and the procedure that applies.

    Pure (no I/O, no clock: `now` is given). Bad input gives `insufficient data` or a partial
    assessment with the reason, never an exception."""
    facts = read_facts(tender)
    codes = [c for c in (tender.main_cpv, *facts.codes) if c]
    law = law_of(tender, facts.text, codes, thresholds, now.date())
    language = _language(tender)
    purpose = purpose_of(tender)
    # Only a purchase has a requirement a buyer could let in lots: a grant call's value is a
    # fund shared by many applicants, a concession's or sale's a price paid to the buyer.
    packages = propose(tender, facts, law, language) if purpose.procurement else ()
    products = _products(tender)
    signals = evaluate(tender, facts, law, now, packages, products)
    if not purpose.procurement:
        signals = (*signals, _not_a_purchase(purpose))
    procedure, note = aggregation(facts, law, tender.currency)
    gaps = _gaps(tender, facts, law)
    has_structure = bool(tender.items or tender.lots or facts.phases or facts.work)
    status: Status = "assessed" if facts.value is not None or has_structure else "insufficient data"
    score = score_of(signals) if status == "assessed" else 0.0
    divided = any(s.code in ("already_divided", "lots_stated") and s.fired for s in signals)
    divided_enough = divided and not any(s.code == "lots_too_large" and s.fired for s in signals)
    should_split = (
        status == "assessed" and score >= SPLIT_SCORE and len(packages) >= 2 and not divided_enough
    )
    if not should_split:
        why = _not_split_reason(status, score, len(packages), divided_enough, facts, law)
        packages = tuple(replace(p, optional=True, optional_reason=why) for p in packages)
    return Assessment(
        should_split=should_split,
        score=round(score, 3),
        status=status,
        insufficient_reason="; ".join(gaps) or None,
        signals=signals,
        packages=packages,
        aggregated_value=facts.value,
        currency=tender.currency,
        jurisdiction=law.jurisdiction.code if law.jurisdiction else None,
        procedure=procedure,
        aggregation_note=note,
        civic_friendliness=civic_friendliness(signals),
        rules_version=thresholds.rules_version,
        regime=regime_of(law, facts.value),
    )


def _not_a_purchase(purpose: Purpose) -> Signal:
    """The signal that stops any division: there is no contract to divide."""
    what = {"grant": "a grant or subsidy call", "concession": "a concession to the public"}
    return Signal(
        code="not_a_purchase",
        fired=True,
        reason=(
            f"This notice is {what.get(purpose.kind, 'a sale')}, not a purchase "
            f"({'; '.join(purpose.evidence)}): its value is not one contract's size and "
            "there is no requirement to divide into lots"
        ),
        source="Lotwise: what a notice is for (grant, concession and sale wording)",
        weight=-1.0,
    )


def _products(tender: NormalisedTender) -> int:
    if len(tender.items) < 2:
        return len(tender.items)
    quantities = fixed_quantities(tender.raw)
    return len({product_key(i, quantities.get(i.id)) for i in tender.items})


def _language(tender: NormalisedTender) -> str:
    raw = tender.raw.get("language") if isinstance(tender.raw, dict) else None
    return raw.lower()[:2] if isinstance(raw, str) and len(raw) >= 2 else "en"


def _gaps(tender: NormalisedTender, facts: Facts, law: Law) -> list[str]:
    gaps = []
    if facts.value_problem:
        gaps.append(f"{facts.value_problem}, so size rules were not applied{open_questions(law)}")
    if not tender.items and not facts.listed_work:
        gaps.append("no items listed")
    if not facts.description.strip():
        gaps.append("no description")
    if law.no_rules:
        gaps.append(law.no_rules)
    if facts.value is not None and (law.rate_note or "").startswith("value not comparable"):
        gaps.append(law.rate_note or "")
    return gaps


def _not_split_reason(
    status: Status, score: float, count: int, divided_enough: bool, facts: Facts, law: Law
) -> str:
    stated = facts.stated
    if divided_enough and stated is not None:
        words = "" if stated.headings else f' ("{stated.quote}")'
        return (
            f"the notice says the buyer already divided this into {stated.described}{words}; "
            "shown for comparison"
        )
    if status != "assessed":
        return f"not enough data to recommend a division{open_questions(law)}"
    if divided_enough:
        return "the buyer already divided this into lots small enough; shown for comparison"
    if count < 2 and score >= SPLIT_SCORE:
        return (
            f"the signals are strong (score {score:.2f}) but no division by subject, place, "
            "phase or time was found: dividing it needs knowledge of the work"
        )
    if count < 2:
        return "no natural division was found"
    if facts.value is None:
        return (
            f"no value is published, so the division rests on the work's structure alone "
            f"(score {score:.2f}){open_questions(law)}; estimate the whole requirement's value "
            "before deciding"
        )
    return f"the signals are weak (score {score:.2f} < {SPLIT_SCORE}); a division is possible, not needed"


def open_questions(law: Law) -> str:
    """What stays open without a value: the one threshold that applies to this buyer and
    whether the lots duty (and reasons for not dividing) follows from it. Never a value."""
    threshold = law.named(law.threshold())
    if law.jurisdiction is None or threshold is None:
        return ""
    buyer = law.buyer_type or "buyer"
    assumed = ", buyer type assumed" if law.assumed else ""
    amount = f"{law.jurisdiction.currency} {threshold.amount:,.0f}"
    always = law.member.lots_always if law.member else None
    if always:
        duty = "lots are the rule here at any value"
    elif law.reasons == "required":
        duty = "whether the buyer must consider lots and give reasons for not dividing"
    else:
        duty = "whether the buyer must consider lots"
    return (
        f": whether it reaches the {threshold.label} ({amount}, {article(buyer)} {buyer} "
        f"buyer{assumed}), and so {duty}, stays open"
        if not always
        else f": whether it reaches the {threshold.label} ({amount}, {article(buyer)} {buyer} "
        f"buyer{assumed}) stays open ({duty})"
    )
