"""The splitter: explainable micro-contract suggestions for large requirements (issues 4, 13).

`assess(tender, now=..., thresholds=load_thresholds(path))` is pure: no database, settings or
clock. Of the rest of Lotwise it reads only plain data and reference modules (`scanner.ingest`
tender and money parsing, `scanner.reference` CPV labels, `scanner.orgs.rates`).
"""

from scanner.splitter.assessment import assess
from scanner.splitter.thresholds import (
    Jurisdiction,
    Threshold,
    Thresholds,
    ThresholdsError,
    load_thresholds,
)
from scanner.splitter.types import Assessment, Package, Regime, Signal, proposed_parts

__all__ = [
    "Assessment",
    "Jurisdiction",
    "Package",
    "Regime",
    "Signal",
    "Threshold",
    "Thresholds",
    "ThresholdsError",
    "assess",
    "load_thresholds",
    "proposed_parts",
]
