"""Start from the buyer's own lots when there are any: they are the division to improve on."""

from __future__ import annotations

from decimal import Decimal

from scanner.ingest.tender import Item, NormalisedTender
from scanner.splitter.facts import Facts, sane_value
from scanner.splitter.strategies.draft import CENT, Draft, item_scope

NAME = "published lots"


def lot_drafts(tender: NormalisedTender, facts: Facts) -> list[Draft]:
    """One draft per published lot, valued as published, else by share of the tender value."""
    if not tender.lots:
        return []
    drafts = []
    by_lot: dict[str | None, list[Item]] = {}
    for item in tender.items:  # one pass: notices with hundreds of lots stay linear
        by_lot.setdefault(item.related_lot, []).append(item)
    by_id: dict[str, list[Item]] = {}
    for item in tender.items:
        by_id.setdefault(item.id, []).append(item)
    order = {id(item): k for k, item in enumerate(tender.items)}
    for lot in tender.lots:
        items = _lot_items(by_lot.get(lot.lot_id, []), by_id, lot.related_items, order)
        published, _ = sane_value(lot.value_amount)
        if published is not None and (lot.currency in (None, tender.currency)):
            value, method = published, "lot value as published"
        elif facts.value is not None and items and tender.items:
            share = Decimal(len(items)) / Decimal(len(tender.items))
            value, method = (facts.value * share).quantize(CENT), "apportioned by item count"
        elif facts.value is not None:
            value = (facts.value / Decimal(len(tender.lots))).quantize(CENT)
            method = "equal split of the tender value between lots"
        else:
            value, method = None, "no value published"
        title = lot.title or f"Lot {lot.lot_id}"
        drafts.append(
            Draft(
                title=title,
                scope=lot.description or item_scope(items) or title,
                items=items,
                value=value,
                value_method=method,
                duration_months=facts.duration_months,
                strategies=(NAME,),
                reasons=(f"The buyer published this as lot {lot.lot_id}.",),
                cpv=next((c.code for c in lot.classifications if c.code), None),
            )
        )
    return drafts


def _lot_items(
    linked: list[Item],
    by_id: dict[str, list[Item]],
    related: tuple[str, ...],
    order: dict[int, int],
) -> tuple[Item, ...]:
    """Items naming the lot or listed by it, each once, in the tender's order."""
    found = {id(i): i for i in linked}
    for item_id in related:
        for item in by_id.get(item_id, ()):
            found.setdefault(id(item), item)
    return tuple(sorted(found.values(), key=lambda i: order[id(i)]))
