"""Divide a long, large package into time increments of at most 18 months.

FAR 39.103 modular contracting: increments awarded within 180 days and delivered within 18
months, each useful alone. Applied only when both the value and the duration are large.
"""

from __future__ import annotations

import math
from decimal import Decimal

from scanner.splitter.strategies.draft import Draft

NAME = "by time increment"
MAX_INCREMENT_MONTHS = 18
MAX_INCREMENTS = 16


def split(draft: Draft, ceiling: Decimal | None) -> list[Draft]:
    """Equal increments of at most 18 months, for a package above the ceiling."""
    months, value = draft.duration_months, draft.value
    if months is None or months <= MAX_INCREMENT_MONTHS or value is None or ceiling is None:
        return [draft]
    if value <= ceiling:
        return [draft]
    # Only as many increments as the 18-month rule needs: shorter slices of the same work
    # would be busywork for the buyer, and the package notes say when one is still too large.
    count = min(math.ceil(months / MAX_INCREMENT_MONTHS), MAX_INCREMENTS)
    if count < 2:
        return [draft]
    bounds = [round(months * k / count) for k in range(count + 1)]
    parts = []
    for k in range(count):
        start, end = bounds[k] + 1, bounds[k + 1]
        length = end - start + 1
        parts.append(
            draft.part(
                strategy=NAME,
                reason=(
                    f"Months {start}-{end} of a {months}-month requirement, as an increment "
                    "that is useful alone (at most 18 months)."
                ),
                share=Decimal(length) / Decimal(months),
                method="time share",
                title=f"{draft.title} (months {start}-{end})",
                duration_months=length,
            )
        )
    return parts
