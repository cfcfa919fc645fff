"""Clocks: the system clock, and a manual one that tests (and simulations) move by hand.

APScheduler 3 reads `datetime.now()` itself when it decides which jobs are due and whether a
run misfired; `driven_by` makes those reads return the given clock's time, so a whole chain of
scheduled jobs can be run through days in milliseconds without sleeping.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import apscheduler.executors.base as executors_base
import apscheduler.schedulers.base as schedulers_base
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


@contextlib.contextmanager
def driven_by(clock: Callable[[], datetime]) -> Iterator[None]:
    """Make APScheduler's own reads of the time follow `clock` inside the block."""

    class ClockedDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Any:
            moment = clock()
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    modules = (schedulers_base, executors_base)
    saved = [module.datetime for module in modules]
    for module in modules:
        module.datetime = ClockedDatetime
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.datetime = original


class SteppedScheduler(BaseScheduler):  # type: ignore[misc]
    """A scheduler without its own loop: `run_pending()` runs what is due now, in the
    calling thread (with the `debug` executor). For tests and simulations."""

    def start(self, paused: bool = False) -> None:
        super().start(paused)

    def shutdown(self, wait: bool = True) -> None:
        if self.state != STATE_STOPPED:
            super().shutdown(wait)

    def wakeup(self) -> None:
        pass  # nothing waits: the caller decides when to look again

    def run_pending(self) -> float | None:
        """Run the due jobs; returns seconds until the next one (None when none is left)."""
        wait: float | None = self._process_jobs()
        return wait
