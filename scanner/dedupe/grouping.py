"""Groups of records that are one opportunity. A record joins the group of its best-scoring
candidate that will take it: a group never holds two notices of one source (when configured)
nor a pair an operator split apart."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from scanner.dedupe.blocking import BlockIndex
from scanner.dedupe.config import DedupeConfig
from scanner.dedupe.records import Record
from scanner.dedupe.scoring import PairScore, score_pair


@dataclass(frozen=True)
class Merge:
    """`record` joined the group of `other` because of `pair`."""

    record: int
    other: int
    pair: PairScore


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class Grouping:
    """Group membership: each record id is in exactly one group, named by a member id."""

    def __init__(self, config: DedupeConfig, exclusions: Iterable[tuple[int, int]] = ()) -> None:
        self.config = config
        self.excluded = {pair_key(a, b) for a, b in exclusions}
        self.group_of: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        self.source_of: dict[int, str] = {}

    def place(self, record_id: int, source: str, group: int | None = None) -> None:
        """Put a record in `group` (default: a group of its own)."""
        gid = record_id if group is None else group
        self.group_of[record_id] = gid
        self.members.setdefault(gid, set()).add(record_id)
        self.source_of[record_id] = source

    def accepts(self, group: int, record: Record) -> bool:
        members = self.members.get(group, set())
        if self.config.cross_source_only and any(
            self.source_of[m] == record.source for m in members if m != record.id
        ):
            return False
        return not any(pair_key(m, record.id) in self.excluded for m in members)

    def _hopeless(self, a: Record, b: Record) -> bool:
        """A cheap early no (no shared identifier, and titles or deadlines too far apart) so
        most candidates never pay for a full, explained score."""
        if not _no_shared_ids(a, b):
            return False
        if a.deadline is not None and b.deadline is not None:
            gap = abs((a.deadline - b.deadline).total_seconds()) / 86400
            if gap > self.config.deadline_window_days + 0.5:
                return True
        cutoff = self.config.title_min * 100
        return fuzz.token_sort_ratio(a.title, b.title, score_cutoff=cutoff) == 0

    def best_match(self, record: Record, candidates: Iterable[Record]) -> Merge | None:
        """The best candidate that scores as a merge and whose group accepts the record."""
        best: Merge | None = None
        for other in sorted(candidates, key=lambda r: r.id):
            if other.id == record.id or other.id not in self.group_of:
                continue
            if self.config.cross_source_only and other.source == record.source:
                continue
            if pair_key(other.id, record.id) in self.excluded or self._hopeless(record, other):
                continue
            pair = score_pair(record, other, self.config)
            if not pair.merge or (best is not None and pair.score <= best.pair.score):
                continue
            if self.accepts(self.group_of[other.id], record):
                best = Merge(record.id, other.id, pair)
        return best


def _no_shared_ids(a: Record, b: Record) -> bool:
    return not ((a.ids.own | a.ids.ref_ids) & (b.ids.own | b.ids.ref_ids))


def deduplicate(
    records: Sequence[Record],
    config: DedupeConfig,
    *,
    blocking: bool = True,
    exclusions: Iterable[tuple[int, int]] = (),
) -> tuple[Grouping, list[Merge]]:
    """Group `records` in order; with `blocking` off every earlier record is a candidate (the
    all-pairs baseline the blocked run is checked and timed against)."""
    grouping = Grouping(config, exclusions)
    index = BlockIndex(window_days=config.deadline_window_days, max_block=config.max_block)
    by_id: dict[int, Record] = {}
    merges: list[Merge] = []
    for record in records:
        if blocking:
            candidates: Iterable[Record] = (by_id[i] for i in index.candidates(record))
        else:
            candidates = by_id.values()
        merge = grouping.best_match(record, candidates)
        grouping.place(record.id, record.source, grouping.group_of[merge.other] if merge else None)
        if merge is not None:
            merges.append(merge)
        by_id[record.id] = record
        if blocking:
            index.add(record)
    return grouping, merges
