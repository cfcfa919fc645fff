"""`lotwise ingest`'s garbage collection, the crawl's (`scanner.batch_gc`): a threshold one
batch does not reach while it is stored, and the youngest generation collected after each
batch once it is released (tests/spiders/test_pipeline_gc.py for the crawl)."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gc_releases import NOW, gc_release
from schema_template import migrate
from sqlalchemy import func, select
from typer.testing import CliRunner

import scanner.services.ingest as ingest
from scanner.batch_gc import BATCH_GC_THRESHOLD
from scanner.cli.main import app
from scanner.models import Tender
from scanner.storage.database import make_engine


class Release(dict[str, Any]):
    """A parsed release that a weak reference can watch (a plain dict cannot)."""


def _package(path: Path, count: int) -> Path:
    releases = [gc_release(number) for number in range(count)]
    path.write_text(json.dumps({"uri": "x", "releases": releases}))
    return path


def test_each_batch_is_released_before_the_youngest_generation_is_collected(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    watched: list[weakref.ref[Release]] = []
    parse = ingest.iter_file_releases

    def watch(record: dict[str, Any]) -> Release:
        release = Release(record)
        watched.append(weakref.ref(release))
        return release

    def watched_releases(path: Path, **kwargs: Any) -> Iterator[Any]:
        return map(watch, parse(path, **kwargs))  # keeps none of them itself

    seen: list[tuple[int, int, int]] = []  # generation, releases parsed, of them still alive

    def collect(generation: int = 2) -> int:
        alive = sum(ref() is not None for ref in watched)
        seen.append((generation, len(watched), alive))
        return 0

    monkeypatch.setattr(ingest, "iter_file_releases", watched_releases)
    monkeypatch.setattr(gc, "collect", collect)
    package = _package(tmp_path / "p.json", 120)
    outcomes = ingest.ingest_files(
        engine, [package], source_name="gc", now=lambda: NOW, batch_size=50
    )
    assert [o.ok for o in outcomes] == [True]
    # once per batch of 50, 50 and 20, the youngest generation only, the batch freed: at most
    # the one release `enumerate` keeps in the (number, release) pair it reuses
    assert [(generation, parsed) for generation, parsed, _ in seen] == [(0, 50), (0, 100), (0, 120)]
    assert [alive <= 1 for _, _, alive in seen] == [True] * 3
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Tender)).scalar_one() == 120
    engine.dispose()


def test_lotwise_ingest_stores_under_the_crawl_s_threshold(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOTWISE_STORE_BATCH_SIZE", "2")
    before = gc.get_threshold()
    thresholds: list[tuple[int, int, int]] = []
    collect = gc.collect

    def recording(generation: int = 2) -> int:
        if generation == 0:
            thresholds.append(gc.get_threshold())
        return collect(generation)

    monkeypatch.setattr(gc, "collect", recording)
    package = _package(tmp_path / "p.json", 3)
    result = CliRunner().invoke(app, ["ingest", str(package)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert thresholds == [BATCH_GC_THRESHOLD] * 2  # after each of the two batches
    assert gc.get_threshold() == before  # the process's own setting again afterwards
