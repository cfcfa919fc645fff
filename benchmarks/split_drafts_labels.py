"""The labelled drafts (`split_labels/draft_labels.toml`): loading, and the text of each draft.

Kept apart from the scoring (`split_drafts_scoring.py`) so the tests can check the labels are
well-formed without running the splitter, and the scoring can be checked on hand-made labels.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

LABELS_DIR = Path(__file__).resolve().parent / "split_labels"
LABELS_FILE = LABELS_DIR / "draft_labels.toml"
THRESHOLD_STATUSES = ("configured", "to be added", "not known")


@dataclass(frozen=True)
class Deliverable:
    """One numbered deliverable (or OCDS item) of a draft: `text` is a phrase quoted from it."""

    id: str
    text: str
    item: str | None = None


@dataclass(frozen=True)
class ExpectedPackage:
    """A package a good officer would propose: the deliverables it holds, value and months."""

    name: str
    contains: tuple[str, ...]
    value: Decimal | None = None
    duration_months: int | None = None


@dataclass(frozen=True)
class ThresholdRef:
    """A threshold an answer may name: `<jurisdiction>.<key>`, its amount and currency."""

    key: str
    amount: Decimal
    currency: str
    name: str = ""


@dataclass(frozen=True)
class DraftLabel:
    """What a good officer would answer for one draft (see split_labels/README.md)."""

    id: str
    file: str
    should_split: bool
    deliverables: tuple[Deliverable, ...]
    packages: tuple[ExpectedPackage, ...]
    threshold_key: str
    threshold_status: str
    allowed_thresholds: tuple[str, ...]  # the threshold itself and the others it is right to name
    allowed_families: tuple[str, ...]
    config_jurisdiction: str  # key in config/thresholds.toml whose rules apply, "" when none
    raw: dict[str, Any]


def load_labels(path: Path = LABELS_FILE) -> tuple[list[DraftLabel], list[ThresholdRef]]:
    """The labelled drafts and the thresholds they declare that the configuration lacks."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    extra = [_threshold_ref(t) for t in data.get("threshold", [])]
    for entry in data.get("draft", []):
        threshold = entry["threshold"]
        if threshold.get("status") != "configured" and "amount" in threshold:
            extra.append(_threshold_ref(threshold))
    return [_label(entry) for entry in data.get("draft", [])], extra


def _threshold_ref(table: dict[str, Any]) -> ThresholdRef:
    return ThresholdRef(
        table["key"], Decimal(table["amount"]), table["currency"], table.get("name", "")
    )


def _label(entry: dict[str, Any]) -> DraftLabel:
    threshold = entry["threshold"]
    return DraftLabel(
        id=entry["id"],
        file=entry["file"],
        should_split=entry["should_split"],
        deliverables=tuple(
            Deliverable(str(d["id"]), d["text"], d.get("item")) for d in entry["deliverables"]
        ),
        packages=tuple(
            ExpectedPackage(
                p["name"],
                tuple(str(c) for c in p["contains"]),
                Decimal(p["value"]) if "value" in p else None,
                p.get("duration_months"),
            )
            for p in entry["packages"]
        ),
        threshold_key=threshold["key"],
        threshold_status=threshold["status"],
        allowed_thresholds=(threshold["key"], *threshold.get("also_allowed", [])),
        allowed_families=tuple(entry["citations"]["allowed"]),
        config_jurisdiction=entry.get("config_jurisdiction", ""),
        raw=entry,
    )


def draft_path(label: DraftLabel, labels_dir: Path = LABELS_DIR) -> Path:
    return labels_dir / label.file


def draft_text(path: Path) -> str:
    """Everything a reader sees in the draft: the text itself, or for an OCDS release its
    title, description, buyer and item descriptions (what the whole requirement says)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() != ".json":
        return text
    release = json.loads(text)
    tender = release.get("tender") or {}
    parts = [tender.get("title") or "", tender.get("description") or ""]
    parts.append((release.get("buyer") or {}).get("name") or "")
    parts += [item.get("description") or "" for item in tender.get("items") or []]
    return "\n".join(p for p in parts if p)


def draft_item_ids(path: Path) -> tuple[str, ...]:
    """The ids of an OCDS draft's items (none for a text draft)."""
    if path.suffix.lower() != ".json":
        return ()
    tender = json.loads(path.read_text(encoding="utf-8")).get("tender") or {}
    return tuple(str(item.get("id")) for item in tender.get("items") or [])
