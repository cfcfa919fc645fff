"""`lotwise eval`: the matcher judged against the graded labels, beside a baseline scorer.

Runs without a database on the bundled demo corpus and profiles, exactly as matching sees
them (tenders, their lots and the splitter's packages; money in the reporting currency), at
the corpus's own "today" so the figures are reproducible. Three rankings are judged:

- `matcher`: the configured weights and every gate;
- `baseline`: keyword coverage and CPV closeness only, as a plain keyword + CPV scorer would
  rank (closed tenders and excluded terms still left out; no text relevance, value,
  geography or deadline, and no area or size gate);
- `keywords + CPV, gated`: the same two criteria behind the matcher's gates, which shows how
  much of the gain is the gates' and how much the other criteria's.

The profiles are split once, by a hash of their id, into a tuning half and a held-out half:
weights and rules may be tuned by looking at the tuning half only, and the held-out figures are
the ones to believe (a change that only helps the profiles it was tuned on shows up there).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from matchers import OrgProfile, Weights
from scanner.evaluation.demo_corpus import load_demo_tenders
from scanner.evaluation.languages import language_name
from scanner.evaluation.ranking import EvaluationReport, evaluate, load_labels
from scanner.orgs import OrgFileError, load_file, to_org_profile
from scanner.services.matching import Corpus, CorpusBuilder, MatchingConfig, rank_corpus
from scanner.settings import PROJECT_ROOT
from scanner.splitter import Thresholds, assess

LABELS = PROJECT_ROOT / "benchmarks" / "match_labels" / "labels.toml"
ORGANISATIONS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"
BASELINE_WEIGHTS = {"keywords": 0.5, "classification": 0.5}
HALVES = ("tuning", "held-out", "all")


def split_profiles(profile_ids: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(tuning, held-out): ids ordered by the SHA-256 of the id, the first half (rounded down)
    for tuning. Deterministic and independent of file order; no id is special-cased."""
    ordered = sorted(set(profile_ids), key=lambda i: (hashlib.sha256(i.encode()).hexdigest(), i))
    half = len(ordered) // 2
    return frozenset(ordered[:half]), frozenset(ordered[half:])


def split_by_threshold(
    profile_ids: Iterable[str], tuning_below: str
) -> tuple[frozenset[str], frozenset[str]]:
    """(tuning, held-out): an id is in the tuning half when the hex SHA-256 of the id sorts
    below `tuning_below`. Unlike `split_profiles`, adding profiles never moves one already
    placed, so a set that grows keeps its held-out half unseen."""
    ids = set(profile_ids)
    tuning = frozenset(i for i in ids if hashlib.sha256(i.encode()).hexdigest() < tuning_below)
    return tuning, frozenset(ids - tuning)


@dataclass(frozen=True)
class Macro:
    """Macro-averaged figures of one group of profiles (NDCG over those with anything to find)."""

    profiles: int
    precision: dict[int, float]
    ndcg: dict[int, float | None]
    judged: dict[int, float] = field(default_factory=dict)  # share of each top k judged


def macro_of(report: EvaluationReport, ids: Collection[str]) -> Macro:
    """The report's macro figures restricted to the profiles in `ids`."""
    chosen = [s for s in report.profiles if s.profile_id in ids]
    precision = {k: _mean([s.precision[k] for s in chosen]) or 0.0 for k in report.ks}
    ndcg = {k: _mean([v for s in chosen if (v := s.ndcg[k]) is not None]) for k in report.ks}
    judged = {k: _mean([s.judged[k] for s in chosen]) or 0.0 for k in report.ks}
    return Macro(len(chosen), precision, ndcg, judged)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Evaluation:
    """Each ranking's report (`matcher` first), on the same labels and corpus."""

    reports: dict[str, EvaluationReport]
    tenders: int
    opportunities: int
    profiles: int
    tuning: frozenset[str] = frozenset()
    held_out: frozenset[str] = frozenset()
    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # e.g. by target language
    summary: str = ""  # one line saying what was ranked, for people
    corpus: dict[str, Any] = field(default_factory=dict)  # counts of what was ranked

    @property
    def matcher(self) -> EvaluationReport:
        return self.reports["matcher"]

    @property
    def baseline(self) -> EvaluationReport:
        return self.reports["baseline"]

    def halves(self) -> dict[str, dict[str, Macro]]:
        """{"tuning" | "held-out" | "all": {ranking name: Macro}}."""
        groups = {
            "tuning": self.tuning,
            "held-out": self.held_out,
            "all": self.tuning | self.held_out,
        }
        return {
            half: {name: macro_of(report, ids) for name, report in self.reports.items()}
            for half, ids in groups.items()
        }

    def by_group(self) -> dict[str, dict[str, dict[str, Macro]]]:
        """{group: {"tuning" | "held-out" | "all": {ranking name: Macro}}} for `groups`."""
        return {
            group: {
                half: {
                    name: macro_of(report, ids & chosen) for name, report in self.reports.items()
                }
                for half, chosen in (
                    ("tuning", self.tuning),
                    ("held-out", self.held_out),
                    ("all", self.tuning | self.held_out),
                )
            }
            for group, ids in self.groups.items()
        }


def evaluate_matching(
    config: MatchingConfig,
    thresholds: Thresholds,
    *,
    now: datetime,
    labels_path: Path = LABELS,
    organisations_path: Path = ORGANISATIONS,
    ks: Sequence[int] = (5, 10),
) -> Evaluation:
    """Rank the demo corpus for every demo profile with the configured weights and with the
    baseline's, and score both rankings against the labels."""
    tenders = load_demo_tenders()
    builder = CorpusBuilder(config.rates, on=now.date())
    for position, tender in enumerate(tenders.values(), start=1):
        packages = assess(tender, now=now, thresholds=thresholds).packages
        builder.add(position, 1, tender, packages)
    corpus = builder.corpus
    orgs = load_profiles(organisations_path, config, now)
    labels = load_labels(
        labels_path, known_profiles={o.id for o in orgs}, known_tenders=set(tenders)
    )
    top = max(ks)
    tuning, held_out = split_profiles(o.id for o in orgs)
    gated = replace(config.weights, weights=BASELINE_WEIGHTS)
    plain = replace(gated, max_value_ratio=math.inf, uncorroborated_code_factor=1.0)
    everywhere = [replace(o, remote=True) for o in orgs]  # no area gate for the plain scorer
    rankings = {
        "matcher": _rankings(corpus, orgs, now, config.weights, top),
        "baseline": _rankings(corpus, everywhere, now, plain, top),
        "keywords + CPV, gated": _rankings(corpus, orgs, now, gated, top),
    }
    return Evaluation(
        reports={name: evaluate(r, labels, ks) for name, r in rankings.items()},
        tenders=len(corpus.tenders),
        opportunities=len(corpus.opportunities),
        profiles=len(orgs),
        tuning=tuning,
        held_out=held_out,
        summary=f"{len(orgs)} profiles over {len(corpus.tenders)} demo tenders "
        f"({len(corpus.opportunities)} opportunities) as of {now:%Y-%m-%d}.",
    )


def _rankings(
    corpus: Corpus, orgs: list[OrgProfile], now: datetime, weights: Weights, top: int
) -> dict[str, list[str]]:
    ranked = rank_corpus(corpus, orgs, now=now, weights=weights, top=top)
    return {org: [r.tender.source_key for r in matches] for org, matches in ranked.items()}


def load_profiles(path: Path, config: MatchingConfig, now: datetime) -> list[OrgProfile]:
    """The profiles of an organisations file as matching sees them (OrgFileError if invalid)."""
    loaded = load_file(path, currencies=config.rates.currencies)
    if loaded.errors:
        first = loaded.errors[0]
        raise OrgFileError(f"{path}: {len(loaded.errors)} invalid record(s), first: {first}")
    return [to_org_profile(p, config.rates, on=now.date()) for p in loaded.profiles]


def format_halves(evaluation: Evaluation) -> str:
    """Macro figures for tuning, held-out and all profiles, each ranking side by side."""
    rows = [
        [half, name, macro]
        for half, by_name in evaluation.halves().items()
        for name, macro in by_name.items()
    ]
    lines = _macro_table(["half", "ranking"], rows, evaluation.matcher.ks)
    tuning = ", ".join(sorted(evaluation.tuning))
    lines.append(f"tuning half (split by SHA-256 of the id): {tuning}")
    lines.append("held-out figures are the ones to trust: tune only by looking at the tuning half.")
    return "\n".join(lines)


def format_groups(evaluation: Evaluation) -> str:
    """Macro figures per group of profiles (e.g. target language), per half and ranking."""
    rows = [
        [language_name(group), half, name, macro]
        for group, by_half in evaluation.by_group().items()
        for half, by_name in by_half.items()
        for name, macro in by_name.items()
        if macro.profiles
    ]
    return "\n".join(_macro_table(["group", "half", "ranking"], rows, evaluation.matcher.ks))


def _macro_table(labels: list[str], rows: list[list[Any]], ks: Sequence[int]) -> list[str]:
    """Aligned text rows: the label columns, then profiles, P@k, NDCG@k and judged@(last k)."""
    head = [*labels, "profiles", *(f"P@{k}" for k in ks), *(f"NDCG@{k}" for k in ks)]
    head.append(f"judged@{ks[-1]}")
    table = [head]
    for row in rows:
        *names, macro = row
        cells = [*names, str(macro.profiles)]
        cells += [f"{macro.precision[k]:.2f}" for k in ks]
        cells += ["-" if (v := macro.ndcg[k]) is None else f"{v:.2f}" for k in ks]
        cells.append(f"{macro.judged.get(ks[-1], 0.0):.2f}")
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    lines = [
        "  ".join(
            c.ljust(w) if i < len(labels) else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


__all__ = [
    "BASELINE_WEIGHTS",
    "HALVES",
    "Evaluation",
    "Macro",
    "evaluate_matching",
    "format_groups",
    "format_halves",
    "load_profiles",
    "macro_of",
    "split_profiles",
]
