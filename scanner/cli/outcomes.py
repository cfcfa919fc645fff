"""A tender's outcome in `lotwise tenders show`: awards, bid count and integrity flags."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scanner.cli.output import console, money, table
from scanner.integrity import IntegrityConfig
from scanner.services import impact
from scanner.settings import Settings


def outcome_fields(settings: Settings, session: Session, tender_id: int) -> dict[str, Any]:
    """`awards`, `bid_count`, `outcome` and `red_flags` (docs/json-output.md); a broken
    integrity file leaves `red_flags` empty with `red_flags_error` saying why."""
    config: IntegrityConfig | None
    try:
        config = impact.load_config(settings.integrity_file, settings.thresholds_file)
        error = None
    except impact.IntegrityConfigError as exc:
        config, error = None, str(exc)
    fields = impact.tender_outcome(session, tender_id, config)
    if error:
        fields["red_flags_error"] = error
    return fields


def print_outcome(tender: dict[str, Any]) -> None:
    outcome = tender.get("outcome") or {}
    bids = tender.get("bid_count")
    console.print(
        f"Procedure: {outcome.get('method') or 'unknown'}"
        f"{' (' + outcome['method_details'] + ')' if outcome.get('method_details') else ''}; "
        f"bids: {'unknown' if bids is None else bids}",
        highlight=False,
    )
    if tender.get("awards"):
        console.print(
            table(
                f"Awards ({len(tender['awards'])})",
                ["status", "date", "value", "suppliers"],
                (
                    (
                        a["status"],
                        (a["date"] or "")[:10],
                        money(a["value_amount"], a["currency"]),
                        ", ".join(s["name"] or s["id"] or "unnamed" for s in a["suppliers"])
                        or "not published",
                    )
                    for a in tender["awards"]
                ),
            )
        )
    if tender.get("red_flags"):
        console.print(f"[italic]{tender['red_flags_notice']}[/]", highlight=False)
        for flag in tender["red_flags"]:
            console.print(f"Reason to look: {flag['title']}: {flag['evidence']}", highlight=False)
    if tender.get("red_flags_error"):
        console.print(f"[yellow]Flags not computed:[/] {tender['red_flags_error']}")
