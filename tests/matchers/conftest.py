"""Builders for the matcher tests: plain OrgProfile / Opportunity values with sane defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights, load_weights

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday
CONFIG = Path(__file__).resolve().parents[2] / "config" / "matching.toml"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def weights() -> Weights:
    return load_weights(CONFIG)


@pytest.fixture
def make_opp() -> Callable[..., Opportunity]:
    def build(**fields: Any) -> Opportunity:
        base: dict[str, Any] = {
            "id": "tender:1",
            "kind": "tender",
            "tender_id": "1",
            "title": "User research for the benefits service",
            "text": "We need user research and service design for a digital service.",
            "cpv": ("72212000",),
            "value": Decimal(40000),
            "regions": ("UKI3",),
            "countries": ("GB",),
            "deadline": NOW + timedelta(days=21),
        }
        base.update(fields)
        return Opportunity(**base)

    return build


@pytest.fixture
def make_org() -> Callable[..., OrgProfile]:
    def build(**fields: Any) -> OrgProfile:
        base: dict[str, Any] = {
            "id": "org:1",
            "name": "Civic Research Co-op",
            "description": "A small co-operative working with councils.",
            "capabilities": "user research, service design, accessibility audits",
            "keywords": ("user research", "service design"),
            "cpv": ("72",),
            "regions": ("UKI",),
            "countries": ("GB",),
            "value_min": Decimal(10000),
            "value_max": Decimal(100000),
            "turnover": Decimal(400000),
        }
        base.update(fields)
        return OrgProfile(**base)

    return build
