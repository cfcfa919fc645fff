"""The crawl process's progress events: JSON lines on stdout, one object per line.

This is the contract with `scanner.services.crawl` (which renders them); Scrapy's log goes to
stderr so stdout carries nothing else.

    {"event": "start", "source": S, "run_id": N, "window_from": iso|null, "window_to": iso}
    {"event": "progress", "source": S, "pages": .., "seen": .., "new": .., "updated": ..,
     "unchanged": .., "errors": ..}
    {"event": "finish", "source": S, "run_id": N|null, "status": "ok"|"partial"|"failed",
     "pages": .., "seen": .., "new": .., "updated": .., "unchanged": .., "errors": ..,
     "expected_total": N|null, "shortfall": N|null, "message": str|null}
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

import orjson

if TYPE_CHECKING:  # the CLI renders events without loading storage and models
    from scanner.storage.crawls import RunTotals

#: Scrapy signal sent by the pipeline when a run is closed, with `source` and `status`:
#: the runner derives its exit code from it.
run_finished = object()


def emit(event: dict[str, Any], stream: TextIO | None = None) -> None:
    """Write one event line and flush it, so a reader sees progress as it happens."""
    out = stream or sys.stdout
    out.write(orjson.dumps(event).decode() + "\n")
    out.flush()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def start_event(
    source: str, run_id: int, window_from: datetime | None, window_to: datetime
) -> dict[str, Any]:
    return {
        "event": "start",
        "source": source,
        "run_id": run_id,
        "window_from": iso(window_from),
        "window_to": iso(window_to),
    }


def progress_event(source: str, totals: RunTotals) -> dict[str, Any]:
    return {"event": "progress", "source": source, **_counts(totals)}


def finish_event(
    source: str,
    run_id: int | None,
    status: str,
    totals: RunTotals,
    message: str | None = None,
) -> dict[str, Any]:
    return {
        "event": "finish",
        "source": source,
        "run_id": run_id,
        "status": status,
        **_counts(totals),
        "expected_total": totals.expected_total,
        "shortfall": totals.shortfall,
        "message": message,
    }


def _counts(totals: RunTotals) -> dict[str, int]:
    return {
        "pages": totals.pages,
        "seen": totals.items_seen,
        "new": totals.items_new,
        "updated": totals.items_updated,
        "unchanged": totals.items_unchanged,
        "errors": totals.errors,
    }
