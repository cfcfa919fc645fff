"""Divide a large package into time increments: at most 18 months, and toward the ceiling.

FAR 39.103 modular contracting: increments awarded within 180 days and delivered within 18
months, each useful alone. A package above the micro-contract ceiling is cut into more, shorter
increments (never under six months) until each fits the ceiling or the cap is reached. Dividing
never changes the procedure: the aggregated value still counts for every threshold.
"""

from __future__ import annotations

import math
from decimal import Decimal

from scanner.splitter.strategies.draft import Draft

NAME = "by time increment"
LISTED = "by deliverable"
MAX_INCREMENT_MONTHS = 18
MAX_INCREMENTS = 16
MIN_INCREMENT_MONTHS = 6


def split(draft: Draft, ceiling: Decimal | None) -> list[Draft]:
    """Equal increments for a package above the ceiling: at most 18 months each, and as many
    more as bring each under the ceiling, down to six months each and 16 in all."""
    months, value = draft.duration_months, draft.value
    if months is None or value is None or ceiling is None or value <= ceiling:
        return [draft]
    by_rule = math.ceil(months / MAX_INCREMENT_MONTHS)
    # A deliverable the buyer listed is cut only by the 18-month rule: slicing it further just
    # to reach a size would turn one piece of work into several contracts for the same thing.
    by_size = by_rule if LISTED in draft.strategies else math.ceil(value / ceiling)
    count = min(max(by_rule, by_size), MAX_INCREMENTS, months // MIN_INCREMENT_MONTHS)
    count = max(count, by_rule if months > MAX_INCREMENT_MONTHS else 0)
    if count < 2:
        return [draft]
    sized = count != by_rule
    bounds = [round(months * k / count) for k in range(count + 1)]
    offset = (draft.start_month or 1) - 1  # a deliverable written as "(months 5-18)"
    parts = []
    for k in range(count):
        start, end = offset + bounds[k] + 1, offset + bounds[k + 1]
        length = end - start + 1
        parts.append(
            draft.part(
                strategy=NAME,
                reason=(
                    f"Months {start}-{end} ({length} of the {months} months this work takes), "
                    "as an increment useful alone; the aggregated value still decides the "
                    "procedure."
                ),
                share=Decimal(length) / Decimal(months),
                method="time share",
                title=f"{draft.title} (months {start}-{end})",
                duration_months=length,
                start_month=start,
                period=f"months {start}-{end}",
                stated_value=False,
                notes=(
                    *draft.notes,
                    *(("Increments sized toward the micro-contract ceiling.",) if sized else ()),
                ),
            )
        )
    return parts
