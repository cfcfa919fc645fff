"""Impact figures per buyer and per period: did buyers divide, how many bid, how often was
there no competition, who won and how concentrated, did small suppliers win.

Definitions (also in docs/impact.md):
- a competitive tender is one whose procurement method is open or selective;
- `single_bid_rate`: of the competitive tenders with a known bid count, the share with exactly 1;
- `direct_award_share`: the share of all tenders whose method is direct or limited;
- `lotted_share`: the share of tenders the buyer divided into two or more lots;
- supplier shares are by value of active awards in the selection's main currency (awards in
  another currency are counted, not converted); a joint award is one winner (its suppliers
  together); a supplier without register identifier is never guessed: its value stays in the
  total, so `top_supplier_share` and `hhi` are lower bounds when `unidentified_value_share` > 0.
Every rate is null when its denominator is 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from scanner.integrity.records import AwardRecord, TenderRecord

__all__ = ["COMPETITIVE", "DIRECT", "SMALL", "divided_vs_undivided", "figures", "period_of"]

COMPETITIVE = frozenset({"open", "selective"})
DIRECT = frozenset({"direct", "limited"})
SMALL = frozenset({"micro", "small", "medium", "sme", "selfemployed"})


def figures(records: Sequence[TenderRecord], flagged: set[int] | None = None) -> dict[str, Any]:
    """Every figure for one group of tenders (a buyer, a period, or all)."""
    tenders = len(records)
    competitive = [r for r in records if r.method in COMPETITIVE]
    known = [r for r in competitive if r.bid_count is not None]
    single = sum(1 for r in known if r.bid_count == 1)
    direct = sum(1 for r in records if r.method in DIRECT)
    lotted = sum(1 for r in records if r.divided)
    result: dict[str, Any] = {
        "tenders": tenders,
        "competitive_tenders": len(competitive),
        "bid_count_known": len(known),
        "single_bid_tenders": single,
        "single_bid_rate": _rate(single, len(known)),
        "direct_tenders": direct,
        "direct_award_share": _rate(direct, tenders),
        "method_unknown": sum(1 for r in records if r.method is None),
        "lotted_tenders": lotted,
        "lotted_share": _rate(lotted, tenders),
        "without_outcome": sum(1 for r in records if not r.has_outcome),
    }
    result.update(_lotted_value(records))
    result.update(_suppliers([a for r in records for a in r.active_awards]))
    if flagged is not None:
        hits = sum(1 for r in records if r.tender_id in flagged)
        result.update(flagged_tenders=hits, flag_rate=_rate(hits, tenders))
    return result


def period_of(record: TenderRecord, period: str) -> str:
    """`2026-10` (month), `2026-Q4` (quarter) or `2026` (year) of the publication date."""
    published = record.published_at
    if published is None:
        return "unknown"
    if period == "year":
        return f"{published:%Y}"
    if period == "quarter":
        return f"{published:%Y}-Q{(published.month - 1) // 3 + 1}"
    return f"{published:%Y-%m}"


def divided_vs_undivided(records: Sequence[TenderRecord]) -> list[dict[str, Any]]:
    """Per CPV division (first two digits, the kind of work): bids per lot of divided
    tenders beside bids per tender of undivided ones, where the bid counts are known."""
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"divided": [], "whole": []})
    for r in records:
        division = (r.main_cpv or "")[:2]
        if len(division) < 2:
            continue
        entry = groups[division]  # listed even when no bid count is known
        if r.divided:
            entry["divided"] += [count for _, count in r.lot_bid_counts]
        elif r.bid_count is not None:
            entry["whole"].append(r.bid_count)
    rows = []
    for division in sorted(groups):
        divided, whole = groups[division]["divided"], groups[division]["whole"]
        rows.append(
            {
                "cpv_division": division,
                "divided_lots": len(divided),
                "divided_mean_bids_per_lot": _mean(divided),
                "undivided_tenders": len(whole),
                "undivided_mean_bids": _mean(whole),
                "comparable": bool(divided and whole),
            }
        )
    return rows


def _lotted_value(records: Sequence[TenderRecord]) -> dict[str, Any]:
    currency = _main([r.currency for r in records if r.value is not None])
    valued = [r for r in records if r.value is not None and r.currency == currency]
    total = sum((r.value for r in valued if r.value is not None), Decimal(0))
    lotted = sum((r.value for r in valued if r.divided and r.value is not None), Decimal(0))
    return {
        "value_currency": currency,
        "value_known_tenders": len(valued),
        "estimated_value": _money(total) if valued else None,
        "lotted_value_share": _rate(lotted, total),
    }


def _suppliers(awards: list[AwardRecord]) -> dict[str, Any]:
    currency = _main([a.currency for a in awards if a.value is not None])
    valued = [a for a in awards if a.value is not None and a.currency == currency]
    total = sum((a.value for a in valued if a.value is not None), Decimal(0))
    by_winner: dict[str, Decimal] = defaultdict(Decimal)
    names: dict[str, str] = {}
    unidentified = Decimal(0)
    small = known_size = Decimal(0)
    for award in valued:
        value = award.value or Decimal(0)
        keys = [s.key for s in award.suppliers]
        if keys and None not in keys:
            winner = "+".join(sorted(k for k in keys if k))
            by_winner[winner] += value
            names[winner] = " + ".join(s.name or s.key or "" for s in award.suppliers)
        else:
            unidentified += value
        sizes = [s.scale for s in award.suppliers]
        if sizes and None not in sizes:
            known_size += value
            if all(size in SMALL for size in sizes):
                small += value
    top = max(by_winner, key=lambda k: (by_winner[k], k)) if by_winner else None
    return {
        "awards": len(awards),
        "awards_without_value": sum(1 for a in awards if a.value is None),
        "awards_other_currency": sum(1 for a in awards if a.value is not None) - len(valued),
        "awards_without_supplier": sum(1 for a in awards if not a.suppliers),
        "award_currency": currency,
        "awarded_value": _money(total) if valued else None,
        "suppliers": len(by_winner),
        "top_supplier_id": top,
        "top_supplier_name": names.get(top) if top else None,
        "top_supplier_share": _rate(by_winner[top], total) if top else None,
        "hhi": _round(sum((v / total) ** 2 for v in by_winner.values())) if total else None,
        "unidentified_value_share": _rate(unidentified, total),
        "size_known_value_share": _rate(known_size, total),
        "small_supplier_share": _rate(small, known_size),
    }


def _main(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return max(counts, key=lambda c: (counts[c], c)) if counts else None


def _rate(part: float | Decimal, whole: float | Decimal) -> float | None:
    return _round(Decimal(part) / Decimal(whole)) if whole else None


def _round(value: Decimal | float) -> float:
    return round(float(value), 6)


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))
