"""Combine the strategies into one proposal: published lots or the whole requirement first,
then product, region, listed deliverable or phase, then time, until packages fit the ceiling.

The order goes from the most to the least evident division: items and places the buyer
published, then structure in the text, then time, which is the last resort for size. The
structure is proposed whatever the country; only sizes need a regime (a ceiling to aim at).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from scanner.ingest.tender import NormalisedTender
from scanner.splitter.facts import Facts
from scanner.splitter.law import Law
from scanner.splitter.strategies import by_cpv, by_lots, by_phase, by_product, by_region, by_time
from scanner.splitter.strategies.draft import Draft, balanced
from scanner.splitter.types import Package

MAX_PACKAGES = 100


def propose(tender: NormalisedTender, facts: Facts, law: Law, language: str) -> tuple[Package, ...]:
    """The proposed packages; a single package when no division is evident."""
    # One published lot is no division: read the whole requirement as if undivided.
    undivided = len(tender.lots) <= 1
    drafts = (None if undivided else by_lots.lot_drafts(tender, facts)) or [_whole(tender, facts)]
    currency = tender.currency
    if undivided and len(tender.items) >= 2:
        quantities = by_product.fixed_quantities(tender.raw)
        values = by_product.item_values(tender.raw, tender.currency)
        drafts = _each(drafts, lambda d: by_product.split(d, quantities, language, values))
        drafts = _each(drafts, by_region.split)
        if len(drafts) == 1:
            drafts = balanced(drafts[0], by_phase.split(drafts[0], facts, currency))
    elif undivided:
        # No items, or one item standing for the whole: the notice's text, places and codes
        # only, the buyer's own words first. Several places of performance come before several
        # codes: on real calls listing both, buyers divided by place, each lot carrying the
        # codes (the codes describe every lot, the places tell the lots apart).
        drafts = balanced(drafts[0], by_phase.split(drafts[0], facts, currency))
        if len(drafts) == 1:
            drafts = balanced(drafts[0], by_region.split_listed(drafts[0], facts.regions))
        if len(drafts) == 1:
            drafts = balanced(drafts[0], by_cpv.split_codes(drafts[0], tender, language))
    ceiling = law.ceiling
    timed = _each(drafts, lambda d: by_time.split(d, ceiling))
    if len(timed) <= MAX_PACKAGES:
        drafts = timed
    drafts = drafts[:MAX_PACKAGES]
    drafts = _with_ceiling_notes(drafts, law)
    return tuple(d.to_package(tender.main_cpv) for d in _unique_titles(drafts))


def _whole(tender: NormalisedTender, facts: Facts) -> Draft:
    value_method = "tender value as published" if facts.value is not None else "no value published"
    return Draft(
        title=tender.title or "Untitled requirement",
        scope=facts.description or tender.title or "",
        items=tender.items,
        value=facts.value,
        value_method=value_method,
        duration_months=facts.duration_months,
    )


def _each(drafts: list[Draft], strategy: Callable[[Draft], list[Draft]]) -> list[Draft]:
    return [part for draft in drafts for part in balanced(draft, strategy(draft))]


def _with_ceiling_notes(drafts: list[Draft], law: Law) -> list[Draft]:
    """Note, for Lotwise's own pages, a package still above the micro-contract ceiling. An
    internal note: it is not a reason a buyer would publish, so it stays out of exports."""
    ceiling = law.ceiling
    if ceiling is None or law.jurisdiction is None:
        return drafts
    noted = []
    for draft in drafts:
        if draft.value is not None and draft.value > ceiling:
            note = (
                f"Still above the micro-contract ceiling of {law.jurisdiction.currency} "
                f"{law.ceiling_amount:,.0f} ({law.ceiling_basis}): dividing it further needs "
                "knowledge of the work."
            )
            draft = replace(draft, notes=(*draft.notes, note))
        noted.append(draft)
    return noted


def _unique_titles(drafts: list[Draft]) -> list[Draft]:
    """Titles are how packages refer to each other (`depends_on`), so make them distinct."""
    seen: dict[str, int] = {}
    result = []
    for draft in drafts:
        count = seen.get(draft.title, 0) + 1
        seen[draft.title] = count
        if count > 1:
            draft = replace(draft, title=f"{draft.title} ({count})")
        result.append(draft)
    return result
