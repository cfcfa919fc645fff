"""A second, independent reader for the real-data labels: draw a blind sample, grade it, compare.

    .venv/bin/python benchmarks/real_match/second_reader.py sample [--size 300] [--seed S] [--force]
        [--file F] [--profile ID[:KEY-PREFIX] ...]
    .venv/bin/python benchmarks/real_match/second_reader.py sheet [PROFILE ...] [--ungraded]
    .venv/bin/python benchmarks/real_match/second_reader.py record [--verdicts] < lines
    .venv/bin/python benchmarks/real_match/second_reader.py agree [--disagreements]
        [--file F] [--profile ID[:KEY-PREFIX] ...]
    .venv/bin/python benchmarks/real_match/second_reader.py swap --out FILE

`sample` draws about `--size` (profile, notice) pairs from labels.toml into second_reader.toml
as ungraded entries: stratified by the first reader's grade (a third each of 2, 1 and 0), and
within a grade round-robin over the profiles in a seeded random order, so every profile is
there and no grade is scarce. It reads the grades only to stratify: it prints, and writes,
profile ids and item keys, never a grade, a reason or a `via`; entries are grouped by profile
and shuffled within it, so their order says nothing either.
With `--profile` (repeatable) only the labels of those profiles are drawn from, and with
`ID:PREFIX` only that profile's labels whose key starts with PREFIX (`gathered-it/`). When a
grade has fewer labels than its third, all of them are taken and the grades with more make up
the shortfall, so the sample still reaches about `--size`. Every command takes `--file`
(default second_reader.toml), e.g. second_reader_it.toml for the Italian group.

`sheet` prints each profile and its sampled notices (show.py's compact view) for the second
reader; it never opens labels.toml. `record` writes grades from lines `N<TAB>GRADE<TAB>REASON`
(with --verdicts, `N<TAB>VERDICT<TAB>NOTE` after comparing).

`agree` compares the two readers (scanner/evaluation/second_reading.py): confusion matrix,
exact agreement, Cohen's kappa plain and linearly weighted, agreement on "relevant (2) vs not"
and "1-2 vs 0", per target-language group and per first-reader grade, each also re-weighted to
the whole set (with `--profile`, as given to `sample`, to the labels the sample was drawn from:
those profiles' labels under each prefix); with --disagreements every disagreement side by side
with its verdict.

`swap` writes a copy of labels.toml in which the sampled pairs carry the second reader's grade,
for `lotwise eval --set real --labels FILE`: how much the figures depend on who read them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from scanner.evaluation.ranking import LabelSet, load_labels  # noqa: E402
from scanner.evaluation.second_reading import (  # noqa: E402
    SecondReaderError,
    compare,
    draw_sample,
    format_comparison,
    load_second_reader,
    render_second_reader,
)

SECOND = HERE / "second_reader.toml"
LABELS = HERE / "labels.toml"
PROFILES = HERE / "profiles.toml"
DEFAULT_SEED = "lotwise-second-reader-2026"


def _profile_ids() -> list[str]:
    return [p["id"] for p in tomllib.loads(PROFILES.read_text("utf-8"))["organisation"]]


def _corpus() -> Any:
    from show import SAMPLES

    from scanner.evaluation.real_corpus import load_real_corpus

    return load_real_corpus(SAMPLES)


def restrict(
    labels: LabelSet, profiles: list[str], wanted: list[str]
) -> tuple[LabelSet, list[str]]:
    """Only the profiles named in `wanted` (`ID` or `ID:KEY-PREFIX`), in `profiles`' order."""
    prefixes: dict[str, str] = {}
    for spec in wanted:
        profile, _, prefix = spec.partition(":")
        if profile not in labels.profiles:
            raise ValueError(f"no labels for profile {profile!r}")
        prefixes[profile] = prefix
    kept = {
        profile: {key: label for key, label in graded.items() if key.startswith(prefixes[profile])}
        for profile, graded in labels.profiles.items()
        if profile in prefixes
    }
    return replace(labels, profiles=kept), [p for p in profiles if p in prefixes]


def draw_filled(
    labels: LabelSet, profiles: list[str], size: int, seed: str
) -> list[tuple[str, str]]:
    """draw_sample, its quotas raised until about `size` pairs are drawn when a grade is scarce
    (all of its labels are then taken; the other grades make up the shortfall)."""
    total = sum(len(graded) for p, graded in labels.profiles.items() if p in profiles)
    target, quota = min(size, total), size
    pairs = draw_sample(labels, profiles, quota, seed)
    while len(pairs) < target:
        quota += 3
        pairs = draw_sample(labels, profiles, quota, seed)
    return pairs


def cmd_sample(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.force:
        _, existing = load_second_reader(args.out)
        if any(e.grade is not None for e in existing):
            print(f"{args.out} holds grades already; --force to draw again", file=sys.stderr)
            return 2
    from scanner.evaluation.second_reading import Entry

    profiles = _profile_ids()
    corpus = _corpus()
    labels = load_labels(args.labels, known_profiles=set(profiles), known_tenders=set(corpus.items))
    if args.profile:
        try:
            labels, profiles = restrict(labels, profiles, args.profile)
        except ValueError as exc:
            print(f"--profile: {exc}", file=sys.stderr)
            return 2
    pairs = draw_filled(labels, profiles, args.size, args.seed)
    entries = [
        Entry(n, profile, key, " ".join(corpus.items[key].tender.title.split())[:120])
        for n, (profile, key) in enumerate(pairs, start=1)
    ]
    header = {"version": 1, "seed": args.seed, "size": len(entries)}
    args.out.write_text(render_second_reader(header, entries), encoding="utf-8")
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
    from scanner.services.matching import MatchingConfig

    corpus = _corpus()
    config = MatchingConfig.load(ROOT / "config" / "matching.toml", ROOT / "config" / "rates.toml")
    orgs = {o.id: o for o in load_profiles(PROFILES, config, corpus.now)}
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
        parts = [part.strip() for part in line.rstrip("\n").split("\t", 2)]
        valid = len(parts) == 3 and parts[0].isdigit() and int(parts[0]) in by_n
        if not valid or (not args.verdicts and parts[1] not in {"0", "1", "2"}):
            print(f"line {number}: expected N<TAB>VALUE<TAB>TEXT, got {line!r}", file=sys.stderr)
            return 2
        n, value, text = int(parts[0]), parts[1], parts[2]
        if args.verdicts:
            by_n[n] = replace(by_n[n], verdict=value, note=text)
        else:
            by_n[n] = replace(by_n[n], grade=int(value), reason=text)
        changed += 1
    updated = [by_n[e.n] for e in entries]
    text = render_second_reader(header, updated)
    from scanner.evaluation.second_reading import parse_second_reader

    parse_second_reader(tomllib.loads(text))  # nothing malformed is ever written
    args.file.write_text(text, encoding="utf-8")
    graded = sum(e.grade is not None for e in updated)
    print(f"# recorded {changed}; graded {graded} of {len(updated)}", file=sys.stderr)
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from scanner.services.evaluation import load_profiles
    from scanner.services.evaluation_real import (
        language_groups,
        profile_language,
        target_languages,
    )
    from scanner.services.matching import MatchingConfig

    corpus = _corpus()
    config = MatchingConfig.load(ROOT / "config" / "matching.toml", ROOT / "config" / "rates.toml")
    orgs = load_profiles(PROFILES, config, corpus.now)
    known = {o.id for o in orgs}
    _, entries = load_second_reader(args.file, known, set(corpus.items), graded=True)
    labels = load_labels(args.labels, known_profiles=known, known_tenders=set(corpus.items))
    groups = language_groups(
        target_languages(labels, corpus), {o.id: profile_language(o) for o in orgs}
    )
    if args.profile:  # re-weight to the labels the sample was drawn from, as `sample` restricted
        try:
            labels, _ = restrict(labels, [o.id for o in orgs], args.profile)
        except ValueError as exc:
            print(f"--profile: {exc}", file=sys.stderr)
            return 2
    print(format_comparison(compare(entries, labels, groups), disagreements=args.disagreements))
    return 0


def cmd_swap(args: argparse.Namespace) -> int:
    """Give each sampled label the second reader's grade and reason, line by line (labels.toml
    keeps one label per line), so the copy differs from labels.toml only there."""
    _, entries = load_second_reader(args.file, graded=True)
    second = {(e.profile, e.tender): e for e in entries}
    profile, swapped, lines = None, 0, []
    for line in args.labels.read_text(encoding="utf-8").splitlines(keepends=True):
        if found := re.match(r'id = "(.+)"', line):
            profile = found[1]
        key = re.search(r'\{ tender = ("(?:[^"\\]|\\.)*")', line)
        entry = second.get((profile, json.loads(key[1]))) if key else None
        if entry is not None:
            reason = json.dumps(f"second reader: {entry.reason}", ensure_ascii=False)
            line = re.sub(r', reason = "(?:[^"\\]|\\.)*"', "", line, count=1)
            swapped_in = f"grade = {entry.grade}, reason = {reason}"
            line = re.sub(r"grade = [012]", lambda _, text=swapped_in: text, line, count=1)
            swapped += 1
        lines.append(line)
    args.out.write_text("".join(lines), encoding="utf-8")
    print(
        f"# {swapped} of {len(entries)} sampled labels carry the second reader's grade -> "
        f"{args.out}",
        file=sys.stderr,
    )
    return 0 if swapped == len(entries) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="draw the stratified sample (ungraded)")
    sample.add_argument("--size", type=int, default=300)
    sample.add_argument("--seed", default=DEFAULT_SEED)
    sample.add_argument("--labels", type=Path, default=LABELS)
    sample.add_argument("--out", "--file", dest="file", type=Path, default=SECOND)
    sample.add_argument("--force", action="store_true", help="overwrite grades already given")
    sample.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="ID[:KEY-PREFIX]",
        help="draw only from this profile's labels (repeatable); with :PREFIX only its keys "
        "starting with PREFIX",
    )
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
    agree.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="ID[:KEY-PREFIX]",
        help="re-weight to these profiles' labels only (repeatable; as given to `sample`)",
    )
    swap = sub.add_parser("swap", help="labels.toml with the second reader's grades swapped in")
    swap.add_argument("--file", type=Path, default=SECOND)
    swap.add_argument("--labels", type=Path, default=LABELS)
    swap.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "sample":
        args.out = args.file
    commands = {
        "sample": cmd_sample,
        "sheet": cmd_sheet,
        "record": cmd_record,
        "agree": cmd_agree,
        "swap": cmd_swap,
    }
    try:
        return commands[args.command](args)
    except SecondReaderError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
