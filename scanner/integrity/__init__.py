"""Integrity flags and impact figures: pure functions over plain tender records (no storage,
settings or clock). A flag is a reason to look, never an accusation."""

from scanner.integrity.cases import case_studies, cases_markdown
from scanner.integrity.config import (
    IntegrityConfig,
    IntegrityConfigError,
    Threshold,
    load_integrity_config,
)
from scanner.integrity.flags import RULES, Flag, FlagRule, detect, flag_json, peer_rates, rule_of
from scanner.integrity.impact import figures
from scanner.integrity.records import AwardRecord, BidRecord, SupplierRecord, TenderRecord
from scanner.integrity.report import BUYER_FIELDS, impact_report
from scanner.integrity.rules import needs_buyer_context

__all__ = [
    "BUYER_FIELDS",
    "RULES",
    "AwardRecord",
    "BidRecord",
    "Flag",
    "FlagRule",
    "IntegrityConfig",
    "IntegrityConfigError",
    "SupplierRecord",
    "TenderRecord",
    "Threshold",
    "case_studies",
    "cases_markdown",
    "detect",
    "figures",
    "flag_json",
    "impact_report",
    "load_integrity_config",
    "needs_buyer_context",
    "peer_rates",
    "rule_of",
]
