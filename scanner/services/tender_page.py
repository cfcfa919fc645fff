"""A tender's web page's data: the tender, its outcome and flags, its stored assessment, from
the rows `scanner.storage.tender_page` reads in three or four statements (issue 16)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scanner.integrity import IntegrityConfig
from scanner.services.impact import page_outcome
from scanner.services.split_queries import StoredAssessment, page_assessment
from scanner.storage.data_generation import generation_read
from scanner.storage.tender_page import tender_page_rows
from scanner.storage.tender_reads import page_tender

__all__ = ["tender_page_data"]


def tender_page_data(
    session: Session, tender_id: int, config: IntegrityConfig | None
) -> tuple[dict[str, Any], StoredAssessment | None] | None:
    """The tender as its page shows it (`tender_reads.page_tender`, with `tender_outcome`'s
    fields: awards, bid count, outcome, flags) and its stored assessment, or None when there
    is no such tender. Its buyer's flags are stamped with the data generation the page's
    cache read in this session, when it did."""
    rows = tender_page_rows(session.connection(), tender_id)
    if rows is None:
        return None
    tender = page_tender(rows)
    tender.update(page_outcome(session, rows, config, generation=generation_read(session)))
    return tender, page_assessment(rows)
