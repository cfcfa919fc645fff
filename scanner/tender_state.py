"""What "open" means, once for the whole project: a tender is open at `now` when its status
is not one of `CLOSED_STATUSES` (no status counts as open) and its deadline is after `now`
(or it has none). Listing (`tenders list --open`), matching, digests, the web and the API all
use this definition: `is_open` on plain values, `scanner.storage.open_tenders` in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: Procedures that are over, lower case (OCDS tender statuses and their eForms equivalents).
CLOSED_STATUSES = ("cancelled", "complete", "closed", "unsuccessful", "withdrawn")


def is_closed_status(status: str | None) -> bool:
    return (status or "").strip().lower() in CLOSED_STATUSES


def is_open(status: str | None, deadline: datetime | None, now: datetime) -> bool:
    """Open at `now`: status not closed, deadline after `now` or none."""
    if is_closed_status(status):
        return False
    return deadline is None or _utc(deadline) > _utc(now)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
