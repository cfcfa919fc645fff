"""Candidate blocking: a record is only scored against records sharing a block, so
de-duplication stays near linear. Blocks are (distinctive buyer word, deadline day) and
(two longest title words, deadline day) for each day in the deadline window; shared identifiers
are looked up exactly. Either key is enough, so a portal spelling the buyer differently still
meets its twin through the title."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from scanner.dedupe.records import Record

BlockKey = tuple[str, str, int | None]


class BlockIndex:
    """An incremental index: `candidates(r)` then `add(r)`, record by record."""

    def __init__(self, *, window_days: int, max_block: int) -> None:
        self.window = window_days
        self.max_block = max_block
        self._blocks: dict[BlockKey, list[int]] = defaultdict(list)
        self._by_id: dict[str, list[int]] = defaultdict(list)
        self.oversized: set[BlockKey] = set()

    def _keys(self, record: Record, *, query: bool) -> list[BlockKey]:
        day = record.deadline.date().toordinal() if record.deadline is not None else None
        days: Iterable[int | None]
        if day is None:
            days = (None,)
        elif query:
            days = range(day - self.window - 1, day + self.window + 2)
        else:
            days = (day,)
        keys: list[BlockKey] = []
        for kind, word in (("b", record.buyer_word), ("t", record.title_word)):
            if word:
                keys.extend((kind, word, d) for d in days)
        return keys

    def candidates(self, record: Record) -> set[int]:
        """Ids of indexed records that share a block or an identifier with `record`."""
        found: set[int] = set()
        for key in self._keys(record, query=True):
            block = self._blocks.get(key)
            if block:
                if len(block) > self.max_block:
                    self.oversized.add(key)
                    block = block[-self.max_block :]  # the latest ones: a bounded cost
                found.update(block)
        for identifier in record.ids.own | record.ids.ref_ids:
            found.update(self._by_id.get(identifier, ()))
        found.discard(record.id)
        return found

    def add(self, record: Record) -> None:
        for key in self._keys(record, query=False):
            self._blocks[key].append(record.id)
        for identifier in record.ids.own | record.ids.ref_ids:
            self._by_id[identifier].append(record.id)
