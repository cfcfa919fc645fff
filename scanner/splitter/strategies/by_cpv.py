"""Divide by subject-matter: one package per CPV group (first three digits) of the items.

Directive 2014/24/EU Art. 46 lets buyers divide by subject-matter; the CPV division (first two
digits) and group (first three) are the standard's own coarse and fine subject-matter levels.
Other schemes (UNSPSC, national catalogues) are grouped by the same leading-digit levels.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from scanner.ingest.tender import Item, NormalisedTender
from scanner.reference.cpv import cpv_vocabulary
from scanner.splitter.facts import first_code, is_cpv
from scanner.splitter.strategies.draft import Draft, item_scope

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


def split_codes(draft: Draft, tender: NormalisedTender, language: str) -> list[Draft]:
    """Without items, one part per CPV group of the codes the notice lists for the whole
    requirement, labelled with their published descriptions, else with the CPV vocabulary's
    label in the notice's language (TED notices publish the codes without words)."""
    codes = [c for c in dict.fromkeys((tender.main_cpv, *tender.cpv_codes)) if c and is_cpv(c)]
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(code[:3], []).append(code)
    if len(groups) < 2:
        return [draft]
    labels = {c.code: c.description for c in tender.classifications if c.description}
    vocabulary = cpv_vocabulary()
    for code in codes:
        if code not in labels and code in vocabulary:
            labels[code] = vocabulary.label(code, language) or ""
    divisions = {key[:2] for key in groups}
    level = "division" if len(divisions) == len(groups) else "group"
    share = Decimal(1) / Decimal(len(groups))
    parts = []
    for key, members in groups.items():
        general = min(members, key=lambda c: (len(c.rstrip("0")), c))
        named = [labels[c] for c in members if labels.get(c)]
        label = labels.get(general) or (named[0] if named else f"{draft.title} (CPV {general})")
        parts.append(
            draft.part(
                strategy=NAME,
                reason=(
                    f"The notice lists CPV {', '.join(members[:6])} ({label}), {level} "
                    f"{key if level == 'group' else key[:2]}: a separate subject-matter."
                ),
                share=share,
                method="equal split between the listed subject-matters",
                title=label,
                scope="; ".join(dict.fromkeys(named)) or label,
                cpv=general,
            )
        )
    return parts
