"""Divide by subject-matter: one package per CPV group (first three digits) of the items.

Directive 2014/24/EU Art. 46 lets buyers divide by subject-matter; the CPV division (first two
digits) and group (first three) are the standard's own coarse and fine subject-matter levels.
Other schemes (UNSPSC, national catalogues) are grouped by the same leading-digit levels.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from scanner.ingest.tender import Item
from scanner.splitter.strategies.draft import Draft, item_scope
from scanner.splitter.strategies.facts import first_code, is_cpv

NAME = "by CPV"


def split(draft: Draft) -> list[Draft]:
    """One part per CPV group (division first, then group) when the items span several."""
    coded = [i for i in draft.items if first_code(i)]
    if len(coded) < 2:
        return [draft]
    groups: dict[str, list[Item]] = {}
    for item in draft.items:
        code = first_code(item) or ""
        groups.setdefault(code[:3] or "uncoded", []).append(item)
    if len(groups) < 2:
        return [draft]
    divisions = {key[:2] for key in groups}
    level = "division" if len(divisions) == len(groups) else "group"
    return [_part(draft, key, level, tuple(items)) for key, items in groups.items()]


def _part(draft: Draft, key: str, level: str, items: tuple[Item, ...]) -> Draft:
    labels = Counter(c.description for i in items for c in i.classifications[:1] if c.description)
    label = labels.most_common(1)[0][0] if labels else f"CPV group {key}"
    codes = [c for c in (first_code(i) for i in items) if c]
    scheme = "CPV" if codes and is_cpv(codes[0]) else "classification"
    share = Decimal(len(items)) / Decimal(len(draft.items))
    return draft.part(
        strategy=NAME,
        reason=(
            f"Its items share {scheme} {level} {key if level == 'group' else key[:2]} "
            f"({label}), a separate subject-matter."
        ),
        share=share,
        method="apportioned by item count",
        title=label,
        scope=item_scope(items) or label,
        items=items,
        cpv=None,
    )
