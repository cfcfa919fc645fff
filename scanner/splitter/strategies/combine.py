"""Combine the strategies into one proposal: published lots or the whole requirement first,
then subject-matter, region, phase or deliverable, then time, until packages fit the ceiling.

The order goes from the most to the least evident division: codes and places the buyer
published, then structure in the text, then time, which is the last resort for size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from scanner.ingest.tender import NormalisedTender
from scanner.splitter.assessment import Package
from scanner.splitter.strategies import by_cpv, by_lots, by_phase, by_region, by_time
from scanner.splitter.strategies.draft import Draft, balanced
from scanner.splitter.strategies.facts import Facts
from scanner.splitter.thresholds import Jurisdiction

MAX_PACKAGES = 100


def propose(
    tender: NormalisedTender, facts: Facts, jurisdiction: Jurisdiction | None
) -> tuple[Package, ...]:
    """The proposed packages; a single package when no division is evident."""
    # One published lot is no division: read the whole requirement as if undivided.
    undivided = len(tender.lots) <= 1
    drafts = (None if undivided else by_lots.lot_drafts(tender, facts)) or [_whole(tender, facts)]
    if undivided and len(tender.items) >= 2:
        drafts = _each(drafts, by_cpv.split)
        drafts = _each(drafts, by_region.split)
        if len(drafts) == 1:
            drafts = balanced(drafts[0], by_phase.split(drafts[0], facts))
    elif undivided:
        # No items, or one item standing for the whole: the notice's text and codes only,
        # the buyer's own words first, then the codes.
        drafts = balanced(drafts[0], by_phase.split(drafts[0], facts))
        if len(drafts) == 1:
            drafts = balanced(drafts[0], by_cpv.split_codes(drafts[0], tender))
        if len(drafts) == 1:  # places divide only what text and codes left whole
            drafts = balanced(drafts[0], by_region.split_listed(drafts[0], facts.regions))
    ceiling = jurisdiction.micro_ceiling if jurisdiction else None
    timed = _each(drafts, lambda d: by_time.split(d, ceiling))
    if len(timed) <= MAX_PACKAGES:
        drafts = timed
    drafts = drafts[:MAX_PACKAGES]
    drafts = _with_ceiling_notes(drafts, jurisdiction)
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


def _with_ceiling_notes(drafts: list[Draft], jurisdiction: Jurisdiction | None) -> list[Draft]:
    """Say plainly when a package is still above the micro-contract ceiling."""
    if jurisdiction is None:
        return drafts
    ceiling = jurisdiction.micro_ceiling
    noted = []
    for draft in drafts:
        if draft.value is not None and draft.value > ceiling:
            note = (
                f"Still above the micro-contract ceiling of {jurisdiction.currency} {ceiling:,.0f}, "
                f"{jurisdiction.ceiling_basis}: dividing it further needs knowledge of the work."
            )
            draft = replace(draft, reasons=(*draft.reasons, note))
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
