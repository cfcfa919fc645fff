"""Divide by delivery region: local suppliers can bid for the place they serve."""

from __future__ import annotations

from decimal import Decimal

from scanner.ingest.tender import Item
from scanner.splitter.facts import most_specific
from scanner.splitter.strategies.draft import Draft, item_scope

NAME = "by region"


def split(draft: Draft) -> list[Draft]:
    """One part per most specific delivery region of the items, when there are several."""
    groups: dict[str, list[Item]] = {}
    for item in draft.items:
        regions = most_specific(item.regions)
        groups.setdefault(", ".join(regions) or "unspecified", []).append(item)
    if len(groups) < 2:
        return [draft]
    return [
        draft.part(
            strategy=NAME,
            reason=f"Its items are delivered in {region}, apart from the others.",
            share=Decimal(len(items)) / Decimal(len(draft.items)),
            method="apportioned by item count",
            title=f"{draft.title} – {region}",
            scope=item_scope(tuple(items)) or draft.scope,
            items=tuple(items),
            region=None if region == "unspecified" else region,
        )
        for region, items in groups.items()
    ]


def split_listed(draft: Draft, regions: tuple[str, ...]) -> list[Draft]:
    """Without items, one part per delivery region the notice lists (most specific only)."""
    if len(regions) < 2 or draft.region is not None:
        return [draft]
    share = Decimal(1) / Decimal(len(regions))
    return [
        draft.part(
            strategy=NAME,
            reason=f"The notice lists {len(regions)} delivery regions; this part serves {region}.",
            share=share,
            method="equal split between the listed regions",
            title=f"{draft.title} – {region}",
            region=region,
        )
        for region in regions
    ]
