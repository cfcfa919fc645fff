"""Hard gates: rules that take a pair out whatever its score (DOMAIN.md section 3: gates
first, then a weighted score). Each returns a `Gate` naming itself and the reason, or None.

Exclusions are whole words or phrases, case-insensitive ("defence" excludes "Defence works" but
not "defenceless"); suitability gates only on an explicit "not suitable for SMEs", since Lotwise
serves small organisations and most notices say nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from matchers.deadline import as_utc, working_days
from matchers.result import Gate
from matchers.types import Opportunity
from matchers.weights import Weights

__all__ = ["closed_gate", "exclusion_gate", "relevance_gate", "suitability_gate"]


def closed_gate(
    opportunity: Opportunity, now: datetime, weights: Weights, holidays: Sequence[date] = ()
) -> Gate | None:
    """Closed notices, past deadlines, and deadlines too close to bid for."""
    if opportunity.closed:
        return Gate("closed", "the notice is closed")
    if opportunity.deadline is None:
        return None
    if as_utc(opportunity.deadline) <= as_utc(now):
        return Gate("closed", f"deadline passed on {as_utc(opportunity.deadline).date()}")
    left = working_days(now, opportunity.deadline, holidays)
    if left < weights.min_working_days:
        return Gate(
            "deadline",
            f"only {left} working days left (under {weights.min_working_days})",
        )
    return None


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def exclusion_gate(opportunity: Opportunity, exclusions: Sequence[str]) -> Gate | None:
    """The first excluded term found as a whole word in the title, parent title or text."""
    haystack = "\n".join(
        filter(None, (opportunity.title, opportunity.parent_title, opportunity.text))
    )
    for term in exclusions:
        if term.strip() and _pattern(term.strip()).search(haystack):
            return Gate("exclusion", f"mentions '{term.strip()}', which you exclude")
    return None


def suitability_gate(opportunity: Opportunity) -> Gate | None:
    """The buyer said the opportunity is not suitable for small and medium enterprises."""
    if opportunity.suitable_sme is False:
        return Gate("suitability", "the buyer marked it not suitable for SMEs")
    return None


def relevance_gate(relevance: float, weights: Weights) -> Gate | None:
    """No evidence of relevance: text, keywords and codes all under `min_relevance`."""
    if relevance < weights.min_relevance:
        return Gate("relevance", "no matching words, keywords or codes")
    return None
