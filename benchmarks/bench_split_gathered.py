"""The splitter on real calls in Italian, French, Spanish, German, Polish and Bulgarian: does it
divide what the buyer divided (or read the division the notice states), into the buyer's lots,
and leave whole what the buyer left whole?

The notices: every call for competition of the gathered TED folders (`gathered-it`, `-fr`,
`-es`, `-de`, `-pl`, `-bg` of the shared samples; provenance in benchmarks/real_match/GATHERED*.md), read by
`scanner.evaluation.real_corpus.load_real_corpus` with the real evaluation's own rules (open
calls only, each procedure once). Grouped by the folder (the notice's original language and
jurisdiction), whatever language of the notice Lotwise keeps (TED's English when published).

What the splitter is given (defined before any result was seen): the notice with its lots and
items hidden (`hide_lots_and_items`): title, whole-notice description, value, buyer, country,
every CPV code and region of the requirement, never a lot's title, description or value. A
notice stating no total value is given the sum of its lots' values when every lot states one in
the notice's currency (an undivided notice would state that total). Corrected after the first
run, before any rule was changed: the parser's notice facts (`raw`: format, language, buyer
type; TED keeps no lot in it) are kept, and a single-lot call keeps its title and description
even where the parser gave them to its one lot too (nothing of a division is hidden there).

Measured, per language and half:
- multi-lot calls (two lots or more, the buyer divided): how often the answer says "split"
  (the splitter's `should_split`; a baseline says it when it proposes two packages or more),
  how often it says split or reads the division the notice states (`lots_stated`: "in 17
  lots", "Lot 1: ..."; the answer that agrees with the buyer without proposing anything) and
  how often it proposes two packages or more; packages matched one-to-one with the buyer's lots
  as `bench_lot_recovery.py` (b) does (0.3 CPV agreement + 0.7 text similarity, echo-free, at
  0.5; Hungarian assignment; time increments of one package count once), pooled precision and
  recall, and the same with CPV codes alone (five significant digits shared, text ignored:
  packages named in English from CPV labels cannot match French lot titles by text);
- single-lot calls (the buyer kept one lot): how often the answer says "split" (false alarms).
Answers: the splitter; "one package" (never split); "per CPV group" (one package per distinct
CPV group, the first three digits, of the listed codes; says split when there are two or more).

Halves: by the first byte of SHA-256 of the TED notice number (even: tuning); rules are changed
only after reading the tuning half (`--misses`), the held-out half is the real figure.

    .venv/bin/python benchmarks/bench_split_gathered.py [--misses [--half tuning] [--limit N]]

Prints figures; asserts nothing. Skips, saying why, when the gathered folders are absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bench_lot_recovery import NOW, THRESHOLDS, one_package, proposal_of
from lot_recovery_cases import HELD_OUT, SHARED, TUNING, Proposal, hide_lots_and_items
from lot_recovery_match import MATCH_THRESHOLD, distinct, match_pairs, matched

from scanner.evaluation.real_corpus import GATHERED_FOLDERS, load_real_corpus
from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Assessment, assess

LANGUAGES = {folder: folder.removeprefix("gathered-") for folder in GATHERED_FOLDERS}
HALVES = (TUNING, HELD_OUT)


@dataclass(frozen=True)
class Notice:
    """One real call: the folder's language, its half, the view given, and the buyer's lots."""

    language: str
    notice_id: str
    tender: NormalisedTender  # as published
    hidden: NormalisedTender  # what the splitter is given
    lots: tuple[Proposal, ...]  # the buyer's lots (empty for a single-lot call)

    @property
    def half(self) -> str:
        first = hashlib.sha256(self.notice_id.encode()).digest()[0]
        return TUNING if first % 2 == 0 else HELD_OUT

    @property
    def divided(self) -> bool:
        return len(self.lots) >= 2


def load_notices() -> list[Notice]:
    corpus = load_real_corpus(SHARED / "samples", folders=GATHERED_FOLDERS)
    notices = []
    for item in corpus.items.values():
        language = LANGUAGES[item.file.split("/", 1)[0]]
        tender = item.tender
        lots = tuple(
            Proposal(
                lot.title or "",
                lot.description or "",
                tuple(dict.fromkeys(c.code for c in lot.classifications if c.code)),
                (),
            )
            for lot in tender.lots
        )
        notice_id = tender.notice_id or tender.source_key
        notices.append(Notice(language, notice_id, tender, given_view(tender), lots))
    return notices


def given_view(tender: NormalisedTender) -> NormalisedTender:
    """Lots and items hidden; the lots' total stands for a missing notice value."""
    hidden = hide_lots_and_items(tender)
    if "tender" not in tender.raw:  # TED XML and eForms: notice facts only, no lot
        hidden = dataclasses.replace(hidden, raw=tender.raw)
    if len(tender.lots) < 2:
        return dataclasses.replace(hidden, title=tender.title, description=tender.description)
    if hidden.value_amount is not None:
        return hidden
    amounts = [lot.value_amount for lot in tender.lots]
    currencies = {lot.currency or tender.currency for lot in tender.lots}
    if any(a is None for a in amounts) or len(currencies) != 1:
        return hidden
    total = sum((Decimal(str(a)) for a in amounts if a is not None), Decimal(0))
    return dataclasses.replace(hidden, value_amount=total, currency=currencies.pop())


# -- answers ----------------------------------------------------------------------------------


def run(tender: NormalisedTender) -> Assessment:
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def per_cpv_group(tender: NormalisedTender) -> list[Proposal]:
    """One package per distinct CPV group (first three digits) of the listed codes."""
    groups: dict[str, list[str]] = defaultdict(list)
    for code in dict.fromkeys(c for c in (tender.main_cpv, *tender.cpv_codes) if c):
        groups[code[:3]].append(code)
    if len(groups) < 2:
        return one_package(tender)
    labels = {c.code: c.description for c in tender.classifications if c.description}
    return [
        Proposal(labels.get(cs[0], cs[0]), "; ".join(labels.get(c, c) for c in cs), tuple(cs), ())
        for cs in groups.values()
    ]


# (says split, reads a division the buyer states in the text, the packages)
Decide = Callable[[NormalisedTender], tuple[bool, bool, list[Proposal]]]


def splitter_answer(tender: NormalisedTender) -> tuple[bool, bool, list[Proposal]]:
    result = run(tender)
    stated = any(s.code == "lots_stated" and s.fired for s in result.signals)
    return result.should_split, stated, [proposal_of(p) for p in result.packages]


def by_count(answer: Callable[[NormalisedTender], list[Proposal]]) -> Decide:
    def decide(tender: NormalisedTender) -> tuple[bool, bool, list[Proposal]]:
        proposals = answer(tender)
        return len(distinct(proposals)) >= 2, False, proposals

    return decide


ANSWERS: dict[str, Decide] = {
    "splitter": splitter_answer,
    "one package": by_count(one_package),
    "per CPV group": by_count(per_cpv_group),
}


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Tally:
    multi: int = 0
    said_split: int = 0  # on multi-lot calls
    divided: int = 0  # says split or reads the buyer's stated division, on multi-lot calls
    several: int = 0  # two packages or more, on multi-lot calls
    lots: int = 0
    packages: int = 0
    hits: int = 0
    code_hits: int = 0
    single: int = 0
    false_split: int = 0  # said split on single-lot calls
    false_divided: int = 0  # said split or read a stated division on single-lot calls
    typed: int = 0  # calls whose buyer type was read, not assumed (the threshold's basis)

    def add(
        self, notice: Notice, said: bool, stated: bool, proposals: list[Proposal], typed: bool
    ) -> None:
        self.typed += typed
        if not notice.divided:
            self.single += 1
            self.false_split += said
            self.false_divided += said or stated
            return
        unique = distinct(proposals)
        given = (notice.hidden.title, notice.hidden.description or "")
        self.multi += 1
        self.said_split += said
        self.divided += said or stated
        self.several += len(unique) >= 2
        self.lots += len(notice.lots)
        self.packages += len(unique)
        self.hits += matched(unique, notice.lots, MATCH_THRESHOLD, given)
        self.code_hits += matched(unique, notice.lots, 1.0, codes_only=True)


def measure(notices: Sequence[Notice]) -> dict[tuple[str, str, str], Tally]:
    """(answer, half, language) -> tally; every answer on the same views."""
    tallies: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    for notice in notices:
        regime = run(notice.hidden).regime
        typed = regime is not None and "assumed" not in regime.buyer_type_basis
        for name, decide in ANSWERS.items():
            said, stated, proposals = decide(notice.hidden)
            for half in (notice.half, "all"):
                for language in (notice.language, "all"):
                    tallies[(name, half, language)].add(notice, said, stated, proposals, typed)
    return tallies


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:6.0%}" if whole else f"{'-':>6}"


def print_tables(tallies: dict[tuple[str, str, str], Tally], shown: str = "all") -> None:
    print(
        "\nmulti: multi-lot calls; split: says split there (the buyer did); 2+: proposes two\n"
        "packages or more; P/R: packages matched to the buyer's lots (echo-free text + CPV);\n"
        "cP/cR: by CPV code alone; single: single-lot calls; false: says split there; fdiv:\n"
        "says split or reads a stated division there;\n"
        "typed: calls whose buyer type (so the threshold) was read, not assumed (any answer)."
    )
    header = (
        f"  {'half':<9} {'lang':<4} {'answer':<14} {'multi':>5} {'split':>6} {'div':>6} {'2+':>6} "
        f"{'lots':>5} {'pkgs':>5} {'P':>5} {'R':>5} {'cP':>5} {'cR':>5} {'single':>6} {'false':>6} {'fdiv':>6} {'typed':>6}"
    )
    print(header)
    languages = (*LANGUAGES.values(), "all")
    for half in (*HALVES, "all") if shown == "all" else (shown,):
        for language in languages:
            for name in ANSWERS:
                t = tallies.get((name, half, language))
                if t is None:
                    continue
                p = t.hits / t.packages if t.packages else 0.0
                r = t.hits / t.lots if t.lots else 0.0
                cp = t.code_hits / t.packages if t.packages else 0.0
                cr = t.code_hits / t.lots if t.lots else 0.0
                print(
                    f"  {half:<9} {language:<4} {name:<14} {t.multi:>5} "
                    f"{_rate(t.said_split, t.multi)} {_rate(t.divided, t.multi)} "
                    f"{_rate(t.several, t.multi)} {t.lots:>5} "
                    f"{t.packages:>5} {p:5.2f} {r:5.2f} {cp:5.2f} {cr:5.2f} {t.single:>6} "
                    f"{_rate(t.false_split, t.single)} {_rate(t.false_divided, t.single)} "
                    f"{_rate(t.typed, t.multi + t.single)}"
                )
        print()


# -- misses -----------------------------------------------------------------------------------


def print_misses(notices: Sequence[Notice], half: str, limit: int) -> None:
    """For each call of the half: what was given, the verdict with the fired signals' reasons,
    the packages, and the buyer's lots with what matched them. Read only the tuning half."""
    shown = 0
    for notice in notices:
        if half not in (notice.half, "all"):
            continue
        result = run(notice.hidden)
        if result.should_split == notice.divided and not notice.divided:
            continue
        shown += 1
        if shown > limit:
            break
        hidden = notice.hidden
        proposals = [proposal_of(p) for p in result.packages]
        given = (hidden.title, hidden.description or "")
        unique, pairs = match_pairs(proposals, notice.lots, MATCH_THRESHOLD, given)
        print(
            f"\n=== {notice.language} {notice.notice_id} ({hidden.raw.get('language')}): "
            f"{len(notice.lots)} lots, said split {result.should_split} "
            f"(score {result.score}), {len(unique)} packages, {len(pairs)} matched"
        )
        print(f"  title: {hidden.title[:150]!r}")
        print(f"  description: {(hidden.description or '')[:600]!r}")
        print(
            f"  value: {hidden.currency} {hidden.value_amount}; buyer {hidden.buyer_name!r}; "
            f"countries {hidden.countries}; codes {list(hidden.cpv_codes)[:8]}"
        )
        regime = result.regime
        if regime is not None:
            print(
                f"  regime: {regime.country} {regime.buyer_type} ({regime.buyer_type_basis}); "
                f"threshold {regime.threshold} {regime.threshold_amount}; above "
                f"{regime.above_threshold}; {regime.no_rules or ''}"
            )
        for signal in result.signals:
            if signal.fired or signal.code in ("no_lots_above_threshold", "small_enough"):
                print(f"  [{'x' if signal.fired else ' '}] {signal.code}: {signal.reason[:220]}")
        for k, package in enumerate(unique[:12]):
            print(f"  package {k}: {package.title[:90]!r} {package.codes}")
        for k, lot in enumerate(notice.lots[:12]):
            status = f"matched package {pairs[k][0]}" if k in pairs else "missed"
            print(f"  lot {k}: {lot.title[:90]!r} {lot.codes[:3]} {status}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print the half's answers, stop")
    parser.add_argument(
        "--half", choices=(*HALVES, "all"), help="only this half (misses: tuning unless given)"
    )
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args(argv)
    present = [f for f in GATHERED_FOLDERS if (SHARED / "samples" / f).is_dir()]
    if not present:
        print(
            f"skipped: no gathered folders ({', '.join(GATHERED_FOLDERS)}) under "
            f"{SHARED / 'samples'} (set LOTWISE_SHARED_DIR to a folder holding them)"
        )
        return 0
    notices = load_notices()
    if args.misses:
        print_misses(notices, args.half or TUNING, args.limit)
        return 0
    print(f"Gathered calls read from {', '.join(present)} under {SHARED / 'samples'}:")
    for language in LANGUAGES.values():
        mine = [n for n in notices if n.language == language]
        multi = [n for n in mine if n.divided]
        tuning = sum(n.half == TUNING for n in mine)
        print(
            f"  {language}: {len(mine)} calls, {len(multi)} with 2+ lots "
            f"({sum(len(n.lots) for n in multi)} lots); {tuning} tuning, "
            f"{len(mine) - tuning} held out"
        )
    print_tables(measure(notices), args.half or "all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
