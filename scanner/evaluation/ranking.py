"""Ranking quality against graded labels: precision@k and NDCG@k, per profile and macro-averaged.

Labels grade a tender for an organisation profile 2 (relevant), 1 (borderline) or 0 (not
relevant). Evaluation is at tender level: a ranking may list a tender several times (the tender,
one of its lots, a proposed package, each mapped to the tender's key); only its best rank counts.
A ranked tender with no label for that profile counts as grade 0 ("unjudged"); the report shows
how much of each top k was judged, so a method that surfaces unjudged tenders is visible.

Pure apart from `load_labels`, which only reads the labels file.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GRADES = (0, 1, 2)
DEFAULT_KS = (5, 10)
LABEL_KEYS = frozenset({"tender", "grade", "reason", "part", "via", "title"})


class LabelsError(ValueError):
    """The labels file is malformed or refers to unknown profiles or tenders; lists every problem."""

    def __init__(self, problems: Sequence[str], source: str = "labels") -> None:
        self.problems = tuple(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{source}: {len(self.problems)} problem(s)\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class Label:
    """One judgement: how relevant `tender` is to a profile, why, and which part fits."""

    tender: str
    grade: int
    reason: str = ""
    part: str | None = None
    via: str | None = None


@dataclass(frozen=True)
class LabelSet:
    """Judgements per profile id, then per tender key."""

    profiles: Mapping[str, Mapping[str, Label]]

    def grades(self, profile_id: str) -> dict[str, int]:
        return {key: label.grade for key, label in self.profiles.get(profile_id, {}).items()}

    def counts(self) -> dict[int, int]:
        """How many labels of each grade the whole set holds."""
        found = dict.fromkeys(GRADES, 0)
        for labels in self.profiles.values():
            for label in labels.values():
                found[label.grade] += 1
        return found


# -- metrics ------------------------------------------------------------------------------------


def unique_in_order(ranking: Iterable[str]) -> list[str]:
    """Tender keys at their first (best) rank."""
    return list(dict.fromkeys(ranking))


def precision_at_k(
    ranking: Sequence[str], grades: Mapping[str, int], k: int, min_grade: int = 1
) -> float:
    """Share of the top k with grade >= `min_grade`; a list shorter than k is padded with misses
    (an alert that shows 3 good items is not as good as one that shows 10)."""
    _check_k(k)
    top = unique_in_order(ranking)[:k]
    return sum(1 for key in top if grades.get(key, 0) >= min_grade) / k


def dcg(gains: Iterable[int]) -> float:
    """Discounted cumulative gain of grades in rank order: sum of (2^g - 1) / log2(rank + 1)."""
    return math.fsum(
        (2.0**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(gains, start=1)
    )


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float | None:
    """DCG of the top k over the DCG of the best possible top k from *all* the profile's labels.
    None when the profile has no label above 0 (nothing to find, so the ratio is undefined)."""
    _check_k(k)
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return None
    return dcg(grades.get(key, 0) for key in unique_in_order(ranking)[:k]) / ideal


def judged_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Share of the (non-empty) top k that has a label; 1.0 for an empty ranking."""
    _check_k(k)
    top = unique_in_order(ranking)[:k]
    return sum(1 for key in top if key in grades) / len(top) if top else 1.0


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive whole number, not {k!r}")


# -- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileScores:
    """One profile's figures at each k."""

    profile_id: str
    precision: Mapping[int, float]
    ndcg: Mapping[int, float | None]
    judged: Mapping[int, float]
    returned: int  # distinct tenders ranked
    relevant: int  # labels at or above the precision threshold


@dataclass(frozen=True)
class EvaluationReport:
    """Per-profile scores and their macro-averages (NDCG over profiles where it is defined)."""

    ks: tuple[int, ...]
    min_grade: int
    profiles: tuple[ProfileScores, ...]
    macro_precision: Mapping[int, float]
    macro_ndcg: Mapping[int, float | None]
    ndcg_profiles: int  # profiles with something to find
    unlabelled: tuple[str, ...] = field(default=())  # ranked profiles the labels do not cover


def evaluate(
    rankings: Mapping[str, Sequence[str]],
    labels: LabelSet,
    ks: Sequence[int] = DEFAULT_KS,
    min_grade: int = 1,
) -> EvaluationReport:
    """Score each labelled profile's ranking (best first); a labelled profile with no ranking
    scores as an empty list. `min_grade` is what precision counts as a hit (1: borderline too)."""
    if min_grade not in (1, 2):
        raise ValueError(f"min_grade must be 1 or 2, not {min_grade!r}")
    ks = tuple(sorted(set(ks)))
    if not ks:
        raise ValueError("at least one k is needed")
    for k in ks:
        _check_k(k)
    scores = []
    for profile_id in sorted(labels.profiles):
        grades = labels.grades(profile_id)
        ranking = unique_in_order(rankings.get(profile_id, ()))
        scores.append(
            ProfileScores(
                profile_id=profile_id,
                precision={k: precision_at_k(ranking, grades, k, min_grade) for k in ks},
                ndcg={k: ndcg_at_k(ranking, grades, k) for k in ks},
                judged={k: judged_at_k(ranking, grades, k) for k in ks},
                returned=len(ranking),
                relevant=sum(1 for g in grades.values() if g >= min_grade),
            )
        )
    defined = [s for s in scores if s.ndcg[ks[0]] is not None]  # the same profiles at every k
    return EvaluationReport(
        ks=ks,
        min_grade=min_grade,
        profiles=tuple(scores),
        macro_precision={k: _mean(s.precision[k] for s in scores) or 0.0 for k in ks},
        macro_ndcg={k: _mean(v for s in defined if (v := s.ndcg[k]) is not None) for k in ks},
        ndcg_profiles=len(defined),
        unlabelled=tuple(sorted(set(rankings) - set(labels.profiles))),
    )


def _mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return sum(found) / len(found) if found else None


def format_report(report: EvaluationReport, title: str = "") -> str:
    """A plain-text table: one row per profile, then the macro-average."""
    ks = report.ks
    head = ["profile", *(f"P@{k}" for k in ks), *(f"NDCG@{k}" for k in ks)]
    head += [f"judged@{ks[-1]}", "ranked", "relevant"]
    rows = [
        [
            s.profile_id,
            *(f"{s.precision[k]:.2f}" for k in ks),
            *(_figure(s.ndcg[k]) for k in ks),
            f"{s.judged[ks[-1]]:.2f}",
            str(s.returned),
            str(s.relevant),
        ]
        for s in report.profiles
    ]
    macro = [
        f"macro ({len(report.profiles)} profiles)",
        *(f"{report.macro_precision[k]:.2f}" for k in ks),
        *(_figure(report.macro_ndcg[k]) for k in ks),
        "",
        "",
        "",
    ]
    widths = [max(len(row[i]) for row in [head, *rows, macro]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * w for w in widths)
    grade = "relevant (2)" if report.min_grade == 2 else "relevant or borderline (1-2)"
    notes = [
        f"P@k counts {grade} tenders among the top k (short lists are padded with misses);",
        "NDCG gains 2^grade - 1, ideal from all the profile's labels; unjudged tenders count as 0;",
        f"NDCG macro-average over the {report.ndcg_profiles} profiles with anything to find; "
        "- means undefined.",
    ]
    if report.unlabelled:
        notes.append(f"ignored (no labels): {', '.join(report.unlabelled)}")
    lines = [title] if title else []
    lines += [line(head), rule, *(line(r) for r in rows), rule, line(macro), "", *notes]
    return "\n".join(lines)


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# -- labels file --------------------------------------------------------------------------------


def load_labels(
    path: str | Path,
    known_profiles: Collection[str] | None = None,
    known_tenders: Collection[str] | None = None,
) -> LabelSet:
    """Read a labels file (TOML, or JSON with the same shape) and validate it; see `parse_labels`."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LabelsError([f"cannot read: {exc}"], str(path)) from exc
    return parse_labels(data, known_profiles, known_tenders, source=str(path))


def parse_labels(
    data: Any,
    known_profiles: Collection[str] | None = None,
    known_tenders: Collection[str] | None = None,
    source: str = "labels",
) -> LabelSet:
    """Validate `{"profile": [{"id": ..., "labels": [{"tender", "grade", "reason"?, "part"?,
    "via"?, "title"?}, ...]}, ...]}`. Profile ids and tender keys are checked against the known
    ones when given. Raises LabelsError naming every problem at once."""
    problems: list[str] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("profile"), list):
        raise LabelsError(["expected a top-level `profile` list ([[profile]] tables)"], source)
    profiles: dict[str, dict[str, Label]] = {}
    for number, entry in enumerate(data["profile"], start=1):
        where = f"profile #{number}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            problems.append(f"{where}: needs a string `id`")
            continue
        profile_id = entry["id"]
        where = f"profile {profile_id!r}"
        if profile_id in profiles:
            problems.append(f"{where}: listed twice")
            continue
        if known_profiles is not None and profile_id not in known_profiles:
            problems.append(f"{where}: unknown organisation profile id")
        raw_labels = entry.get("labels")
        if not isinstance(raw_labels, list):
            problems.append(f"{where}: needs a `labels` list")
            continue
        profiles[profile_id] = _parse_profile_labels(raw_labels, where, known_tenders, problems)
    if problems:
        raise LabelsError(problems, source)
    return LabelSet(profiles)


def _parse_profile_labels(
    raw_labels: list[Any], where: str, known_tenders: Collection[str] | None, problems: list[str]
) -> dict[str, Label]:
    labels: dict[str, Label] = {}
    for index, raw in enumerate(raw_labels, start=1):
        at = f"{where}, label #{index}"
        if not isinstance(raw, Mapping):
            problems.append(f"{at}: must be a table")
            continue
        unknown = sorted(set(raw) - LABEL_KEYS)
        if unknown:
            problems.append(f"{at}: unknown field(s) {', '.join(unknown)}")
        tender, grade = raw.get("tender"), raw.get("grade")
        if not isinstance(tender, str) or not tender:
            problems.append(f"{at}: needs a `tender` key (the tender's ocid)")
            continue
        at = f"{where}, tender {tender!r}"
        if isinstance(grade, bool) or grade not in GRADES:
            problems.append(f"{at}: grade must be 0, 1 or 2, not {grade!r}")
            continue
        reason, part, via = raw.get("reason", ""), raw.get("part"), raw.get("via")
        if not isinstance(reason, str) or (grade > 0 and not reason.strip()):
            problems.append(f"{at}: grade {grade} needs a `reason`")
            continue
        if not all(value is None or isinstance(value, str) for value in (part, via)):
            problems.append(f"{at}: `part` and `via` must be text")
            continue
        if tender in labels:
            problems.append(f"{at}: labelled twice")
            continue
        if known_tenders is not None and tender not in known_tenders:
            problems.append(f"{at}: unknown tender key (not in the corpus)")
        labels[tender] = Label(tender, grade, reason.strip(), part, via)
    return labels
