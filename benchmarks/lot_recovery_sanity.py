"""Lot recovery, the sanity set: real single-lot Prozorro tenders whose items are one lot by
construction (the shared sample folds a single lot into the tender and leaves out every tender
with two or more lots). How often does the splitter divide what the buyer kept whole?

Measured three ways, beside the trivial answers: how often the splitter *says* "split"
(`should_split`), how often it *proposes* two packages or more (an optional proposal), and the
B-cubed F1 of its item partition against the single lot. Broken down by procedure type:
`reporting` is a direct award, `priceQuotation` a selective e-catalogue procedure.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from lot_recovery_cases import Proposal
from lot_recovery_match import bcubed_f1, clusters

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import iter_file_releases
from scanner.ingest.tender import NormalisedTender

SAMPLE = Path("prozorro") / "prozorro_lviv_2026-10_release_package.json.gz"
Answer = Callable[[NormalisedTender], list[Proposal]]


def sanity_tenders(shared: Path) -> list[NormalisedTender]:
    """The single-lot Prozorro tenders with two items or more (every one, in file order)."""
    path = shared / "samples" / SAMPLE
    if not path.is_file():
        return []
    limit = int(os.environ.get("LOTWISE_SANITY_LIMIT", "0")) or None
    tenders = []
    for release in iter_file_releases(path):
        tender = normalise_release(release, source="sanity")
        if len(tender.items) >= 2 and len(tender.lots) <= 1:
            tenders.append(tender)
            if limit and len(tenders) >= limit:
                break
    return tenders


def print_sanity(
    tenders: list[NormalisedTender],
    answers: dict[str, Answer],
    says_split: Callable[[NormalisedTender], bool],
) -> None:
    print(
        "\n(c) sanity: single-lot Prozorro tenders (items one lot by construction), "
        f"{len(tenders)} with two items or more"
    )
    if not tenders:
        print("  sample not found: nothing measured")
        return
    print(f"  {'answer':<17} {'B3 F1':>6} {'2+ pkgs':>8} {'split':>6}")
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for name, answer in answers.items():
        f1 = several = split = 0.0
        for tender in tenders:
            ids = [i.id for i in tender.items]
            predicted = clusters(answer(tender), ids)
            f1 += bcubed_f1(predicted, {i: 0 for i in ids})
            divided = len({predicted[i] for i in ids}) >= 2
            several += divided
            if name == "splitter":
                said = says_split(tender)
                split += said
                kind = tender.procedure_type or "unknown"
                by_type[kind].update(tenders=1, divided=int(divided), split=int(said))
        n = len(tenders)
        shown = f"{split / n:6.1%}" if name == "splitter" else ""
        print(f"  {name:<17} {f1 / n:6.3f} {several / n:8.1%} {shown:>6}")
    print("  splitter by procedure type (tenders; proposes 2+ packages; says split):")
    for kind, counts in sorted(by_type.items(), key=lambda kv: -kv[1]["tenders"]):
        n = counts["tenders"]
        print(f"    {kind:<18} {n:>5}  {counts['divided'] / n:6.1%}  {counts['split'] / n:6.1%}")
