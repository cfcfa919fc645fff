"""Scoring the splitter's answer for one labelled draft, and the figures over the set.

Pure: an answer (the JSON `lotwise split check FILE --json` prints, read only through the keys
documented in docs/json-output.md), the label, the draft's text and the known thresholds in;
figures out. Rules fixed before the first measurement:

- The answer's packages are those it lists when it says "split"; when it says "do not split",
  the requirement stays one contract, so its one package is the whole draft.
- A package *claims* a deliverable when it lists the deliverable's item id, or when its title and
  scope contain at least CLAIM_SHARE of the deliverable's distinctive words (those no other
  deliverable of the draft uses; lower-cased, function words dropped, compared on their first
  STEM_CHARS letters, so "training"/"trainings" and "молоко"/"молока" agree). A package that
  claims every deliverable of a draft meant to be divided is the whole requirement and claims
  none; one whose text claims more than the larger of half the deliverables and the largest
  expected package repeats the draft, and only the item ids it lists count.
- A deliverable is *covered* when some package claims it.
- Packages are matched one-to-one with the expected ones (maximum total Jaccard similarity of
  the deliverables they claim and hold), counting a pair at MATCH_JACCARD or more. Time
  increments of one package ("... (months 1-12)") count once, their values and months added.
  Precision = matched / distinct packages, recall = matched / expected packages.
- On matched pairs, a stated value is right within VALUE_TOLERANCE and a stated duration when
  the months are equal.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from lot_recovery_cases import Proposal
from lot_recovery_match import assign, key
from split_drafts_citations import (
    Citation,
    Text,
    ThresholdMention,
    citations,
    says_no_threshold_rules,
    threshold_mentions,
)
from split_drafts_labels import DraftLabel, ThresholdRef

CLAIM_SHARE = 0.6
STEM_CHARS = 5
MATCH_JACCARD = 0.5
VALUE_TOLERANCE = Decimal("0.01")

_WORD = re.compile(r"\w+")
# Function words of the drafts' languages: they say nothing about which deliverable is meant.
_FUNCTION_WORDS = {
    "en": "the and for with from into its their this that each per any our all are will",
    "fr": "les des une pour avec dans sur par aux est",
    "it": "per con del della dei delle degli dal nel nella sul sulla che gli una uno",
    "de": "der die das und mit für von zur zum den dem des ein eine einer nach auf aus bei",
    "pl": "dla oraz przez lub wraz",
    "uk": "для або від",
    "es": "los las del para con por",
    "nb": "og til for med fra som",
}
_STOPWORDS = frozenset(w for words in _FUNCTION_WORDS.values() for w in words.split())


@dataclass(frozen=True)
class AnswerPackage:
    title: str
    scope: str
    item_ids: tuple[str, ...]
    estimated_value: Decimal | None
    duration_months: int | None


@dataclass(frozen=True)
class Answer:
    """What the splitter said about one draft; `should_split` is None when it failed."""

    should_split: bool | None
    packages: tuple[AnswerPackage, ...]
    texts: tuple[Text, ...]
    jurisdiction: str | None
    error: str | None = None


@dataclass(frozen=True)
class DraftScore:
    id: str
    expected_split: bool
    answered_split: bool | None
    deliverables: int
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    expected_packages: int
    found_packages: int
    matched: tuple[tuple[str, str, float], ...]  # expected name, package title, Jaccard
    values_stated: int
    values_right: int
    durations_stated: int
    durations_right: int
    wrong_citations: tuple[Citation, ...]
    wrong_thresholds: tuple[ThresholdMention, ...]
    right_threshold: bool
    jurisdiction_agrees: bool
    error: str | None = None

    @property
    def verdict_agrees(self) -> bool:
        return self.answered_split is not None and self.answered_split == self.expected_split


def answer_from_json(data: dict[str, Any]) -> Answer:
    """Read an assessment through its documented keys; keys added later (`note`,
    `packages[].clauses[]`) are read when present, unknown ones ignored."""
    texts: list[Text] = []
    for signal in data.get("signals") or []:
        where = f"signal {signal.get('code')}"
        fired = bool(signal.get("fired"))
        texts += [Text(where, str(signal.get(k) or ""), fired) for k in ("reason", "source")]
    packages = []
    for n, package in enumerate(data.get("packages") or [], start=1):
        where = f"package {n}"
        for name in ("title", "scope", "reason", "value_method", "optional_reason"):
            texts.append(Text(where, str(package.get(name) or ""), True))
        for clause in package.get("clauses") or []:
            for name in ("title", "text", "source"):
                texts.append(
                    Text(f"{where} clause {clause.get('id')}", str(clause.get(name) or ""), True)
                )
        packages.append(
            AnswerPackage(
                title=str(package.get("title") or ""),
                scope=str(package.get("scope") or ""),
                item_ids=tuple(str(i) for i in package.get("item_ids") or []),
                estimated_value=_decimal(package.get("estimated_value")),
                duration_months=_int(package.get("duration_months")),
            )
        )
    for name in ("procedure", "aggregation_note", "note", "insufficient_reason"):
        if data.get(name):
            texts.append(Text(name, str(data[name]), True))
    verdict = data.get("should_split")
    return Answer(
        should_split=verdict if isinstance(verdict, bool) else None,
        packages=tuple(packages),
        texts=tuple(t for t in texts if t.text),
        jurisdiction=data.get("jurisdiction") or None,
        error=None if isinstance(verdict, bool) else "no should_split in the answer",
    )


def failed_answer(error: str) -> Answer:
    return Answer(should_split=None, packages=(), texts=(), jurisdiction=None, error=error)


def stems(text: str) -> frozenset[str]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return frozenset(
        w[:STEM_CHARS] for w in words if len(w) >= 3 and not w.isdigit() and w not in _STOPWORDS
    )


def distinctive_stems(label: DraftLabel) -> dict[str, frozenset[str]]:
    """Each deliverable's words that no other deliverable of the draft uses ("area" and
    "buildings" in every area of a survey say nothing); all its words if none is its own."""
    own = {d.id: stems(d.text) for d in label.deliverables}
    distinct = {}
    for deliverable_id, words in own.items():
        others = set().union(*(w for i, w in own.items() if i != deliverable_id))
        distinct[deliverable_id] = (words - others) or words
    return distinct


def claims(label: DraftLabel, package: AnswerPackage) -> frozenset[str]:
    """The deliverables a package claims: by item id, or by CLAIM_SHARE of a deliverable's
    distinctive words in its title and scope. A package that claims every deliverable of a
    draft meant to be divided is the whole requirement and claims none; one whose text claims
    more than the larger of half the deliverables and the largest expected package repeats
    the draft, and only its item ids count."""
    words = stems(f"{package.title} {package.scope}")
    by_items = {d.id for d in label.deliverables if d.item and d.item in package.item_ids}
    by_text = set()
    for deliverable_id, own in distinctive_stems(label).items():
        if own and len(own & words) / len(own) >= CLAIM_SHARE:
            by_text.add(deliverable_id)
    largest = max((len(p.contains) for p in label.packages), default=1)
    if len(by_text) > max(math.ceil(len(label.deliverables) / 2), largest):
        by_text = set()
    claimed = by_items | by_text
    if (
        len(label.packages) > 1
        and len(label.deliverables) > 1
        and len(claimed) == len(label.deliverables)
    ):
        return frozenset()
    return frozenset(claimed)


def effective_packages(
    answer: Answer, draft_text: str, item_ids: Sequence[str]
) -> list[AnswerPackage]:
    """The packages the answer proposes; when it says "do not split", the whole draft."""
    if answer.should_split:
        increments: dict[tuple[str, str], list[AnswerPackage]] = {}
        for package in answer.packages:
            increments.setdefault(key(_proposal(package)), []).append(package)
        return [_joined(parts) for parts in increments.values()]
    if answer.should_split is None:
        return []
    return [AnswerPackage("Whole requirement", draft_text, tuple(item_ids), None, None)]


def score_draft(
    label: DraftLabel,
    answer: Answer,
    draft_text: str,
    item_ids: Sequence[str],
    registry: Sequence[ThresholdRef],
) -> DraftScore:
    packages = effective_packages(answer, draft_text, item_ids)
    claimed = [claims(label, p) for p in packages]
    covered = set().union(*claimed) if claimed else set()
    ids = [d.id for d in label.deliverables]
    pairs = _match(label, packages, claimed)
    values_stated = values_right = durations_stated = durations_right = 0
    for expected_index, package_index, _ in pairs:
        expected, package = label.packages[expected_index], packages[package_index]
        if expected.value is not None:
            values_stated += 1
            values_right += _close(package.estimated_value, expected.value)
        if expected.duration_months is not None:
            durations_stated += 1
            durations_right += package.duration_months == expected.duration_months
    cited = citations(answer.texts, label.allowed_families, draft_text)
    mentions = threshold_mentions(answer.texts, registry, label.allowed_thresholds)
    named = set().union(*(m.candidates for m in mentions)) if mentions else set()
    right = label.threshold_key in named or (
        label.threshold_status != "configured" and says_no_threshold_rules(answer.texts)
    )
    return DraftScore(
        id=label.id,
        expected_split=label.should_split,
        answered_split=answer.should_split,
        deliverables=len(ids),
        covered=tuple(i for i in ids if i in covered),
        missing=tuple(i for i in ids if i not in covered),
        expected_packages=len(label.packages),
        found_packages=len(packages),
        matched=tuple(
            (label.packages[e].name, packages[p].title, round(s, 3)) for e, p, s in pairs
        ),
        values_stated=values_stated,
        values_right=values_right,
        durations_stated=durations_stated,
        durations_right=durations_right,
        wrong_citations=tuple(c for c in cited if c.wrong),
        wrong_thresholds=tuple(m for m in mentions if m.wrong),
        right_threshold=right,
        jurisdiction_agrees=(answer.jurisdiction or "") == label.config_jurisdiction,
        error=answer.error,
    )


def _match(
    label: DraftLabel, packages: Sequence[AnswerPackage], claimed: Sequence[frozenset[str]]
) -> list[tuple[int, int, float]]:
    """(expected index, package index, Jaccard) for each one-to-one pair at MATCH_JACCARD+."""
    if not packages or not label.packages:
        return []
    sims = np.array(
        [[_jaccard(set(e.contains), c) for c in claimed] for e in label.packages], dtype=float
    )
    gains = np.where(sims >= MATCH_JACCARD, sims, 0.0)
    return sorted(
        (e, p, float(sims[e, p])) for e, p in assign(-gains) if sims[e, p] >= MATCH_JACCARD
    )


def _jaccard(a: set[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _joined(parts: Sequence[AnswerPackage]) -> AnswerPackage:
    """Time increments of one package as that package: values and months add up."""
    if len(parts) == 1:
        return parts[0]
    values = [p.estimated_value for p in parts if p.estimated_value is not None]
    months = [p.duration_months for p in parts if p.duration_months is not None]
    return AnswerPackage(
        title=key(_proposal(parts[0]))[0],
        scope=parts[0].scope,
        item_ids=parts[0].item_ids,
        estimated_value=sum(values, Decimal(0)) if len(values) == len(parts) else None,
        duration_months=sum(months) if len(months) == len(parts) else None,
    )


def _proposal(package: AnswerPackage) -> Proposal:
    return Proposal(package.title, package.scope, (), package.item_ids)


def _close(found: Decimal | None, expected: Decimal) -> bool:
    return found is not None and abs(found - expected) <= expected * VALUE_TOLERANCE


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class Summary:
    """The figures over the set, pooled (every deliverable, package or draft weighs the same)."""

    drafts: int = 0
    errors: int = 0
    verdicts: dict[tuple[bool, bool | None], int] = field(default_factory=dict)
    deliverables: int = 0
    covered: int = 0
    drafts_fully_covered: int = 0
    expected_packages: int = 0
    found_packages: int = 0
    matched: int = 0
    macro_precision: float = 0.0
    macro_recall: float = 0.0
    values_stated: int = 0
    values_right: int = 0
    durations_stated: int = 0
    durations_right: int = 0
    wrong_citations: int = 0
    wrong_citations_in_advice: int = 0
    drafts_with_wrong_citations: int = 0
    wrong_thresholds: int = 0
    drafts_with_wrong_thresholds: int = 0
    right_thresholds: int = 0
    jurisdiction_agrees: int = 0

    @property
    def verdict_accuracy(self) -> float:
        agree = sum(n for (e, a), n in self.verdicts.items() if a == e)
        return agree / self.drafts if self.drafts else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.found_packages if self.found_packages else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected_packages if self.expected_packages else 0.0


def summarise(scores: Sequence[DraftScore]) -> Summary:
    summary = Summary(drafts=len(scores))
    precisions, recalls = [], []
    for s in scores:
        summary.errors += s.error is not None
        verdict = (s.expected_split, s.answered_split)
        summary.verdicts[verdict] = summary.verdicts.get(verdict, 0) + 1
        summary.deliverables += s.deliverables
        summary.covered += len(s.covered)
        summary.drafts_fully_covered += not s.missing
        summary.expected_packages += s.expected_packages
        summary.found_packages += s.found_packages
        summary.matched += len(s.matched)
        precisions.append(len(s.matched) / s.found_packages if s.found_packages else 0.0)
        recalls.append(len(s.matched) / s.expected_packages if s.expected_packages else 0.0)
        summary.values_stated += s.values_stated
        summary.values_right += s.values_right
        summary.durations_stated += s.durations_stated
        summary.durations_right += s.durations_right
        summary.wrong_citations += len(s.wrong_citations)
        summary.wrong_citations_in_advice += sum(c.advice for c in s.wrong_citations)
        summary.drafts_with_wrong_citations += bool(s.wrong_citations)
        summary.wrong_thresholds += len(s.wrong_thresholds)
        summary.drafts_with_wrong_thresholds += bool(s.wrong_thresholds)
        summary.right_thresholds += s.right_threshold
        summary.jurisdiction_agrees += s.jurisdiction_agrees
    if scores:
        summary.macro_precision = sum(precisions) / len(scores)
        summary.macro_recall = sum(recalls) / len(scores)
    return summary
