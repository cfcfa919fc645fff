"""The impact report: every buyer's figures beside its peers', per period, and overall.

The `buyers` list has exactly the fields the maintainers check (issue 17); every other figure
of a buyer is in `buyer_figures`, keyed the same way.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from scanner.integrity.config import IntegrityConfig
from scanner.integrity.flags import Flag, peer_rates
from scanner.integrity.impact import divided_vs_undivided, figures, period_of
from scanner.integrity.records import TenderRecord

__all__ = ["BUYER_FIELDS", "PEER_FIGURES", "impact_report"]

BUYER_FIELDS = (
    "id",
    "name",
    "tenders",
    "competitive_tenders",
    "single_bid_rate",
    "direct_award_share",
    "lotted_share",
    "top_supplier_share",
)
PEER_FIGURES = (
    "single_bid_rate",
    "direct_award_share",
    "lotted_share",
    "top_supplier_share",
    "small_supplier_share",
    "flag_rate",
)


def impact_report(
    records: Sequence[TenderRecord],
    flags: dict[int, list[Flag]],
    config: IntegrityConfig,
    *,
    period: str = "month",
    buyer_keys: set[str] | None = None,
) -> dict[str, Any]:
    """Figures for every buyer (or only `buyer_keys`), their peers' medians over all buyers in
    `records` with at least `peer_min_tenders` tenders, figures per period and overall."""
    flagged = set(flags)
    by_buyer: dict[str, list[TenderRecord]] = defaultdict(list)
    for record in records:
        by_buyer[record.buyer_key].append(record)
    all_figures = {key: figures(group, flagged) for key, group in by_buyer.items()}
    peers = [key for key, group in by_buyer.items() if len(group) >= config.peer_min_tenders]
    peer_median = {name: _median(all_figures[key][name] for key in peers) for name in PEER_FIGURES}
    shown = [key for key in by_buyer if buyer_keys is None or key in buyer_keys]
    shown.sort(key=lambda key: (-len(by_buyer[key]), _name(by_buyer[key]) or "", key))
    selected = [r for key in shown for r in by_buyer[key]]
    rates = peer_rates(records, flags, config)
    buyers = []
    details = []
    for key in shown:
        group = by_buyer[key]
        buyer_id = group[0].buyer_id
        values = {"id": buyer_id, "name": _name(group), **all_figures[key]}
        buyers.append({field: values[field] for field in BUYER_FIELDS})
        details.append(
            {
                "id": buyer_id,
                "name": values["name"],
                "key": key,
                **all_figures[key],
                "flag_rates": rates["buyers"].get(key, {}),
                "peer_comparable": len(group) >= config.peer_min_tenders,
            }
        )
    by_period: dict[str, list[TenderRecord]] = defaultdict(list)
    for record in selected:
        by_period[period_of(record, period)].append(record)
    return {
        "period": period,
        "notice": config.notice,
        "buyers": buyers,
        "buyer_figures": details,
        "peers": {
            "buyers": len(peers),
            "min_tenders": config.peer_min_tenders,
            "median": peer_median,
            "flag_rate_median": rates["peer_median"],
            "flag_rate_pooled": rates["pooled"],
        },
        "overall": figures(selected, flagged),
        "periods": [
            {"period": key, **figures(by_period[key], flagged)} for key in sorted(by_period)
        ],
        "divided_vs_undivided": divided_vs_undivided(selected),
    }


def _name(group: Sequence[TenderRecord]) -> str | None:
    return next((r.buyer_name for r in group if r.buyer_name), None)


def _median(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 6) if known else None
