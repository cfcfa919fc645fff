"""What a match says: a 0-1 score, each criterion's share of it, and the reasons in words."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Criterion", "Gate", "Match"]


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion's verdict. `score` is 0-1; `weight` is its share from configuration;
    `detail` is the evidence in words ("CPV 72 matches (72212000)"); `evidence` lists the
    items behind it where there are several (keywords found: "'user research' in title")."""

    name: str
    score: float
    weight: float
    detail: str
    evidence: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[Criterion], tuple[object, ...]]:
        # Positional rebuild: pickles in a fraction of the time the slots default takes,
        # which matters when worker processes send back thousands of matches.
        return (Criterion, (self.name, self.score, self.weight, self.detail, self.evidence))


@dataclass(frozen=True, slots=True)
class Gate:
    """A hard rule that rules a pair out whatever its score: which one, and why."""

    name: str
    reason: str

    def __reduce__(self) -> tuple[type[Gate], tuple[str, str]]:
        return (Gate, (self.name, self.reason))


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict for one organisation and one opportunity.

    `score` is the weighted mean of the criteria (0 when a gate rules the pair out);
    `explanation` is one line a person can read without the breakdown."""

    org_id: str
    opportunity_id: str
    score: float
    criteria: tuple[Criterion, ...]
    explanation: str
    gate: Gate | None = None

    def __reduce__(self) -> tuple[type[Match], tuple[object, ...]]:
        fields = (self.org_id, self.opportunity_id, self.score, self.criteria, self.explanation)
        return (Match, (*fields, self.gate))

    @property
    def passed(self) -> bool:
        """True when no gate ruled the pair out."""
        return self.gate is None

    def criterion(self, name: str) -> Criterion:
        """The breakdown entry called `name` (KeyError when absent)."""
        for item in self.criteria:
            if item.name == name:
                return item
        raise KeyError(name)
