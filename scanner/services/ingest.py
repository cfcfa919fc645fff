"""`lotwise ingest FILE...`: load OCDS files through the same store as crawls.

Each file is one transaction: a file that turns out not to be OCDS, or breaks off half-way,
leaves nothing behind. Releases stream from disk, so file size does not bound memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scanner.ingest.ocds import OCDSFormatError, iter_file_releases
from scanner.ingest.repair import InvalidJSON
from scanner.storage import crawls
from scanner.storage.crawls import RunTotals
from scanner.storage.database import StatisticsRefresher
from scanner.storage.tenders import StoreResult, store_releases


@dataclass
class FileOutcome:
    path: Path
    result: StoreResult
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def ingest_files(
    engine: Engine,
    paths: Iterable[Path],
    *,
    source_name: str,
    now: Callable[[], datetime],
    batch_size: int = 500,
    on_batch: Callable[[Path, StoreResult], None] | None = None,
) -> list[FileOutcome]:
    """Ingest each file atomically into source `source_name`; one bad file does not stop the
    others. Record-level problems are stored as crawl errors, file-level ones reported."""
    with engine.begin() as conn:
        source_id = crawls.ensure_source(
            conn, name=source_name, kind="file", url="file:", now=now()
        )
    outcomes = []
    statistics = StatisticsRefresher()
    for path in paths:
        outcome = FileOutcome(path=path, result=StoreResult())
        try:
            with engine.begin() as conn:
                run_id = crawls.start_run(
                    conn, source_id=source_id, now=now(), window_from=None, window_to=None, pid=None
                )
                for batch in _batches(iter_file_releases(path), batch_size):
                    result = store_releases(
                        conn,
                        source_id=source_id,
                        source_name=source_name,
                        releases=batch,
                        now=now(),
                    )
                    for key, reason, excerpt in result.errors:
                        crawls.record_error(
                            conn,
                            source_id=source_id,
                            run_id=run_id,
                            kind="record",
                            reason=reason,
                            excerpt=excerpt,
                            record_key=key,
                            url=None,
                            now=now(),
                        )
                    statistics.after_write(conn, result.seen)
                    outcome.result.add(result)
                    if on_batch is not None:
                        on_batch(path, result)
                totals = outcome.result
                crawls.finish_run(
                    conn,
                    run_id=run_id,
                    totals=RunTotals(
                        pages=1,
                        items_seen=totals.seen,
                        items_new=totals.new,
                        items_updated=totals.updated,
                        items_unchanged=totals.unchanged,
                        errors=len(totals.errors),
                    ),
                    now=now(),
                    advance_to=None,
                )
        except (OCDSFormatError, InvalidJSON, OSError, EOFError, ValueError) as exc:
            outcome = FileOutcome(path=path, result=StoreResult(), error=_describe(path, exc))
        outcomes.append(outcome)
    return outcomes


def _describe(path: Path, exc: Exception) -> str:
    message = str(exc)
    return message if str(path) in message else f"{path}: {message}"


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(items, size)):
        yield batch
