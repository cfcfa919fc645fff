"""Top matches per organisation from an `OpportunityIndex`, equal to exhaustive scoring.

For each organisation the index gives every opportunity's relevance (text, keyword bound,
codes). Only opportunities passing the relevance gate are candidates. The `4 * top_k` most
relevant get full upper bounds and exact scores, which sets a threshold; then only candidates
whose relevance plus the largest possible rest reaches it are bounded, and those are checked in
decreasing order of bound until the bound falls below the k-th best exact score (the threshold
algorithm). The top k is therefore the exhaustive top k, ties broken by opportunity id.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing as mp
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from queue import Empty
from typing import Any

import numpy as np

from matchers.gates import demotions, exclusion_gate, reservation_gate
from matchers.index import Bools, Floats, Ints, OpportunityIndex, paused_gc
from matchers.result import Match
from matchers.score import CODES_EPSILON, SCORE_DIGITS, PreparedOrg, prepare_org
from matchers.types import Opportunity, OrgProfile
from matchers.weights import CONTEXT, Weights

__all__ = ["exhaustive_top", "rank", "top_matches"]

_EPSILON = 1e-9  # vectorised and exact sums may differ in the last bits


def top_matches(
    index: OpportunityIndex, org: OrgProfile | PreparedOrg, top_k: int = 20
) -> tuple[list[Match], int]:
    """The `top_k` best passed matches for `org`, and how many candidates were checked.

    Relevance (text, keyword bound, codes) is computed for every row; the `4 * top_k` most
    relevant get full bounds and exact scores, which sets a threshold; then only rows whose
    relevance plus the largest possible rest reaches it are bounded and checked. The exact
    check reuses the vectorised criteria (equal to the scalar ones) and only settles what
    the bound left open: phrase adjacency, exclusions. The final top k are then scored with
    `score_prepared` for their breakdown and explanation."""
    if top_k <= 0:
        return [], 0
    prepared = org if isinstance(org, PreparedOrg) else prepare_org(org, index.weights)
    w = index.weights
    text = index.text_scores(prepared)
    keywords = index.keyword_bounds(prepared)
    codes = index.classification_scores(prepared.org)
    relevance = np.maximum(text, keywords)
    np.maximum(relevance, codes, out=relevance)
    candidate = relevance >= w.min_relevance - _EPSILON
    rows = np.flatnonzero(np.logical_and(candidate, index.open, out=candidate))
    gated = index.org_gated(prepared.org, rows)
    if gated is not None:
        rows = rows[~gated]
    backed = codes[rows]
    if prepared.keywords and w.uncorroborated_code_factor < 1:
        # no keyword can be found in these rows, so their codes count less (`corroborated`)
        alone = keywords[rows] <= _EPSILON
        if w.corroborating_text > 0:  # text relevance backs codes up too (`corroborated`)
            alone &= text[rows] < w.corroborating_text
        alone &= index.could_hold_keywords(prepared.org)[rows]
        backed = np.where(alone, backed * w.uncorroborated_code_factor, backed)
    counted = keywords[rows]
    if prepared.keywords and w.foreign_keywords > 0:
        # a notice wholly in another language counts its keywords neutral (`foreign_keywords`)
        # ... when its text or codes meet the profile's trade (`foreign_evidence`)
        foreign = index.expected_foreign(prepared.org)[rows] & _met(w, text[rows], codes[rows])
        counted = np.where(foreign, np.maximum(counted, w.foreign_keywords), counted)
    partial = (
        w.weight("text") * text[rows]
        + w.weight("keywords") * counted
        + w.weight("classification") * backed
    )
    check = _Check(index, prepared, text, keywords, codes)
    heap: list[tuple[float, _Reverse, int]] = []
    done = np.zeros(len(rows), dtype=bool)
    first = min(len(rows), 4 * top_k)
    if first < len(rows):
        stage = np.argpartition(-partial, first - 1)[:first]
    else:
        stage = np.arange(len(rows))
    checked = _threshold(index, check, rows, partial, stage, heap, done, top_k)
    if len(rows) > first:
        floor = heap[0][0] if len(heap) >= top_k else -math.inf
        best = sum(w.weight(name) for name in CONTEXT)  # every context criterion at 1
        reachable = w.combine(partial, best) + _EPSILON >= floor
        stage = np.flatnonzero(reachable & ~done)
        checked += _threshold(index, check, rows, partial, stage, heap, done, top_k)
    matches = [index.score_row(row, prepared, matcher=True) for _s, _r, row in heap]
    return _ordered(m for m in matches if m.passed), checked


def _threshold(
    index: OpportunityIndex,
    check: _Check,
    rows: Ints,
    partial: Floats,
    stage: Ints,
    heap: list[tuple[float, _Reverse, int]],
    done: Bools,
    top_k: int,
) -> int:
    """Check `stage` (positions in `rows`) exactly, best bound first, until no bound can
    beat the k-th best score in `heap`; marks checked positions in `done`."""
    if len(stage) == 0:
        return 0
    place = index.geography_scores(check.org.org, rows[stage])
    context = index.context_sums(check.org.org, rows[stage], place)
    upper = index.weights.combine(partial[stage], context)
    factors = index.row_factors(check.org.org, rows[stage], place)
    upper = upper * factors
    order = np.argsort(-upper, kind="stable")
    checked = 0
    min_score = index.weights.min_score
    for position in order.tolist():
        bound_ = float(upper[position])
        if len(heap) >= top_k and bound_ + _EPSILON < heap[0][0]:
            break
        where = int(stage[position])
        done[where] = True
        row = int(rows[where])
        checked += 1
        exact = check.score(
            row, float(partial[where]), float(context[position]), float(factors[position])
        )
        if exact is None or exact < min_score:
            continue
        item = (exact, _Reverse(index.opportunities[row].id), row)
        if len(heap) < top_k:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)
    return checked


class _Check:
    """The exact score of one organisation against single rows, from its vectorised criteria.

    Equal to `score_prepared(...).score` (which the property tests check): text, codes,
    value, geography and deadline are already exact in the bound; a multi-word keyword the
    bound counted is confirmed adjacent here; exclusions and relevance are applied here."""

    def __init__(
        self, index: OpportunityIndex, org: PreparedOrg, text: Floats, keywords: Floats,
        codes: Floats,
    ) -> None:  # fmt: skip
        self.index = index
        self.org = org
        self.text = text
        self.codes = codes
        self.keywords = keywords
        self.phrases = [
            (
                index.keyword_mask(k.terms, k.heads),
                [index.similar_ids(t, k.heads_of(i)) for i, t in enumerate(k.terms)],
                index.row_memo(("phrase", k.terms, k.heads)),
            )
            for k in org.keywords
            if len(k.terms) > 1
        ]
        # What the exclusions do to a row (gate: None; else the demotion factor) depends on
        # the row, the exclusions and the profile's language only: shared by profiles.
        profile = org.org
        self.excluded = (
            index.row_memo(
                ("exclusions", profile.exclusions, profile.language, profile.reserved_eligible)
            )
            if profile.exclusions
            else None
        )
        w = index.weights
        self.keyword_step = w.weight("keywords") / max(1, len(org.keywords))
        self.keyword_share = 1.0 / max(1, len(org.keywords))
        self.keyword_unit = w.weight("keywords")
        self.could_hold = index.could_hold_keywords(org.org)
        self.foreign = (
            index.expected_foreign(org.org) & _met(w, text, codes)
            if org.keywords
            else index.open & False
        )
        factor = min(1.0, w.uncorroborated_code_factor)
        self.codes_step = w.weight("classification") * (1.0 - factor)

    def score(
        self, row: int, partial: float, context: float, row_factor: float = 1.0
    ) -> float | None:
        """The exact score of `row` given the bound of its weighted relevance sum, its exact
        weighted context sum and `row_factor` (`row_factors`), or None when a gate rules it
        out."""
        index = self.index
        missing = sum(
            1
            for mask, allowed, held in self.phrases
            if mask[row] and not _holds(index, row, allowed, held)
        )
        keywords = float(self.keywords[row]) - missing * self.keyword_share
        relevance = max(float(self.text[row]), keywords, float(self.codes[row]))
        if relevance < index.weights.min_relevance:
            return None
        opportunity = index.opportunities[row]
        org = self.org.org
        if opportunity.reserved and reservation_gate(opportunity, org, index.weights):
            return None
        if self.excluded is None:
            demoted: float | None = demotions(opportunity, (), index.weights, None, org)[0]
        elif row in self.excluded:
            demoted = self.excluded[row]
        else:
            demoted = self.excluded[row] = self._exclusions(row)
        if demoted is None:
            return None
        holds = bool(self.could_hold[row])
        neutral = index.weights.foreign_keywords
        if missing and neutral > 0 and self.foreign[row]:  # counted as `foreign_keywords` does
            bound = float(self.keywords[row])
            partial -= (max(bound, neutral) - max(keywords, neutral)) * self.keyword_unit
        else:
            partial -= missing * self.keyword_step
        text_backs = 0 < index.weights.corroborating_text <= float(self.text[row])
        if missing and keywords <= _EPSILON and self.codes[row] > 0 and not text_backs and holds:
            # the bound counted a keyword whose words are not adjacent: codes uncorroborated
            partial -= self.codes_step * float(self.codes[row])
        exact = round(float(index.weights.combine(partial, context)), SCORE_DIGITS)
        factor = demoted * row_factor
        return exact if factor == 1.0 else round(exact * factor, SCORE_DIGITS)

    def _exclusions(self, row: int) -> float | None:
        """None when the profile's exclusions gate `row` out (a title names one), else the
        factor `demotions` gives it (`row_factor` aside)."""
        index = self.index
        opportunity = index.opportunities[row]
        org = self.org.org
        fields = index.prepared(row).fields
        titles = [fields[0][1], fields[1][1]]
        if exclusion_gate(opportunity, org.exclusions, org.language, titles):
            return None
        analysed = [fields[2][1]]
        return demotions(opportunity, org.exclusions, index.weights, None, org, analysed)[0]


def _met(weights: Weights, text: Floats, codes: Floats) -> Bools:
    """Per row, whether `matchers.score.foreign_evidence` finds something that meets the
    profile's trade in a notice in another language (its text, or its codes)."""
    least = weights.foreign_min_codes
    if least <= 0:
        return np.ones(len(text), dtype=bool)
    close = (codes > 0) & (codes >= least - CODES_EPSILON)
    return np.asarray((text > 0) | close, dtype=bool)


def _holds(
    index: OpportunityIndex, row: int, allowed: Sequence[frozenset[int]], held: dict[int, Any]
) -> bool:
    """`index.has_phrase(row, allowed)`, remembered in `held` (the phrase's `row_memo`)."""
    found = held.get(row)
    if found is None:
        found = held[row] = index.has_phrase(row, allowed)
    return bool(found)


class _Reverse:
    """Orders opportunity ids backwards, so that on equal scores the smaller id ranks higher."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __lt__(self, other: _Reverse) -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


def _ordered(matches: Iterable[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (-m.score, m.opportunity_id))


def rank(
    opportunities: Sequence[Opportunity] | OpportunityIndex,
    orgs: Sequence[OrgProfile],
    *,
    now: datetime,
    weights: Weights,
    top_k: int = 20,
    holidays: Sequence[date] = (),
    workers: int = 1,
    errors: dict[str, str] | None = None,
) -> dict[str, list[Match]]:
    """The `top_k` best passed matches per organisation id, best first (ties by id).

    Pass an `OpportunityIndex` built with the same `now` and `weights` to reuse it.
    `workers` > 1 ranks organisations in that many forked processes sharing the index
    (copy-on-write; where fork is unavailable it falls back to one process).
    With an `errors` dict, a profile that fails is recorded there (id -> reason) with no
    matches and the batch goes on; without one, the first failure is raised."""
    index = (
        opportunities
        if isinstance(opportunities, OpportunityIndex)
        else OpportunityIndex(opportunities, weights=weights, now=now, holidays=holidays)
    )
    keep_going = errors is not None
    with paused_gc():  # forked processes inherit the pause
        if workers > 1 and len(orgs) > 1 and "fork" in mp.get_all_start_methods():
            parts = _in_processes(index, list(orgs), top_k, keep_going, workers)
        else:
            parts = [_rank_chunk(list(orgs), top_k, keep_going, index)]
    merged: dict[str, list[Match]] = {}
    for found, failed in parts:
        merged.update(found)
        if errors is not None:
            errors.update(failed)
    return {org.id: merged.get(org.id, []) for org in orgs}


_CHUNK = 100  # organisations per unit of work


def _in_processes(
    index: OpportunityIndex, orgs: list[OrgProfile], top_k: int, keep_going: bool, workers: int
) -> list[tuple[dict[str, list[Match]], dict[str, str]]]:
    """Rank in this process and `workers - 1` forked ones, which inherit the index
    (copy-on-write) and claim chunks of organisations from a shared counter, so the load
    balances; only the forked ones' matches are pickled back."""
    context = mp.get_context("fork")
    size = max(1, min(_CHUNK, len(orgs) // (2 * workers)))
    chunks = [orgs[i : i + size] for i in range(0, len(orgs), size)]
    counter = context.Value("i", 0)
    queue = context.Queue()
    args = (index, chunks, counter, queue, top_k, keep_going)
    children = [context.Process(target=_child, args=args, daemon=True) for _ in range(workers - 1)]
    for child in children:
        child.start()
    parts: list[tuple[dict[str, list[Match]], dict[str, str]]] = []
    try:
        while (number := _claim(counter)) < len(chunks):
            parts.append(_rank_chunk(chunks[number], top_k, keep_going, index))
            while not queue.empty():
                _receive(queue.get(), parts)
        while len(parts) < len(chunks):
            try:
                _receive(queue.get(timeout=1.0), parts)
            except Empty:
                if not any(child.is_alive() for child in children) and queue.empty():
                    raise RuntimeError("a ranking process ended without its results") from None
    finally:
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
    return parts


def _claim(counter: Any) -> int:
    with counter.get_lock():
        number = int(counter.value)
        counter.value += 1
    return number


def _child(
    index: OpportunityIndex,
    chunks: list[list[OrgProfile]],
    counter: Any,
    queue: Any,
    top_k: int,
    keep_going: bool,
) -> None:
    try:
        while (number := _claim(counter)) < len(chunks):
            queue.put(("ok", _rank_chunk(chunks[number], top_k, keep_going, index)))
    except BaseException as error:  # hand the failure to the parent instead of hanging it
        queue.put(("error", error))


def _receive(message: tuple[str, Any], parts: list[Any]) -> None:
    kind, payload = message
    if kind == "error":
        raise payload
    parts.append(payload)


def _rank_chunk(
    orgs: list[OrgProfile],
    top_k: int,
    keep_going: bool,
    index: OpportunityIndex,
) -> tuple[dict[str, list[Match]], dict[str, str]]:
    found: dict[str, list[Match]] = {}
    failed: dict[str, str] = {}
    for org in orgs:
        try:
            found[org.id] = top_matches(index, org, top_k)[0]
        except Exception as error:  # one bad profile must not end the batch
            if not keep_going:
                raise
            failed[org.id] = f"{type(error).__name__}: {error}"
            found[org.id] = []
    return found, failed


def exhaustive_top(index: OpportunityIndex, org: OrgProfile, top_k: int = 20) -> list[Match]:
    """Reference ranking: every opportunity scored with `score_prepared`, no index shortcuts."""
    prepared = prepare_org(org, index.weights)
    matches = [index.score_row(i, prepared) for i in range(index.size)]
    passed = [m for m in matches if m.passed and m.score >= index.weights.min_score]
    return _ordered(passed)[:top_k]
