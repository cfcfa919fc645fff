"""A second, independent reading of a graded labels file: a blind sample stratified by the
first reader's grade, the second reader's grades in a file of their own, and the comparison.

The file (`second_reader.toml`, one `[[pair]]` table per sampled pair) holds no grade of the
first reader: the sample is drawn from labels.toml but written with profile id and item key
only. After grading, `compare` reports the agreement figures (`scanner.evaluation.agreement`)
against the first reader's *own* grades: a label the second reader later corrected, or a
later rubric point changed, records its first grade in its reason ("second reader (was 1 -> 2):
...; first reader: ..."), so the figures do not change when corrections are made. Pure apart from reading and writing the file.
"""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.evaluation.agreement import GRADES, Agreement, GradedPair, agreement
from scanner.evaluation.ranking import Label, LabelSet

VERDICTS = {
    "rubric": "rubric ambiguity: the rubric allows both grades",
    "first": "first reader's error by the rubric",
    "second": "second reader's error by the rubric",
    "borderline": "genuinely borderline: the rubric is clear, the case sits on its line",
}
# How a label changed after the first reading records it (README.md, "Second reader"): the
# reason starts "second reader (was 1 -> 2): why" (a second reader's correction) or "rubric R5
# (was 2 -> 1): why" (a rubric point added later, applied to every label it covers), then
# "; first reader: <the first reason>".
CORRECTED = re.compile(
    r"^(?:second reader|rubric R\d+) \(was (?P<was>[012]) -> (?P<now>[012])\): (?P<why>.*?)"
    r"(?:; first reader: (?P<first>.*))?$",
    re.S,
)
FIELDS = frozenset({"n", "profile", "tender", "title", "grade", "reason", "verdict", "note"})


class SecondReaderError(ValueError):
    """second_reader.toml is malformed; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Entry:
    """One sampled pair and, once graded, the second reader's grade and reason."""

    n: int
    profile: str
    tender: str
    title: str = ""
    grade: int | None = None
    reason: str = ""
    verdict: str | None = None  # set after comparing, on disagreements
    note: str = ""


# -- sampling -----------------------------------------------------------------------------------


def draw_sample(
    labels: LabelSet, profile_order: Sequence[str], size: int, seed: str
) -> list[tuple[str, str]]:
    """(profile, tender) pairs: size/3 per first-reader grade (remainder to the higher grades),
    round-robin over the profiles in a seeded order within each grade, so every profile with a
    label of that grade is drawn before any is drawn twice; grouped by profile in
    `profile_order`, shuffled within each profile (the order says nothing about grades)."""
    rng = random.Random(seed)
    quotas = {grade: size // len(GRADES) for grade in GRADES}
    for grade in sorted(GRADES, reverse=True)[: size % len(GRADES)]:
        quotas[grade] += 1
    chosen: dict[str, list[str]] = defaultdict(list)
    for grade in GRADES:
        cells = {
            profile: sorted(
                key
                for key, label in labels.profiles.get(profile, {}).items()
                if first_reading(label)[0] == grade
            )
            for profile in profile_order
        }
        for keys in cells.values():
            rng.shuffle(keys)
        turn = list(profile_order)
        rng.shuffle(turn)
        taken = 0
        while taken < quotas[grade] and any(cells.values()):
            for profile in turn:
                if taken < quotas[grade] and cells[profile]:
                    chosen[profile].append(cells[profile].pop())
                    taken += 1
    pairs: list[tuple[str, str]] = []
    for profile in profile_order:
        keys = chosen.get(profile, [])
        rng.shuffle(keys)
        pairs.extend((profile, key) for key in keys)
    return pairs


def first_reading(label: Label) -> tuple[int, str]:
    """The first reader's own grade and reason, also for a label the second reader corrected."""
    found = CORRECTED.match(label.reason)
    if found is None:
        return label.grade, label.reason
    return int(found["was"]), found["first"] or ""


def sampling_weights(entries: Iterable[Entry], labels: LabelSet) -> dict[tuple[str, str], float]:
    """Each sampled pair's weight: labels of its (first grade, profile) cell over those sampled
    from it, so weighted figures estimate agreement over the whole labelled set. Cells are by
    the first reader's own grade (what the sample was stratified on), corrections undone."""
    entries = list(entries)
    grade_of = {
        (e.profile, e.tender): first_reading(labels.profiles[e.profile][e.tender])[0]
        for e in entries
    }
    sampled = Counter((grade_of[(e.profile, e.tender)], e.profile) for e in entries)
    population = Counter(
        (first_reading(label)[0], profile)
        for profile, graded in labels.profiles.items()
        for label in graded.values()
    )
    return {pair: population[(g, pair[0])] / sampled[(g, pair[0])] for pair, g in grade_of.items()}


# -- the file -----------------------------------------------------------------------------------


def load_second_reader(
    path: Path,
    known_profiles: Iterable[str] | None = None,
    known_tenders: Iterable[str] | None = None,
    *,
    graded: bool = False,
) -> tuple[dict[str, Any], list[Entry]]:
    """Read and validate a second-reader file; see `parse_second_reader`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SecondReaderError([f"{path}: cannot read: {exc}"]) from exc
    return parse_second_reader(data, known_profiles, known_tenders, graded=graded)


def parse_second_reader(
    data: Mapping[str, Any],
    known_profiles: Iterable[str] | None = None,
    known_tenders: Iterable[str] | None = None,
    *,
    graded: bool = False,
) -> tuple[dict[str, Any], list[Entry]]:
    """The header fields and the entries; SecondReaderError naming every problem (unknown
    fields, profiles or items, a pair twice, `n` out of order, a grade outside 0-2, a grade
    >= 1 without a reason, an unknown verdict; with `graded`, an entry still ungraded)."""
    profiles = set(known_profiles) if known_profiles is not None else None
    tenders = set(known_tenders) if known_tenders is not None else None
    problems: list[str] = []
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    raw_pairs = data.get("pair", [])
    if not isinstance(raw_pairs, list):
        raise SecondReaderError(["expected [[pair]] tables"])
    for index, raw in enumerate(raw_pairs, start=1):
        at = f"pair #{index}"
        if not isinstance(raw, Mapping):
            problems.append(f"{at}: must be a table")
            continue
        unknown = sorted(set(raw) - FIELDS)
        if unknown:
            problems.append(f"{at}: unknown field(s) {', '.join(unknown)}")
        profile, tender, grade = raw.get("profile"), raw.get("tender"), raw.get("grade")
        if not isinstance(profile, str) or not isinstance(tender, str):
            problems.append(f"{at}: needs `profile` and `tender`")
            continue
        if raw.get("n") != index:
            problems.append(f"{at}: `n` must be {index}, not {raw.get('n')!r}")
        if profiles is not None and profile not in profiles:
            problems.append(f"{at}: unknown profile {profile!r}")
        if tenders is not None and tender not in tenders:
            problems.append(f"{at}: unknown item {tender!r}")
        if (profile, tender) in seen:
            problems.append(f"{at}: ({profile}, {tender}) sampled twice")
        seen.add((profile, tender))
        reason, verdict, note = raw.get("reason", ""), raw.get("verdict"), raw.get("note", "")
        if not all(isinstance(text, str) for text in (reason, note, raw.get("title", ""))):
            problems.append(f"{at}: `title`, `reason` and `note` must be text")
            continue
        if grade is None:
            if graded:
                problems.append(f"{at}: not graded yet")
        elif isinstance(grade, bool) or grade not in GRADES:
            problems.append(f"{at}: grade must be 0, 1 or 2, not {grade!r}")
            continue
        elif grade >= 1 and not reason.strip():
            problems.append(f"{at}: grade {grade} needs a reason")
        if verdict is not None and verdict not in VERDICTS:
            problems.append(f"{at}: verdict must be one of {', '.join(VERDICTS)}")
            continue
        entries.append(
            Entry(index, profile, tender, raw.get("title", ""), grade, reason, verdict, note)
        )
    if problems:
        raise SecondReaderError(problems)
    return {k: v for k, v in data.items() if k != "pair"}, entries


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_second_reader(header: Mapping[str, object], entries: Sequence[Entry]) -> str:
    """The file's text: a comment saying what it is, the header, one [[pair]] per entry."""
    lines = [
        "# Second reader's grades of a stratified sample of labels.toml (README.md, \"Second",
        '# reader"). Drawn by second_reader.py `sample`; graded by reading each notice against',
        "# the profile and the rubric, without seeing the first reader's grade. `verdict` (on",
        "# disagreements, after comparing): " + ", ".join(VERDICTS) + ".",
        "",
    ]
    for key, value in header.items():
        lines.append(f"{key} = {_toml_string(value) if isinstance(value, str) else value}")
    for e in entries:
        lines += [
            "",
            "[[pair]]",
            f"n = {e.n}",
            f"profile = {_toml_string(e.profile)}",
            f"tender = {_toml_string(e.tender)}",
            f"title = {_toml_string(e.title)}",
        ]
        if e.grade is not None:
            lines += [f"grade = {e.grade}", f"reason = {_toml_string(e.reason)}"]
        if e.verdict is not None:
            lines += [f"verdict = {_toml_string(e.verdict)}", f"note = {_toml_string(e.note)}"]
    return "\n".join(lines) + "\n"


# -- comparing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Agreement with the first reader's own grades (corrections undone): overall, re-weighted
    to the whole set, per group (sample and re-weighted) and per first grade; and agreement
    with labels.toml as it now is (after the second reader's corrections)."""

    overall: Agreement
    reweighted: Agreement
    groups: dict[str, tuple[Agreement, Agreement]]
    by_first_grade: dict[int, Counter[int]]
    disagreements: list[tuple[Entry, int, str]]  # entry, first grade, first reason
    corrected: Agreement
    corrections: int  # sampled labels the second reader corrected


def compare(
    entries: Sequence[Entry], labels: LabelSet, groups: Mapping[str, Iterable[str]] | None = None
) -> Comparison:
    """Compare graded entries with the first reader's labels (every entry must be in them)."""
    missing = [e for e in entries if e.tender not in labels.profiles.get(e.profile, {})]
    if missing:
        raise SecondReaderError([f"pair #{e.n}: not in labels.toml" for e in missing])
    ungraded = [e for e in entries if e.grade is None]
    if ungraded:
        raise SecondReaderError([f"pair #{e.n}: not graded yet" for e in ungraded])
    weights = sampling_weights(entries, labels)
    first = {
        (e.profile, e.tender): first_reading(labels.profiles[e.profile][e.tender]) for e in entries
    }

    def pairs(
        chosen: Iterable[Entry], weighted: bool = False, now: bool = False
    ) -> list[GradedPair]:
        return [
            GradedPair(
                labels.profiles[e.profile][e.tender].grade
                if now
                else first[(e.profile, e.tender)][0],
                e.grade or 0,
                weights[(e.profile, e.tender)] if weighted else 1.0,
            )
            for e in chosen
        ]

    by_group: dict[str, tuple[Agreement, Agreement]] = {}
    for name, members in (groups or {}).items():
        inside = [e for e in entries if e.profile in set(members)]
        if inside:
            by_group[name] = (agreement(pairs(inside)), agreement(pairs(inside, weighted=True)))
    by_first: dict[int, Counter[int]] = {g: Counter() for g in GRADES}
    disagreements: list[tuple[Entry, int, str]] = []
    for e in entries:
        grade, reason = first[(e.profile, e.tender)]
        by_first[grade][e.grade or 0] += 1
        if grade != e.grade:
            disagreements.append((e, grade, reason))
    return Comparison(
        overall=agreement(pairs(entries)),
        reweighted=agreement(pairs(entries, weighted=True)),
        groups=by_group,
        by_first_grade=by_first,
        disagreements=disagreements,
        corrected=agreement(pairs(entries, now=True)),
        corrections=sum(
            1
            for e in entries
            if labels.profiles[e.profile][e.tender].grade != first[(e.profile, e.tender)][0]
        ),
    )


def _k(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_agreement(name: str, a: Agreement) -> str:
    """One line of figures for a set of pairs."""
    return (
        f"{name:<34} {a.pairs:>4}  exact {a.exact:.2f}  kappa {_k(a.kappa)}  "
        f"linear-weighted kappa {_k(a.weighted_kappa)}  2-vs-not {a.relevant_agreement:.2f} "
        f"(kappa {_k(a.relevant_kappa)})  1-2-vs-0 {a.any_agreement:.2f} (kappa {_k(a.any_kappa)})"
    )


def format_comparison(result: Comparison, *, disagreements: bool = False) -> str:
    """The comparison for people; with `disagreements`, each one side by side with its verdict."""
    m = result.overall.matrix
    lines = [
        "first reader's own grades (any second-reader correction undone) vs the second reader",
        "confusion matrix (rows: first reader, columns: second reader; pairs)",
        "            second 0  second 1  second 2   all",
        *(
            f"first {g}    {int(m[g][0]):>8}  {int(m[g][1]):>8}  {int(m[g][2]):>8}  {int(sum(m[g])):>4}"
            for g in GRADES
        ),
        "",
        format_agreement("sample (stratified by first grade)", result.overall),
        format_agreement("re-weighted to the whole set", result.reweighted),
        format_agreement(f"labels.toml now ({result.corrections} corrected)", result.corrected),
        "",
        "per target-language group (sample; re-weighted exact / weighted kappa):",
    ]
    for name, (plain, weighted) in result.groups.items():
        lines.append(
            format_agreement(f"  {name}", plain)
            + f"  | re-weighted {weighted.exact:.2f} / {_k(weighted.weighted_kappa)}"
        )
    lines += ["", "per first-reader grade: how the second reader graded the same pairs"]
    for grade, seen in result.by_first_grade.items():
        total = sum(seen.values())
        share = seen[grade] / total if total else 0.0
        spread = ", ".join(f"{seen[g]} x {g}" for g in GRADES)
        lines.append(f"  first {grade}: {total:>3} pairs, {share:.0%} also {grade} ({spread})")
    verdicts = Counter(e.verdict or "unclassified" for e, _, _ in result.disagreements)
    lines += [
        "",
        f"{len(result.disagreements)} disagreements; verdicts: "
        + ", ".join(f"{name} {count}" for name, count in verdicts.most_common()),
    ]
    if disagreements:
        for e, first, reason in result.disagreements:
            lines += [
                "",
                f"#{e.n} {e.profile} | {e.tender}",
                f"   {e.title}",
                f"   first {first}: {reason}",
                f"   second {e.grade}: {e.reason}",
                f"   verdict: {e.verdict or '-'} {e.note}",
            ]
    return "\n".join(lines)


__all__ = [
    "CORRECTED",
    "VERDICTS",
    "Comparison",
    "Entry",
    "SecondReaderError",
    "compare",
    "draw_sample",
    "first_reading",
    "format_comparison",
    "load_second_reader",
    "parse_second_reader",
    "render_second_reader",
    "sampling_weights",
]
