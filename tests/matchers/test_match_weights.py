"""Loading weights and thresholds from config/matching.toml or a dict."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matchers.weights import CRITERIA, Weights, load_weights

CONFIG = Path(__file__).resolve().parents[2] / "config" / "matching.toml"


def test_shipped_file_equals_the_defaults() -> None:
    assert load_weights(CONFIG) == Weights()
    assert load_weights(str(CONFIG)) == load_weights(None)
    assert set(Weights().weights) == set(CRITERIA)


def test_dict_overrides_only_what_it_names() -> None:
    weights = load_weights({"weights": {"text": 1}, "deadline": {"working_days_needed": 5}})
    assert weights.weight("text") == 1.0 and weights.weight("classification") == 0.25
    assert weights.working_days_needed == 5 and isinstance(weights.working_days_needed, int)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weights": {"txt": 1}}, "unknown criterion"),
        ({"weights": {"text": -1}}, "must not be negative"),
        ({"weights": {"text": "high"}}, "must be a number"),
        ({"weights": {"text": math.nan}}, "must be finite"),
        ({"weights": dict.fromkeys(CRITERIA, 0)}, "at least one weight"),
        ({"text": {"k3": 1}}, "unknown setting text.k3"),
        ({"scoring": {}}, "unknown matching section"),
    ],
)
def test_bad_configuration_names_the_key(data, message) -> None:
    with pytest.raises(ValueError, match=message):
        load_weights(data)


def test_weights_built_directly_must_not_all_be_zero() -> None:
    with pytest.raises(ValueError, match="more than 0"):
        Weights(weights=dict.fromkeys(CRITERIA, 0.0))


def test_relevance_times_context() -> None:
    """`product` scores relevance x context: context reorders notices of like relevance and
    cannot lift a notice with no relevance; off, the weighted mean of all six."""
    mean = Weights()
    assert mean.combine(0.35, 0.55) == pytest.approx(0.9 / 1.25)
    product = load_weights({"score": {"product": 1, "context_floor": 0.2}})
    relevance, context = 0.7 * 0.5, 0.55 * 0.4  # means 0.5 and 0.4
    assert product.combine(relevance, context) == pytest.approx(0.5 * (0.2 + 0.8 * 0.4))
    assert product.combine(0.0, 0.55) == 0.0  # perfect size, place and time: still nothing
    assert mean.combine(0.0, 0.55) > 0.4
    with pytest.raises(ValueError, match="context_floor"):
        Weights(context_floor=1.5)
