"""The splitter's answer as plain frozen dataclasses with stable field names.

Their own module, imported by every other part of the splitter and importing none of them, so
that `assessment`, `signals` and `strategies` depend on the types and not on each other. The
CLI's `split check --json`, storage and the exports serialise these as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

Status = Literal["assessed", "insufficient data"]
# Dividing is recommended from this score: three moderate signals together (a threshold reached
# without lots, no reasons given, a value beyond a small supplier's turnover: 0.496) reach it;
# two weak ones do not.
SPLIT_SCORE = 0.45


@dataclass(frozen=True, slots=True)
class Signal:
    """One rule checked against the tender; `weight` is its share of the score when fired."""

    code: str
    fired: bool
    reason: str
    source: str
    weight: float


@dataclass(frozen=True, slots=True)
class Package:
    """A proposed micro-contract: what it covers, what it is worth and why it exists.

    `value_method` names how the value was found (stated in the text, published, or apportioned
    and how); `months` ranges such as "months 1-4" stay in `period` when the text gives them."""

    title: str
    scope: str
    item_ids: tuple[str, ...]
    cpv: str | None
    estimated_value: Decimal | None
    value_method: str
    duration_months: int | None
    region: str | None
    depends_on: tuple[str, ...]
    strategy: str
    reason: str
    optional: bool = False
    optional_reason: str | None = None
    period: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Regime:
    """Whose law applies and how the value compares: the buyer's country and type, the
    threshold that applies to that type, and the provision behind each rule cited."""

    country: str | None
    place: str
    place_basis: str
    law: str | None
    buyer_name: str | None
    buyer_type: str | None
    buyer_type_basis: str
    threshold: str | None
    threshold_amount: Decimal | None
    threshold_currency: str | None
    threshold_source: str | None
    above_threshold: bool | None
    value_in_threshold_currency: Decimal | None
    value_note: str | None
    lots_duty: str
    no_rules: str | None
    code: str | None = None
    threshold_in_tender_currency: Decimal | None = None
    # For a buyer type with a lots rule of its own (a utility): whether and where it must give
    # reasons for not dividing, in a sentence; None where the regime's general duty applies.
    lots_reasons: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """Whether and how a requirement could be divided, with every reason and its source.

    `aggregated_value` and `procedure` are the aggregation guard: a division never changes
    the procedure, because the packages' values still add up to the whole."""

    should_split: bool
    score: float
    status: Status
    insufficient_reason: str | None
    signals: tuple[Signal, ...]
    packages: tuple[Package, ...]
    aggregated_value: Decimal | None
    currency: str | None
    jurisdiction: str | None
    procedure: str
    aggregation_note: str
    civic_friendliness: float
    rules_version: str
    regime: Regime | None = None

    @property
    def fired(self) -> tuple[Signal, ...]:
        """Only the signals that fired, the ones worth showing first."""
        return tuple(s for s in self.signals if s.fired)


_Part = TypeVar("_Part")


def proposed_parts(packages: Sequence[_Part]) -> Sequence[_Part]:
    """The packages that are parts of a requirement: none when the splitter proposes a single
    one, which is the whole requirement again (an undivided tender), so no reader is offered or
    shown it beside the whole. Packages as objects or as stored dicts."""
    return packages if len(packages) >= 2 else ()
