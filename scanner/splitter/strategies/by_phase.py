"""Divide by the buyer's own list of deliverables, else by service phase (discovery, alpha,
beta, live).

A numbered or bulleted list is the officer's division of the work: each entry is a package
with the value and the months written beside it, and phase words inside an entry never merge
entries into phase ratios. Only a text that names phases and lists nothing is divided by
phase, the value shared by the usual effort of each phase. FAR 39.103(b) and the GOV.UK
Service Manual both ask for increments that are useful alone; a discovery is the classic
small first contract.
"""

from __future__ import annotations

from decimal import Decimal

from scanner.splitter.facts import Facts
from scanner.splitter.prose import article, clip, join_words
from scanner.splitter.strategies.draft import CENT, Draft
from scanner.splitter.work import WorkPackage

PHASE_NAME = "by service phase"
DELIVERABLE_NAME = "by deliverable"
_ORDER = {"discovery": 0, "alpha": 1, "beta": 2, "live": 3}


def split(draft: Draft, facts: Facts, currency: str | None) -> list[Draft]:
    """The listed deliverables, else the phases, else deliverables found in a sentence."""
    if facts.listed_work:
        return by_work(draft, facts.work, bool(facts.phases), currency)
    if facts.phases:
        return _by_phases(draft, facts)
    if len(facts.work) >= 2:
        return by_work(draft, facts.work, False, currency)
    return [draft]


def by_work(
    draft: Draft, work: tuple[WorkPackage, ...], phased: bool, currency: str | None
) -> list[Draft]:
    """One part per deliverable: its stated value and months when written, the rest of the
    value shared equally between the deliverables that state none (said so)."""
    stated = {
        w.number: w.value for w in work if w.value is not None and w.currency in (None, currency)
    }
    values, methods = _values(draft.value, work, stated, currency)
    parts: list[Draft] = []
    for w in work:
        phase_note = ""
        if phased and len(w.phases) == 1:
            phase_note = f" It names {article(w.phases[0])} {w.phases[0]} phase."
        elif phased and w.phases:
            phase_note = f" It names the {join_words(list(w.phases))} phases."
        depends = _depends_on(w, work, parts) if phased else ()
        parts.append(
            Draft(
                title=w.title,
                scope=clip(w.text, 1000),
                items=draft.items,
                value=values[w.number],
                value_method=methods[w.number],
                duration_months=w.months,
                strategies=(*draft.strategies, DELIVERABLE_NAME),
                reasons=(
                    *draft.reasons,
                    f"The buyer lists this as deliverable {w.number}, separate work a "
                    f"supplier can deliver alone.{phase_note}",
                ),
                depends_on=depends,
                cpv=draft.cpv,
                region=draft.region,
                period=w.span.text if w.span else None,
                start_month=w.span.start if w.span else None,
                stated_value=w.number in stated,
            )
        )
    return parts


def _values(
    total: Decimal | None,
    work: tuple[WorkPackage, ...],
    stated: dict[int, Decimal],
    currency: str | None,
) -> tuple[dict[int, Decimal | None], dict[int, str]]:
    values: dict[int, Decimal | None] = {}
    methods: dict[int, str] = {}
    unstated = [w.number for w in work if w.number not in stated]
    stated_sum = sum(stated.values(), Decimal(0))
    rest = None if total is None else total - stated_sum
    for w in work:
        if w.number in stated:
            values[w.number], methods[w.number] = stated[w.number], "stated in the text"
        elif rest is not None and rest > 0 and unstated:
            share = (rest / len(unstated)).quantize(CENT)
            values[w.number] = share
            methods[w.number] = (
                f"the rest of the total ({currency + ' ' if currency else ''}{rest:,.0f}, after "
                "the values stated for other "
                f"deliverables) split equally between the {len(unstated)} deliverables "
                "with no value stated"
                if stated
                else f"equal split of the total between the {len(unstated)} listed deliverables"
            )
        else:
            values[w.number] = None
            methods[w.number] = (
                "no value stated, and the values stated for the other deliverables already "
                "reach the total"
                if rest is not None
                else "no value stated"
            )
    return values, methods


def _depends_on(
    w: WorkPackage, work: tuple[WorkPackage, ...], parts: list[Draft]
) -> tuple[str, ...]:
    """A deliverable starting a later phase builds on the latest one of an earlier phase."""
    if w.phase is None:
        return ()
    earlier = [
        parts[k].title
        for k, other in enumerate(work[: len(parts)])
        if other.phase is not None and _ORDER[other.phases[-1]] < _ORDER[w.phase]
    ]
    return (earlier[-1],) if earlier else ()


def _by_phases(draft: Draft, facts: Facts) -> list[Draft]:
    total = sum(share for _, share, _ in facts.phases)
    parts: list[Draft] = []
    for name, share, sentences in facts.phases:
        parts.append(
            draft.part(
                strategy=PHASE_NAME,
                reason=(
                    f"The requirement names {article(name)} {name} phase; each phase is a "
                    "separately useful increment, and the next starts from what it learnt."
                ),
                share=Decimal(str(round(share / total, 4))),
                method="phase share (discovery 10%, alpha 20%, beta 40%, live 30%, rescaled)",
                title=clip(f"{name.capitalize()}: {draft.title}", 200),
                scope=sentences or draft.scope,
                depends_on=(parts[-1].title,) if parts else (),
                duration_months=None,
            )
        )
    return parts
