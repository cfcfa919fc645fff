"""Lot recovery, the ceiling: which of the buyer's lots (b) could be recovered at all from
what the splitter is given, and the answers' recall against that ceiling.

The splitter sees the notice's title and description, its value, and the CPV codes (with their
published labels, when any) and NUTS regions of the whole requirement. A lot is *recoverable in
principle* when one of three rules holds. The rules and their thresholds were fixed before the
splitter's figures against them were looked at; they use the scorer's own echo rule.

(i) **text**: the lot's distinctive words appear together in the visible text.
    - Echo first: every whole occurrence of the notice's title and description is removed from
      the lot's texts (case and spacing ignored, texts of 8 characters or more, as the scorer
      does but also case-blind). If what is left of the lot title still holds every distinctive
      word of the notice title, those words are dropped too (a re-cased or re-numbered copy of
      the notice's title is an echo as well).
    - Distinctive words: rapidfuzz `default_process` words of the lot title that are at least
      three characters long, hold no digit, and are not stop words, a word for "lot" (the
      languages the splitter reads), a number word or a Roman numeral; a trailing "s" is
      dropped (plurals). When the title leaves none, the lot description's first sentence
      (300 characters) is used instead, but only when it leaves at most 12 such words: a
      name, not a copied paragraph.
    - Together: at least 80% of those words (rounded up; all of them up to four words) occur
      within one span of at most 2 x (words needed) + 2 consecutive words of one visible field
      (title, description, or a published CPV label).
    - Distinct: a lot whose distinctive words are the same set as another lot's of the same
      tender is not recoverable by text: the visible text cannot tell the two apart. Nor is
      one whose span is the same as another lot's (they differ only in words not found).
      This clause was added after the first run, for the oracle check (below): the oracle's
      packages for such lots are one and the same, so the scorer can credit only one. It cost
      13 of 125 lots found by text, mostly lots the splitter had missed: held-out, the
      splitter's recall on recoverable lots went from 0.43 (of 108) to 0.47 (of 97).
(ii) **code**: the lot carries a CPV code whose first five digits (what the scorer compares)
    are those of a code listed for the whole requirement and of no other lot of the tender: a
    division by code can be recovered by code.
(iii) **region**: the lot is delivered (its item's regions) in a NUTS region listed for the
    whole requirement that no other lot of the tender shares, contains or lies within.

The *oracle* answer gives one package per recoverable lot, built only from visible things: the
span of visible words found by (i) as its title, else the published label of the code found by
(ii) (or "CPV <code>"), else "NUTS <region>"; its codes are that code alone when (ii) holds
(after the first run: with all the lot's listed codes it tied with sibling lots), else the
lot's codes listed for the whole requirement. Scored like every answer, its recall on
recoverable lots says whether the scorer can recognise a recoverable lot at all: it compares
text and CPV codes, never regions, so a lot found by code without a label, or by region only,
can score at most 0.3 echo-free.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

from lot_recovery_cases import HELD_OUT, TUNING, Case, Proposal
from lot_recovery_match import distinct, match_pairs, text_similarity
from rapidfuzz import utils

from scanner.ingest.tender import NormalisedTender

Answer = Callable[[NormalisedTender], list[Proposal]]

ECHO_MIN_CHARS = 8  # as the scorer: shorter notice titles are not removed
MIN_WORD = 3
SHARE_NEEDED = 0.8
MAX_NAME_WORDS = 12
NAME_CHARS = 300
CODE_DIGITS = 5
GOAL = 0.7  # issue 4 (b): lot-level precision and recall


def _word_set(*texts: str) -> frozenset[str]:
    return frozenset(word for text in texts for word in text.split())


STOP_WORDS = _word_set(
    # English
    "the and for with from into onto over under upon within without of to in on at by or as "
    "an a is are be been being this that these those its their our your all any each other "
    "per via including include includes etc also only such which who whom will shall may "
    "must not nor but than then there here where when what how",
    # French, Spanish, Italian, Romanian, German, Dutch, Polish function words of 3+ letters
    "les des une pour par avec sur dans aux del los las por para con una della delle degli "
    "pentru din sau prin care der die das und mit von fur für zur zum den dem een het van "
    "voor met oraz dla lub przez",
)
LOT_WORDS = _word_set(
    "lot lots lote lotes lotto lotti lotul loturi perceel percelen część czesc części "
    "zadanie pakiet delkontrakt osa partie lotnr"
)
NUMBER_WORDS = _word_set(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty first second third fourth fifth "
    "sixth seventh eighth ninth tenth iii vii viii xii xiii xiv xvi xvii xviii xix xxi"
)
_SENTENCE_END = re.compile(r"[.;\n]")


# -- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Why one lot is recoverable: the rules that hold, and what each found."""

    rules: frozenset[str]
    words: tuple[str, ...] = ()  # (i) the lot's distinctive words
    fragment: str = ""  # (i) the visible span that holds them
    code: str = ""  # (ii) the lot's code, unique to it and listed for the tender
    region: str = ""  # (iii)


def stem(word: str) -> str:
    return word[:-1] if len(word) > MIN_WORD and word.endswith("s") else word


def words_of(text: str) -> list[str]:
    return utils.default_process(text).split()


def distinctive(text: str) -> tuple[str, ...]:
    """The words that can name a division: no stop, lot or number words, no digits."""
    kept = [
        stem(w)
        for w in words_of(text)
        if len(w) >= MIN_WORD
        and not any(ch.isdigit() for ch in w)
        and w not in STOP_WORDS
        and w not in LOT_WORDS
        and w not in NUMBER_WORDS
    ]
    return tuple(dict.fromkeys(kept))


def without_echo(text: str, given: Sequence[str]) -> str:
    """The text without whole occurrences of the notice's title and description."""
    out = " ".join(text.split()).casefold()
    echoes = {" ".join(g.split()).casefold() for g in given if g}
    for echo in sorted((e for e in echoes if len(e) >= ECHO_MIN_CHARS), key=len, reverse=True):
        out = out.replace(echo, " ")
    return out


def lot_words(lot: Proposal, title: str, description: str) -> tuple[str, ...]:
    """The lot's distinctive words once the notice's own title and description are removed."""
    given = (title, description)
    notice = set(distinctive(title))

    def clean(text: str) -> tuple[str, ...]:
        found = distinctive(without_echo(text, given))
        if notice and notice <= set(found):
            found = tuple(w for w in found if w not in notice)
        return found

    found = clean(lot.title)
    if found:
        return found
    first = _SENTENCE_END.split(without_echo(lot.scope, given)[:NAME_CHARS], maxsplit=1)[0]
    found = clean(first)
    return found if len(found) <= MAX_NAME_WORDS else ()


def visible_fields(tender: NormalisedTender) -> list[list[str]]:
    """The words of each visible text: title, description, each published CPV label."""
    labels = [c.description for c in tender.classifications if c.description]
    texts = [tender.title, tender.description or "", *dict.fromkeys(labels)]
    return [words_of(t) for t in texts if t]


def find_together(wanted: Sequence[str], fields_: Sequence[Sequence[str]]) -> str:
    """The shortest span of one field holding enough of the wanted words, or ""."""
    if not wanted:
        return ""
    need = len(wanted) if len(wanted) <= 4 else math.ceil(SHARE_NEEDED * len(wanted))
    limit = 2 * need + 2
    targets = set(wanted)
    best: tuple[int, str] | None = None
    for words in fields_:
        stems = [stem(w) for w in words]
        for start, first in enumerate(stems):
            if first not in targets:
                continue
            seen: set[str] = set()
            for end in range(start, min(start + limit, len(stems))):
                if stems[end] in targets:
                    seen.add(stems[end])
                if len(seen) >= need:
                    if best is None or end - start < best[0]:
                        best = (end - start, " ".join(words[start : end + 1]))
                    break
    return best[1] if best else ""


def code_key(code: str) -> str:
    """The first five digits of a CPV code (eight digits, check digit dropped), or ""."""
    digits = code.split("-")[0]
    return digits[:CODE_DIGITS] if len(digits) == 8 and digits.isdigit() else ""


def judge(
    hidden: NormalisedTender,
    lots: Sequence[Proposal],
    lot_regions: Sequence[Sequence[str]],
) -> list[Finding]:
    """For each lot, the rules under which it is recoverable from the hidden tender."""
    title, description = hidden.title, hidden.description or ""
    fields_ = visible_fields(hidden)
    listed = {code_key(c) for c in (hidden.main_cpv, *hidden.cpv_codes) if c} - {""}
    words = [lot_words(lot, title, description) for lot in lots]
    sets = [frozenset(w) for w in words]
    keys = [{code_key(c) for c in lot.codes} - {""} for lot in lots]
    visible_regions = set(hidden.regions)
    spans = [
        find_together(w, fields_) if w and sets.count(s) == 1 else ""
        for w, s in zip(words, sets, strict=True)
    ]
    findings = []
    for k, lot in enumerate(lots):
        rules: set[str] = set()
        fragment = spans[k] if spans[k] and spans.count(spans[k]) == 1 else ""
        if fragment:
            rules.add("text")
        others = set().union(*(keys[j] for j in range(len(lots)) if j != k))
        unique = sorted((keys[k] & listed) - others)
        code = next((c for c in lot.codes if unique and code_key(c) == unique[0]), "")
        if code:
            rules.add("code")
        region = _unique_region(k, lot_regions, visible_regions)
        if region:
            rules.add("region")
        findings.append(Finding(frozenset(rules), words[k], fragment, code, region))
    return findings


def _unique_region(k: int, lot_regions: Sequence[Sequence[str]], visible: set[str]) -> str:
    others = [r for j, rs in enumerate(lot_regions) if j != k for r in rs]
    for region in lot_regions[k] if k < len(lot_regions) else ():
        nested = any(o.startswith(region) or region.startswith(o) for o in others)
        if region in visible and not nested:
            return region
    return ""


def regions_of_lots(case: Case) -> list[tuple[str, ...]]:
    """Each lot's delivery regions: those of the items it holds (as `_case` pairs them)."""
    out = []
    for lot in case.tender.lots:
        wanted = set(lot.related_items)
        items = [i for i in case.tender.items if i.related_lot == lot.lot_id or i.id in wanted]
        out.append(tuple(dict.fromkeys(r for i in items for r in i.regions)))
    return out


def findings_of(case: Case) -> list[Finding]:
    return judge(case.hidden(), case.gold_lots, regions_of_lots(case))


def oracle(
    hidden: NormalisedTender, lots: Sequence[Proposal], found: Sequence[Finding]
) -> list[Proposal]:
    """One package per recoverable lot, named only from visible text (see the module notes)."""
    listed = {code_key(c) for c in (hidden.main_cpv, *hidden.cpv_codes) if c} - {""}
    labels = {c.code: c.description for c in hidden.classifications if c.description}
    packages = []
    for lot, finding in zip(lots, found, strict=True):
        if not finding.rules:
            continue
        # The code that singles the lot out; else its codes listed for the whole requirement.
        codes = (
            (finding.code,)
            if finding.code
            else tuple(c for c in lot.codes if code_key(c) in listed)
        )
        if finding.fragment:
            title = finding.fragment
        elif finding.code:
            title = labels.get(finding.code) or f"CPV {finding.code}"
        else:
            title = f"NUTS {finding.region}"
        packages.append(Proposal(title, "", codes, ()))
    return packages


# -- measuring --------------------------------------------------------------------------------


@dataclass
class CeilingTally:
    """Sums over tenders; the `t_` fields are per-tender shares summed for macro averages."""

    tenders: int = 0
    lots: int = 0
    packages: int = 0
    hits: int = 0
    recoverable: int = 0
    recoverable_hits: int = 0
    seen: int = 0  # recoverable lots the oracle's packages match: the scorer can see them
    seen_hits: int = 0
    carried: int = 0  # matched unrecoverable lots whose text alone is under the threshold
    text: int = 0
    code: int = 0
    region: int = 0
    tenders_with_recoverable: int = 0
    tenders_reachable: int = 0  # tenders with at least GOAL of their lots recoverable
    t_precision: float = 0.0
    t_recall: float = 0.0
    t_recoverable_recall: float = 0.0
    t_share: float = 0.0  # the tender's recoverable share: the most its recall could be
    t_seen_share: float = 0.0

    def add(self, other: CeilingTally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


ORACLE = "oracle"


def measure_ceiling(
    cases: Sequence[Case], answers: dict[str, Answer], threshold: float, codes_only: bool = False
) -> dict[tuple[str, str, str], CeilingTally]:
    """(half, corpus, answer) -> tally over the (b) cases, echo-free (or same CPV)."""
    tallies: dict[tuple[str, str, str], CeilingTally] = defaultdict(CeilingTally)
    for case in cases:
        if case.several_items_per_lot:
            continue
        hidden = case.hidden()
        found = findings_of(case)
        recoverable = {k for k, f in enumerate(found) if f.rules}
        given = (hidden.title, hidden.description or "")
        runs = {name: answer(hidden) for name, answer in answers.items()}
        runs[ORACLE] = oracle(hidden, case.gold_lots, found)
        matches = {}
        for name, proposals in runs.items():
            if codes_only:
                matches[name] = match_pairs(proposals, case.gold_lots, 1.0, codes_only=True)
            else:
                matches[name] = match_pairs(proposals, case.gold_lots, threshold, given)
        seen = recoverable & set(matches[ORACLE][1])
        for name, (unique, pairs) in matches.items():
            lots, hits = len(case.gold_lots), len(pairs)
            rec_hits = len(recoverable & set(pairs))
            carried = sum(
                text_similarity(unique[j], case.gold_lots[k], given) < threshold
                for k, (j, _) in pairs.items()
                if k not in recoverable
            )
            tally = CeilingTally(
                tenders=1,
                lots=lots,
                packages=len(distinct(unique)),
                hits=hits,
                recoverable=len(recoverable),
                recoverable_hits=rec_hits,
                seen=len(seen),
                seen_hits=len(seen & set(pairs)),
                carried=carried,
                text=sum("text" in f.rules for f in found),
                code=sum("code" in f.rules for f in found),
                region=sum("region" in f.rules for f in found),
                tenders_with_recoverable=int(bool(recoverable)),
                tenders_reachable=int(len(recoverable) >= GOAL * lots),
                t_precision=hits / len(unique) if unique else 0.0,
                t_recall=hits / lots,
                t_recoverable_recall=rec_hits / len(recoverable) if recoverable else 0.0,
                t_share=len(recoverable) / lots,
                t_seen_share=len(seen) / lots,
            )
            tallies[(case.half, case.corpus, name)].add(tally)
    return tallies


def total(
    tallies: dict[tuple[str, str, str], CeilingTally], half: str, corpus: str, name: str
) -> CeilingTally:
    t = CeilingTally()
    for (h, c, n), v in tallies.items():
        if n == name and half in (h, "all") and corpus in (c, "all"):
            t.add(v)
    return t


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


# -- reporting --------------------------------------------------------------------------------


def print_ceiling(cases: Sequence[Case], answers: dict[str, Answer], threshold: float) -> None:
    """The recoverable ceiling per corpus and half, and every answer's recall against it."""
    tallies = measure_ceiling(cases, answers, threshold)
    corpora = sorted({c for _, c, _ in tallies})
    halves = (TUNING, HELD_OUT, "all")
    first = next(iter(answers))
    print(
        "\n(b) recoverable ceiling: a lot is recoverable when the visible input names it by\n"
        "    text (i), by a CPV code unique to it (ii) or by a NUTS region unique to it (iii);\n"
        "    rules in benchmarks/lot_recovery_ceiling.py, fixed before measuring. 'seen':\n"
        "    recoverable lots the oracle's packages match echo-free (the scorer can recognise\n"
        "    them). share / seen%: of all lots, the most pooled recall could reach; mshare /\n"
        "    mseen: per-tender mean, the most macro recall could reach. 't only': found by text\n"
        "    alone. reach: tenders with at least 70% of their lots recoverable."
    )
    print(
        f"  {'half':<9} {'corpus':<19} {'tndrs':>5} {'lots':>5} {'recov':>5} {'share':>6} "
        f"{'mshare':>6} {'seen':>5} {'seen%':>6} {'mseen':>6} {'text':>5} {'code':>5} "
        f"{'region':>6} {'t only':>6} {'reach':>5}"
    )
    for half in halves:
        for corpus in [*corpora, "all"]:
            t = total(tallies, half, corpus, first)
            if not t.tenders:
                continue
            text_only = _text_only(cases, half, corpus)
            print(
                f"  {half:<9} {corpus[:19]:<19} {t.tenders:>5} {t.lots:>5} {t.recoverable:>5} "
                f"{_ratio(t.recoverable, t.lots):6.0%} {_ratio(t.t_share, t.tenders):6.0%} "
                f"{t.seen:>5} {_ratio(t.seen, t.lots):6.0%} "
                f"{_ratio(t.t_seen_share, t.tenders):6.0%} "
                f"{t.text:>5} {t.code:>5} {t.region:>6} {text_only:>6} {t.tenders_reachable:>5}"
            )
    print(
        f"\n(b) recall against the ceiling, echo-free, threshold {threshold}: R on all lots,\n"
        "    Rc on recoverable lots, Rs on the seen ones; pooled (P, R, Rc, Rs) and per-tender\n"
        "    macro (mP, mR; mRc over the tenders with a recoverable lot); 'x': matched lots the\n"
        "    rules call unrecoverable (scorer leniency or rules too strict); 'xc': of those,\n"
        "    matches whose echo-free text similarity alone is under the threshold (carried by\n"
        "    a shared CPV code)."
    )
    header = (
        f"  {'half':<9} {'corpus':<19} {'answer':<17} {'lots':>5} {'recov':>5} {'pkgs':>5} "
        f"{'P':>5} {'R':>5} {'Rc':>5} {'Rs':>5} {'mP':>5} {'mR':>5} {'mRc':>5} {'x':>4} {'xc':>4}"
    )
    print(header)
    for half in halves:
        rows = [(c, first) for c in corpora] + [("all", n) for n in [*answers, ORACLE]]
        for corpus, name in rows:
            t = total(tallies, half, corpus, name)
            if not t.tenders:
                continue
            print(
                f"  {half:<9} {corpus[:19]:<19} {name:<17} {t.lots:>5} {t.recoverable:>5} "
                f"{t.packages:>5} {_ratio(t.hits, t.packages):5.2f} {_ratio(t.hits, t.lots):5.2f} "
                f"{_ratio(t.recoverable_hits, t.recoverable):5.2f} "
                f"{_ratio(t.seen_hits, t.seen):5.2f} "
                f"{_ratio(t.t_precision, t.tenders):5.2f} {_ratio(t.t_recall, t.tenders):5.2f} "
                f"{_ratio(t.t_recoverable_recall, t.tenders_with_recoverable):5.2f} "
                f"{t.hits - t.recoverable_hits:>4} {t.carried:>4}"
            )
        print()
    print_oracle_check(cases, threshold)


def _text_only(cases: Sequence[Case], half: str, corpus: str) -> int:
    return sum(
        f.rules == {"text"}
        for c in cases
        if not c.several_items_per_lot and half in (c.half, "all") and corpus in (c.corpus, "all")
        for f in findings_of(c)
    )


def _groups(finding: Finding, labelled: set[str]) -> list[str]:
    """The oracle-check groups a lot belongs to, by the rules that made it recoverable."""
    rules = finding.rules
    out = ["text"] if "text" in rules else []
    if "code" in rules and "text" not in rules:
        out += ["code, not text"] + (["  of which labelled"] if finding.code in labelled else [])
    return out + (["region only"] if rules == {"region"} else [])


def print_oracle_check(cases: Sequence[Case], threshold: float) -> None:
    """The oracle's recall by the rule that made each lot recoverable: can the scorer see it?"""
    names = ("text", "code, not text", "  of which labelled", "region only")
    counts = {name: [0, 0, 0] for name in names}  # lots, matched echo-free, matched same CPV
    for case in cases:
        if case.several_items_per_lot:
            continue
        hidden = case.hidden()
        found = findings_of(case)
        packages = oracle(hidden, case.gold_lots, found)
        given = (hidden.title, hidden.description or "")
        _, free = match_pairs(packages, case.gold_lots, threshold, given)
        _, same = match_pairs(packages, case.gold_lots, 1.0, codes_only=True)
        labelled = {c.code for c in hidden.classifications if c.description}
        for k, finding in enumerate(found):
            for name in _groups(finding, labelled):
                counts[name][0] += 1
                counts[name][1] += k in free
                counts[name][2] += k in same
    print("Oracle check, all halves: recall of the oracle on the lots each rule finds")
    for name, (lots, free, same) in counts.items():
        print(
            f"  {name:<20} {lots:>5} lots: echo-free {_ratio(free, lots):.2f}, "
            f"same CPV {_ratio(same, lots):.2f}"
        )
