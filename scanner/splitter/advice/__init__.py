"""What an officer acts on: contract clauses for each proposed package and the lotting note.

Pure functions over the stored (plain-data) assessment, so a draft checked now and a tender
assessed last month get the same advice from the clause files in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.splitter.advice.clauses import (
    ClauseError,
    ClauseLibrary,
    ClauseTemplate,
    fill_clauses,
    load_clauses,
    package_kind,
)
from scanner.splitter.advice.note import Note, lotting_note

__all__ = [
    "ClauseError",
    "ClauseLibrary",
    "ClauseTemplate",
    "Note",
    "advise",
    "fill_clauses",
    "load_clauses",
    "lotting_note",
    "package_kind",
]


def advise(
    entry: Mapping[str, Any], tender: Mapping[str, Any], library: ClauseLibrary
) -> tuple[dict[str, Any], Note]:
    """The assessment with `packages[].clauses` filled in and `note` (Markdown) added, and the
    note in both forms. `tender` gives the title and buyer when the assessment lacks them."""
    regime: Mapping[str, Any] = entry.get("regime") or {}
    packages = [dict(p) for p in entry.get("packages") or []]
    buyer = regime.get("buyer_name") or tender.get("buyer_name")
    currency = entry.get("currency") or tender.get("currency")
    code = regime.get("code") or entry.get("jurisdiction")
    if code in ("EU", "UK-SCT") and regime.get("buyer_type") == "utility":
        # The clauses' sources there are the public-sector directive's (or regulations'), which
        # a utility does not buy under: shown by analogy (a utility's rules in its own law).
        code = f"{code}/utility"
    for number, package in enumerate(packages, start=1):
        package["clauses"] = fill_clauses(
            library,
            package,
            number=number,
            packages=packages,
            regime=code,
            buyer=buyer,
            currency=currency,
        )
    advised = {**entry, "packages": packages}
    note = lotting_note(advised, tender, [p["clauses"] for p in packages])
    advised["note"] = note.markdown
    return advised, note
