"""Deadline feasibility: Mon-Fri working days, time zones, holidays, gates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from matchers.deadline import deadline_fit, working_days
from matchers.gates import closed_gate

FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_weekends_are_not_working_days() -> None:
    assert working_days(FRIDAY, FRIDAY + timedelta(days=3)) == 1  # Fri (today) only
    assert working_days(FRIDAY, FRIDAY + timedelta(days=14)) == 10


def test_holidays_are_not_working_days() -> None:
    assert working_days(FRIDAY, FRIDAY + timedelta(days=14), [date(2026, 12, 1)]) == 9


def test_naive_and_other_time_zones_are_compared_in_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    late_friday_utc = datetime(2026, 11, 28, 1, 0, tzinfo=tokyo)  # still Friday 16:00 UTC
    naive = datetime(2026, 11, 27, 9, 0)
    deadline = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)
    assert working_days(late_friday_utc, deadline) == working_days(naive, deadline) == 10


def test_score_grows_with_working_days_up_to_what_is_needed(weights) -> None:
    near = deadline_fit(FRIDAY + timedelta(days=7), FRIDAY, weights)
    far = deadline_fit(FRIDAY + timedelta(days=40), FRIDAY, weights)
    assert near.score == 0.5 and far.score == 1.0
    assert far.detail == "closes in 40 days (28 working days)"


def test_no_deadline_is_neutral(weights) -> None:
    result = deadline_fit(None, FRIDAY, weights)
    assert result.score == 0.5 and result.detail == "no deadline given"


def test_past_and_too_close_deadlines_are_gated(make_opp, weights) -> None:
    past = closed_gate(make_opp(deadline=FRIDAY - timedelta(hours=1)), FRIDAY, weights)
    assert past is not None and past.name == "closed" and "deadline passed" in past.reason
    close = closed_gate(make_opp(deadline=FRIDAY + timedelta(days=3)), FRIDAY, weights)
    assert close is not None and close.name == "deadline" and "1 working days" in close.reason
    assert closed_gate(make_opp(deadline=None), FRIDAY, weights) is None
    assert closed_gate(make_opp(deadline=None, closed=True), FRIDAY, weights).name == "closed"
