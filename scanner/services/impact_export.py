"""CSV of the impact figures and of the flags, for spreadsheets. Cells are neutralised so a
buyer or supplier name starting with `=` cannot run as a formula where the file is opened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from scanner.spreadsheet import safe_cell

__all__ = ["flags_csv", "impact_csv"]

IMPACT_COLUMNS = (
    "id",
    "name",
    "tenders",
    "competitive_tenders",
    "bid_count_known",
    "single_bid_tenders",
    "single_bid_rate",
    "direct_tenders",
    "direct_award_share",
    "lotted_tenders",
    "lotted_share",
    "lotted_value_share",
    "awards",
    "award_currency",
    "awarded_value",
    "top_supplier_id",
    "top_supplier_name",
    "top_supplier_share",
    "hhi",
    "unidentified_value_share",
    "small_supplier_share",
    "size_known_value_share",
    "flagged_tenders",
    "flag_rate",
)
FLAG_COLUMNS = (
    "tender_id",
    "tender_title",
    "buyer_id",
    "buyer_name",
    "code",
    "title",
    "evidence",
    "source",
    "buyer_rate",
    "peer_median_rate",
)


def impact_csv(report: dict[str, Any]) -> str:
    """One row per buyer (`buyer_figures`), then a row of the peers' medians."""
    rows = [[row.get(column) for column in IMPACT_COLUMNS] for row in report["buyer_figures"]]
    median = report["peers"]["median"]
    rows.append(
        [
            None,
            f"peer median ({report['peers']['buyers']} buyers with at least "
            f"{report['peers']['min_tenders']} tenders)",
            *(median.get(column) for column in IMPACT_COLUMNS[2:]),
        ]
    )
    return _csv(IMPACT_COLUMNS, rows)


def flags_csv(result: dict[str, Any]) -> str:
    """One row per flag raised, with the buyer's rate beside its peers'."""
    return _csv(FLAG_COLUMNS, ([row.get(c) for c in FLAG_COLUMNS] for row in result["flags"]))


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        # formulas quoted by the one guard every CSV of Lotwise goes through
        writer.writerow([safe_cell("" if cell is None else str(cell)) for cell in row])
    return buffer.getvalue()
