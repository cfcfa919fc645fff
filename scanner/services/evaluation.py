"""`lotwise eval`: the matcher judged against the graded labels, beside a baseline scorer.

Runs without a database on the bundled demo corpus and profiles, exactly as matching sees
them (tenders, their lots and the splitter's packages; money in the reporting currency), at
the corpus's own "today" so the figures are reproducible. The baseline is the same ranking
machinery with only keyword coverage and CPV closeness weighted, so the gain of text
relevance, value, geography and deadline is what the two reports differ by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from matchers import OrgProfile, Weights
from scanner.evaluation.demo_corpus import load_demo_tenders
from scanner.evaluation.ranking import EvaluationReport, evaluate, load_labels
from scanner.orgs import OrgFileError, load_file, to_org_profile
from scanner.services.matching import Corpus, CorpusBuilder, MatchingConfig, rank_corpus
from scanner.settings import PROJECT_ROOT
from scanner.splitter import Thresholds, assess

LABELS = PROJECT_ROOT / "benchmarks" / "match_labels" / "labels.toml"
ORGANISATIONS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"
BASELINE_WEIGHTS = {"keywords": 0.5, "classification": 0.5}


@dataclass(frozen=True)
class Evaluation:
    """The matcher's report and the baseline's, on the same labels and corpus."""

    matcher: EvaluationReport
    baseline: EvaluationReport
    tenders: int
    opportunities: int
    profiles: int


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
    orgs = _profiles(organisations_path, config, now)
    labels = load_labels(
        labels_path, known_profiles={o.id for o in orgs}, known_tenders=set(tenders)
    )
    top = max(ks)
    baseline = replace(config.weights, weights=BASELINE_WEIGHTS)
    return Evaluation(
        matcher=evaluate(_rankings(corpus, orgs, now, config.weights, top), labels, ks),
        baseline=evaluate(_rankings(corpus, orgs, now, baseline, top), labels, ks),
        tenders=len(corpus.tenders),
        opportunities=len(corpus.opportunities),
        profiles=len(orgs),
    )


def _rankings(
    corpus: Corpus, orgs: list[OrgProfile], now: datetime, weights: Weights, top: int
) -> dict[str, list[str]]:
    ranked = rank_corpus(corpus, orgs, now=now, weights=weights, top=top)
    return {org: [r.tender.source_key for r in matches] for org, matches in ranked.items()}


def _profiles(path: Path, config: MatchingConfig, now: datetime) -> list[OrgProfile]:
    loaded = load_file(path, currencies=config.rates.currencies)
    if loaded.errors:
        first = loaded.errors[0]
        raise OrgFileError(f"{path}: {len(loaded.errors)} invalid record(s), first: {first}")
    return [to_org_profile(p, config.rates, on=now.date()) for p in loaded.profiles]


__all__ = ["BASELINE_WEIGHTS", "Evaluation", "evaluate_matching"]
