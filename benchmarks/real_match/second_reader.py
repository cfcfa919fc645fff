"""A second, independent reader for the real-data labels: draw a blind sample, grade it, compare.

    .venv/bin/python benchmarks/real_match/second_reader.py sample [--size 300] [--seed S] [--force]
    .venv/bin/python benchmarks/real_match/second_reader.py sheet [PROFILE ...] [--ungraded]
    .venv/bin/python benchmarks/real_match/second_reader.py record [--verdicts] < lines
    .venv/bin/python benchmarks/real_match/second_reader.py agree [--disagreements]

`sample` draws about `--size` (profile, notice) pairs from labels.toml into second_reader.toml
as ungraded entries: stratified by the first reader's grade (a third each of 2, 1 and 0), and
within a grade round-robin over the profiles in a seeded random order, so every profile is
there and no grade is scarce. It reads the grades only to stratify: it prints, and writes,
profile ids and item keys, never a grade, a reason or a `via`; entries are grouped by profile
and shuffled within it, so their order says nothing either.

`sheet` prints each profile and its sampled notices (show.py's compact view) for the second
reader to read; it does not open labels.toml. `record` writes grades from lines
`N<TAB>GRADE<TAB>REASON` (or, with --verdicts, `N<TAB>VERDICT<TAB>NOTE` after comparing).

`agree` compares the two readers on the sample: confusion matrix, exact agreement, Cohen's
kappa (plain and linearly weighted), agreement on "relevant (2) vs not" and "1-2 vs 0", per
target-language group and per first-reader grade, each also re-weighted to the whole set
(every pair weighted by the labels of its grade and profile over those sampled), then with
--disagreements every disagreement side by side with its verdict.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from scanner.evaluation.agreement import GRADES, Agreement, GradedPair, agreement  # noqa: E402
from scanner.evaluation.ranking import LabelSet, load_labels  # noqa: E402

SECOND = HERE / "second_reader.toml"
LABELS = HERE / "labels.toml"
PROFILES = HERE / "profiles.toml"
DEFAULT_SEED = "lotwise-second-reader-2026"
VERDICTS = {
    "rubric": "rubric ambiguity: the rubric allows both grades",
    "first": "first reader's error by the rubric",
    "second": "second reader's error by the rubric",
    "borderline": "genuinely borderline: the rubric is clear, the case sits on its line",
}
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
    round-robin over the profiles in a seeded order within each grade; grouped by profile in
    `profile_order`, shuffled within each profile."""
    rng = random.Random(seed)
    quotas = {grade: size // len(GRADES) for grade in GRADES}
    for grade in sorted(GRADES, reverse=True)[: size % len(GRADES)]:
        quotas[grade] += 1
    chosen: dict[str, list[str]] = defaultdict(list)
    for grade in GRADES:
        cells = {
            profile: sorted(
                k for k, label in labels.profiles.get(profile, {}).items() if label.grade == grade
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


def sampling_weights(entries: Iterable[Entry], labels: LabelSet) -> dict[tuple[str, str], float]:
    """Each sampled pair's weight: labels of its (first grade, profile) cell over those sampled
    from it, so weighted figures estimate agreement over the whole labelled set."""
    entries = list(entries)
    grade_of = {(e.profile, e.tender): labels.profiles[e.profile][e.tender].grade for e in entries}
    sampled = Counter((grade_of[(e.profile, e.tender)], e.profile) for e in entries)
    population = Counter(
        (label.grade, profile)
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
) -> tuple[dict[str, object], list[Entry]]:
    """The file's header fields and its entries; SecondReaderError naming every problem
    (unknown fields, profiles or items, a pair twice, a grade outside 0-2, a grade >= 1 without
    a reason, an unknown verdict; with `graded`, an entry still ungraded)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    profiles = set(known_profiles) if known_profiles is not None else None
    tenders = set(known_tenders) if known_tenders is not None else None
    problems: list[str] = []
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(data.get("pair", []), start=1):
        at = f"pair #{index}"
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
        reason = raw.get("reason", "")
        if grade is None:
            if graded:
                problems.append(f"{at}: not graded yet")
        elif isinstance(grade, bool) or grade not in GRADES:
            problems.append(f"{at}: grade must be 0, 1 or 2, not {grade!r}")
        elif grade >= 1 and not (isinstance(reason, str) and reason.strip()):
            problems.append(f"{at}: grade {grade} needs a reason")
        verdict = raw.get("verdict")
        if verdict is not None and verdict not in VERDICTS:
            problems.append(f"{at}: verdict must be one of {', '.join(VERDICTS)}")
        entries.append(
            Entry(
                index,
                profile,
                tender,
                raw.get("title", ""),
                grade,
                reason,
                verdict,
                raw.get("note", ""),
            )
        )
    if problems:
        raise SecondReaderError(problems)
    header = {k: v for k, v in data.items() if k != "pair"}
    return header, entries


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_second_reader(path: Path, header: Mapping[str, object], entries: Sequence[Entry]) -> None:
    """Write the file: a comment saying what it is, the header, one [[pair]] table per entry."""
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
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- comparing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Agreement overall, per group and per first-reader grade; sample and re-weighted."""

    overall: Agreement
    reweighted: Agreement
    groups: dict[str, tuple[Agreement, Agreement]]
    by_first_grade: dict[int, Counter[int]]
    disagreements: list[tuple[Entry, int, str]]  # entry, first grade, first reason


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

    def pairs(chosen: Iterable[Entry], weighted: bool) -> list[GradedPair]:
        return [
            GradedPair(
                labels.profiles[e.profile][e.tender].grade,
                e.grade or 0,
                weights[(e.profile, e.tender)] if weighted else 1.0,
            )
            for e in chosen
        ]

    by_group: dict[str, tuple[Agreement, Agreement]] = {}
    for name, members in (groups or {}).items():
        inside = [e for e in entries if e.profile in set(members)]
        if inside:
            by_group[name] = (agreement(pairs(inside, False)), agreement(pairs(inside, True)))
    by_first: dict[int, Counter[int]] = {g: Counter() for g in GRADES}
    disagreements = []
    for e in entries:
        first = labels.profiles[e.profile][e.tender]
        by_first[first.grade][e.grade or 0] += 1
        if first.grade != e.grade:
            disagreements.append((e, first.grade, first.reason))
    return Comparison(
        overall=agreement(pairs(entries, False)),
        reweighted=agreement(pairs(entries, True)),
        groups=by_group,
        by_first_grade=by_first,
        disagreements=disagreements,
    )


def _k(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_agreement(name: str, a: Agreement) -> str:
    return (
        f"{name:<34} {a.pairs:>4}  exact {a.exact:.2f}  kappa {_k(a.kappa)}  "
        f"linear-weighted kappa {_k(a.weighted_kappa)}  2-vs-not {a.relevant_agreement:.2f} "
        f"(kappa {_k(a.relevant_kappa)})  1-2-vs-0 {a.any_agreement:.2f} (kappa {_k(a.any_kappa)})"
    )


def format_comparison(result: Comparison, *, disagreements: bool = False) -> str:
    m = result.overall.matrix
    lines = [
        "confusion matrix (rows: first reader, columns: second reader; pairs)",
        "            second 0  second 1  second 2   all",
        *(
            f"first {g}    {int(m[g][0]):>8}  {int(m[g][1]):>8}  {int(m[g][2]):>8}  {int(sum(m[g])):>4}"
            for g in GRADES
        ),
        "",
        format_agreement("sample (stratified by first grade)", result.overall),
        format_agreement("re-weighted to the whole set", result.reweighted),
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


# -- commands -----------------------------------------------------------------------------------


def _profile_ids() -> list[str]:
    return [p["id"] for p in tomllib.loads(PROFILES.read_text("utf-8"))["organisation"]]


def _corpus():  # type: ignore[no-untyped-def]
    from show import SAMPLES

    from scanner.evaluation.real_corpus import load_real_corpus

    return load_real_corpus(SAMPLES)


def cmd_sample(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.force:
        _, existing = load_second_reader(args.out)
        if any(e.grade is not None for e in existing):
            print(f"{args.out} holds grades already; --force to draw again", file=sys.stderr)
            return 2
    profiles = _profile_ids()
    corpus = _corpus()
    labels = load_labels(args.labels, known_profiles=set(profiles), known_tenders=set(corpus.items))
    pairs = draw_sample(labels, profiles, args.size, args.seed)
    entries = [
        Entry(n, profile, key, " ".join(corpus.items[key].tender.title.split())[:120])
        for n, (profile, key) in enumerate(pairs, start=1)
    ]
    header = {"version": 1, "seed": args.seed, "size": len(entries)}
    write_second_reader(args.out, header, entries)
    for e in entries:
        print(f"{e.profile}\t{e.tender}")
    print(
        f"# {len(entries)} pairs, {len({e.profile for e in entries})} profiles -> {args.out}",
        file=sys.stderr,
    )
    return 0


def cmd_sheet(args: argparse.Namespace) -> int:
    from show import describe

    from scanner.services.evaluation import load_profiles
    from scanner.services.evaluation_real import REAL_PROFILES
    from scanner.services.matching import MatchingConfig

    corpus = _corpus()
    config = MatchingConfig.load(ROOT / "config" / "matching.toml", ROOT / "config" / "rates.toml")
    orgs = {o.id: o for o in load_profiles(REAL_PROFILES, config, corpus.now)}
    raw = {p["id"]: p for p in tomllib.loads(PROFILES.read_text("utf-8"))["organisation"]}
    _, entries = load_second_reader(args.file, set(orgs), set(corpus.items))
    for profile in dict.fromkeys(e.profile for e in entries):
        if args.profiles and profile not in args.profiles:
            continue
        chosen = [
            e
            for e in entries
            if e.profile == profile and not (args.ungraded and e.grade is not None)
        ]
        o, p = orgs[profile], raw[profile]
        print(
            f"##### {profile} ({len(chosen)} pairs) | {o.name}\n  {o.description}\n"
            f"  CAPABILITIES: {o.capabilities}\n  KEYWORDS: {', '.join(o.keywords)}"
            f" | EXCLUSIONS: {', '.join(o.exclusions)}\n  CPV {' '.join(o.cpv)}"
            f" NAICS {' '.join(o.naics)} | regions {','.join(o.regions)} national={o.national}"
            f" remote={o.remote} | value {p['value_min']}-{p['value_max']} {p['currency']}"
            f" | team {p.get('team_size')}"
        )
        for e in chosen:
            print(f"\n--- #{e.n}\n{describe(corpus.items[e.tender], args.limit)}")
        print()
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    header, entries = load_second_reader(args.file)
    by_n = {e.n: e for e in entries}
    changed = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t", 2)
        if len(parts) != 3 or not parts[0].strip().isdigit() or int(parts[0]) not in by_n:
            print(f"line {number}: expected N<TAB>VALUE<TAB>TEXT, got {line!r}", file=sys.stderr)
            return 2
        n, value, text = int(parts[0]), parts[1].strip(), parts[2].strip()
        if args.verdicts:
            by_n[n] = replace(by_n[n], verdict=value, note=text)
        else:
            by_n[n] = replace(by_n[n], grade=int(value), reason=text)
        changed += 1
    updated = [by_n[e.n] for e in entries]
    write_second_reader(args.file, header, updated)
    load_second_reader(args.file)  # fails loudly if anything written is malformed
    print(
        f"# recorded {changed}; graded {sum(e.grade is not None for e in updated)} "
        f"of {len(updated)}",
        file=sys.stderr,
    )
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from scanner.services.evaluation import load_profiles
    from scanner.services.evaluation_real import (
        REAL_PROFILES,
        language_groups,
        profile_language,
        target_languages,
    )
    from scanner.services.matching import MatchingConfig

    corpus = _corpus()
    config = MatchingConfig.load(ROOT / "config" / "matching.toml", ROOT / "config" / "rates.toml")
    orgs = load_profiles(REAL_PROFILES, config, corpus.now)
    known = {o.id for o in orgs}
    _, entries = load_second_reader(args.file, known, set(corpus.items), graded=True)
    labels = load_labels(args.labels, known_profiles=known, known_tenders=set(corpus.items))
    groups = language_groups(
        target_languages(labels, corpus), {o.id: profile_language(o) for o in orgs}
    )
    print(format_comparison(compare(entries, labels, groups), disagreements=args.disagreements))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="draw the stratified sample (ungraded)")
    sample.add_argument("--size", type=int, default=300)
    sample.add_argument("--seed", default=DEFAULT_SEED)
    sample.add_argument("--labels", type=Path, default=LABELS)
    sample.add_argument("--out", type=Path, default=SECOND)
    sample.add_argument("--force", action="store_true", help="overwrite grades already given")
    sheet = sub.add_parser("sheet", help="print profiles and their sampled notices to read")
    sheet.add_argument("profiles", nargs="*")
    sheet.add_argument("--file", type=Path, default=SECOND)
    sheet.add_argument("--ungraded", action="store_true", help="only pairs without a grade")
    sheet.add_argument("--limit", type=int, default=900, help="characters of description")
    record = sub.add_parser("record", help="write grades (or verdicts) read from stdin")
    record.add_argument("--file", type=Path, default=SECOND)
    record.add_argument("--verdicts", action="store_true")
    agree = sub.add_parser("agree", help="compare the two readers")
    agree.add_argument("--file", type=Path, default=SECOND)
    agree.add_argument("--labels", type=Path, default=LABELS)
    agree.add_argument("--disagreements", action="store_true", help="list each, side by side")
    args = parser.parse_args(argv)
    commands = {"sample": cmd_sample, "sheet": cmd_sheet, "record": cmd_record, "agree": cmd_agree}
    try:
        return commands[args.command](args)
    except SecondReaderError as exc:
        print(f"{args.file if hasattr(args, 'file') else args.out}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
