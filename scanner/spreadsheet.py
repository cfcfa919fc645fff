"""CSV cells a spreadsheet would run as a formula, made inert (CWE-1236, OWASP "CSV injection").

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets: `=HYPERLINK("https://evil.example", "Click")` in a tender
title would become a live link. Such a cell is written with a leading `'`, which spreadsheets
show as text. Numbers (`-5`, `+44`) stay numbers. Every CSV Lotwise writes (the web export,
`split export`, `orgs export`) goes through `safe_cell`; `orgs import` reads a CSV cell back
with `restore_cell`, so an export imports again to the same profiles.
"""

from __future__ import annotations

__all__ = ["restore_cell", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(cell: str) -> bool:
    if cell[:1] == "'":
        return _runs_as_formula(cell[1:])  # a quote we would add must survive a round trip
    return cell[:1] in FORMULA_STARTS and not _is_number(cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def safe_cell(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text: a leading `'` before a formula."""
    return f"'{cell}" if _runs_as_formula(cell) else cell


def restore_cell(cell: str) -> str:
    """The text `safe_cell` was given (the inverse: `restore_cell(safe_cell(x)) == x`)."""
    return cell[1:] if cell[:1] == "'" and _runs_as_formula(cell[1:]) else cell
