"""`lotwise eval --set real`: the matcher judged on real notices in many languages, beside a
plain BM25 ranker and the published keyword + code heuristic.

The corpus is every call for competition in the shared samples, each as on its publication
day (`scanner.evaluation.real_corpus`); the profiles and graded labels are in
`benchmarks/real_match/` (method in its README). The matcher sees the corpus exactly as
matching does (tenders, their lots and the splitter's packages; money in the reporting
currency) at the corpus's `now`, and is scored at tender level like the demo set.

Figures are macro-averaged over the tuning half, the held-out half (split by the hash of the
profile id, as for the demo set) and all profiles, and per language: a profile counts for the
language of the notices it targets, i.e. the language most of its notices graded 1 or 2 are
written in (as they declare it; ties go to the alphabetically first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from matchers import OrgProfile, Weights
from scanner.evaluation.baselines import BM25Ranker, Document, document_of, heuristic_ranking
from scanner.evaluation.baselines import profile_words as bm25_query
from scanner.evaluation.languages import detect_language
from scanner.evaluation.ranking import LabelsError, LabelSet, evaluate, load_labels
from scanner.evaluation.real_corpus import (
    EVALUATION_NOW,
    GATHERED_FOLDERS,
    RealCorpus,
    load_real_corpus,
)
from scanner.services.evaluation import Evaluation, load_profiles, split_by_threshold
from scanner.services.matching import Corpus, CorpusBuilder, MatchingConfig, rank_corpus
from scanner.settings import PROJECT_ROOT
from scanner.splitter import Thresholds, assess

REAL_DIR = PROJECT_ROOT / "benchmarks" / "real_match"
REAL_LABELS = REAL_DIR / "labels.toml"
REAL_PROFILES = REAL_DIR / "profiles.toml"
# The gathered folders' groups, for people: what is not measured when a folder is absent.
GATHERED_GROUPS = {
    "gathered-it": "Italian",
    "gathered-fr": "French",
    "gathered-es": "Spanish",
    "gathered-de": "German",
    "gathered-pl": "Polish",
    "gathered-bg": "Bulgarian",
    "gathered-cs": "Czech",
    "gathered-el": "Greek",
    "gathered-nl": "Dutch",
    "gathered-hu": "Hungarian",
    "gathered-fi": "Finnish",
    "gathered-ro": "Romanian",
    "gathered-sk": "Slovak",
    "gathered-da": "Danish",
    "gathered-et": "Estonian",
    "gathered-sv": "Swedish",
    "gathered-pt": "Portuguese",
    "gathered-sl": "Slovenian",
    "gathered-lt": "Lithuanian",
    "gathered-hr": "Croatian",
    "gathered-lv": "Latvian",
}
# The halves: tuning when the hex SHA-256 of the profile id sorts below this. Placed where the
# median split of the first 43 profiles fell (tuning up to 6493..., held-out from 72d3...), so
# those keep their halves, and fixed, so adding profiles never moves one already placed.
REAL_TUNING_BELOW = "7"
RANKERS = ("matcher", "BM25", "keyword + code heuristic")


class SamplesMissingError(FileNotFoundError):
    """The shared samples the real-data set is built from are not on this machine."""


@dataclass(frozen=True)
class RealSet:
    """The real-data corpus, prepared once for every ranker: the matcher's opportunities, the
    plain rankers' documents, the profiles, and which item key each corpus tender is."""

    corpus: RealCorpus
    orgs: list[OrgProfile]
    matching: Corpus
    documents: list[Document]
    keys: dict[str, str]  # matching corpus tender id -> item key


def prepare_real_set(
    config: MatchingConfig,
    thresholds: Thresholds,
    samples: Path,
    *,
    profiles_path: Path = REAL_PROFILES,
    now: datetime = EVALUATION_NOW,
) -> RealSet:
    """Load the corpus from `samples` (SamplesMissingError when absent) and the profiles."""
    if not samples.is_dir():
        raise SamplesMissingError(
            f"the real-data set needs the shared samples: {samples} not found "
            "(set LOTWISE_SHARED_DIR)"
        )
    corpus = load_real_corpus(samples, now=now)
    builder = CorpusBuilder(config.rates, on=now.date())
    keys: dict[str, str] = {}
    for position, item in enumerate(corpus.items.values(), start=1):
        packages = assess(item.tender, now=now, thresholds=thresholds).packages
        builder.add(position, 1, item.tender, packages)
        keys[str(position)] = item.key
    documents = [
        document_of(item.key, item.tender, now, builder.to_reporting)
        for item in corpus.items.values()
    ]
    orgs = load_profiles(profiles_path, config, now)
    return RealSet(corpus, orgs, builder.corpus, documents, keys)


def real_rankings(real: RealSet, weights: Weights, top: int) -> dict[str, dict[str, list[str]]]:
    """Each ranker's best `top` item keys per profile: {ranker: {profile id: [keys]}}."""
    now = real.corpus.now
    ranked = rank_corpus(real.matching, real.orgs, now=now, weights=weights, top=top)
    bm25 = BM25Ranker(real.documents)
    return {
        "matcher": {
            org: [real.keys[r.opportunity.tender_id] for r in matches]
            for org, matches in ranked.items()
        },
        "BM25": {o.id: bm25.rank(bm25_query(o), top) for o in real.orgs},
        "keyword + code heuristic": {
            o.id: heuristic_ranking(real.documents, o, top) for o in real.orgs
        },
    }


def target_languages(labels: LabelSet, corpus: RealCorpus) -> dict[str, str]:
    """Each labelled profile's target language: the declared language of most of its notices
    graded 1 or 2 (ties: alphabetically first); "none" when it has no such notice."""
    found: dict[str, str] = {}
    for profile_id, graded in labels.profiles.items():
        languages = Counter(
            corpus.items[key].declared_language or "undetermined"
            for key, label in graded.items()
            if label.grade >= 1 and key in corpus.items
        )
        ranked = sorted(languages.items(), key=lambda pair: (-pair[1], pair[0]))
        found[profile_id] = ranked[0][0] if ranked else "none"
    return found


def profile_language(org: OrgProfile) -> str:
    """The language a profile is written in (guessed from its own text)."""
    text = " ".join([org.description, org.capabilities, *org.keywords])
    return detect_language(text) or "undetermined"


def language_groups(
    targets: Mapping[str, str], written: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """Profiles per target language, plus "cross-language": those written in another language
    than the one they target (the groups `lotwise eval --set real` reports)."""
    groups: dict[str, set[str]] = {}
    for profile_id, language in targets.items():
        groups.setdefault(language, set()).add(profile_id)
        if written.get(profile_id) != language:
            groups.setdefault("cross-language", set()).add(profile_id)
    return {name: frozenset(ids) for name, ids in sorted(groups.items())}


def evaluate_real(
    config: MatchingConfig,
    thresholds: Thresholds,
    samples: Path,
    *,
    labels_path: Path = REAL_LABELS,
    profiles_path: Path = REAL_PROFILES,
    ks: Sequence[int] = (5, 10),
) -> Evaluation:
    """Rank the real corpus for every profile with the matcher and both baselines, and score
    the three rankings against the real-data labels."""
    real = prepare_real_set(config, thresholds, samples, profiles_path=profiles_path)
    tuning, held_out = split_by_threshold((o.id for o in real.orgs), REAL_TUNING_BELOW)
    absent = absent_gathered(samples)
    known = set(real.corpus.items)
    labels = load_labels(
        labels_path,
        known_profiles={o.id for o in real.orgs},
        known_tenders=None if absent else known,
    )
    labels, unmeasured = measurable_labels(labels, known, absent)
    if unmeasured:  # out of every figure, the per-profile rows and macro lines included
        real = replace(real, orgs=[o for o in real.orgs if o.id not in unmeasured])
        tuning, held_out = tuning - unmeasured, held_out - unmeasured
        labels = LabelSet({p: g for p, g in labels.profiles.items() if p not in unmeasured})
    rankings = real_rankings(real, config.weights, max(ks))
    targets = target_languages(labels, real.corpus)
    written = {o.id: profile_language(o) for o in real.orgs}
    groups = language_groups(targets, written)
    return Evaluation(
        reports={name: evaluate(r, labels, ks) for name, r in rankings.items()},
        tenders=len(real.corpus.items),
        opportunities=len(real.matching.opportunities),
        profiles=len(real.orgs),
        tuning=tuning,
        held_out=held_out,
        groups=groups,
        summary=f"{len(real.orgs)} profiles over {len(real.corpus.items)} real notices "
        f"({len(real.matching.opportunities)} opportunities), each as on the day its call "
        f"opened, shifted to {real.corpus.now:%Y-%m-%d}; {sum(labels.counts().values())} "
        f"judgements (grade 2/1/0: {labels.counts()[2]}/{labels.counts()[1]}/"
        f"{labels.counts()[0]}); groups by target language (the language most of a profile's "
        "notices graded 1-2 are written in); cross-language: written in another language.\n"
        + _counts_line(corpus_summary(real.corpus))
        + _unmeasured_line(unmeasured, samples, absent),
        corpus={
            **corpus_summary(real.corpus),
            "target_language": targets,
            "profile_language": written,
        },
    )


def absent_gathered(samples: Path) -> tuple[str, ...]:
    """The gathered folders (real_corpus.GATHERED_FOLDERS) that are not under `samples`."""
    return tuple(folder for folder in GATHERED_FOLDERS if not (samples / folder).is_dir())


def measurable_labels(
    labels: LabelSet, known: set[str], absent: Sequence[str] = ()
) -> tuple[LabelSet, frozenset[str]]:
    """Without a gathered folder (none is part of the shared samples everywhere), its notices'
    labels are set aside, and the profiles written for it (most of whose wanted notices,
    graded 1 or 2, are in absent folders) are reported as not measured rather than scored on
    what is left. Any other unknown key is an error."""
    if not absent:
        return labels, frozenset()
    prefixes = tuple(f"{folder}/" for folder in absent)
    strangers = sorted(
        key
        for graded in labels.profiles.values()
        for key in graded
        if key not in known and not key.startswith(prefixes)
    )
    if strangers:
        raise LabelsError([f"unknown tender key {key!r}" for key in strangers], "labels")
    kept = {
        profile: {key: label for key, label in graded.items() if key in known}
        for profile, graded in labels.profiles.items()
    }
    unmeasured = frozenset(
        profile
        for profile, graded in labels.profiles.items()
        if 2 * sum(1 for k, lb in graded.items() if lb.grade >= 1 and k.startswith(prefixes))
        > sum(1 for lb in graded.values() if lb.grade >= 1)
    )
    return LabelSet(kept), unmeasured


def _unmeasured_line(unmeasured: frozenset[str], samples: Path, absent: Sequence[str]) -> str:
    if not absent:
        return ""
    groups = ", ".join(f"{GATHERED_GROUPS.get(f, f)} ({samples / f})" for f in absent)
    return (
        f"\nnot measured: {len(unmeasured)} profiles whose wanted notices are mostly in absent "
        f"gathered folders ({', '.join(sorted(unmeasured)) or 'none'}); absent: {groups} "
        "(benchmarks/real_match/GATHERED*.md say where they come from)"
    )


def _counts_line(summary: Mapping[str, Mapping[str, int]]) -> str:
    """The corpus counts for people: per source, per declared and detected language, left out."""
    titles = {
        "source": "notices per source",
        "declared_language": "declared language",
        "detected_language": "detected language",
        "left_out": "left out",
    }
    return "\n".join(
        f"{title}: " + ", ".join(f"{name} {count}" for name, count in summary[key].items())
        for key, title in titles.items()
    )


def corpus_summary(corpus: RealCorpus) -> Mapping[str, Mapping[str, int]]:
    """Kept items per source, declared and detected language; left-out notices per reason."""
    left_out: Counter[str] = Counter()
    for (_, reason), count in corpus.left_out.items():
        left_out[reason] += count
    return {
        "source": dict(corpus.counts("source").most_common()),
        "declared_language": dict(corpus.counts("declared_language").most_common()),
        "detected_language": dict(corpus.counts("detected_language").most_common()),
        "left_out": dict(left_out.most_common()),
    }


__all__ = [
    "RANKERS",
    "REAL_LABELS",
    "REAL_PROFILES",
    "RealSet",
    "SamplesMissingError",
    "absent_gathered",
    "corpus_summary",
    "evaluate_real",
    "language_groups",
    "measurable_labels",
    "prepare_real_set",
    "profile_language",
    "real_rankings",
    "target_languages",
]
