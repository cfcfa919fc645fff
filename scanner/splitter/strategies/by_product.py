"""Divide the items by product: one package per distinct product, the same product together.

Buyers who lot goods lot them product by product (Ukrainian buyers on Prozorro do so as a
matter of course): a supplier of modems is not the supplier of fibre-splicing tools. Items are
the same product when they share their code and their description, once case, spacing and
punctuation are set aside: one product delivered in several quantities or to several places
is one package. Items with a quantity fixed and items bought "as needed" (no quantity) are
different contracts even when the product is the same (a fixed order against a call-off).
When there are more products than a buyer could run as lots, products are grouped by their
CPV class, then group, then division, until they fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from scanner.ingest.tender import Item
from scanner.reference.cpv import cpv_vocabulary
from scanner.splitter.facts import first_code, is_cpv
from scanner.splitter.prose import clip
from scanner.splitter.strategies.draft import Draft, item_scope

NAME = "by product"
GROUPED = "by product group"
MAX_PRODUCT_PACKAGES = 20
_NOT_WORD = re.compile(r"[\W_]+")


def product_key(item: Item, fixed_quantity: bool | None) -> tuple[str, str, bool | None]:
    """What makes two items the same product: code, description as words, how it is ordered."""
    words = _NOT_WORD.sub(" ", (item.description or "").casefold()).strip()
    return first_code(item) or "", words, fixed_quantity


def split(
    draft: Draft,
    quantities: Mapping[str, bool],
    language: str,
    values: Mapping[str, Decimal] | None = None,
) -> list[Draft]:
    """One part per product (or product group when there are too many). When every item has
    a published value (quantity times unit value), parts are valued by their items' values."""
    if len(draft.items) < 2:
        return [draft]
    products: dict[tuple[str, str, bool | None], list[Item]] = {}
    for item in draft.items:
        products.setdefault(product_key(item, quantities.get(item.id)), []).append(item)
    if len(products) < 2:
        return [draft]
    if len(products) <= MAX_PRODUCT_PACKAGES:
        ordering = {k for _, _, k in products} == {True, False}
        parts = [
            _product_part(draft, tuple(items), ordering, quantities) for items in products.values()
        ]
    else:
        parts = _grouped(draft, list(products.values()), language)
    if values and all(i.id in values for i in draft.items):
        parts = [_valued(part, values) for part in parts]
    return parts


def _valued(part: Draft, values: Mapping[str, Decimal]) -> Draft:
    total = sum((values[i.id] for i in part.items), Decimal(0))
    return replace(
        part,
        value=total.quantize(Decimal("0.01")),
        value_method="the items' quantities times their unit values, as published",
        stated_value=True,
    )


def _product_part(
    draft: Draft, items: tuple[Item, ...], ordering: bool, quantities: Mapping[str, bool]
) -> Draft:
    name = next((i.description for i in items if i.description), None) or _code_label(items)
    same = len(items) > 1
    reason = (
        f"The same product ({clip(name, 80)}) in {len(items)} lines, kept together"
        if same
        else f"A product of its own ({clip(name, 80)})"
    )
    if ordering:
        fixed = quantities.get(items[0].id)
        reason += ", in fixed quantities" if fixed else ", ordered as needed (no quantity fixed)"
    return draft.part(
        strategy=NAME,
        reason=f"{reason}: a supplier can bid for it alone.",
        share=Decimal(len(items)) / Decimal(len(draft.items)),
        method="apportioned by item count",
        title=clip(name, 100),
        scope=item_scope(items) or name,
        items=items,
        cpv=None,
    )


def _grouped(draft: Draft, products: list[list[Item]], language: str) -> list[Draft]:
    """Products grouped by the longest CPV prefix (class, group, division) that brings the
    count within `MAX_PRODUCT_PACKAGES`."""
    groups: dict[str, list[Item]] = {}
    level = "division"
    for digits, name in ((4, "class"), (3, "group"), (2, "division")):
        groups = {}
        for items in products:
            code = first_code(items[0]) or ""
            groups.setdefault(code[:digits] or "uncoded", []).extend(items)
        level = name
        if len(groups) <= MAX_PRODUCT_PACKAGES:
            break
    if len(groups) < 2:
        return [draft]
    parts = []
    for key, items in groups.items():
        label = _prefix_label(key, language) or _code_label(tuple(items))
        kinds = len({product_key(i, None)[1] for i in items})
        parts.append(
            draft.part(
                strategy=GROUPED,
                reason=(
                    f"{kinds} products of CPV {level} {key} ({label}): too many products to "
                    f"run each as a lot, so grouped by {level}."
                ),
                share=Decimal(len(items)) / Decimal(len(draft.items)),
                method="apportioned by item count",
                title=clip(label, 100),
                scope=item_scope(tuple(items)) or label,
                items=tuple(items),
                cpv=None,
            )
        )
    return parts


def _code_label(items: tuple[Item, ...]) -> str:
    labels = [c.description for i in items for c in i.classifications[:1] if c.description]
    if labels:
        return labels[0]
    code = first_code(items[0]) if items else None
    return f"Products of code {code}" if code else "Uncoded products"


def _prefix_label(prefix: str, language: str) -> str | None:
    if not prefix.isdigit():
        return None
    code = prefix + "0" * (8 - len(prefix))
    if not is_cpv(code):
        return None
    vocabulary = cpv_vocabulary()
    return vocabulary.label(code, language) if code in vocabulary else None


def item_values(raw: Mapping[str, Any], currency: str | None) -> dict[str, Decimal]:
    """Item id -> quantity x unit value, for items the release prices in the tender's
    currency (others are left out, so a partly priced list is apportioned instead)."""
    tender = raw.get("tender") if isinstance(raw, Mapping) else None
    items = tender.get("items") if isinstance(tender, Mapping) else None
    if not isinstance(items, list):
        return {}
    found: dict[str, Decimal] = {}
    for item in items[:20000]:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str | int):
            continue
        unit = item.get("unit")
        price = unit.get("value") if isinstance(unit, Mapping) else None
        amount = price.get("amount") if isinstance(price, Mapping) else None
        quantity = item.get("quantity")
        same = not isinstance(price, Mapping) or price.get("currency") in (None, currency)
        if (
            same
            and isinstance(amount, int | float)
            and not isinstance(amount, bool)
            and isinstance(quantity, int | float)
            and not isinstance(quantity, bool)
            and amount > 0
            and quantity > 0
        ):
            found[str(item["id"])] = Decimal(str(amount)) * Decimal(str(quantity))
    return found


def fixed_quantities(raw: Mapping[str, Any]) -> dict[str, bool]:
    """Item id -> whether the release fixes its quantity (absent or null: ordered as needed)."""
    tender = raw.get("tender") if isinstance(raw, Mapping) else None
    items = tender.get("items") if isinstance(tender, Mapping) else None
    if not isinstance(items, list):
        return {}
    found = {}
    for item in items[:20000]:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str | int):
            quantity = item.get("quantity")
            found[str(item["id"])] = isinstance(quantity, int | float) and quantity > 0
    return found
