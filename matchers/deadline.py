"""Deadline feasibility: are there enough working days left to write a good bid?

Working days are Monday to Friday (numpy's business-day calendar; public holidays can be passed
as dates). Days are counted from `now`'s date to the deadline's date in UTC; naive datetimes are
taken as UTC. `now` is always passed in, never read from the clock, so results are reproducible.
Scoring: working days / `working_days_needed`, capped at 1; no deadline scores a neutral 0.5.
Past deadlines and fewer than `min_working_days` are gates (see `matchers.gates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache

import numpy as np

from matchers.result import Criterion
from matchers.weights import Weights

__all__ = ["NEUTRAL", "as_utc", "deadline_fit", "working_days"]

NEUTRAL = 0.5


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def working_days(now: datetime, deadline: datetime, holidays: Sequence[date] = ()) -> int:
    """Mon-Fri days from `now`'s date (included) to the deadline's date (excluded), in UTC."""
    return _busdays(as_utc(now).date(), as_utc(deadline).date(), tuple(holidays))


@lru_cache(maxsize=65_536)
def _busdays(start: date, end: date, holidays: tuple[date, ...]) -> int:
    if end <= start:
        return 0
    return int(np.busday_count(start, end, holidays=list(holidays)))


def deadline_fit(
    deadline: datetime | None,
    now: datetime,
    weights: Weights,
    holidays: Sequence[date] = (),
) -> Criterion:
    """Working days left against what a small team needs."""
    weight = weights.weight("deadline")
    if deadline is None:
        return Criterion("deadline", NEUTRAL, weight, "no deadline given")
    left = working_days(now, deadline, holidays)
    days = (as_utc(deadline).date() - as_utc(now).date()).days
    needed = max(1, weights.working_days_needed)
    score = min(1.0, left / needed)
    return Criterion("deadline", score, weight, f"closes in {days} days ({left} working days)")
