"""Ranking many opportunities for many organisations without scoring every pair.

An `OpportunityIndex` holds inverted indexes over the opportunities: BM25 postings per stem
(with each posting's score contribution), CPV and NAICS significant-digit prefixes, region
prefixes and countries, plus per-opportunity arrays for value, deadline and shared gates. For
each organisation, numpy turns these into an *upper bound* of every opportunity's score:

- text, classification, value, geography and deadline are computed exactly, vectorised;
- keywords are bounded by "every word of the keyword occurs somewhere" (the exact rule needs
  them adjacent in one field), and exclusions are left to the exact pass.

`matchers.ranking` uses these bounds to find each organisation's top matches without scoring
every pair.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from matchers.analysis import terms
from matchers.cpv import closeness, cpv_significant, naics_significant
from matchers.deadline import NEUTRAL as DEADLINE_NEUTRAL
from matchers.deadline import as_utc
from matchers.gates import remote_demoted
from matchers.geography import (
    ELSEWHERE,
    IN_NATION,
    PLAUSIBLE,
    REMOTE,
    SERVED,
    country_of,
    in_nation,
    org_area,
    org_nations,
    region_key,
    served_languages,
)
from matchers.keywords import allowed_edits, heads_allowed, is_head
from matchers.result import Match
from matchers.score import (
    FIELD_LABELS,
    PreparedOpportunity,
    PreparedOrg,
    could_hold_keywords,
    expected_foreign,
    field_languages,
    kind_factor,
    score_prepared,
)
from matchers.text import (
    CorpusStats,
    Query,
    bm25_idf,
    bound,
    code_relevance,
    needs_partner,
    population,
    reads_through_codes,
)
from matchers.types import Opportunity, OrgProfile
from matchers.value import NEUTRAL as VALUE_NEUTRAL
from matchers.value import award_range, org_range
from matchers.weights import Weights

__all__ = ["Bools", "Floats", "Ints", "OpportunityIndex", "paused_gc"]

DENSE_SHARE = 8  # a term in at least 1 / DENSE_SHARE of the rows gets a dense column
DENSE_CELLS = 1 << 23  # at most this many cells (64 MB) of dense columns in all
PLACE_CELLS = 1 << 22  # geography tables kept per profile area (`_place_table`), in cells
MEMO_ENTRIES = 1 << 18  # rows remembered in all by `row_memo`

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Heads = tuple[tuple[str, ...], ...]  # per keyword term, the stems a compound it heads may end with


class OpportunityIndex:
    """Inverted indexes and arrays over a fixed list of opportunities (see module docstring)."""

    def __init__(
        self,
        opportunities: Sequence[Opportunity],
        *,
        weights: Weights,
        now: datetime,
        holidays: Sequence[date] = (),
    ) -> None:
        self.opportunities = list(opportunities)
        self.weights = weights
        self.now = now
        self.holidays = tuple(holidays)
        n = len(self.opportunities)
        self.size = n
        with paused_gc():
            self._build_terms()
            self._build_codes()
            self._build_places()
            self._build_values_and_dates()
        self._keyword_cache: dict[tuple[tuple[str, ...], Heads], Ints] = {}
        self._mask_cache: dict[tuple[tuple[str, ...], Heads], Bools] = {}
        self._similar_ids: dict[tuple[str, tuple[str, ...]], frozenset[int]] = {}
        self._similar_terms: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}
        self._reversed: list[str] | None = None
        self._holds: dict[str | None, Bools] = {}
        self._foreign: dict[tuple[str | None, frozenset[str]], Bools] = {}
        self._row_memos: dict[Hashable, dict[int, Any]] = {}
        self.prepared = lru_cache(maxsize=50_000)(self._prepare)

    # -- building ---------------------------------------------------------------------------
    def _build_terms(self) -> None:
        vocabulary = _Vocabulary()  # term -> id, in first-seen order
        term_language = vocabulary.languages  # the language each term was first read in
        flat: list[int] = []
        ends: list[int] = []  # per row, where each of its three fields ends in `flat`
        group_ids: dict[frozenset[str | None], int] = {}
        groups: list[int] = []
        lookup = vocabulary.__getitem__
        for opportunity in self.opportunities:
            used: list[bool] = []
            for text, language in opportunity.read_texts():
                found = terms(text, language)
                used.append(bool(found))
                vocabulary.language = language
                flat.extend(map(lookup, found))
                ends.append(len(flat))
            group = field_languages(opportunity, used)
            groups.append(group_ids.setdefault(group, len(group_ids)))
        bounds = np.zeros((self.size, 4), dtype=np.int64)
        if self.size:
            bounds[:, 1:] = np.asarray(ends, dtype=np.int64).reshape(self.size, 3)
            bounds[1:, 0] = bounds[:-1, 3]
        row_group = np.asarray(groups, dtype=np.int64)
        self.groups = list(group_ids)
        self.row_group = row_group
        self.group_rows = [np.flatnonzero(row_group == g) for g in range(len(self.groups))]
        self.vocabulary = dict(vocabulary)
        self.words = list(vocabulary)
        self.flat = np.asarray(flat, dtype=np.int64)
        self.bounds = bounds
        lengths = (bounds[:, 3] - bounds[:, 0]).astype(np.float64)
        n = max(self.size, 1)
        docs = np.repeat(np.arange(self.size, dtype=np.int64), bounds[:, 3] - bounds[:, 0])
        keys, tf = np.unique(self.flat * n + docs, return_counts=True)
        term_of = keys // n
        self.post_docs = keys % n
        self.post_start = np.searchsorted(term_of, np.arange(len(vocabulary) + 1))
        frequencies = np.diff(self.post_start)
        average = float(lengths.mean()) if self.size else 0.0
        in_language: Counter[str | None] = Counter()
        for group, rows in zip(self.groups, self.group_rows, strict=True):
            for language in group:
                if language is not None:
                    in_language[language] += len(rows)
        dfs = frequencies.tolist()
        populations = [
            population(self.size, in_language[language], df)
            for language, df in zip(term_language, dfs, strict=True)
        ]
        self.stats = CorpusStats(
            self.size,
            average,
            dict(zip(self.words, dfs, strict=True)),
            dict(zip(self.words, populations, strict=True)),
        )
        idf = np.array(
            [bm25_idf(n_docs, df) for n_docs, df in zip(populations, dfs, strict=True)],
            dtype=np.float64,
        )
        w = self.weights
        norm = w.k1 * (1.0 - w.b + w.b * lengths[self.post_docs] / (average or 1.0))
        tf_f = tf.astype(np.float64)
        self.post_score = idf[term_of] * tf_f * (w.k1 + 1.0) / (tf_f + norm)
        self._build_dense(frequencies)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.words:
            by_length[len(word)].append(word)
        self._by_length = by_length

    def _build_dense(self, frequencies: Ints) -> None:
        """The postings of the most frequent terms (in at least 1 / `DENSE_SHARE` of the rows) also
        as one dense column each, zero where the term is absent, within `DENSE_CELLS`: adding
        a column is several times faster than scattering a posting list over nearly every
        row, and gives the same sums bit for bit (x + 0.0 is x)."""
        self._dense: dict[int, Floats] = {}
        if not self.size:
            return
        frequent = np.flatnonzero(frequencies * DENSE_SHARE >= self.size)
        frequent = frequent[np.argsort(-frequencies[frequent], kind="stable")]
        for t in frequent[: DENSE_CELLS // self.size].tolist():
            start, stop = self.post_start[t], self.post_start[t + 1]
            column = np.zeros(self.size)
            column[self.post_docs[start:stop]] = self.post_score[start:stop]
            self._dense[t] = column

    def _build_codes(self) -> None:
        cpv: dict[str, list[int]] = defaultdict(list)
        naics: dict[str, list[int]] = defaultdict(list)
        # Codes a notice published without codes is likely to have: (prefix -> rows, weights).
        guessed: dict[str, dict[int, float]] = defaultdict(dict)
        factor = self.weights.inferred_code_factor
        for i, opportunity in enumerate(self.opportunities):
            for index, codes, significant in (
                (cpv, opportunity.cpv, cpv_significant),
                (naics, opportunity.naics, naics_significant),
            ):
                prefixes: set[str] = set()
                for code in codes:
                    sig = significant(code)
                    if sig:
                        prefixes.update(sig[:length] for length in range(2, len(sig) + 1))
                for prefix in prefixes:
                    index[prefix].append(i)
            if not opportunity.cpv and factor > 0:
                for guess in opportunity.cpv_inferred:
                    sig = cpv_significant(guess.code)
                    if sig:
                        weight = guess.confidence * factor
                        for length in range(2, len(sig) + 1):
                            known = guessed[sig[:length]]
                            known[i] = max(known.get(i, 0.0), weight)
        self.cpv = {k: np.asarray(v, dtype=np.int64) for k, v in cpv.items()}
        self.naics = {k: np.asarray(v, dtype=np.int64) for k, v in naics.items()}
        self.guessed = {
            k: (np.asarray(list(v), dtype=np.int64), np.asarray(list(v.values())))
            for k, v in guessed.items()
        }

    def _build_places(self) -> None:
        regions: dict[str, list[int]] = defaultdict(list)
        exact: dict[str, list[int]] = defaultdict(list)
        countries: dict[str, list[int]] = defaultdict(list)
        self.has_region = np.zeros(self.size, dtype=bool)
        self.no_place = np.zeros(self.size, dtype=bool)
        # Rows naming the same places score the same geography for any profile: one row of
        # each such place stands for all of them (`_place_table`).
        place_ids: dict[tuple[tuple[str, ...], ...], int] = {}
        place_of: list[int] = []
        for opportunity in self.opportunities:
            place = (
                tuple(opportunity.regions),
                tuple(opportunity.countries),
                tuple(opportunity.place_names),
            )
            place_of.append(place_ids.setdefault(place, len(place_ids)))
        self.place_of = np.asarray(place_of, dtype=np.int64)
        first: Ints = np.unique(self.place_of, return_index=True)[1]
        self.place_rows = first.astype(np.int64)
        self._place_tables: dict[tuple[object, ...], Floats] = {}
        for i, opportunity in enumerate(self.opportunities):
            codes = [region_key(c) for c in opportunity.regions if c and len(c.strip()) >= 2]
            prefixes: set[str] = set()
            found: set[str] = set()
            for code in codes:
                found.add(country_of(code))
                if len(code) > 2:
                    self.has_region[i] = True
                    prefixes.update(code[:length] for length in range(3, len(code) + 1))
            for code in opportunity.countries:
                if code and len(code.strip()) >= 2:
                    found.add(country_of(code))
            if not codes and not found:
                self.no_place[i] = True
            for prefix in prefixes:
                regions[prefix].append(i)
            for code in {c for c in codes if len(c) > 2}:
                exact[code].append(i)
            for country in found:
                countries[country].append(i)
        self.region_ids = {k: n for n, k in enumerate(regions)}
        self.country_ids = {k: n for n, k in enumerate(countries)}
        self.doc_regions = _padded(regions, self.size)
        self.doc_countries = _padded(countries, self.size)
        self.exact_ids = {k: n for n, k in enumerate(exact)}
        self.doc_exact = _padded(exact, self.size)

    def _build_values_and_dates(self) -> None:
        awards = [award_range(o) for o in self.opportunities]
        self.values = np.array([math.nan if a is None else a[1] for a in awards], dtype=np.float64)
        self.lows = np.array([math.nan if a is None else a[0] for a in awards], dtype=np.float64)
        kinds = [o.value_kind for o in self.opportunities]
        self.ceilings = np.array([k == "ceiling" for k in kinds], dtype=bool)
        self.parts = np.array([k == "part" for k in kinds], dtype=bool)
        self.factor = np.array(
            [kind_factor(o, self.weights) for o in self.opportunities], dtype=np.float64
        )
        now = as_utc(self.now)
        today = np.datetime64(now.date(), "D")
        deadline_score = np.full(self.size, DEADLINE_NEUTRAL, dtype=np.float64)
        gated = np.zeros(self.size, dtype=bool)
        ends: list[np.datetime64] = []
        with_deadline: list[int] = []
        for i, opportunity in enumerate(self.opportunities):
            if opportunity.closed:
                gated[i] = True
            elif opportunity.deadline is not None:
                end = as_utc(opportunity.deadline)
                if end <= now:
                    gated[i] = True
                else:
                    ends.append(np.datetime64(end.date(), "D"))
                    with_deadline.append(i)
        if with_deadline:
            rows = np.asarray(with_deadline, dtype=np.int64)
            end_dates = np.asarray(ends, dtype="datetime64[D]")
            left = np.busday_count(
                np.full(len(rows), today),
                np.maximum(end_dates, today),
                holidays=list(self.holidays),
            )
            needed = max(1, self.weights.working_days_needed)
            deadline_score[rows] = np.minimum(1.0, left / needed)
            gated[rows[left < self.weights.min_working_days]] = True
        self.deadline_score = deadline_score
        self.gated = gated
        self.open = ~gated

    # -- per organisation ---------------------------------------------------------------------
    def _prepare(self, i: int) -> PreparedOpportunity:
        b = self.bounds[i]
        fields = tuple(
            (label, [self.words[t] for t in self.flat[b[f] : b[f + 1]].tolist()])
            for f, label in enumerate(FIELD_LABELS)
        )
        return PreparedOpportunity.of(self.opportunities[i], fields)

    def similar(self, term: str, heads: tuple[str, ...] = ()) -> frozenset[str]:
        """Vocabulary words that count as keyword word `term` (cached across organisations):
        `matchers.keywords.similar_terms` over the vocabulary, the compounds ending in one of
        its `heads` found in a sorted list of reversed words, where they share a prefix."""
        key = (term, heads)
        cached = self._similar_terms.get(key)
        if cached is not None:
            return cached
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        edits = allowed_edits(term, self.weights)
        found = {term} if term in self.vocabulary else set()
        if edits:
            pool = [
                w for length in range(len(term) - edits, len(term) + edits + 1)
                for w in self._by_length.get(length, ())
            ]  # fmt: skip
            for choice, _d, _k in process.extract(
                term, pool, scorer=OSA.distance, score_cutoff=edits, limit=None
            ):
                found.add(choice)
        if heads and heads_allowed(term, self.weights):
            if self._reversed is None:
                self._reversed = sorted(word[::-1] for word in self.words)
            for head in heads:
                tail = head[::-1]
                start = bisect_left(self._reversed, tail)
                end = bisect_left(self._reversed, tail + "\U0010ffff", start)
                found.update(
                    word
                    for reverse in self._reversed[start:end]
                    if is_head(heads, word := reverse[::-1], self.weights)
                )
        result = frozenset(found)
        self._similar_terms[key] = result
        return result

    def _keyword_rows(self, keyword_terms: tuple[str, ...], heads: Heads = ()) -> Ints:
        """Rows holding a match for every word of a keyword, adjacent or not (cached)."""
        key = (keyword_terms, heads)
        cached = self._keyword_cache.get(key)
        if cached is not None:
            return cached
        present: Bools | None = None
        for i, term in enumerate(keyword_terms):
            mask = np.zeros(self.size, dtype=bool)
            for word in self.similar(term, heads[i] if heads else ()):
                t = self.vocabulary[word]
                mask[self.post_docs[self.post_start[t] : self.post_start[t + 1]]] = True
            present = mask if present is None else present & mask
        rows = np.flatnonzero(present) if present is not None else np.zeros(0, dtype=np.int64)
        if len(self._keyword_cache) >= 4096:
            self._keyword_cache.pop(next(iter(self._keyword_cache)))
        self._keyword_cache[key] = rows
        return rows

    def keyword_mask(self, keyword_terms: tuple[str, ...], heads: Heads = ()) -> Bools:
        """`_keyword_rows` as a boolean mask over all rows (cached)."""
        key = (keyword_terms, heads)
        cached = self._mask_cache.get(key)
        if cached is None:
            cached = np.zeros(self.size, dtype=bool)
            cached[self._keyword_rows(keyword_terms, heads)] = True
            if len(self._mask_cache) >= 512:
                self._mask_cache.pop(next(iter(self._mask_cache)))
            self._mask_cache[key] = cached
        return cached

    def text_scores(self, org: PreparedOrg) -> Floats:
        """`matchers.text` normalised BM25 of every row for `org`, summed in the same order
        (query term by query term; a term has one posting per row, so the scatter is safe).
        Rows are read in groups of the same field languages, each with the profile's query in
        those languages (`PreparedOrg.query_for`) and that query's own normalisation."""
        held: dict[frozenset[str], Bools] = {}  # rows holding a set of partners (`_beside`)
        if len(self.groups) == 1 and not reads_through_codes(org.org.language, self.groups[0]):
            return self._group_scores(org.query_for(self.groups[0]), held)
        out = np.zeros(self.size)
        for group, rows in zip(self.groups, self.group_rows, strict=True):
            out[rows] = self._group_scores(org.query_for(group), held)[rows]
            if reads_through_codes(org.org.language, group):
                out[rows] = np.maximum(out[rows], self._code_scores(org, rows))
        return out

    def _code_scores(self, org: PreparedOrg, rows: Ints) -> Floats:
        """`matchers.text.code_relevance` of `rows` (notices the profile reads through their
        codes), computed once per distinct set of codes."""
        seen: dict[tuple[str, ...], float] = {}
        out = np.zeros(len(rows))
        language = org.org.language or ""
        for n, row in enumerate(rows.tolist()):
            codes = tuple(self.opportunities[row].cpv)
            value = seen.get(codes)
            if value is None:
                via = code_relevance(org.query, codes, language, self.weights)
                value = seen[codes] = via.score if via is not None else 0.0
            out[n] = value
        return out

    def expected_foreign(self, org: OrgProfile) -> Bools:
        """Per row, `matchers.score.expected_foreign` (cached per language and countries)."""
        key = (org.language, served_languages(org))
        cached = self._foreign.get(key)
        if cached is None:
            chosen = [i for i, group in enumerate(self.groups) if expected_foreign(org, group)]
            cached = np.isin(self.row_group, chosen)
            self._foreign[key] = cached
        return cached

    def could_hold_keywords(self, org: OrgProfile) -> Bools:
        """Per row, `matchers.score.could_hold_keywords` (cached per profile language)."""
        key = org.language
        cached = self._holds.get(key)
        if cached is None:
            chosen = [
                i for i, group in enumerate(self.groups)
                if could_hold_keywords(org, group)
            ]  # fmt: skip
            cached = np.isin(self.row_group, chosen)
            self._holds[key] = cached
        return cached

    def _group_scores(
        self, query: Query, held: dict[frozenset[str], Bools] | None = None
    ) -> Floats:
        raw = np.zeros(self.size)
        for term in query.stems:
            t = self.vocabulary.get(term)
            if t is not None:
                weight = query.weights.get(term, 1.0) if query.weights else 1.0
                if (
                    query.partners
                    and term in query.partners
                    and needs_partner(query, term, self.stats)
                ):  # counts only beside a partner
                    start, stop = self.post_start[t], self.post_start[t + 1]
                    docs = self.post_docs[start:stop]
                    keep = self._beside(docs, query.partners[term], {} if held is None else held)
                    raw[docs[keep]] += self.post_score[start:stop][keep] * weight
                    continue
                dense = self._dense.get(t)
                if dense is not None:  # the same sums, without the scatter (`_build_dense`)
                    raw += dense if weight == 1.0 else dense * weight
                    continue
                start, stop = self.post_start[t], self.post_start[t + 1]
                if weight == 1.0:
                    raw[self.post_docs[start:stop]] += self.post_score[start:stop]
                else:
                    raw[self.post_docs[start:stop]] += self.post_score[start:stop] * weight
        denominator = bound(query, self.stats, self.weights.saturation_terms)
        if denominator <= 0:
            return np.zeros(self.size)
        raw /= denominator
        return np.minimum(raw, 1.0, out=raw)

    def _beside(
        self, docs: Ints, partners: frozenset[str], held: dict[frozenset[str], Bools]
    ) -> Bools:
        """Per row of `docs`, whether it holds any of `partners` (`Query.partners`); `held`
        keeps the rows holding any of each set of partners as a mask for the other terms of
        the same ranking (a profile's self-describing words share one set)."""
        mask = held.get(partners)
        if mask is None:
            mask = held[partners] = np.zeros(self.size, dtype=bool)
            for term in partners:
                t = self.vocabulary.get(term)
                if t is not None:
                    mask[self.post_docs[self.post_start[t] : self.post_start[t + 1]]] = True
        return mask[docs]

    def keyword_bounds(self, org: PreparedOrg) -> Floats:
        """An upper bound of keyword coverage per row: every word present, adjacent or not."""
        count = np.zeros(self.size)
        for keyword in org.keywords:
            count[self._keyword_rows(keyword.terms, keyword.heads)] += 1.0
        if org.keywords:
            count /= len(org.keywords)
        return count

    def classification_scores(self, org: OrgProfile) -> Floats:
        out = np.zeros(self.size)
        for codes, index, significant, denominator in (
            (org.cpv, self.cpv, cpv_significant, 5),
            (org.naics, self.naics, naics_significant, 6),
        ):
            for code in codes:
                sig = significant(code)
                if not sig:
                    continue
                for length in range(2, len(sig) + 1):
                    docs = index.get(sig[:length])
                    if docs is None:
                        break
                    value = closeness(sig, sig[:length], denominator, by_depth=True)
                    out[docs] = np.maximum(out[docs], value)
        for code in org.cpv if self.guessed else ():
            sig = cpv_significant(code)
            if not sig:
                continue
            for length in range(2, len(sig) + 1):
                found = self.guessed.get(sig[:length])
                if found is None:
                    break
                rows, weights = found
                value = closeness(sig, sig[:length], 5, by_depth=True)
                out[rows] = np.maximum(out[rows], value * weights)
        return out

    def geography_scores(self, org: OrgProfile, rows: Ints) -> Floats:
        """`matchers.geography` for many rows: same tiers, same order of precedence; read
        from the profile's table of places (`_place_table`) when it costs less."""
        table = self._place_table(org, len(rows))
        if table is None:
            return self._geography_rows(org, rows)
        return table[self.place_of[rows]]

    def _place_table(self, org: OrgProfile, wanted: int) -> Floats | None:
        """Per distinct place (`place_of`), the geography score of `org`, cached per profile
        area; None when not cached and there are more places than the `wanted` rows."""
        key = (org_area(org), org.remote)
        table = self._place_tables.get(key)
        if table is None:
            places = len(self.place_rows)
            if places > wanted:
                return None
            if len(self._place_tables) * places >= PLACE_CELLS:
                self._place_tables.clear()
            table = self._place_tables[key] = self._geography_rows(org, self.place_rows)
        return table

    def _geography_rows(self, org: OrgProfile, rows: Ints) -> Floats:
        """`geography_scores` computed row by row (vectorised)."""
        prefixes, whole, countries = org_area(org)
        out = np.full(len(rows), ELSEWHERE)
        if not prefixes and not countries:
            out[:] = PLAUSIBLE
        out[self.no_place[rows]] = PLAUSIBLE
        doc_countries = self.doc_countries[rows]
        shared = self._lookup(self.country_ids, countries)[doc_countries].any(axis=1)
        if org.remote:
            out[shared] = REMOTE
        else:  # on site in its own nation, outside its regions
            nations = org_nations(org)
            near = [k for k in self.region_ids if len(k) == 3 and in_nation(k, nations)]
            if near:
                held = self._lookup(self.region_ids, near)[self.doc_regions[rows]].any(axis=1)
                out[shared & held] = IN_NATION
        out[shared & ~self.has_region[rows]] = PLAUSIBLE
        wider = {p[:n] for p in prefixes for n in range(3, len(p))}
        if wider:  # the notice names a wider region holding one of the profile's
            holding = self._lookup(self.exact_ids, wider)[self.doc_exact[rows]].any(axis=1)
            out[holding] = PLAUSIBLE
        out[self._lookup(self.country_ids, whole)[doc_countries].any(axis=1)] = SERVED
        out[self._lookup(self.region_ids, prefixes)[self.doc_regions[rows]].any(axis=1)] = SERVED
        return out

    @staticmethod
    def _lookup(ids: Mapping[str, int], keys: Iterable[str]) -> Bools:
        """A table indexed by key id, True for `keys`; its last cell answers the -1 padding."""
        table = np.zeros(len(ids) + 1, dtype=bool)
        table[[ids[k] for k in keys if k in ids]] = True
        return table

    def value_scores(self, org: OrgProfile, rows: Ints) -> Floats:
        """`matchers.value.value_fit` of every row, vectorised: `range_fit` of its per-supplier
        award range, at `NEUTRAL` times that for a ceiling (what one supplier wins is some part
        of it), and a suggested package judged on the whole the buyer awards (`_part_fit`)."""
        low, high, turnover = org_range(org)
        v = self.values[rows]
        s = self.lows[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(v < low, v / low, np.where(s > high, high / s, 1.0))
            if turnover is not None:
                out = np.where(s > turnover / 2, np.minimum(out, turnover / 2 / s), out)
            out = np.where(self.ceilings[rows], out * VALUE_NEUTRAL, out)
            parts = self.parts[rows]
            if parts.any():  # the whole: under the minimum scores as such, fits, else neutral
                whole = np.where(v < low, v / low, np.where(v > high, high / v, 1.0))
                if turnover is not None:
                    whole = np.where(v > turnover / 2, np.minimum(whole, turnover / 2 / v), whole)
                whole = np.where((v < low) | (whole == 1.0), whole, VALUE_NEUTRAL)
                out = np.where(parts, whole, out)
        out[np.isnan(v)] = VALUE_NEUTRAL
        return out

    def org_gated(self, org: OrgProfile, rows: Ints) -> Bools | None:
        """Which of `rows` the area and size gates (`matchers.gates`) rule out for `org`; None
        when none can be (a remote organisation with no size limit)."""
        ratio = self.weights.max_value_ratio
        _low, high, _turnover = org_range(org)
        sized = ratio > 0 and math.isfinite(high)
        if org.remote and not sized:
            return None
        out = np.zeros(len(rows), dtype=bool)
        if sized:
            with np.errstate(invalid="ignore"):
                out |= self.lows[rows] > high * ratio
        if not org.remote:
            out |= self.geography_scores(org, rows) <= ELSEWHERE
        return out

    def context_sums(self, org: OrgProfile, rows: Ints, place: Floats | None = None) -> Floats:
        """The weighted sum of the context criteria (value, geography, deadline) of `rows`,
        exact (`place`: their `geography_scores`, when already computed); with a bound of
        their weighted relevance sum, `Weights.combine` gives an upper bound of their score."""
        w = self.weights
        if place is None:
            place = self.geography_scores(org, rows)
        return (
            w.weight("value") * self.value_scores(org, rows)
            + w.weight("geography") * place
            + w.weight("deadline") * self.deadline_score[rows]
        )

    def row_factors(self, org: OrgProfile, rows: Ints, place: Floats | None = None) -> Floats:
        """What the exact score of each row is multiplied by besides the text demotions: a
        suggested package's `package_factor`, remote work's `remote_factor`, on-site work in
        the organisation's nation outside its regions `in_nation_factor` (`place`: the
        rows' `geography_scores`, when already computed)."""
        factor = self.factor[rows]
        w = self.weights
        remote = remote_demoted(org, REMOTE, w)
        if remote or (not org.remote and w.in_nation_factor != 1.0):
            if place is None:
                place = self.geography_scores(org, rows)
            if remote:
                factor = np.where(place == REMOTE, factor * w.remote_factor, factor)
            if w.in_nation_factor != 1.0:
                factor = np.where(place == IN_NATION, factor * w.in_nation_factor, factor)
        return factor

    def row_memo(self, key: Hashable) -> dict[int, Any]:
        """A dict remembering, per row, the answer of a pure function of the row and `key`
        (whether it holds a phrase; what an exclusion list does to it), shared by every
        profile ranked against this index; all are dropped together once they hold
        `MEMO_ENTRIES` rows in all (checked when one is asked for, once per profile)."""
        memos = self._row_memos
        if sum(map(len, memos.values())) >= MEMO_ENTRIES:
            memos.clear()
        found = memos.get(key)
        if found is None:
            found = memos[key] = {}
        return found

    def similar_ids(self, term: str, heads: tuple[str, ...] = ()) -> frozenset[int]:
        """Vocabulary ids of `similar(term, heads)` (cached)."""
        key = (term, heads)
        cached = self._similar_ids.get(key)
        if cached is None:
            cached = frozenset(self.vocabulary[word] for word in self.similar(term, heads))
            self._similar_ids[key] = cached
        return cached

    def has_phrase(self, row: int, allowed: Sequence[frozenset[int]]) -> bool:
        """True when one field of `row` holds terms from `allowed` adjacent and in order."""
        b = self.bounds[row].tolist()
        n = len(allowed)
        first = allowed[0]
        for f in range(3):
            ids = self.flat[b[f] : b[f + 1]].tolist()
            for start in [i for i, t in enumerate(ids) if t in first]:
                if start + n <= len(ids) and all(ids[start + i] in allowed[i] for i in range(1, n)):
                    return True
        return False

    def score_row(self, row: int, org: PreparedOrg, *, matcher: bool = False) -> Match:
        """Exact score of opportunity `row` for `org`, with this index's corpus statistics."""
        return score_prepared(
            self.prepared(row),
            org,
            now=self.now,
            weights=self.weights,
            corpus=self.stats,
            holidays=self.holidays,
            matcher=self.similar if matcher else None,
        )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a batch (building an index, ranking many
    profiles), then resumed if it was running. Such a batch makes no reference cycles, but
    it makes and keeps many objects (terms, prepared notices, matches), and each of the
    collector's full passes over them all cost 0.2-0.3 s at 100,000 notices: about a sixth
    of the ranking's time, for nothing to collect. Objects are still freed as they go."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


class _Vocabulary(dict[str, int]):
    """Term -> id while an index is built: looking up a new term gives it the next id and
    notes `language` (the language of the field being read) as the language it was first
    read in, so a field's terms become ids in one `map`."""

    def __init__(self) -> None:
        super().__init__()
        self.language: str | None = None
        self.languages: list[str | None] = []

    def __missing__(self, term: str) -> int:
        index = self[term] = len(self)
        self.languages.append(self.language)
        return index


def _padded(postings: Mapping[str, list[int]], size: int) -> Ints:
    """Per row, the ids (order of `postings`) of the keys listing it; -1 pads the rows."""
    per_row: list[list[int]] = [[] for _ in range(size)]
    for key_id, rows in enumerate(postings.values()):
        for row in rows:
            per_row[row].append(key_id)
    width = max((len(r) for r in per_row), default=0) or 1
    out = np.full((size, width), -1, dtype=np.int64)
    for row, ids in enumerate(per_row):
        out[row, : len(ids)] = ids
    return out
