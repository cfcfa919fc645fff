"""Lot recovery: hide the buyer's lots of real multi-lot tenders, run the splitter, compare.

Two measures, chosen by how the buyer's lots hold the items:
(a) lots hold several items (Paraguay): lots hidden, items kept with `related_lot=None`; the
    packages' item partition is compared with the buyer's (B-cubed F1 and adjusted Rand index);
(b) each lot is one item (UK OCDS, TED): lots *and* items hidden; the splitter gets what an
    undivided notice would carry (title, whole-tender description, value, the CPV codes and
    regions of the whole requirement, never a lot's title or description); packages are
    matched one-to-one with the buyer's lots (Hungarian assignment on CPV agreement and title
    and description similarity) for lot-level precision and recall, pooled over all lots and
    as the mean over tenders (one 652-lot notice would otherwise decide the pooled figure).
    Time increments of one package count as that package: they divide time, not subject.
Beside the splitter, the trivial answers measured the same way in the same process: everything
in one package, every item (in (b) every listed CPV code) alone, one package per CPV division.
Also the "split" rate, agreement with the hand-labelled set in `split_labels/`, and
assessments per second on one core. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_lot_recovery.py [--threshold 0.5] [--seconds 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import os
import re
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, utils

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import iter_file_releases
from scanner.ingest.tender import Classification, NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LOTWISE_SHARED_DIR", REPO.parent / "shared"))
LABELS = REPO / "benchmarks" / "split_labels"
THRESHOLDS = load_thresholds(REPO / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# A package matches a lot when 0.3 * CPV agreement + 0.7 * text similarity reaches this
# (fixed before measuring; `--threshold` shows how the figures move with it).
MATCH_THRESHOLD = 0.5
CPV_WEIGHT = 0.3
TEXT_CHARS = 300

OCDS_CORPORA = {
    "pcs_scotland": "Scotland (PCS)",
    "sell2wales": "Wales (Sell2Wales)",
    "find_a_tender": "Find a Tender",
    "paraguay": "Paraguay (DNCP)",
    "armenia": "Armenia (PPS)",
}


@dataclass(frozen=True)
class Proposal:
    """One proposed package, reduced to what is compared: text, codes and items."""

    title: str
    scope: str
    codes: tuple[str, ...]
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One real multi-lot tender: as published, and the buyer's division to recover."""

    corpus: str
    tender: NormalisedTender
    gold_items: tuple[tuple[str, ...], ...]  # (a): item ids per lot
    gold_lots: tuple[Proposal, ...]  # (b): each lot's title, description and codes

    @property
    def several_items_per_lot(self) -> bool:
        return any(len(group) >= 2 for group in self.gold_items)


# -- loading ----------------------------------------------------------------------------------


def load_cases() -> tuple[list[Case], list[str]]:
    """Every multi-lot tender of the shared samples, and notes on what could not be read."""
    cases: list[Case] = []
    notes: list[str] = []
    folder = SHARED / "samples" / "multi-lot-ocds"
    for path in sorted(folder.glob("*.json")):
        corpus = next((n for k, n in OCDS_CORPORA.items() if path.name.startswith(k)), path.stem)
        for release in iter_file_releases(path):
            cases.extend(_case(corpus, normalise_release(release, source="bench")))
    for corpus, module, func, sub in (
        ("TED eForms", "scanner.ingest.eforms", "parse_eforms_notice", "multi-lot-eforms"),
        ("TED XML R2.0.9", "scanner.ingest.ted_xml", "parse_ted_notice", "multi-lot-ted-xml"),
    ):
        try:
            parse = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            notes.append(f"{corpus}: not measured ({module}.{func} unavailable: {exc})")
            continue
        failed = 0
        for path in sorted((SHARED / "samples" / sub).glob("*.xml")):
            try:
                tenders = parse(path.read_bytes())
            except Exception as exc:  # a parser error costs the notice, not the benchmark
                failed += 1
                notes.append(f"{corpus}: {path.name} not parsed ({type(exc).__name__}: {exc})")
                continue
            for tender in tenders if isinstance(tenders, list | tuple) else [tenders]:
                cases.extend(_case(corpus, tender))
        if failed:
            notes.append(f"{corpus}: {failed} notices not parsed")
    return cases, notes


def _case(corpus: str, tender: NormalisedTender) -> list[Case]:
    if len(tender.lots) < 2:
        return []
    gold_items, gold_lots = [], []
    for lot in tender.lots:
        wanted = set(lot.related_items)
        items = [i for i in tender.items if i.related_lot == lot.lot_id or i.id in wanted]
        gold_items.append(tuple(i.id for i in items))
        codes = [c.code for c in lot.classifications] + [
            c.code for i in items for c in i.classifications
        ]
        gold_lots.append(
            Proposal(lot.title or "", lot.description or "", tuple(dict.fromkeys(codes)), ())
        )
    return [Case(corpus, tender, tuple(gold_items), tuple(gold_lots))]


# -- hiding -----------------------------------------------------------------------------------


def _raw_without_lots(raw: dict[str, Any], *, items: bool) -> dict[str, Any]:
    """The raw release without lots (and items): the splitter reads durations from it."""
    tender = raw.get("tender")
    if not isinstance(tender, dict):
        return {}
    drop = {"lots", "lotDetails", "lotGroups"} | ({"items"} if items else set())
    return {**raw, "tender": {k: v for k, v in tender.items() if k not in drop}}


def hide_lots(tender: NormalisedTender) -> NormalisedTender:
    """(a): no lots, items kept but no longer saying which lot they were in."""
    return dataclasses.replace(
        tender,
        lots=(),
        items=tuple(dataclasses.replace(i, related_lot=None) for i in tender.items),
        raw=_raw_without_lots(tender.raw, items=False),
    )


def hide_lots_and_items(tender: NormalisedTender) -> NormalisedTender:
    """(b): what an undivided notice carries. Title, the whole-tender description, value,
    and the CPV codes and regions of the whole requirement (an undivided notice lists them all);
    no lot or item titles, descriptions or structure. A title or description that parsers
    took from a lot (when the notice has none of its own) is withheld too."""
    lot_texts = {t for lot in tender.lots for t in (lot.title, lot.description) if t}
    return dataclasses.replace(
        tender,
        title=tender.title if tender.title not in lot_texts else "Untitled requirement",
        description=tender.description if tender.description not in lot_texts else None,
        lots=(),
        items=(),
        raw=_raw_without_lots(tender.raw, items=True),
    )


# -- the answers compared ---------------------------------------------------------------------

Answer = Callable[[NormalisedTender], list[Proposal]]


def splitter(tender: NormalisedTender) -> list[Proposal]:
    return [_proposal(p) for p in run(tender).packages]


def run(tender: NormalisedTender) -> Assessment:
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def _proposal(package: Any) -> Proposal:
    codes = (package.cpv,) if package.cpv else ()
    return Proposal(package.title, package.scope, codes, tuple(package.item_ids))


def one_package(tender: NormalisedTender) -> list[Proposal]:
    codes = _codes(tender)
    ids = tuple(i.id for i in tender.items)
    return [Proposal(tender.title, tender.description or "", tuple(codes), ids)]


def each_alone(tender: NormalisedTender) -> list[Proposal]:
    """Every item alone; with items hidden, every listed code alone (the finest unit left)."""
    if tender.items:
        return [
            Proposal(i.description or tender.title, i.description or "", _item_codes(i), (i.id,))
            for i in tender.items
        ]
    labels = _labels(tender.classifications)
    return [Proposal(labels.get(c, c), labels.get(c, c), (c,), ()) for c in _codes(tender)]


def per_division(tender: NormalisedTender) -> list[Proposal]:
    """One package per CPV division (first two digits) of the items, else of the listed codes."""
    if tender.items:
        groups: dict[str, list[Any]] = defaultdict(list)
        for item in tender.items:
            codes = _item_codes(item)
            groups[codes[0][:2] if codes else ""].append(item)
        return [
            Proposal(
                next((i.description for i in items if i.description), tender.title),
                "; ".join(dict.fromkeys(i.description for i in items if i.description)),
                tuple(dict.fromkeys(c for i in items for c in _item_codes(i))),
                tuple(i.id for i in items),
            )
            for items in groups.values()
        ]
    labels = _labels(tender.classifications)
    divisions: dict[str, list[str]] = defaultdict(list)
    for code in _codes(tender):
        divisions[code[:2]].append(code)
    if not divisions:
        return one_package(tender)
    return [
        Proposal(
            labels.get(cs[0], tender.title), "; ".join(labels.get(c, c) for c in cs), tuple(cs), ()
        )
        for cs in divisions.values()
    ]


def _codes(tender: NormalisedTender) -> list[str]:
    return list(dict.fromkeys(c for c in (tender.main_cpv, *tender.cpv_codes) if c))


def _item_codes(item: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.code for c in item.classifications if c.code))


def _labels(classifications: Sequence[Classification]) -> dict[str, str]:
    return {c.code: c.description for c in classifications if c.description}


ANSWERS: dict[str, Answer] = {
    "splitter": splitter,
    "one package": one_package,
    "each alone": each_alone,
    "per CPV division": per_division,
}


# -- (a) partition agreement ------------------------------------------------------------------


def clusters(proposals: list[Proposal], item_ids: Sequence[str]) -> dict[str, int]:
    """Item -> cluster: the first package holding it (time increments repeat their items);
    items in no package are each their own cluster."""
    found: dict[str, int] = {}
    for k, proposal in enumerate(dict.fromkeys(p.item_ids for p in proposals if p.item_ids)):
        for item in proposal:
            found.setdefault(item, k)
    extra = len(proposals) + 1
    for item in item_ids:
        if item not in found:
            found[item], extra = extra, extra + 1
    return found


def bcubed_f1(predicted: dict[str, int], gold: dict[str, int]) -> float:
    items = list(gold)
    pred_sets: dict[int, set[str]] = defaultdict(set)
    gold_sets: dict[int, set[str]] = defaultdict(set)
    for i in items:
        pred_sets[predicted[i]].add(i)
        gold_sets[gold[i]].add(i)
    precision = recall = 0.0
    for i in items:
        same = len(pred_sets[predicted[i]] & gold_sets[gold[i]])
        precision += same / len(pred_sets[predicted[i]])
        recall += same / len(gold_sets[gold[i]])
    p, r = precision / len(items), recall / len(items)
    return 2 * p * r / (p + r) if p + r else 0.0


def adjusted_rand(predicted: dict[str, int], gold: dict[str, int]) -> float:
    items = list(gold)
    n = len(items)
    table = Counter((predicted[i], gold[i]) for i in items)
    a = Counter(predicted[i] for i in items)
    b = Counter(gold[i] for i in items)
    pairs = sum(math.comb(c, 2) for c in table.values())
    sum_a = sum(math.comb(c, 2) for c in a.values())
    sum_b = sum(math.comb(c, 2) for c in b.values())
    expected = sum_a * sum_b / math.comb(n, 2) if n > 1 else 0.0
    best = (sum_a + sum_b) / 2
    return 1.0 if best == expected else (pairs - expected) / (best - expected)


# -- (b) one-to-one matching ------------------------------------------------------------------


def cpv_agreement(ours: Sequence[str], theirs: Sequence[str]) -> float:
    """Shared leading digits of the closest pair of codes, out of five (the CPV category)."""
    best = 0
    for a in ours:
        for b in theirs:
            k = 0
            while k < 5 and k < len(a) and k < len(b) and a[k] == b[k]:
                k += 1
            best = max(best, k)
    return best / 5


def text_similarity(ours: Proposal, lot: Proposal) -> float:
    """The better of title against title and title+text against title+text (rapidfuzz
    token_sort_ratio; token_set_ratio is avoided, it gives 100 to any subset)."""
    a_title, b_title = utils.default_process(ours.title), utils.default_process(lot.title)
    a_text = utils.default_process(f"{ours.title} {ours.scope}"[:TEXT_CHARS])
    b_text = utils.default_process(f"{lot.title} {lot.scope}"[:TEXT_CHARS])
    return max(fuzz.token_sort_ratio(a_title, b_title), fuzz.token_sort_ratio(a_text, b_text)) / 100


def similarity(ours: Proposal, lot: Proposal) -> float:
    return CPV_WEIGHT * cpv_agreement(ours.codes, lot.codes) + (1 - CPV_WEIGHT) * text_similarity(
        ours, lot
    )


def assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost one-to-one assignment (Hungarian method with potentials, O(n^2 m),
    vectorised over columns); used because scipy is not a dependency."""
    flipped = cost.shape[0] > cost.shape[1]
    matrix = cost.T if flipped else cost
    n, m = matrix.shape
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=int)
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            current = matrix[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (current < minv[1:])
            minv[1:][better] = current[better]
            way[1:][better] = j0
            masked = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(masked)) + 1
            delta = masked[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    pairs = [(int(p[j]) - 1, j - 1) for j in range(1, m + 1) if p[j]]
    return [(b, a) for a, b in pairs] if flipped else pairs


_INCREMENT = re.compile(r" \(months \d+-\d+\)$")


def _key(proposal: Proposal) -> tuple[str, str]:
    """Time increments of one package count once: they divide its time, not its subject."""
    return _INCREMENT.sub("", proposal.title), proposal.scope


def matched(proposals: list[Proposal], lots: Sequence[Proposal], threshold: float) -> int:
    """How many lots a package matches one-to-one at or above the threshold."""
    if not proposals or not lots:
        return 0
    unique = list({_key(p): p for p in proposals}.values())
    sims = np.array([[similarity(p, lot) for lot in lots] for p in unique])
    gains = np.where(sims >= threshold, sims, 0.0)
    return sum(1 for r, c in assign(-gains) if sims[r, c] >= threshold)


# -- reporting --------------------------------------------------------------------------------


@dataclass
class Tally:
    tenders: int = 0
    bcubed: float = 0.0
    ari: float = 0.0
    packages: int = 0
    lots: int = 0
    hits: int = 0
    splits: int = 0
    tender_precision: float = 0.0  # summed per tender, for the macro average
    tender_recall: float = 0.0

    def add(self, other: Tally) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def measure(cases: list[Case], threshold: float) -> dict[tuple[str, str, str], Tally]:
    """(mode, corpus, answer) -> tally, every answer on the same hidden tenders."""
    tallies: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    for case in cases:
        mode = "a" if case.several_items_per_lot else "b"
        hidden = hide_lots(case.tender) if mode == "a" else hide_lots_and_items(case.tender)
        for name, answer in ANSWERS.items():
            proposals = answer(hidden)
            tally = Tally(tenders=1)
            if name == "splitter":
                tally.splits = int(run(hidden).should_split)
            if mode == "a":
                ids = [i.id for i in case.tender.items]
                gold = {i: k for k, group in enumerate(case.gold_items) for i in group}
                gold.update({i: len(gold) + 1000 + n for n, i in enumerate(ids) if i not in gold})
                predicted = clusters(proposals, ids)
                tally.bcubed, tally.ari = bcubed_f1(predicted, gold), adjusted_rand(predicted, gold)
            else:
                unique = {_key(p) for p in proposals}
                tally.packages, tally.lots = len(unique), len(case.gold_lots)
                tally.hits = matched(proposals, case.gold_lots, threshold)
                tally.tender_precision = tally.hits / tally.packages if tally.packages else 0.0
                tally.tender_recall = tally.hits / tally.lots
            tallies[(mode, case.corpus, name)].add(tally)
    return tallies


def print_tables(tallies: dict[tuple[str, str, str], Tally]) -> None:
    for mode, title in (
        ("a", "(a) lots of several items: lots hidden, items kept; item partition agreement"),
        (
            "b",
            "(b) one item per lot: lots and items hidden; packages matched one-to-one to lots\n"
            "    P, R pooled over all lots and packages; mP, mR the mean over tenders",
        ),
    ):
        corpora = sorted({c for m, c, _ in tallies if m == mode})
        if not corpora:
            print(f"\n{title}\n  no tenders")
            continue
        print(f"\n{title}")
        if mode == "a":
            print(
                f"  {'corpus':<20} {'answer':<17} {'tenders':>7} {'B3 F1':>6} {'ARI':>6} {'split':>6}"
            )
        else:
            print(
                f"  {'corpus':<20} {'answer':<17} {'tenders':>7} {'lots':>5} {'pkgs':>5} "
                f"{'P':>5} {'R':>5} {'F1':>5} {'mP':>5} {'mR':>5} {'split':>6}"
            )
        for corpus in [*corpora, "ALL"]:
            for name in ANSWERS:
                t = Tally()
                for c in corpora if corpus == "ALL" else [corpus]:
                    t.add(tallies.get((mode, c, name), Tally()))
                split = f"{t.splits / t.tenders:6.0%}" if name == "splitter" and t.tenders else ""
                if mode == "a":
                    print(
                        f"  {corpus:<20} {name:<17} {t.tenders:>7} {t.bcubed / t.tenders:6.3f} "
                        f"{t.ari / t.tenders:6.3f} {split:>6}"
                    )
                else:
                    p = t.hits / t.packages if t.packages else 0.0
                    r = t.hits / t.lots if t.lots else 0.0
                    f1 = 2 * p * r / (p + r) if p + r else 0.0
                    mp, mr = t.tender_precision / t.tenders, t.tender_recall / t.tenders
                    print(
                        f"  {corpus:<20} {name:<17} {t.tenders:>7} {t.lots:>5} {t.packages:>5} "
                        f"{p:5.2f} {r:5.2f} {f1:5.2f} {mp:5.2f} {mr:5.2f} {split:>6}"
                    )


# -- the labelled set -------------------------------------------------------------------------


def load_labels() -> list[dict[str, Any]]:
    with (LABELS / "labels.toml").open("rb") as handle:
        return list(tomllib.load(handle)["tender"])


def labelled_tender(label: dict[str, Any]) -> NormalisedTender | None:
    """The tender a label describes, in the view it was labelled in."""
    if "draft" in label:
        releases = list(iter_file_releases(LABELS / label["draft"]))
    else:
        path = SHARED / "samples" / label["sample"]
        if not path.is_file():
            return None
        releases = [r for r in iter_file_releases(path) if r.get("ocid") == label["ocid"]]
    if not releases:
        return None
    tender = normalise_release(releases[-1], source="labels")
    view = label.get("view", "as published")
    if view == "lots hidden":
        return hide_lots(tender)
    if view == "lots and items hidden":
        return hide_lots_and_items(tender)
    return tender


def label_agreement(threshold: float) -> None:
    if not (LABELS / "labels.toml").is_file():
        print(f"\nLabelled set: {LABELS / 'labels.toml'} not found")
        return
    labels = load_labels()
    confusion: Counter[tuple[bool, bool]] = Counter()
    partitions: list[float] = []
    named_hits = named_lots = named_pkgs = 0
    missing = []
    for label in labels:
        tender = labelled_tender(label)
        if tender is None:
            missing.append(label["id"])
            continue
        result = run(tender)
        confusion[(bool(label["should_split"]), result.should_split)] += 1
        if "groups" in label and tender.items:
            ids = [i.id for i in tender.items]
            gold = {i: k for k, g in enumerate(label["groups"]) for i in g}
            gold.update({i: 10_000 + n for n, i in enumerate(ids) if i not in gold})
            predicted = clusters([_proposal(p) for p in result.packages], ids)
            partitions.append(bcubed_f1(predicted, gold))
        if "packages" in label:
            expected = [Proposal(name, "", (), ()) for name in label["packages"]]
            proposals = [_proposal(p) for p in result.packages]
            named_hits += matched(proposals, expected, threshold)
            named_lots += len(expected)
            named_pkgs += len({_key(p) for p in proposals})
    tp, fp = confusion[(True, True)], confusion[(False, True)]
    fn, tn = confusion[(True, False)], confusion[(False, False)]
    total = tp + fp + fn + tn
    print(f"\nLabelled set ({LABELS.relative_to(REPO)}/labels.toml): {total} tenders labelled")
    if missing:
        print(f"  skipped (sample absent): {', '.join(missing)}")
    if total:
        print(
            f"  should_split: accuracy {(tp + tn) / total:.2f}, precision "
            f"{tp / (tp + fp) if tp + fp else 0:.2f}, recall {tp / (tp + fn) if tp + fn else 0:.2f} "
            f"(TP {tp}, FP {fp}, FN {fn}, TN {tn}; labelled split {tp + fn}/{total})"
        )
        always = (tp + fn) / total
        print(f"  trivial 'always split' accuracy {always:.2f}, 'never split' {1 - always:.2f}")
    if partitions:
        print(
            f"  item partition (B-cubed F1), {len(partitions)} labelled: {np.mean(partitions):.3f}"
        )
    if named_lots:
        p = named_hits / named_pkgs if named_pkgs else 0.0
        print(
            f"  named packages, {named_lots} expected: matched {named_hits} "
            f"(recall {named_hits / named_lots:.2f}, precision {p:.2f})"
        )


# -- speed ------------------------------------------------------------------------------------


def speed(tenders: list[NormalisedTender], seconds: float) -> float:
    """Assessments per second on one core (this process is single-threaded)."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for tender in tenders:
            run(tender)
        count += len(tenders)
    return count / (time.perf_counter() - start)


def _iter_thresholds(main: float) -> Iterator[float]:
    yield from sorted({round(main - 0.1, 2), main, round(main + 0.1, 2)})


def report(cases: list[Case], threshold: float) -> None:
    """The recovery tables, their sensitivity to the threshold, and the labelled set."""
    print(
        f"Match threshold {threshold} (similarity = {CPV_WEIGHT} CPV + {1 - CPV_WEIGHT:.1f} text)"
    )
    print_tables(measure(cases, threshold))
    print("\nSensitivity of (b), all corpora, splitter vs the trivial answers:")
    for level in _iter_thresholds(threshold):
        tallies = measure([c for c in cases if not c.several_items_per_lot], level)
        row = []
        for name in ANSWERS:
            s = Tally()
            for (_mode, _corpus, n), v in tallies.items():
                if n == name:
                    s.add(v)
            p = s.hits / s.packages if s.packages else 0.0
            r = s.hits / s.lots if s.lots else 0.0
            mr = s.tender_recall / s.tenders if s.tenders else 0.0
            row.append(f"{name} P {p:.2f} R {r:.2f} mR {mr:.2f}")
        print(f"  threshold {level:.2f}: " + "; ".join(row))
    label_agreement(threshold)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--speed-only", action="store_true", help="skip the recovery figures")
    args = parser.parse_args(argv)
    if not (SHARED / "samples").is_dir():
        print(f"skipped: shared samples not found at {SHARED / 'samples'} (set LOTWISE_SHARED_DIR)")
        return 0
    cases, notes = load_cases()
    lots = sum(len(c.tender.lots) for c in cases)
    print(f"Lot recovery on {len(cases)} real multi-lot tenders ({lots} lots)")
    for note in notes:
        print(f"  note: {note}")
    if not args.speed_only:
        report(cases, args.threshold)
    hidden = [
        hide_lots(c.tender) if c.several_items_per_lot else hide_lots_and_items(c.tender)
        for c in cases
    ]
    published = [c.tender for c in cases]
    print(f"\nSpeed on one core (Python {sys.version.split()[0]}), assessments/s:")
    print(f"  undivided (the hidden tenders above): {speed(hidden, args.seconds):,.0f}")
    print(f"  as published (up to 652 lots each):   {speed(published, args.seconds):,.0f}")
    print(f"  both together:                        {speed(hidden + published, args.seconds):,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
