"""Divide by service phase (discovery, alpha, beta, live) or by deliverables the text lists.

FAR 39.103(b) asks for increments that are each useful alone; the GOV.UK Service Manual phases
are the common case, and a discovery is the classic small first contract. Enumerated work
packages ("Phase 1: ...", "Workstream 2 - ...", bullets, semicolon lists) are the buyer's own
division of the work, so they are taken as written.
"""

from __future__ import annotations

from decimal import Decimal

from scanner.splitter.strategies.draft import Draft
from scanner.splitter.strategies.facts import Facts

PHASE_NAME = "by service phase"
DELIVERABLE_NAME = "by deliverable"


def split(draft: Draft, facts: Facts) -> list[Draft]:
    """Phases when the text names at least two, else enumerated deliverables, else unchanged."""
    if facts.phases:
        return _by_phases(draft, facts)
    if facts.deliverables:
        return _by_deliverables(draft, facts.deliverables)
    return [draft]


def _by_phases(draft: Draft, facts: Facts) -> list[Draft]:
    total = sum(share for _, share, _ in facts.phases)
    parts: list[Draft] = []
    for name, share, sentences in facts.phases:
        title = f"{name.capitalize()}: {draft.title}"
        parts.append(
            draft.part(
                strategy=PHASE_NAME,
                reason=(
                    f"The requirement names a {name} phase; each phase is a separately useful "
                    "increment, and the next starts from what it learnt."
                ),
                share=Decimal(str(round(share / total, 4))),
                method="phase share (discovery 10%, alpha 20%, beta 40%, live 30%, rescaled)",
                title=title,
                scope=sentences or draft.scope,
                depends_on=(parts[-1].title,) if parts else (),
                duration_months=None,
            )
        )
    return parts


def _by_deliverables(draft: Draft, deliverables: tuple[str, ...]) -> list[Draft]:
    share = Decimal(1) / Decimal(len(deliverables))
    return [
        draft.part(
            strategy=DELIVERABLE_NAME,
            reason="The description lists this as a separate deliverable or work package.",
            share=share,
            method="equal split between the listed deliverables",
            title=text[:80],
            scope=text,
        )
        for text in deliverables
    ]
