"""Divide by delivery region: local suppliers can bid for the place they serve.

Regions are named in words as well as codes ("Haute-Corse (FRM02)"): an officer reads the
place, and a NUTS code alone says nothing to a supplier. Names come from the shipped NUTS and
ISO 3166-2 tables (`scanner.reference.regions`), in the country's own language.
"""

from __future__ import annotations

from decimal import Decimal

from scanner.ingest.tender import Item
from scanner.reference.regions import region_name
from scanner.splitter.facts import most_specific
from scanner.splitter.strategies.draft import Draft, item_scope

NAME = "by region"


def place(codes: str) -> str:
    """Region codes ("FRM01, FRM02") in words, each followed by its code; a code the tables
    do not hold stays as it is."""
    named = []
    for code in (c.strip() for c in codes.split(",")):
        name = region_name(code) if code and code != "unspecified" else None
        named.append(f"{name} ({code})" if name else code)
    return ", ".join(named)


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
            reason=f"Its items are delivered in {place(region)}, apart from the others.",
            share=Decimal(len(items)) / Decimal(len(draft.items)),
            method="apportioned by item count",
            title=f"{draft.title} – {place(region)}",
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
            reason=(
                f"The notice lists {len(regions)} places of performance; this part serves "
                f"{place(region)}."
            ),
            share=share,
            method="equal split between the listed regions",
            title=f"{draft.title} – {place(region)}",
            region=region,
        )
        for region in regions
    ]
