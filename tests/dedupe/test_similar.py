"""Grouping near-identical notices for reading (`scanner.dedupe.similar`)."""

from __future__ import annotations

from scanner.dedupe.similar import group_similar

AUDIT = "WCAG 2.2 AA accessibility audit of the council website"


def _groups(items: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    return group_similar(items, lambda i: i[0], lambda i: i[1])


def test_copies_from_several_buyers_become_one_group_led_by_the_best() -> None:
    items = [
        (AUDIT, 1),
        ("Data platform build", 2),
        ("WCAG 2.2 AA Accessibility Audit of the Council's website", 3),
        ("UK-Leeds: WCAG 2.2 AA accessibility audit of the council website", 4),
        ("Accessibility audit, WCAG 2.2 AA, of the council website", 5),
    ]
    groups = _groups(items)
    assert [[i[1] for i in g] for g in groups] == [[1, 3, 4, 5], [2]]


def test_different_lots_years_and_short_titles_stay_apart() -> None:
    items = [
        ("Accessibility audit framework lot 1", 1),
        ("Accessibility audit framework lot 2", 2),
        ("User research services 2026", 3),
        ("User research services 2027", 4),
        ("Cleaning", 5),
        ("Cleaning", 6),
    ]
    assert len(_groups(items)) == 6


def test_parts_of_one_tender_are_never_folded_together() -> None:
    items = [(AUDIT, 7), (AUDIT, 7), (AUDIT, 8)]
    assert [[i[1] for i in g] for g in _groups(items)] == [[7, 8], [7]]
