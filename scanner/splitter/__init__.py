"""The splitter: explainable micro-contract suggestions for large requirements (issue 4).

`assess(tender, now=..., thresholds=load_thresholds(path))` is pure: no database, settings or
clock. It may import only `scanner.ingest.tender` of the rest of Lotwise.
"""

from scanner.splitter.assessment import Assessment, Package, Signal, assess
from scanner.splitter.thresholds import (
    Jurisdiction,
    Threshold,
    Thresholds,
    ThresholdsError,
    load_thresholds,
)

__all__ = [
    "Assessment",
    "Jurisdiction",
    "Package",
    "Signal",
    "Threshold",
    "Thresholds",
    "ThresholdsError",
    "assess",
    "load_thresholds",
]
