"""Tracking: an organisation saves, dismisses (with a reason), or decides to bid or not for its
matches, with notes, shared by all its users. A dismissed (or no-bid) opportunity leaves the
organisation's digests and is listed after every other match on its pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from scanner.matching.opportunities import KIND_LABELS
from scanner.storage import organisations as org_store
from scanner.storage import tracking as store

STATES = {
    "saved": "Saved",
    "bid": "Bidding",
    "no_bid": "Not bidding",
    "dismissed": "Dismissed",
}
DISMISS_REASONS = {
    "not_our_work": "Not our kind of work",
    "too_large": "Too large for us",
    "too_small": "Too small to be worth a bid",
    "wrong_place": "In the wrong place",
    "too_soon": "The deadline is too soon",
    "other": "Another reason (see the note)",
}
NOTE_LIMIT = 4000


class TrackingError(ValueError):
    """A request that cannot be applied; the message says why in plain words."""


@dataclass(frozen=True)
class TrackState:
    state: str
    label: str
    reason: str | None
    reason_label: str | None
    note: str
    by: str | None
    updated_at: datetime


def _org_key(conn: Any, slug: str) -> int:
    stored = org_store.get_organisation(conn, slug)
    if stored is None:
        raise LookupError(slug)
    return stored.key


def track(
    engine: Engine,
    slug: str,
    opportunity_id: str,
    *,
    action: str,
    reason: str = "",
    note: str = "",
    user_email: str | None,
    now: datetime,
) -> str:
    """Apply `action` (saved, dismissed, bid, no_bid, or clear) and say what was done."""
    note = note.strip()
    if action != "clear" and action not in STATES:
        raise TrackingError("Choose save, dismiss, bid or not bid.")
    if len(note) > NOTE_LIMIT:
        raise TrackingError(f"The note is too long: keep it under {NOTE_LIMIT} characters.")
    if action == "dismissed" and reason not in DISMISS_REASONS:
        raise TrackingError("Say why you dismiss it: choose a reason from the list.")
    with engine.begin() as conn:
        organisation = _org_key(conn, slug)
        tender = store.match_tender(conn, organisation, opportunity_id)
        if tender is None:
            raise LookupError(opportunity_id)
        if action == "clear":
            store.clear_state(conn, organisation, opportunity_id)
            return "Tracking removed: it is back among your matches."
        store.save_state(
            conn,
            organisation_id=organisation,
            tender_id=tender,
            opportunity_id=opportunity_id,
            state=action,
            reason=reason if action == "dismissed" else None,
            note=note,
            user_email=user_email,
            now=now,
        )
    if action == "dismissed":
        return "Dismissed: it will not appear in your digests and is listed last."
    return f"Marked as {STATES[action].lower()}; everyone in your organisation sees it."


def state_of(engine: Engine, slug: str, opportunity_id: str) -> TrackState | None:
    with engine.connect() as conn:
        row = store.state_of(conn, _org_key(conn, slug), opportunity_id)
    return None if row is None else _state(row)


def _state(row: Any) -> TrackState:
    return TrackState(
        state=row["state"],
        label=STATES.get(row["state"], row["state"]),
        reason=row["reason"],
        reason_label=DISMISS_REASONS.get(row["reason"] or ""),
        note=row["note"] or "",
        by=row["user_email"],
        updated_at=row["updated_at"],
    )


def states_of(engine: Engine, organisation_id: int) -> dict[str, TrackState]:
    with engine.connect() as conn:
        return {key: _state(row) for key, row in store.states(conn, organisation_id).items()}


# A dismissal for these reasons holds for the tender's other parts too (same work, place and
# deadline), so they are ranked down; "too large" does not: a smaller lot may still fit.
WHOLE_TENDER_REASONS = frozenset({"not_our_work", "wrong_place", "too_soon"})


def ranked(
    matches: list[dict[str, Any]], states: dict[str, TrackState]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(matches to show, dismissed ones), each match with its `tracking` state and, when
    ranked down, a `ranked_down` reason. Dismissed (and no-bid) ones are set apart; the parts
    of a tender dismissed for a reason that holds for the whole tender follow all the other
    matches; the order is otherwise kept."""
    shown: list[dict[str, Any]] = []
    lowered: list[dict[str, Any]] = []
    dismissed: list[dict[str, Any]] = []
    held: dict[Any, str] = {}
    for match in matches:
        state = states.get(match["opportunity_id"])
        if state and state.state == "dismissed" and state.reason in WHOLE_TENDER_REASONS:
            held[match["tender_id"]] = state.reason_label or ""
    for match in matches:
        state = states.get(match["opportunity_id"])
        entry = {**match, "tracking": state, "ranked_down": None}
        if state and state.state in store.QUIET_STATES:
            dismissed.append(entry)
        elif state is None and match["tender_id"] in held:
            reason = held[match["tender_id"]].lower()
            entry["ranked_down"] = f"You dismissed another part of this tender ({reason})."
            lowered.append(entry)
        else:
            shown.append(entry)
    return shown + lowered, dismissed


def tracking_list(engine: Engine, slug: str) -> dict[str, list[dict[str, Any]]]:
    """The organisation's tracked opportunities grouped by state, in `STATES` order."""
    with engine.connect() as conn:
        rows = store.tracked(conn, _org_key(conn, slug))
    groups: dict[str, list[dict[str, Any]]] = {state: [] for state in STATES}
    for row in rows:
        groups.setdefault(row["state"], []).append(
            {
                "opportunity_id": row["opportunity_id"],
                "title": row["match_title"] or row["tender_title"],
                "tender_title": row["tender_title"],
                "kind_label": KIND_LABELS.get(row["kind"] or "", ""),
                "still_matches": row["kind"] is not None,
                "buyer_name": row["buyer_name"],
                "deadline_at": row["deadline_at"],
                "tracking": _state(row),
            }
        )
    return groups
