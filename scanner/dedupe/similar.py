"""Near-identical notices in one organisation's list, grouped for reading: eight buyers
publishing "WCAG 2.2 AA accessibility audit" are one line "and 7 similar", not eight lines.

Unlike `grouping.deduplicate`, which merges records of the same procedure, this only folds
the display: each notice stays its own opportunity and keeps its own page. Pure: the caller
passes the items in rank order and how to read each one's title."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from scanner.dedupe.scoring import similarity
from scanner.dedupe.text import normal_title, title_marks

T = TypeVar("T")
SIMILAR_TITLE = 0.9  # token_sort ratio of the normalised titles
MIN_WORDS = 3  # "Cleaning" and "Cleaning" are not near-identical notices, just short titles


def group_similar(
    items: Sequence[T],
    title: Callable[[T], str | None],
    tender: Callable[[T], object],
    threshold: float = SIMILAR_TITLE,
) -> list[list[T]]:
    """`items` (best first) as groups, each led by its best item: an item joins the first
    group whose leader's title reads the same (numbers and lot names equal, words alike at
    `threshold` or more) and is another tender; otherwise it leads a new group."""
    groups: list[tuple[str, frozenset[str], list[T]]] = []
    for item in items:
        normal = normal_title(title(item))
        marks = title_marks(normal)
        home = None
        if len(normal.split()) >= MIN_WORDS:
            home = next(
                (
                    members
                    for lead, lead_marks, members in groups
                    if lead_marks == marks
                    and all(tender(m) != tender(item) for m in members)
                    and similarity(lead, normal) >= threshold
                ),
                None,
            )
        if home is None:
            groups.append((normal, marks, [item]))
        else:
            home.append(item)
    return [members for _, _, members in groups]
