"""The crawl process's garbage collection: the youngest generation is collected by the store
pipeline after each batch is stored and released, under a threshold a batch does not reach,
the same as `lotwise ingest`'s (`scanner.batch_gc`, tests/cli/test_ingest_gc.py)."""

from __future__ import annotations

import gc
import runpy
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from gc_releases import NOW, gc_release
from schema_template import migrate
from sqlalchemy import func, select

import spiders.pipelines as pipelines
from scanner.batch_gc import BATCH_GC_THRESHOLD
from scanner.models import Tender
from scanner.settings import Settings
from scanner.storage.crawls import ensure_source
from scanner.storage.database import make_engine


@pytest.mark.parametrize("refused", [False, True])
def test_flush_collects_the_youngest_generation_once_the_batch_is_released(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, refused: bool
) -> None:
    """Also when the database refused the batch and it was stored release by release."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    crawler = SimpleNamespace(
        settings={"LOTWISE_SETTINGS": Settings()},
        signals=SimpleNamespace(connect=lambda *args, **kwargs: None),
    )
    pipeline = pipelines.StorePipeline(crawler, now=lambda: NOW)  # type: ignore[arg-type]
    pipeline.engine = engine
    pipeline.source = "gc"
    with engine.begin() as conn:
        pipeline.source_id = ensure_source(conn, name="gc", kind="ocds", url="http://x", now=NOW)
    url = "http://x/page-1"
    pipeline.releases = [gc_release(number) for number in range(3)]
    pipeline.release_pages = [url] * 3
    pipeline.stored_pages = [url]
    seen: list[tuple[int, int]] = []

    def collect(generation: int = 2) -> int:
        seen.append((generation, len(pipeline.releases)))
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    if refused:
        store = pipeline.store

        def store_alone(conn: Any, releases: list[dict[str, Any]], now: datetime) -> Any:
            if len(releases) > 1:
                raise RuntimeError("batch refused")
            return store(conn, releases, now)

        monkeypatch.setattr(pipeline, "store", store_alone)
    pipeline.flush()
    assert seen == [(0, 0)]  # the youngest generation only, the buffer already emptied
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Tender)).scalar_one() == 3
    engine.dispose()


def test_the_crawl_process_threshold_is_above_a_batch() -> None:
    before = gc.get_threshold()
    try:
        runpy.run_module("spiders.__main__", run_name="not_main")
        assert gc.get_threshold() == BATCH_GC_THRESHOLD  # lotwise ingest's too
        assert BATCH_GC_THRESHOLD[0] >= 200_000
    finally:
        gc.set_threshold(*before)
