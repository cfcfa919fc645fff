"""Pages' data kept per process while it is exact (issue 16).

At 16 concurrent clients one server process answers one request at a time, so a page must cost
about 5 ms of CPU for a p95 under 100 ms; reading the officer list, an organisation's matches or
the API's listing again cost 8-16 ms. Their data changes only when a table they read does, and
those writes come from other processes (crawl, ingest, matching, profile edits): so every
committed change to one of `WATCHED_TABLES` raises the one number in `data_generation`
(triggers, migration 0028), and a kept result is reused while that number is the one read before
the result was, and until the next deadline after the moment it was read at (a tender stops
being open then; "open" is the only way these pages depend on the clock). A reused result costs
one one-row read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.orm import Session

from scanner.models import DataGeneration, Tender

T = TypeVar("T")

# What a kept page may read: a change to any of these raises the generation (migration 0028
# holds the same list; tests/storage/test_data_generation.py holds the two and the models
# together, so a new table is either watched or named below on purpose).
WATCHED_TABLES = frozenset(
    {
        "award_suppliers",
        "awards",
        "canonical_members",
        "canonical_opportunities",
        "dedupe_exclusions",
        "lots",
        "matches",
        "organisations",
        "sources",
        "split_assessments",
        "suggestion_feedback",
        "suppliers",
        "tender_listing",
        "tender_listing_codes",
        "tender_outcomes",
        "tender_values",
        "tenders",
    }
)
# Never read by a kept page: accounts and sign-in state (written on every sign-in; pages carry
# the account outside what is kept), crawl bookkeeping, the digest outbox and preferences,
# tracking and calendar feeds, the scheduler's own tables, the raw releases (a tender's page
# reads its tender row, written in the same transaction), and the version numbers themselves.
UNWATCHED_TABLES = frozenset(
    {
        "apscheduler_jobs",
        "auth_attempts",
        "auth_tokens",
        "calendar_feeds",
        "crawl_errors",
        "crawl_runs",
        "data_generation",
        "digest_preferences",
        "digests",
        "releases",
        "source_locks",
        "tender_listing_version",
        "tracking",
        "users",
        "web_sessions",
    }
)

_GENERATION = select(DataGeneration.generation).where(DataGeneration.id == 1)
_NEXT_DEADLINE = select(func.min(Tender.deadline_at)).where(
    Tender.deadline_at > bindparam("now", type_=Tender.deadline_at.type)
)


def read_generation(conn: Connection | Session) -> int | None:
    """The data generation now; None when its row is missing (nothing can then be kept)."""
    value = conn.scalar(_GENERATION)
    return None if value is None else int(value)


# `generation_read(session)` when `DataCache.get_in_session` did not read the number.
UNREAD: Any = object()
_READ_IN_SESSION = "lotwise.data_generation"


def generation_read(session: Session) -> int | Any | None:
    """The data generation `DataCache.get_in_session` read in `session` before giving it to
    its `make` (None: its row is missing), or `UNREAD`: a reader that needs the number then
    reads it itself rather than a second time (anything it reads after was committed no
    earlier, so a result kept under this number is only ever read again, never stale)."""
    return session.info.get(_READ_IN_SESSION, UNREAD)


@dataclass(frozen=True)
class _Kept:
    generation: int
    since: datetime
    until: datetime | None  # the next deadline after `since`: "open" changes then
    value: Any


class DataCache:
    """Results one process has read, at most `size` of them (the least recently used go
    first; 0 keeps none). Thread-safe: a server answers from a pool of threads. Kept values are
    shared between requests: callers copy before changing one."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        # (generation, read at, the next deadline after that moment) last read
        self._deadline: tuple[int, datetime, datetime | None] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, engine: Engine, key: Hashable, make: Callable[[], T], *, now: datetime) -> T:
        """The kept result of `make` under `key` while it is exact at `now`, else `make()`'s,
        kept. `key` must hold everything the result depends on but the data and the clock.
        The number is read on a connection of its own, given back before `make` takes one
        (two held at once by each of many requests could exhaust the pool)."""
        if self.size <= 0:
            return make()
        # Read before the result: a change committed after this read raises the number past
        # it, so a result newer than its number is only ever read again, never served stale.
        with engine.connect() as conn:
            found, generation, until = self._look(conn, key, now)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        value = make()
        self._keep(key, generation, now, until, value)
        return value

    def get_in_session(
        self, engine: Engine, key: Hashable, make: Callable[[Session], T], *, now: datetime
    ) -> T:
        """`get`, with `make` given the session the number was read in: one connection taken
        from the pool for both, not two one after the other (issue 16: each checkout costs a
        round trip on PostgreSQL). The number is still read first, so a result newer than it
        is only ever read again."""
        with Session(engine) as session:
            return self.get_with(session, key, make, now=now)

    def get_with(
        self, session: Session, key: Hashable, make: Callable[[Session], T], *, now: datetime
    ) -> T:
        """`get_in_session` in a session the caller holds, so that it reads what is not kept
        (a page's per-viewer parts) on the same connection too."""
        if self.size <= 0:
            return make(session)
        found, generation, until = self._look(session, key, now)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        session.info[_READ_IN_SESSION] = generation
        try:
            value = make(session)
        finally:
            del session.info[_READ_IN_SESSION]
        self._keep(key, generation, now, until, value)
        return value

    def _look(
        self, conn: Connection | Session, key: Hashable, now: datetime
    ) -> tuple[Any, int | None, datetime | None]:
        """The kept value (or `_MISSING`), the generation now and, when it was not kept, the
        next deadline after `now`."""
        generation = read_generation(conn)
        if generation is None:
            return _MISSING, None, None
        with self._lock:
            kept = self._kept.get(key)
            if (
                kept is not None
                and kept.generation == generation
                and kept.since <= now
                and (kept.until is None or now < kept.until)
            ):
                self._kept.move_to_end(key)
                return kept.value, generation, kept.until
        return _MISSING, generation, self._next_deadline(conn, generation, now)

    def _next_deadline(
        self, conn: Connection | Session, generation: int, now: datetime
    ) -> datetime | None:
        """The next deadline after `now`: read once per generation while `now` stays before
        it (it is then the next one after any later `now` too, the data unchanged), not once
        per result read (nearly every tender page is one)."""
        with self._lock:
            last = self._deadline
        if (
            last is not None
            and last[0] == generation
            and last[1] <= now
            and (last[2] is None or now < last[2])
        ):
            return last[2]
        until: datetime | None = conn.scalar(_NEXT_DEADLINE, {"now": now})
        with self._lock:
            self._deadline = (generation, now, until)
        return until

    def _keep(
        self,
        key: Hashable,
        generation: int | None,
        now: datetime,
        until: datetime | None,
        value: Any,
    ) -> None:
        if generation is None:
            return
        with self._lock:
            self._kept[key] = _Kept(generation, now, until, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


_MISSING = object()  # nothing kept (a kept value may be None)
