"""A package while strategies are still dividing it, and value apportioning between parts.

Each strategy takes one draft and returns its parts (or the draft unchanged), so strategies
combine by running one after the other and every part remembers which strategies made it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from scanner.ingest.tender import Item
from scanner.splitter.facts import first_code
from scanner.splitter.prose import clip
from scanner.splitter.types import Package

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Draft:
    """A package under construction; `strategies` and `reasons` grow as it is divided."""

    title: str
    scope: str
    items: tuple[Item, ...]
    value: Decimal | None
    value_method: str
    duration_months: int | None
    strategies: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    cpv: str | None = None
    region: str | None = None
    period: str | None = None
    start_month: int | None = None
    stated_value: bool = False
    notes: tuple[str, ...] = ()

    def part(
        self, *, strategy: str, reason: str, share: Decimal, method: str, **changes: object
    ) -> Draft:
        """A part of this draft holding `share` of its value, apportioned by `method`."""
        value = _apportion(self.value, share)
        value_method = self.value_method if share == 1 else f"{self.value_method}; {method}"
        return replace(
            self,
            value=value,
            value_method=value_method,
            strategies=(*self.strategies, strategy),
            reasons=(*self.reasons, reason),
            **changes,  # type: ignore[arg-type]
        )

    def to_package(self, fallback_cpv: str | None) -> Package:
        """The finished package; its CPV is the commonest code of its items."""
        codes = Counter(c for c in (first_code(i) for i in self.items) if c)
        cpv = self.cpv or (codes.most_common(1)[0][0] if codes else fallback_cpv)
        return Package(
            title=clip(self.title, 200) or "Untitled package",
            scope=clip(self.scope, 1000),
            item_ids=tuple(i.id for i in self.items),
            cpv=cpv,
            estimated_value=self.value,
            value_method=self.value_method,
            duration_months=self.duration_months,
            region=self.region or _common_region(self.items),
            depends_on=self.depends_on,
            strategy="+".join(self.strategies) or "whole requirement",
            reason=" ".join(self.reasons) or "The requirement as published, undivided.",
            period=self.period,
            notes=self.notes,
        )


def balanced(whole: Draft, parts: list[Draft]) -> list[Draft]:
    """Parts whose values add up to the whole exactly: rounding goes to the last part whose
    value was apportioned (never to a value the officer wrote), so the aggregated value shown
    to the buyer is never off by a penny."""
    if len(parts) < 2 or whole.value is None or any(p.value is None for p in parts):
        return parts
    adjustable = [k for k, p in enumerate(parts) if not p.stated_value]
    if not adjustable:
        return parts
    last = adjustable[-1]
    rest = sum((p.value or Decimal(0) for k, p in enumerate(parts) if k != last), Decimal(0))
    value = whole.value.quantize(CENT) - rest
    if value <= 0:
        return parts
    return [replace(p, value=value) if k == last else p for k, p in enumerate(parts)]


def item_scope(items: tuple[Item, ...]) -> str:
    """The requirement text of a group of items: their descriptions, else their code labels."""
    texts = [i.description for i in items if i.description]
    if not texts:
        texts = [c.description for i in items for c in i.classifications[:1] if c.description]
    return "; ".join(dict.fromkeys(t.strip() for t in texts if t.strip()))


def _apportion(value: Decimal | None, share: Decimal) -> Decimal | None:
    if value is None:
        return None
    return (value * share).quantize(CENT)


def _common_region(items: tuple[Item, ...]) -> str | None:
    regions = {r for i in items for r in i.regions}
    return next(iter(regions)) if len(regions) == 1 else None
