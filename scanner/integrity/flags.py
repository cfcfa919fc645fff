"""The integrity flags: each with its definition, its threshold (from `config/integrity.toml`),
the fields it reads and its source; and the run over many tenders with each buyer's rate beside
its peers'.

Sources, cited precisely:
- OCP: Open Contracting Partnership and Development Gateway, *Red flags for integrity: Giving the
  green light to open data solutions* (2016),
  https://www.open-contracting.org/resources/red-flags-integrity-giving-green-light-open-data-solutions/
- cardinal: OCP's indicator library `cardinal` (github.com/open-contracting/cardinal-rs),
  `docs/cli/indicators/R/<code>.md` at commit b04158abdc7110111863f16c12e99d7e049aa3c8.
- CRI: Fazekas, Tóth and King, *An Objective Corruption Risk Index Using Public Procurement Data*
  (European Journal on Criminal Policy and Research, 2016), as cited by cardinal.
- IACRC: *Guide to Combating Corruption & Fraud in Infrastructure Development Projects*,
  https://guide.iacrc.org/ ("Red Flag: Winning Bid Very Close to Budget or Cost Estimates",
  "Red Flag: Multiple Awards Just Under Procurement Thresholds").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.integrity import rules
from scanner.integrity.config import IntegrityConfig
from scanner.integrity.records import TenderRecord
from scanner.integrity.rules import Flag

__all__ = ["RULES", "Flag", "FlagRule", "detect", "flag_json", "peer_rates", "rule_of"]

OCP_2016 = (
    "OCP & Development Gateway, Red flags for integrity: Giving the green light to open data "
    "solutions (2016)"
)
CARDINAL = "OCP cardinal {code} ({title}), docs/cli/indicators/R/{n}.md @ b04158a"


@dataclass(frozen=True)
class FlagRule:
    code: str
    title: str
    definition: str
    source: str
    fields: tuple[str, ...]
    threshold: Callable[[IntegrityConfig], str]
    detect: Callable[[Sequence[TenderRecord], IntegrityConfig], list[Flag]]

    def describe(self, config: IntegrityConfig) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "definition": self.definition,
            "threshold": self.threshold(config),
            "fields": list(self.fields),
            "source": self.source,
        }


def _methods(methods: Iterable[str]) -> str:
    return " or ".join(methods) or "any"


RULES: tuple[FlagRule, ...] = (
    FlagRule(
        code="single_bid",
        title="Single bid in a competitive procedure",
        definition="Only one bid (valid bids where the data says which) was received in a "
        "procedure open to competition; for a tender of several lots without a tender-level "
        "count, any lot with one bid.",
        source=CARDINAL.format(code="R018", title="Single bid received", n="018")
        + "; 'Single bidder' in CRI (Fazekas et al. 2016); "
        + OCP_2016,
        fields=(
            "tender.numberOfTenderers",
            "bids.details[].status",
            "bids.statistics",
            "efac:ReceivedSubmissionsStatistics",
            "tender.procurementMethod",
        ),
        threshold=lambda c: (
            f"exactly 1 bid; competitive methods: {_methods(c.competitive_methods)}"
        ),
        detect=rules.single_bid,
    ),
    FlagRule(
        code="short_submission_period",
        title="Short submission period",
        definition="Fewer whole days between the start of the tender period (else the "
        "publication date) and the submission deadline than the threshold.",
        source=CARDINAL.format(code="R003", title="Short submission period", n="003")
        + "; 'Short submission period' in CRI (Fazekas et al. 2016); "
        + OCP_2016,
        fields=("tender.tenderPeriod.startDate", "tender.tenderPeriod.endDate"),
        threshold=lambda c: (
            f"under {c.short_period_days} days"
            + (
                f" ({', '.join(f'{k}: {v}' for k, v in c.short_period_by_details)})"
                if c.short_period_by_details
                else ""
            )
            + f"; methods: {_methods(c.short_period_methods)}"
        ),
        detect=rules.short_submission_period,
    ),
    FlagRule(
        code="non_open_procedure",
        title="Non-open procedure",
        definition="The procedure was limited or a direct award (no open call for "
        "competition), and its value is not below every threshold known for its currency.",
        source="'Non-open procedure type' in CRI (Fazekas et al. 2016); "
        + OCP_2016
        + " (cardinal has no indicator for it)",
        fields=(
            "tender.procurementMethod",
            "tender.procurementMethodDetails",
            "cac:TenderingProcess/cbc:ProcedureCode",
            "tender.value.amount",
        ),
        threshold=lambda c: (
            f"methods: {_methods(c.non_open_methods)}"
            + (
                "; only at or above the lowest threshold of the currency"
                if c.non_open_only_above_threshold
                else ""
            )
        ),
        detect=rules.non_open_procedure,
    ),
    FlagRule(
        code="close_to_estimate",
        title="Winning price close to or above the estimate",
        definition="In a competitive procedure, the value of the active awards is at least "
        "the threshold share of the buyer's estimate.",
        source=OCP_2016 + "; IACRC, 'Red Flag: Winning Bid Very Close to Budget or Cost "
        "Estimates' (cardinal's R024 and R058 compare bids with each other, not with the "
        "estimate)",
        fields=("awards[].value.amount", "tender.value.amount", "tender.procurementMethod"),
        threshold=lambda c: (
            f"at least {c.close_to_estimate_ratio:.0%} of the estimate; "
            f"methods: {_methods(c.competitive_methods)}"
        ),
        detect=rules.close_to_estimate,
    ),
    FlagRule(
        code="all_but_winner_disqualified",
        title="All bids except the winner's disqualified",
        definition="Exactly one tenderer submitted valid bids, it is the supplier of every "
        "active award, and other tenderers' bids were disqualified. Left out while an award "
        "is pending.",
        source=CARDINAL.format(code="R035", title="All except winning bid disqualified", n="035")
        + "; 'Exclusion of all but one bid' in CRI (Fazekas et al. 2016)",
        fields=("bids.details[].status", "bids.details[].tenderers", "awards[].suppliers"),
        threshold=lambda c: (
            f"at least {c.disqualified_min_tenderers} other tenderer(s) disqualified"
        ),
        detect=rules.all_but_winner_disqualified,
    ),
    FlagRule(
        code="repeat_winner",
        title="Same supplier winning repeatedly from one buyer",
        definition="One supplier (by register identifier) won many of one buyer's awards, and "
        "a large share of them, within a period.",
        source=OCP_2016 + "; World Bank 'Multiple sole source awards' (indicatortoolbox.eu "
        "indicator 3); cardinal has no indicator for it",
        fields=("awards[].suppliers[].identifier", "awards[].date", "buyer.id"),
        threshold=lambda c: (
            f"at least {c.repeat_min_awards} awards and "
            f"{c.repeat_min_share:.0%} of the buyer's awards within {c.repeat_window_days} days"
        ),
        detect=rules.repeat_winner,
    ),
    FlagRule(
        code="split_below_threshold",
        title="Many awards just under a threshold (possible splitting)",
        definition="Several tenders by one buyer for the same kind of work (CPV prefix), each "
        "just under a procurement threshold, within a short period, that together reach it: "
        "the pattern of dividing a requirement to avoid the threshold's procedure, which "
        "micro-contracting must never become.",
        source="IACRC, 'Red Flag: Multiple Awards Just Under Procurement Thresholds'; World "
        "Bank 'Many awards just below threshold' (indicatortoolbox.eu indicator 5); "
        + OCP_2016
        + "; aggregation rule: Directive 2014/24/EU Art. 5, UK PCR 2015 reg. 6",
        fields=(
            "awards[].value.amount",
            "tender.value.amount",
            "tender.items[].classification",
            "awards[].date",
            "buyer.id",
        ),
        threshold=lambda c: (
            f"at least {c.split_min_awards} tenders within "
            f"{c.split_window_days} days, each within {c.split_margin:.0%} under a threshold, "
            f"same first {c.split_cpv_digits} CPV digits, together at or above the threshold"
        ),
        detect=rules.split_below_threshold,
    ),
)
_BY_CODE = {rule.code: rule for rule in RULES}


def rule_of(code: str) -> FlagRule | None:
    return _BY_CODE.get(code)


def detect(
    records: Sequence[TenderRecord],
    config: IntegrityConfig,
    codes: Iterable[str] | None = None,
) -> dict[int, list[Flag]]:
    """Flags per tender id, each buyer's tenders read together (some flags are patterns
    across a buyer's tenders). Tenders without a flag are absent."""
    wanted = [_BY_CODE[c] for c in codes] if codes is not None else list(RULES)
    by_buyer: dict[str, list[TenderRecord]] = defaultdict(list)
    for record in records:
        by_buyer[record.buyer_key].append(record)
    found: dict[int, list[Flag]] = defaultdict(list)
    for tenders in by_buyer.values():
        for rule in wanted:
            for flag in rule.detect(tenders, config):
                found[flag.tender_id].append(flag)
    return dict(found)


def flag_json(flag: Flag) -> dict[str, str]:
    """A flag as `tenders show --json` gives it: code, title, evidence, source."""
    rule = _BY_CODE[flag.code]
    return {
        "code": flag.code,
        "title": rule.title,
        "evidence": flag.evidence,
        "source": rule.source,
    }


def peer_rates(
    records: Sequence[TenderRecord], flags: dict[int, list[Flag]], config: IntegrityConfig
) -> dict[str, Any]:
    """Each buyer's share of tenders flagged (any flag, and per code) beside its peers': the
    median over buyers with at least `peer_min_tenders` tenders, and the pooled rate."""
    tenders: dict[str, int] = defaultdict(int)
    flagged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in records:
        tenders[record.buyer_key] += 1
        raised = {f.code for f in flags.get(record.tender_id, [])}
        for code in raised | ({"any"} if raised else set()):
            flagged[record.buyer_key][code] += 1
    codes = ["any", *(rule.code for rule in RULES)]
    buyers = {
        key: {code: flagged[key][code] / count for code in codes} for key, count in tenders.items()
    }
    peers = [key for key, count in tenders.items() if count >= config.peer_min_tenders]
    total = sum(tenders.values())
    return {
        "buyers": buyers,
        "peer_median": {
            code: (statistics.median(buyers[k][code] for k in peers) if peers else None)
            for code in codes
        },
        "pooled": {
            code: (sum(flagged[k][code] for k in tenders) / total if total else None)
            for code in codes
        },
        "peer_buyers": len(peers),
    }
