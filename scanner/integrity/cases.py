"""Case studies: pairs of comparable requirements, one divided into lots and one not, with
their outcomes side by side, as data and as Markdown an officer can print or paste.

Comparable means the same kind of work (the same first CPV digits, three, else two) and the
same currency; among those, the same buyer first, then the nearest value, then the nearest
date. Each tender is used once. The reasons for each pairing are given with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from scanner.integrity.flags import Flag, rule_of
from scanner.integrity.impact import SMALL
from scanner.integrity.records import TenderRecord

__all__ = ["case_studies", "cases_markdown"]


def case_studies(
    records: Sequence[TenderRecord],
    flags: dict[int, list[Flag]],
    *,
    limit: int = 10,
    max_value_ratio: float = 10.0,
) -> list[dict[str, Any]]:
    """Up to `limit` pairs, the most alike first."""
    divided = [r for r in records if r.divided and r.main_cpv]
    whole = [r for r in records if not r.divided and r.main_cpv]
    candidates = []
    for d in divided:
        for w in whole:
            score, reasons = _likeness(d, w, max_value_ratio)
            if score is not None:
                candidates.append((score, d.tender_id, w.tender_id, d, w, reasons))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    used: set[int] = set()
    cases = []
    for _, _, _, d, w, reasons in candidates:
        if d.tender_id in used or w.tender_id in used:
            continue
        used |= {d.tender_id, w.tender_id}
        cases.append(
            {
                "kind": f"CPV {_shared_prefix(d, w)}*",
                "why_comparable": reasons,
                "divided": _side(d, flags),
                "undivided": _side(w, flags),
            }
        )
        if len(cases) >= limit:
            break
    return cases


def _likeness(
    d: TenderRecord, w: TenderRecord, max_value_ratio: float
) -> tuple[float | None, list[str]]:
    """Lower is more alike; None when not comparable."""
    prefix = _shared_prefix(d, w)
    if len(prefix) < 2 or (d.currency and w.currency and d.currency != w.currency):
        return None, []
    reasons = [f"same kind of work: CPV {prefix}* ({d.main_cpv} and {w.main_cpv})"]
    score = 0.0 if len(prefix) >= 3 else 1.0
    if d.buyer_key == w.buyer_key:
        reasons.append(f"same buyer: {d.buyer_name or d.buyer_key}")
    else:
        score += 2.0
    if d.value and w.value:
        ratio = float(max(d.value, w.value) / min(d.value, w.value))
        if ratio > max_value_ratio:
            return None, []
        score += math.log(ratio)
        reasons.append(f"values within a factor of {ratio:.1f}")
    else:
        score += 3.0
        reasons.append("a value is not published")
    if d.published_at and w.published_at:
        days = abs((d.published_at - w.published_at).days)
        score += days / 365
        reasons.append(f"published {days} days apart")
    return score, reasons


def _shared_prefix(d: TenderRecord, w: TenderRecord) -> str:
    a, b = d.main_cpv or "", w.main_cpv or ""
    for digits in (3, 2):
        if len(a) >= digits and a[:digits] == b[:digits]:
            return a[:digits]
    return ""


def _side(t: TenderRecord, flags: dict[int, list[Flag]]) -> dict[str, Any]:
    active = t.active_awards
    winners = sorted({s.name or s.key or "unnamed" for a in active for s in a.suppliers})
    sized = [a for a in active if a.suppliers and all(s.scale for s in a.suppliers)]
    small = [a for a in sized if all(s.scale in SMALL for s in a.suppliers)]
    awarded = [a.value for a in active if a.value is not None and a.currency == t.currency]
    total = sum(awarded, Decimal(0)) if awarded and len(awarded) == len(active) else None
    lot_counts = [count for _, count in t.lot_bid_counts]
    return {
        "tender_id": t.tender_id,
        "title": t.title,
        "buyer": t.buyer_name,
        "published_at": t.published_at.isoformat() if t.published_at else None,
        "value_amount": str(t.value) if t.value is not None else None,
        "currency": t.currency,
        "lots": t.lot_count,
        "method": t.method,
        "bid_count": t.bid_count,
        "bids_per_lot": round(sum(lot_counts) / len(lot_counts), 2) if lot_counts else None,
        "awards": len(active),
        "winners": winners,
        "small_supplier_awards": len(small) if sized else None,
        "size_known_awards": len(sized),
        "awarded_value": str(total) if total is not None else None,
        "awarded_to_estimate": (
            round(float(total / t.value), 4) if total is not None and t.value else None
        ),
        "flags": sorted({f.code for f in flags.get(t.tender_id, [])}),
    }


def cases_markdown(cases: Sequence[dict[str, Any]], notice: str, title: str) -> str:
    """The cases as a Markdown document: a table per pair, outcomes side by side."""
    lines = [f"# {title}", "", f"> {notice}", ""]
    if not cases:
        lines.append(
            "No comparable pair of a divided and an undivided requirement was found "
            "in the data selected."
        )
        return "\n".join(lines) + "\n"
    for number, case in enumerate(cases, start=1):
        d, w = case["divided"], case["undivided"]
        lines += [
            f"## {number}. {case['kind']}: divided vs not divided",
            "",
            "Comparable because " + "; ".join(case["why_comparable"]) + ".",
            "",
            "| | divided into lots | not divided |",
            "|---|---|---|",
        ]
        for label, key in _ROWS:
            lines.append(f"| {label} | {_cell(d, key)} | {_cell(w, key)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


_ROWS = (
    ("tender", "title"),
    ("Lotwise id", "tender_id"),
    ("buyer", "buyer"),
    ("published", "published_at"),
    ("estimated value", "value_amount"),
    ("lots", "lots"),
    ("procedure", "method"),
    ("bids (whole tender)", "bid_count"),
    ("bids per lot", "bids_per_lot"),
    ("awards", "awards"),
    ("winners", "winners"),
    ("won by small suppliers", "small_supplier_awards"),
    ("awarded value", "awarded_value"),
    ("awarded / estimate", "awarded_to_estimate"),
    ("integrity flags (reasons to look)", "flags"),
)


def _cell(side: dict[str, Any], key: str) -> str:
    value = side.get(key)
    if key in ("value_amount", "awarded_value") and value is not None:
        return f"{Decimal(value):,.0f} {side.get('currency') or ''}".strip()
    if key == "published_at" and value:
        return str(value)[:10]
    if key == "lots" and isinstance(value, int) and value < 2:
        return "not divided"
    if key == "small_supplier_awards":
        known = side.get("size_known_awards") or 0
        return "size not published" if value is None else f"{value} of {known}"
    if key == "flags":
        titles = [rule.title for code in value or [] if (rule := rule_of(code))]
        return "; ".join(titles) or "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if key == "awarded_to_estimate" and value is not None:
        return f"{value:.0%}"
    return _escape("unknown" if value is None else str(value))


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
