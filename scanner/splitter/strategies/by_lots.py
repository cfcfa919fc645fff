"""Start from the buyer's own lots when there are any: they are the division to improve on."""

from __future__ import annotations

from decimal import Decimal

from scanner.ingest.tender import Item, NormalisedTender
from scanner.splitter.strategies.draft import CENT, Draft, item_scope
from scanner.splitter.strategies.facts import Facts, sane_value

NAME = "published lots"


def lot_drafts(tender: NormalisedTender, facts: Facts) -> list[Draft]:
    """One draft per published lot, valued as published, else by share of the tender value."""
    if not tender.lots:
        return []
    drafts = []
    for lot in tender.lots:
        items = _lot_items(tender.items, lot.lot_id, lot.related_items)
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


def _lot_items(items: tuple[Item, ...], lot_id: str, related: tuple[str, ...]) -> tuple[Item, ...]:
    wanted = set(related)
    return tuple(i for i in items if i.related_lot == lot_id or i.id in wanted)
