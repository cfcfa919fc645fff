"""Garbage collection for the batch processes that store releases: a crawl (`python -m
spiders`) and `lotwise ingest`. One setting and one after-batch step, used by both.

Parsed releases are trees of dicts and lists without cycles, freed by reference counting;
the cyclic collector only has to catch the little cyclic garbage of Scrapy and SQLAlchemy. The
default threshold (700 allocations) kept re-scanning the live batch, and so did 50,000: one
batch of 500 releases allocates more than that while it is stored (in a 10,000-release crawl
the collector ran 17 times, each time traversing a live batch). At 200,000 a batch does not
reach it; instead the caller collects the youngest generation itself once a batch is stored
and released (`collect_after_batch`), when little is left alive to traverse.

Kept free of other imports of ours, so `python -m spiders` can set the threshold before it
imports Scrapy and SQLAlchemy.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_GC_THRESHOLD = (200_000, 20, 100)


def set_batch_threshold() -> None:
    """The youngest generation collected every 200,000 allocations (above a batch)."""
    gc.set_threshold(*BATCH_GC_THRESHOLD)


def collect_after_batch() -> None:
    """Collect the youngest generation: call once a stored batch is released (no name left
    bound to its releases), so the collector traverses what survives, not the batch."""
    gc.collect(0)


@contextmanager
def batch_gc() -> Iterator[None]:
    """The batch setting while the block runs, for a process that goes on afterwards: what
    was built before it (imports, settings, the engine) is frozen out of the collector's sight
    and the threshold set (`set_batch_threshold`). The previous state is restored after, so a
    process that goes on (a test, the web app) keeps its own (one that had frozen objects
    itself keeps them, and these, frozen). The block calls `collect_after_batch` after each
    batch."""
    previous, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    set_batch_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if not frozen:
            gc.unfreeze()
