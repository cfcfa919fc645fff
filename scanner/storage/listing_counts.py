"""Counts of the officer list kept per filter while they are exact (issue 16).

A filter's count read 25,000-89,000 narrow listing rows at 100,000 tenders, on every page of
the list and the API. The count only changes when `tender_listing` does, which raises the
number in `tender_listing_version` (migration 0023), or, for "open" tenders, when a deadline
passes. So each count is kept with the version it was read under (in the same statement, so
the same snapshot) and the next deadline after the moment it was judged at; it is reused
while the version is the same and that deadline has not come. A reused page costs one
one-row read instead of the count."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scanner.models import TenderListing, TenderListingVersion

_VERSION = select(TenderListingVersion.version).where(TenderListingVersion.id == 1)


@dataclass(frozen=True)
class _Kept:
    version: int
    count: int
    since: datetime
    until: datetime | None  # the next deadline after `since`: "open" changes then


class ListingCounts:
    """The counts one process has read, at most `size` of them (the least recently used
    go first). Thread-safe: a server answers from a pool of threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def count(
        self, session: Session, key: Hashable, conditions: list[Any], *, now: datetime
    ) -> int:
        """The number of listing rows meeting `conditions` (which judge "open" at `now`)."""
        with self._lock:
            kept = self._kept.get(key)
        fresh = kept is not None and kept.since <= now and (kept.until is None or now < kept.until)
        if kept is not None and fresh and session.scalar(_VERSION) == kept.version:
            with self._lock:
                self._kept.move_to_end(key)
            return kept.count
        deadline = TenderListing.deadline_at
        row = session.execute(
            select(
                _VERSION.scalar_subquery(),
                select(func.min(deadline)).where(deadline > now).scalar_subquery(),
                select(func.count())
                .select_from(TenderListing)
                .where(*conditions)
                .scalar_subquery(),
            )
        ).one()
        version, until, count = row
        if version is not None:
            with self._lock:
                self._kept[key] = _Kept(int(version), int(count), now, until)
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return int(count)
