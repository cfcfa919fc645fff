"""Is a pair of notices one opportunity? A shared identifier says so outright; otherwise a
weighted fuzzy score over title, buyer, deadline and value, with gates and vetoes. Every
answer carries its reasons: which fields matched, with which scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from scanner.dedupe.config import DedupeConfig
from scanner.dedupe.records import Record


@dataclass(frozen=True)
class PairScore:
    """`merge` says whether the pair is one opportunity; `method` is `identifier` or `fuzzy`;
    `reasons` list each field with its score and what decided."""

    merge: bool
    method: str
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "merge": self.merge,
            "method": self.method,
            "score": round(self.score, 3),
            "reasons": self.reasons,
        }


def similarity(a: str, b: str) -> float:
    """Word-order-insensitive similarity, 0..1 (token_sort, not token_set: a subset of words
    is not a match)."""
    if not a or not b:
        return 0.0
    return float(fuzz.token_sort_ratio(a, b)) / 100.0


def shared_identifiers(a: Record, b: Record) -> list[dict[str, Any]]:
    """Identifiers naming both notices, with where each was found."""
    found: list[dict[str, Any]] = []
    for identifier in sorted(a.ids.own & b.ids.own):
        found.append({"identifier": identifier, "found_in": "both notices"})
    for this, other in ((a, b), (b, a)):
        for identifier, where in this.ids.refs:
            if identifier in other.ids.own:
                found.append({"identifier": identifier, "found_in": f"#{this.id} {where}"})
    return found


def score_pair(a: Record, b: Record, config: DedupeConfig) -> PairScore:
    """Score one pair; never raises on missing fields (a missing field is not counted)."""
    title = similarity(a.title, b.title)
    shared = shared_identifiers(a, b)
    if shared:
        only_refs = not (a.ids.own & b.ids.own)
        if only_refs and title < config.identifier_title_min:
            reason = _reason(
                "identifier",
                0.0,
                False,
                f"{shared[0]['identifier']} cross-referenced "
                f"but titles differ ({title:.2f} < {config.identifier_title_min})",
            )
            return PairScore(False, "identifier", title, [reason])
        reasons = [
            _reason("identifier", 1.0, True, f"{s['identifier']} ({s['found_in']})") for s in shared
        ]
        return PairScore(True, "identifier", 1.0, reasons)
    return _fuzzy(a, b, title, config)


def _fuzzy(a: Record, b: Record, title: float, config: DedupeConfig) -> PairScore:
    weights = config.weight
    reasons = [
        _reason("title", title, title >= config.title_min, f"{title:.2f} (min {config.title_min})")
    ]
    scores = {"title": title}
    ok = title >= config.title_min
    if _marks_differ(a.marks, b.marks):
        ok = False
        reasons.append(
            _reason(
                "title numbers",
                0.0,
                False,
                f"{', '.join(sorted(a.marks)) or 'none'} vs {', '.join(sorted(b.marks)) or 'none'}",
            )
        )
    if a.buyer and b.buyer:
        # Compared without the generic words, else "York County Council" reads 0.8 like
        # "Exeter County Council"; the full names when one is all generic ("NHS England").
        if a.buyer_core and b.buyer_core:
            buyer = similarity(a.buyer_core, b.buyer_core)
        else:
            buyer = similarity(a.buyer, b.buyer)
        scores["buyer"] = buyer
        passed = buyer >= config.buyer_min
        ok &= passed
        reasons.append(_reason("buyer", buyer, passed, f"{buyer:.2f} (min {config.buyer_min})"))
    if a.deadline is not None and b.deadline is not None:
        days = abs((a.deadline - b.deadline).total_seconds()) / 86400
        window = config.deadline_window_days
        deadline = max(0.0, 1.0 - days / (window + 1)) if days > 0.5 else 1.0
        passed = days <= window + 0.5
        ok &= passed
        scores["deadline"] = deadline
        reasons.append(
            _reason("deadline", deadline, passed, f"{days:.1f} days apart (max {window})")
        )
    if a.value is not None and b.value is not None and (a.value > 0 or b.value > 0):
        big = max(abs(a.value), abs(b.value))
        diff = float(abs(a.value - b.value) / big)
        value = max(0.0, 1.0 - diff)
        passed = diff <= config.value_max_difference
        ok &= passed
        scores["value"] = value
        reasons.append(
            _reason(
                "value",
                value,
                passed,
                f"{diff:.0%} apart in the reporting currency (max {config.value_max_difference:.0%})",
            )
        )
    total = sum(weights.get(name, 0.0) for name in scores)
    score = sum(weights.get(n, 0.0) * s for n, s in scores.items()) / total if total else 0.0
    merge = ok and score >= config.merge_score
    reasons.append(
        _reason(
            "score",
            score,
            score >= config.merge_score,
            f"{score:.2f} weighted over {', '.join(scores)} (min {config.merge_score})",
        )
    )
    return PairScore(merge, "fuzzy", score, reasons)


def _reason(field_name: str, score: float, passed: bool, detail: str) -> dict[str, Any]:
    return {"field": field_name, "score": round(score, 3), "passed": passed, "detail": detail}


def _marks_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Lots must agree even when one title names none (a lot is a part, not the whole);
    numbers such as years or references only when both titles have some."""
    lots_a = {m for m in a if m.startswith("lot ")}
    lots_b = {m for m in b if m.startswith("lot ")}
    if lots_a != lots_b:
        return True
    return bool(a and b and a != b)
