"""`lotwise ingest FILE...`: load OCDS files through the same store as crawls.

Each file is one transaction: a file that turns out not to be OCDS, or breaks off half-way,
leaves nothing behind. Releases stream from disk, so file size does not bound memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from scanner.batch_gc import collect_after_batch
from scanner.ingest.limits import DEFAULT_LIMITS, InputLimitError, JsonLimits
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
    limits: JsonLimits = DEFAULT_LIMITS,
    names: Mapping[Path, str] | None = None,
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
        name = (names or {}).get(path, str(path))  # "-" for a copy of stdin
        outcome = FileOutcome(path=Path(name), result=StoreResult())
        try:
            with engine.begin() as conn:
                run_id = crawls.start_run(
                    conn, source_id=source_id, now=now(), window_from=None, window_to=None, pid=None
                )
                numbered = enumerate(iter_file_releases(path, limits=limits), 1)
                for batch in _batches(numbered, batch_size):
                    result = _store_batch(conn, batch, source_id, source_name, now())
                    if result.errors:
                        _record_errors(conn, batch, result, source_id, run_id, name, now)
                    statistics.after_write(conn, result.seen)
                    outcome.result.add(result)
                    if on_batch is not None:
                        on_batch(path, result)
                    # the batch is stored: release it, then collect (`scanner.batch_gc`)
                    del batch, result
                    collect_after_batch()
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
            error = _describe(path, exc).replace(str(path), name)
            outcome = FileOutcome(path=Path(name), result=StoreResult(), error=error)
        except DBAPIError as exc:
            if isinstance(exc, OperationalError):
                raise  # the database itself is unavailable: no later file can do better
            error = f"{name}: the database refused the file: {_first_line(exc.orig)}"
            outcome = FileOutcome(path=Path(name), result=StoreResult(), error=error)
        outcomes.append(outcome)
    return outcomes


@contextmanager
def readable_files(
    paths: Iterable[Path], stdin: BinaryIO, max_bytes: int
) -> Iterator[tuple[list[Path], dict[Path, str]]]:
    """Paths that can be opened more than once, and the names to report them by.

    A file is read several times (its shape first, then its items), which stdin (`-`), a pipe
    or `/dev/stdin` cannot do: each is copied once to a temporary file (at most `max_bytes`,
    the compressed input limit), deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="lotwise-ingest-") as folder:
        readable: list[Path] = []
        names: dict[Path, str] = {}
        for number, path in enumerate(paths):
            if str(path) != "-" and (path.is_file() or not path.exists()):
                readable.append(path)
                continue
            copy = Path(folder) / f"input-{number}"
            with copy.open("wb") as out:
                if str(path) == "-":
                    _copy(stdin, out, max_bytes, "-")
                else:
                    with path.open("rb") as source:
                        _copy(source, out, max_bytes, str(path))
            readable.append(copy)
            names[copy] = str(path)
        yield readable, names


def _copy(source: BinaryIO, out: BinaryIO, max_bytes: int, name: str) -> None:
    total = 0
    while chunk := source.read(1 << 20):
        total += len(chunk)
        if total > max_bytes:
            raise InputLimitError(
                f"{name}: larger than {max_bytes} bytes (LOTWISE_INPUT_MAX_BYTES)"
            )
        out.write(chunk)


def _record_errors(
    conn: Connection,
    batch: list[tuple[int, dict[str, Any]]],
    result: StoreResult,
    source_id: int,
    run_id: int,
    name: str,
    now: Callable[[], datetime],
) -> None:
    """The batch's record errors in the crawl error log, each by its release's number."""
    positions: dict[str | None, int] = {}
    for number, release in batch:
        positions.setdefault(_ocid_of(release), number)
    for key, reason, excerpt in result.errors:
        where = f"release {positions[key]}" if key in positions else "a release"
        crawls.record_error(
            conn,
            source_id=source_id,
            run_id=run_id,
            kind="record",
            reason=f"{name}, {where}: {reason}",
            excerpt=excerpt,
            record_key=key,
            url=None,
            now=now(),
        )


def _store_batch(
    conn: Connection,
    batch: list[tuple[int, dict[str, Any]]],
    source_id: int,
    source_name: str,
    now: datetime,
) -> StoreResult:
    """Store a batch; if the database refuses it, store its releases one by one, so that a
    check the database makes and Lotwise does not costs one record, never the file."""
    releases = [release for _, release in batch]
    try:
        with conn.begin_nested():
            return store_releases(
                conn, source_id=source_id, source_name=source_name, releases=releases, now=now
            )
    except DBAPIError as exc:
        if isinstance(exc, OperationalError):
            raise
    result = StoreResult()
    for release in releases:
        try:
            with conn.begin_nested():
                result.add(
                    store_releases(
                        conn,
                        source_id=source_id,
                        source_name=source_name,
                        releases=[release],
                        now=now,
                    )
                )
        except DBAPIError as exc:
            if isinstance(exc, OperationalError):
                raise
            result.seen += 1
            reason = f"the database refused the record: {_first_line(exc.orig)}"
            result.errors.append((_ocid_of(release), reason, repr(release)[:500]))
    return result


def _ocid_of(release: Any) -> str | None:
    ocid = release.get("ocid") if isinstance(release, dict) else None
    if not isinstance(ocid, str) or not ocid.strip():
        return None
    return ocid.strip().replace("\x00", "\\u0000")[:300]  # as the error log stores it


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _describe(path: Path, exc: Exception) -> str:
    message = str(exc)
    return message if str(path) in message else f"{path}: {message}"


def _batches(
    items: Iterator[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Lists of `size` items until none are left. Holds no reference to the batch it handed
    out (a generator's frame would, until the next), so a released batch is freed at once."""
    return iter(lambda: list(islice(items, size)), [])
