"""De-duplication thresholds (`config/dedupe.toml`), read and checked once, passed down."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DedupeConfigError(ValueError):
    """The dedupe file is missing or invalid; the message names the file and the key."""


@dataclass(frozen=True)
class DedupeConfig:
    """Thresholds of a merge. Scores are 0..1; `weights` are relative."""

    merge_score: float = 0.86
    title_min: float = 0.88
    buyer_min: float = 0.70
    identifier_title_min: float = 0.40
    deadline_window_days: int = 2
    value_max_difference: float = 0.25
    cross_source_only: bool = True
    related_relationships: tuple[str, ...] = ("planning",)
    max_block: int = 500
    weights: tuple[tuple[str, float], ...] = (
        ("title", 0.45),
        ("buyer", 0.25),
        ("deadline", 0.20),
        ("value", 0.10),
    )

    @property
    def weight(self) -> dict[str, float]:
        return dict(self.weights)

    def fingerprint(self) -> str:
        """Changes when any threshold changes (shown with merges, so reasons name their rules)."""
        return repr(self)


_FLOATS = ("merge_score", "title_min", "buyer_min", "identifier_title_min", "value_max_difference")


def load_dedupe_config(path: Path) -> DedupeConfig:
    """Read and check a dedupe file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DedupeConfigError(f"{path}: dedupe file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DedupeConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_config(data)
    except DedupeConfigError as exc:
        raise DedupeConfigError(f"{path}: {exc}") from exc


def parse_config(data: dict[str, Any]) -> DedupeConfig:
    """A `DedupeConfig` from the parsed TOML (sections `fuzzy`, `identifiers`, `blocking`,
    `weights`); absent keys keep their defaults."""
    fuzzy = _section(data, "fuzzy")
    ids = _section(data, "identifiers")
    blocking = _section(data, "blocking")
    values: dict[str, Any] = {}
    for key in _FLOATS:
        source = ids if key == "identifier_title_min" else fuzzy
        if key in source:
            values[key] = _unit(source[key], f"{key}")
    if "deadline_window_days" in blocking:
        values["deadline_window_days"] = _count(
            blocking["deadline_window_days"], "deadline_window_days"
        )
    if "max_block" in blocking:
        values["max_block"] = max(2, _count(blocking["max_block"], "max_block"))
    if "cross_source_only" in fuzzy:
        if not isinstance(fuzzy["cross_source_only"], bool):
            raise DedupeConfigError("fuzzy.cross_source_only must be true or false")
        values["cross_source_only"] = fuzzy["cross_source_only"]
    if "related_relationships" in ids:
        rels = ids["related_relationships"]
        if not isinstance(rels, list) or not all(isinstance(r, str) for r in rels):
            raise DedupeConfigError("identifiers.related_relationships must be a list of strings")
        values["related_relationships"] = tuple(rels)
    weights = _section(data, "weights")
    if weights:
        unknown = set(weights) - set(_FIELDS)
        if unknown:
            raise DedupeConfigError(f"weights: unknown field(s) {', '.join(sorted(unknown))}")
        parsed = tuple((name, _weight(weights.get(name, 0), name)) for name in _FIELDS)
        if sum(w for _, w in parsed) <= 0:
            raise DedupeConfigError("weights: at least one must be positive")
        values["weights"] = parsed
    return DedupeConfig(**values)


_FIELDS = ("title", "buyer", "deadline", "value")


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise DedupeConfigError(f"[{name}] must be a table")
    return section


def _unit(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise DedupeConfigError(f"{key} must be a number from 0 to 1, not {value!r}")
    return float(value)


def _weight(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DedupeConfigError(f"weights.{key} must be a non-negative number, not {value!r}")
    return float(value)


def _count(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DedupeConfigError(f"{key} must be a whole number >= 0, not {value!r}")
    return value
