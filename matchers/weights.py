"""Weights and thresholds of matching, from config/matching.toml or a plain dict.

Reading a TOML file here is reading data, not storage: the matchers still take everything they
use as arguments and keep no state."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CONTEXT", "CRITERIA", "RELEVANCE", "Weights", "load_weights"]

CRITERIA = ("text", "keywords", "classification", "value", "geography", "deadline")
RELEVANCE = CRITERIA[:3]  # what the notice is about: does it fit the trade
CONTEXT = CRITERIA[3:]  # whether the organisation can take it on: size, place, time


@dataclass(frozen=True, slots=True)
class Weights:
    """Everything tunable in matching. Defaults equal config/matching.toml."""

    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "text": 0.25,
            "keywords": 0.20,
            "classification": 0.25,
            "value": 0.15,
            "geography": 0.30,
            "deadline": 0.10,
        }
    )
    k1: float = 1.2
    b: float = 0.75
    saturation_terms: int = 5
    description_weight: float = 1.0
    self_description: float = 1.0
    fuzzy_min_length: int = 7
    max_edits: int = 1
    max_edits_long: int = 2
    long_length: int = 12
    compound_min_head: int = 5
    compound_min_modifier: int = 3
    working_days_needed: int = 10
    min_working_days: int = 3
    min_relevance: float = 0.05
    min_score: float = 0.0
    max_value_ratio: float = 2.5
    excluded_mention_factor: float = 0.8
    not_sme_factor: float = 1.0
    uncorroborated_code_factor: float = 0.5
    corroborating_text: float = 0.0
    package_factor: float = 0.9
    remote_factor: float = 0.9
    in_nation_factor: float = 0.9
    reserved_factor: float = 1.0
    inferred_code_factor: float = 0.7
    own_language_bridge: float = 0.0
    foreign_keywords: float = 0.5
    foreign_min_codes: float = 1.0
    product: float = 0.0
    context_floor: float = 0.0

    def __post_init__(self) -> None:
        if not self.total > 0:
            raise ValueError("the weights must add up to more than 0")
        if not 0.0 <= self.context_floor <= 1.0:
            raise ValueError(f"score.context_floor must be within 0-1, got {self.context_floor!r}")

    @property
    def total(self) -> float:
        """Sum of the weights, the divisor of the weighted mean."""
        return sum(self.weights.values())

    def weight(self, name: str) -> float:
        """The weight of criterion `name` (0 when not configured)."""
        return float(self.weights.get(name, 0.0))

    def combine(self, relevance: Any, context: Any) -> Any:
        """The score from the weighted sums of the relevance criteria (text, keywords,
        classification) and of the context criteria (value, geography, deadline); floats or
        numpy arrays alike. With `product` 0 it is the weighted mean of all six. With
        `product` > 0 it is relevance x context, each its own weighted mean, the context read
        as `context_floor` + (1 - `context_floor`) x context: a notice that fits the size,
        place and time of an organisation but not its trade can never be lifted over one
        that fits its trade by context alone, and context orders notices of like relevance.
        Non-decreasing in both sums, so an upper bound of either bounds the score."""
        if self.product <= 0:
            return (relevance + context) / self.total
        shares = sum(self.weight(c) for c in RELEVANCE), sum(self.weight(c) for c in CONTEXT)
        fit = relevance / shares[0] if shares[0] > 0 else 1.0
        if shares[1] <= 0:
            return fit
        floor = self.context_floor
        return fit * (floor + (1.0 - floor) * (context / shares[1]))


_SECTIONS = {
    "text": ("k1", "b", "saturation_terms", "description_weight", "self_description"),
    "keywords": (
        "fuzzy_min_length",
        "max_edits",
        "max_edits_long",
        "long_length",
        "compound_min_head",
        "compound_min_modifier",
    ),
    "deadline": ("working_days_needed", "min_working_days"),
    "thresholds": (
        "min_relevance",
        "min_score",
        "max_value_ratio",
        "excluded_mention_factor",
        "not_sme_factor",
        "uncorroborated_code_factor",
        "corroborating_text",
        "package_factor",
        "remote_factor",
        "in_nation_factor",
        "reserved_factor",
        "inferred_code_factor",
    ),
    "languages": ("own_language_bridge", "foreign_keywords", "foreign_min_codes"),
    "score": ("product", "context_floor"),
}


def load_weights(source: str | Path | Mapping[str, Any] | None = None) -> Weights:
    """Weights from a TOML file path or an already-parsed dict; `None` gives the defaults.

    Unknown criteria or settings, negative or non-finite weights, and all-zero weights raise
    ValueError naming the offending key, so a typo in configuration fails at start-up."""
    if source is None:
        return Weights()
    if isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            data: Mapping[str, Any] = tomllib.load(handle)
    else:
        data = source
    unknown = set(data) - {"weights", *_SECTIONS}
    if unknown:
        raise ValueError(f"unknown matching section(s): {', '.join(sorted(unknown))}")
    defaults = Weights()
    weights = dict(defaults.weights)
    for name, value in dict(data.get("weights", {})).items():
        if name not in CRITERIA:
            raise ValueError(f"unknown criterion in [weights]: {name!r} (known: {CRITERIA})")
        number = _number(f"weights.{name}", value)
        if number < 0:
            raise ValueError(f"weights.{name} must not be negative, got {value!r}")
        weights[name] = number
    if sum(weights.values()) <= 0:
        raise ValueError("at least one weight in [weights] must be positive")
    settings: dict[str, Any] = {}
    for section, keys in _SECTIONS.items():
        values = dict(data.get(section, {}))
        for key, value in values.items():
            if key not in keys:
                raise ValueError(f"unknown setting {section}.{key}")
            kind = type(getattr(defaults, key))
            number = _number(f"{section}.{key}", value)
            if number < 0:
                raise ValueError(f"{section}.{key} must not be negative, got {value!r}")
            settings[key] = int(number) if kind is int else number
    return Weights(weights=weights, **settings)


def _number(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{key} must be finite, got {value!r}")
    return float(value)
