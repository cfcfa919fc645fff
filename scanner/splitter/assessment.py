"""The splitter's answer for one tender, and `assess`, the pure function that produces it.

Plain frozen dataclasses with stable field names: the CLI's `split check --json`, storage and
the OCDS export all serialise these as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal

from scanner.ingest.tender import NormalisedTender
from scanner.splitter.strategies.facts import Facts, read_facts
from scanner.splitter.thresholds import Jurisdiction, Thresholds

Status = Literal["assessed", "insufficient data"]
SPLIT_SCORE = 0.5


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
    """A proposed micro-contract: what it covers, what it is worth and why it exists."""

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

    @property
    def fired(self) -> tuple[Signal, ...]:
        """Only the signals that fired, the ones worth showing first."""
        return tuple(s for s in self.signals if s.fired)


def assess(tender: NormalisedTender, *, now: datetime, thresholds: Thresholds) -> Assessment:
    """Assess one tender: signals, a score, proposed packages and the procedure that applies.

    Pure (no I/O, no clock: `now` is given). Bad input gives `insufficient data` or a partial
    assessment with the reason, never an exception."""
    # Imported here because signals and strategies build this module's dataclasses.
    from scanner.splitter.signals import aggregation, civic_friendliness, evaluate, score_of
    from scanner.splitter.strategies.combine import propose

    facts = read_facts(tender)
    jurisdiction = thresholds.jurisdiction_of(tender)
    packages = propose(tender, facts, jurisdiction)
    signals = evaluate(tender, facts, jurisdiction, now, packages)
    procedure, note = aggregation(tender, facts, jurisdiction)
    gaps = _gaps(tender, facts, jurisdiction)
    has_structure = bool(tender.items or tender.lots or facts.phases or facts.deliverables)
    status: Status = "assessed" if facts.value is not None or has_structure else "insufficient data"
    score = score_of(signals) if status == "assessed" else 0.0
    divided_enough = any(s.code == "already_divided" and s.fired for s in signals) and not any(
        s.code == "lots_too_large" and s.fired for s in signals
    )
    should_split = (
        status == "assessed" and score >= SPLIT_SCORE and len(packages) >= 2 and not divided_enough
    )
    if not should_split:
        why = _not_split_reason(status, score, len(packages), divided_enough)
        packages = tuple(replace(p, optional=True, optional_reason=why) for p in packages)
    return Assessment(
        should_split=should_split,
        score=round(score, 3),
        status=status,
        insufficient_reason="; ".join(gaps) or None,
        signals=signals,
        packages=packages,
        aggregated_value=facts.value,
        currency=tender.currency,
        jurisdiction=jurisdiction.code if jurisdiction else None,
        procedure=procedure,
        aggregation_note=note,
        civic_friendliness=civic_friendliness(signals),
        rules_version=thresholds.rules_version,
    )


def _gaps(tender: NormalisedTender, facts: Facts, jurisdiction: Jurisdiction | None) -> list[str]:
    gaps = []
    if facts.value_problem:
        gaps.append(f"{facts.value_problem}, so size rules were not applied")
    if not tender.items:
        gaps.append("no items listed")
    if not facts.description.strip():
        gaps.append("no description")
    if jurisdiction is None:
        gaps.append(f"no thresholds configured for currency {tender.currency or 'unknown'}")
    return gaps


def _not_split_reason(status: Status, score: float, count: int, divided_enough: bool) -> str:
    if status != "assessed":
        return "not enough data to recommend a division"
    if divided_enough:
        return "the buyer already divided this into lots small enough; shown for comparison"
    if count < 2 and score >= SPLIT_SCORE:
        return (
            f"the signals are strong (score {score:.2f}) but no division by subject, place, "
            "phase or time was found: dividing it needs knowledge of the work"
        )
    if count < 2:
        return "no natural division was found"
    return f"the signals are weak (score {score:.2f} < {SPLIT_SCORE}); a division is possible, not needed"
