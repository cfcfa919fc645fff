"""Naive rankings scored against the labelled set: the floor any matcher must beat.

    .venv/bin/python benchmarks/match_labels/baselines.py [--profiles]

- random:   every tender in a seeded random order (what chance scores; unjudged count as 0)
- open:     open tenders only, newest deadline last (a gate and nothing else)
- keywords: open tenders holding at least one profile keyword in title, description or lot
            titles, by how many keywords they hold (plain text overlap, no region or value)
- gated:    `keywords` kept only when in the profile's regions (or a country it serves) and when
            the value or a lot's value is within 0.5x..2.5x of the profile's range

None of these produced the labels; they only show how far simple rules get.
"""

from __future__ import annotations

import random
import sys
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.evaluation.demo_corpus import load_demo_tenders
from scanner.evaluation.ranking import evaluate, format_report, load_labels
from scanner.ingest.tender import NormalisedTender

HERE = Path(__file__).resolve().parent
ORGANISATIONS = HERE.parents[1] / "scanner" / "demo" / "organisations.toml"
OPEN = {"active", "planned"}
TO_GBP = {"GBP": Decimal(1), "EUR": Decimal("0.86"), "USD": Decimal("0.79")}  # rough, for ranges
Ranker = Callable[[dict[str, Any], list[NormalisedTender]], list[str]]


def _text(t: NormalisedTender) -> str:
    return f"{t.title} {t.description or ''} {' '.join(lot.title or '' for lot in t.lots)}".lower()


def rank_random(org: dict[str, Any], tenders: list[NormalisedTender]) -> list[str]:
    keys = [t.ocid or t.source_key for t in tenders]
    random.Random(org["id"]).shuffle(keys)
    return keys


def rank_open(org: dict[str, Any], tenders: list[NormalisedTender]) -> list[str]:
    found = [t for t in tenders if t.status in OPEN]
    return [t.source_key for t in sorted(found, key=lambda t: str(t.deadline_at))]


def rank_keywords(org: dict[str, Any], tenders: list[NormalisedTender]) -> list[str]:
    words = [k.lower() for k in org.get("keywords", [])]
    hits = [(sum(w in _text(t) for w in words), t) for t in tenders if t.status in OPEN]
    return [t.source_key for n, t in sorted(hits, key=lambda h: -h[0]) if n > 0]


def _fits(org: dict[str, Any], t: NormalisedTender) -> bool:
    countries = {r for r in org["regions"] if len(r) == 2}
    codes = [r for r in org["regions"] if len(r) > 2]
    here = bool(countries & set(t.countries)) or any(
        r.startswith(c) or c.startswith(r) for r in t.regions for c in codes
    )
    rate = TO_GBP[org.get("currency", "GBP")]
    low = Decimal(org["value_min"]) * rate / 2
    high = Decimal(org["value_max"]) * rate * Decimal("2.5")
    values = [v for v in (t.value_amount, *(lot.value_amount for lot in t.lots)) if v is not None]
    return here and (not values or any(low <= v <= high for v in values))


def rank_gated(org: dict[str, Any], tenders: list[NormalisedTender]) -> list[str]:
    by_key = {t.source_key: t for t in tenders}
    return [key for key in rank_keywords(org, tenders) if _fits(org, by_key[key])]


RANKERS: dict[str, Ranker] = {
    "random": rank_random,
    "open": rank_open,
    "keywords": rank_keywords,
    "gated": rank_gated,
}


def main(show_profiles: bool) -> None:
    corpus = load_demo_tenders()
    tenders = list(corpus.values())
    orgs = tomllib.loads(ORGANISATIONS.read_text(encoding="utf-8"))["organisation"]
    labels = load_labels(HERE / "labels.toml", {o["id"] for o in orgs}, set(corpus))
    counts = labels.counts()
    print(
        f"{len(labels.profiles)} profiles, {sum(counts.values())} judged pairs "
        f"(2: {counts[2]}, 1: {counts[1]}, 0: {counts[0]}), {len(tenders)} tenders\n"
    )
    print(
        f"{'ranker':10} {'P@5':>5} {'P@10':>5} {'P@10 (2 only)':>13} {'NDCG@5':>7} {'NDCG@10':>8}"
    )
    for name, ranker in RANKERS.items():
        rankings = {o["id"]: ranker(o, tenders) for o in orgs}
        report = evaluate(rankings, labels)
        strict = evaluate(rankings, labels, min_grade=2)
        print(
            f"{name:10} {report.macro_precision[5]:5.2f} {report.macro_precision[10]:5.2f} "
            f"{strict.macro_precision[10]:13.2f} {report.macro_ndcg[5] or 0:7.2f} "
            f"{report.macro_ndcg[10] or 0:8.2f}"
        )
        if show_profiles and name == "gated":
            print("\n" + format_report(report, title="gated, per profile") + "\n")


if __name__ == "__main__":
    main("--profiles" in sys.argv[1:])
