"""Cross-source de-duplication: time at scale with blocking against an all-pairs baseline, and
precision/recall of merges on the hand-labelled pairs of real-format notices.

    .venv/bin/python benchmarks/bench_dedupe.py [--tenders 100000] [--sample 2000]

1. Labelled pairs (benchmarks/dedupe_labels/pairs.json, built from cases.toml): each notice is
   normalised by the real OCDS normaliser, its value converted with config/rates.toml, its
   identifiers extracted, and the pair scored with config/dedupe.toml.
2. Scale: a synthetic corpus (scanner/dedupe/synthetic.py) of `--tenders` notices, 10 %
   cross-posted with retyped titles and buyers, 5 % hard negatives (other lot or year, same
   buyer and deadline), de-duplicated with blocking; then a `--sample` corpus both with blocking
   and all pairs in this same process, and the all-pairs time extrapolated (quadratic).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.dedupe import (  # noqa: E402
    DedupeConfig,
    Grouping,
    Record,
    deduplicate,
    identifiers_of,
    load_dedupe_config,
    make_record,
    score_pair,
)
from scanner.dedupe.grouping import pair_key  # noqa: E402
from scanner.dedupe.synthetic import corpus  # noqa: E402
from scanner.ingest.normalise import normalise_release  # noqa: E402
from scanner.orgs import RateTable, load_rates  # noqa: E402
from scanner.services.dedupe import convert  # noqa: E402

LABELS = ROOT / "benchmarks" / "dedupe_labels" / "pairs.json"


def record_of(
    side: dict[str, Any], record_id: int, rates: RateTable, config: DedupeConfig
) -> Record:
    tender = normalise_release(side["release"], source=side["source"])
    on = tender.published_at or tender.updated_at or datetime.now(UTC)
    value, _ = convert(tender.value_amount, tender.currency, rates, on)
    ids = identifiers_of(
        source=side["source"],
        ocid=tender.ocid,
        notice_id=tender.notice_id,
        notice_url=tender.notice_url,
        description=tender.description,
        raw=tender.raw,
        related_relationships=config.related_relationships,
    )
    return make_record(
        id=record_id,
        source=side["source"],
        title=tender.title,
        buyer=tender.buyer_name,
        deadline=tender.deadline_at,
        value=value,
        ids=ids,
    )


def labelled(config: DedupeConfig, rates: RateTable) -> None:
    pairs = json.loads(LABELS.read_text(encoding="utf-8"))
    tp = fp = fn = tn = 0
    print(f"Labelled pairs ({LABELS.relative_to(ROOT)}): {len(pairs)}")
    print(
        f"{'case':>4}  {'label':<9} {'merged':<6} {'how':<10} {'score':>5}  note / deciding reason"
    )
    for pair in pairs:
        a = record_of(pair["a"], 1, rates, config)
        b = record_of(pair["b"], 2, rates, config)
        scored = score_pair(a, b, config)
        same, merged = pair["same"], scored.merge
        tp += same and merged
        fp += (not same) and merged
        fn += same and not merged
        tn += (not same) and not merged
        failed = [r for r in scored.reasons if not r["passed"]]
        why = failed[0] if failed else scored.reasons[0]
        mark = "" if same == merged else "  <-- WRONG"
        print(
            f"{pair['case']:>4}  {'same' if same else 'different':<9} {merged!s:<6} "
            f"{scored.method:<10} {scored.score:>5.2f}  {pair['note']}; "
            f"{why['field']}: {why['detail']}{mark}"
        )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"\nMerges on labelled pairs: precision {precision:.3f}, recall {recall:.3f} "
        f"(TP {tp}, FP {fp}, FN {fn}, TN {tn})\n"
    )


def group_pairs(grouping: Grouping) -> set[tuple[int, int]]:
    return {pair_key(a, b) for m in grouping.members.values() for a, b in combinations(m, 2)}


def scale(config: DedupeConfig, tenders: int, sample: int) -> None:
    started = time.perf_counter()
    records, truth = corpus(tenders)
    made = time.perf_counter() - started
    started = time.perf_counter()
    grouping, _ = deduplicate(records, config, blocking=True)
    blocked = time.perf_counter() - started
    found = group_pairs(grouping)
    hit = len(found & truth)
    print(
        f"Synthetic corpus: {tenders:,} tenders ({len(truth):,} cross-posted pairs), built in {made:.1f} s"
    )
    print(
        f"  blocked:   {blocked:6.2f} s  {tenders / blocked:,.0f} tenders/s  "
        f"{len(found):,} pairs merged; precision {hit / max(1, len(found)):.4f}, "
        f"recall {hit / max(1, len(truth)):.4f}"
    )
    small, _ = corpus(sample, seed=11)
    started = time.perf_counter()
    small_blocked, _ = deduplicate(small, config, blocking=True)
    t_blocked = time.perf_counter() - started
    started = time.perf_counter()
    small_all, _ = deduplicate(small, config, blocking=False)
    t_all = time.perf_counter() - started
    same = group_pairs(small_blocked) == group_pairs(small_all)
    print(
        f"Sample of {sample:,} (same process): blocked {t_blocked:.3f} s, all pairs {t_all:.2f} s "
        f"({t_all / max(t_blocked, 1e-9):,.0f}x); same merges: {same}"
    )
    projected = t_all * (tenders / sample) ** 2
    print(
        f"  all pairs projected to {tenders:,}: {projected / 3600:,.1f} h "
        f"({projected / blocked:,.0f}x the blocked run)"
    )


def database(config: DedupeConfig, rates: RateTable, tenders: int) -> None:
    """The stored refresh on SQLite: first placement of every tender, a refresh with nothing
    to do, and one after 1 % of the tenders changed (only those are re-blocked)."""
    import tempfile

    from sqlalchemy import text

    from scanner.ingest.tender import NormalisedTender
    from scanner.services.dedupe import CanonicalConfig, refresh_canonical
    from scanner.storage.crawls import ensure_source
    from scanner.storage.database import make_engine, upgrade_schema
    from scanner.storage.tenders import store_tenders

    now = datetime(2026, 11, 27, tzinfo=UTC)
    records, _ = corpus(tenders, seed=5)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite")
        upgrade_schema(engine)
        with engine.begin() as conn:
            for source in ("fts", "cf"):
                source_id = ensure_source(conn, name=source, kind="file", url="file:", now=now)
                rows = [
                    NormalisedTender(
                        source=source,
                        source_key=str(r.id),
                        title=r.title,
                        buyer_name=r.buyer,
                        deadline_at=r.deadline,
                        value_amount=r.value,
                        currency="GBP",
                        status="active",
                        published_at=now,
                    )
                    for r in records
                    if r.source == source
                ]
                store_tenders(conn, source_id=source_id, tenders=rows, now=now)
        both = CanonicalConfig(config, rates)
        for label in ("first refresh (every tender)", "second refresh (nothing changed)"):
            counts = refresh_canonical(engine, both, now)
            print(
                f"  {label:<34} {counts.seconds:6.2f} s  {counts.refreshed:>7,} placed, "
                f"{counts.merged:,} merged"
            )
        with engine.begin() as conn:
            conn.execute(text("UPDATE tenders SET version = version + 1 WHERE id % 100 = 0"))
        counts = refresh_canonical(engine, both, now)
        print(
            f"  {'after 1 % of tenders changed':<34} {counts.seconds:6.2f} s  "
            f"{counts.refreshed:>7,} placed, {counts.merged:,} merged"
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--stored", type=int, default=20_000, help="tenders for the SQLite part")
    args = parser.parse_args()
    config = load_dedupe_config(ROOT / "config" / "dedupe.toml")
    rates = load_rates(ROOT / "config" / "rates.toml")
    labelled(config, rates)
    scale(config, args.tenders, args.sample)
    print(f"\nStored refresh (refresh_canonical on SQLite, {args.stored:,} tenders, two sources):")
    database(config, rates, args.stored)


if __name__ == "__main__":
    main()
