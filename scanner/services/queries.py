"""Read-side queries for the CLI, the web and the API: tenders, runs, errors, sources.

The SQL is `scanner.storage.tender_reads`; this adds what other services compute (a tender's
reporting value and duplicate group). Results are plain dicts with stable field names
(documented in docs/json-output.md), the same for `--json` output and the API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scanner.services import dedupe
from scanner.storage import tender_reads
from scanner.storage.tender_reads import (
    TenderFilter,
    escape_like,
    list_errors,
    list_runs,
    list_tenders,
    source_stats,
    tender_count,
)


def get_tender(session: Session, tender_id: int) -> dict[str, Any] | None:
    """One tender in full: summary fields, items, lots, the raw payload, its reporting value
    and its duplicate group."""
    detail = tender_reads.get_tender(session, tender_id)
    if detail is not None:
        detail.update(dedupe.value_and_group(session, tender_id))
    return detail


__all__ = [
    "TenderFilter",
    "escape_like",
    "get_tender",
    "list_errors",
    "list_runs",
    "list_tenders",
    "source_stats",
    "tender_count",
]
