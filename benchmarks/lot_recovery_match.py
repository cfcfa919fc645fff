"""Lot recovery, the measures: item-partition agreement for (a), one-to-one matching of
packages with the buyer's lots for (b).

Kept apart from the splitter and from the report so the scoring can be read (and checked)
on its own: nothing here knows which answer produced the proposals.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
from lot_recovery_cases import Proposal
from rapidfuzz import fuzz, utils

# A package matches a lot when 0.3 * CPV agreement + 0.7 * text similarity reaches this
# (fixed before measuring; `--threshold` shows how the figures move with it).
MATCH_THRESHOLD = 0.5
CPV_WEIGHT = 0.3
TEXT_CHARS = 300


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


def text_similarity(ours: Proposal, lot: Proposal, given: Sequence[str] = ()) -> float:
    """The better of title against title and title+text against title+text (rapidfuzz
    token_sort_ratio; token_set_ratio is avoided, it gives 100 to any subset).

    `given`: the texts the splitter was given whole (the notice's title and description). With
    them, echo-free scoring removes each whole occurrence from both sides first, so a package
    that only repeats the notice cannot match a lot whose description repeats it too; a
    fragment the splitter picked out of the description still counts."""
    texts = [ours.title, ours.scope, lot.title, lot.scope]
    echoes = {" ".join(g.split()) for g in given if g}  # spacing differences do not hide an echo
    if echoes:
        texts = [" ".join(t.split()) for t in texts]
    for echo in sorted((e for e in echoes if len(e) >= 8), key=len, reverse=True):
        texts = [t.replace(echo, " ") for t in texts]
    a_title, a_scope, b_title, b_scope = texts
    a_text = f"{a_title} {a_scope}"[:TEXT_CHARS]
    b_text = f"{b_title} {b_scope}"[:TEXT_CHARS]
    return max(_ratio(a_title, b_title), _ratio(a_text, b_text)) / 100


def _ratio(a: str, b: str) -> float:
    """token_sort_ratio, but nothing for an empty side: rapidfuzz gives 100 to two empty
    strings, which would let two texts that were all echo match each other."""
    a, b = utils.default_process(a), utils.default_process(b)
    return fuzz.token_sort_ratio(a, b) if a and b else 0.0


def similarity(ours: Proposal, lot: Proposal, given: Sequence[str] = ()) -> float:
    """0.3 x CPV agreement + 0.7 x text similarity (echo-free when `given` is passed)."""
    text = text_similarity(ours, lot, given)
    return CPV_WEIGHT * cpv_agreement(ours.codes, lot.codes) + (1 - CPV_WEIGHT) * text


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


def key(proposal: Proposal) -> tuple[str, str]:
    """Time increments of one package count once: they divide its time, not its subject."""
    return _INCREMENT.sub("", proposal.title), proposal.scope


def distinct(proposals: Sequence[Proposal]) -> list[Proposal]:
    """The packages counted: one per subject, whatever the number of time increments."""
    return list({key(p): p for p in proposals}.values())


def match_pairs(
    proposals: Sequence[Proposal],
    lots: Sequence[Proposal],
    threshold: float,
    given: Sequence[str] = (),
    codes_only: bool = False,
) -> tuple[list[Proposal], dict[int, tuple[int, float]]]:
    """The distinct packages, and lot index -> (package index, similarity) for each lot a
    package matches one-to-one at or above the threshold (maximum total similarity).
    `codes_only` scores by CPV agreement alone (text ignored), for the code-level view."""
    unique = distinct(proposals)
    if not unique or not lots:
        return unique, {}
    if codes_only:
        sims = np.array([[cpv_agreement(p.codes, lot.codes) for lot in lots] for p in unique])
    else:
        sims = np.array([[similarity(p, lot, given) for lot in lots] for p in unique])
    gains = np.where(sims >= threshold, sims, 0.0)
    pairs = {c: (r, float(sims[r, c])) for r, c in assign(-gains) if sims[r, c] >= threshold}
    return unique, pairs


def matched(
    proposals: Sequence[Proposal],
    lots: Sequence[Proposal],
    threshold: float,
    given: Sequence[str] = (),
    codes_only: bool = False,
) -> int:
    """How many lots a package matches one-to-one at or above the threshold."""
    return len(match_pairs(proposals, lots, threshold, given, codes_only)[1])
