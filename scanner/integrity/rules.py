"""One function per integrity flag. Each reads the tenders of one buyer and returns the flags
it raised, each with evidence in words that names the published fields it used.

A flag is a reason to look, never an accusation (see `config.NOTICE`): the evidence says what
was found, not what it means. Definitions and sources are in `scanner.integrity.flags`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from scanner.integrity.config import IntegrityConfig, Threshold
from scanner.integrity.records import AwardRecord, TenderRecord

__all__ = [
    "Flag",
    "all_but_winner_disqualified",
    "close_to_estimate",
    "needs_buyer_context",
    "non_open_procedure",
    "repeat_winner",
    "short_submission_period",
    "single_bid",
    "split_below_threshold",
]

AWARD_VALUE = "awards[].value.amount"
AWARD_DATE = "awards[].date"
ESTIMATE = "tender.value.amount"


@dataclass(frozen=True, slots=True)
class Flag:
    """One flag raised on one tender: `evidence` in words, `fields` the fields it read."""

    code: str
    tender_id: int
    evidence: str
    fields: tuple[str, ...]


def single_bid(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """One bid in a competitive procedure (the whole tender, else any of its lots)."""
    flags = []
    for t in tenders:
        if t.method not in config.competitive_methods:
            continue
        method = f"a {t.method} procedure ({t.method_field} = {t.method})"
        if t.bid_count == 1:
            field = t.bid_count_field or "bid count"
            evidence = f"1 bid ({field}) in {method}"
            flags.append(Flag("single_bid", t.tender_id, evidence, (field, str(t.method_field))))
        elif t.bid_count is None:
            lots = [lot for lot, count in t.lot_bid_counts if count == 1]
            if lots:
                evidence = f"1 bid for lot {', '.join(lots)} (per-lot bid counts) in {method}"
                flags.append(
                    Flag(
                        "single_bid", t.tender_id, evidence, ("lot bid counts", str(t.method_field))
                    )
                )
    return flags


def short_submission_period(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """Submission period (start to deadline, whole days) shorter than the configured days."""
    by_details = dict(config.short_period_by_details)
    flags = []
    for t in tenders:
        if config.short_period_methods and t.method not in config.short_period_methods:
            continue
        start, start_field = t.period_start, "tender.tenderPeriod.startDate"
        if start is None:
            start, start_field = t.published_at, "publication date (no tenderPeriod.startDate)"
        if start is None or t.deadline_at is None or t.deadline_at < start:
            continue
        days = (t.deadline_at - start).days
        minimum = by_details.get(t.method_details or "", config.short_period_days)
        if days < minimum:
            evidence = (
                f"{days} whole days from {start:%Y-%m-%d} ({start_field}) to the deadline "
                f"{t.deadline_at:%Y-%m-%d} (tender.tenderPeriod.endDate); threshold {minimum} days"
            )
            fields = (start_field, "tender.tenderPeriod.endDate")
            flags.append(Flag("short_submission_period", t.tender_id, evidence, fields))
    return flags


def non_open_procedure(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """A procedure without open competition (limited or direct), unless its value is below
    every threshold configured for its currency (a small purchase the rules allow)."""
    flags = []
    for t in tenders:
        if t.method not in config.non_open_methods:
            continue
        thresholds = config.thresholds_for(t.currency, t.main_cpv)
        lowest = min(thresholds, key=lambda th: th.amount) if thresholds else None
        value, value_field = _value(t)
        method = f"{t.method} procedure ({t.method_field} = {t.method}"
        method += f", {t.method_details})" if t.method_details else ")"
        if config.non_open_only_above_threshold and lowest is not None and value is not None:
            if value < lowest.amount:
                continue
            size = (
                f"value {_money(value, t.currency)} ({value_field}) at or above "
                f"{_money(lowest.amount, lowest.currency)} ({lowest.label})"
            )
        elif value is None:
            size = f"value not published ({ESTIMATE}), so it cannot be placed under a threshold"
        elif lowest is None:
            size = f"value {_money(value, t.currency)} ({value_field}); no threshold known for "
            size += t.currency or "an unknown currency"
        else:
            size = f"value {_money(value, t.currency)} ({value_field})"
        fields = (str(t.method_field), value_field or ESTIMATE)
        flags.append(Flag("non_open_procedure", t.tender_id, f"{method}; {size}", fields))
    return flags


def close_to_estimate(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """In a competitive procedure, the winning value is close to or above the estimate."""
    flags = []
    for t in tenders:
        if t.method not in config.competitive_methods or not t.value:
            continue
        awards = t.active_awards
        if not awards or any(a.value is None or a.currency != t.currency for a in awards):
            continue
        won = sum((a.value for a in awards if a.value is not None), Decimal(0))
        ratio = won / t.value
        if ratio >= Decimal(str(config.close_to_estimate_ratio)):
            evidence = (
                f"awarded {_money(won, t.currency)} ({AWARD_VALUE}, {len(awards)} active "
                f"award{'s' if len(awards) > 1 else ''}) is {ratio:.1%} of the estimate "
                f"{_money(t.value, t.currency)} ({ESTIMATE}); threshold "
                f"{config.close_to_estimate_ratio:.0%}"
            )
            flags.append(Flag("close_to_estimate", t.tender_id, evidence, (AWARD_VALUE, ESTIMATE)))
    return flags


def all_but_winner_disqualified(
    tenders: Sequence[TenderRecord], config: IntegrityConfig
) -> list[Flag]:
    """Exactly one tenderer has valid bids, it won every active award, and other tenderers'
    bids were disqualified (cardinal R035; processes with a pending award are left out)."""
    flags = []
    for t in tenders:
        if not t.bids or any(a.status == "pending" for a in t.awards):
            continue
        valid = {p.identity for b in t.bids if b.status == "valid" for p in b.tenderers}
        winners = {p.identity for a in t.active_awards for p in a.suppliers}
        if len(valid) != 1 or None in valid or winners != valid:
            continue
        disqualified = {
            p.identity
            for b in t.bids
            if b.status == "disqualified"
            for p in b.tenderers
            if p.identity is not None
        } - valid
        if len(disqualified) < config.disqualified_min_tenderers:
            continue
        unnamed = sum(1 for b in t.bids if b.status == "disqualified" and not b.tenderers)
        winner = next(p for a in t.active_awards for p in a.suppliers)
        evidence = (
            f"the only valid bid is the winner's ({winner.name or winner.identity}; "
            f"bids.details[].status, bids.details[].tenderers, awards[].suppliers); "
            f"{len(disqualified)} other "
            f"tenderer{'s' if len(disqualified) > 1 else ''} disqualified "
            f"(bids.details[].status = disqualified)"
        )
        if unnamed:
            evidence += f"; {unnamed} disqualified bid(s) name no tenderer and are not counted"
        fields = ("bids.details[].status", "bids.details[].tenderers", "awards[].suppliers")
        flags.append(Flag("all_but_winner_disqualified", t.tender_id, evidence, fields))
    return flags


def repeat_winner(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """One supplier won at least `repeat_min_awards` of this buyer's awards, and at least
    `repeat_min_share` of them, within `repeat_window_days`."""
    window = timedelta(days=config.repeat_window_days)
    dated = [(a.date, t, a) for t in tenders for a in t.active_awards if a.date is not None]
    buyer_dates = sorted(d for d, _, _ in dated)
    by_supplier: dict[str, list[tuple[datetime, TenderRecord, AwardRecord]]] = defaultdict(list)
    names: dict[str, str] = {}
    for date, t, award in dated:
        for supplier in award.suppliers:
            if supplier.key is not None:
                by_supplier[supplier.key].append((date, t, award))
                names.setdefault(supplier.key, supplier.name or supplier.key)
    found: dict[int, list[str]] = defaultdict(list)
    for key, wins in by_supplier.items():
        wins.sort(key=lambda w: w[0])
        dates = [w[0] for w in wins]
        best: tuple[int, int, int, int] | None = None  # (count, total, first, last index)
        for first, start in enumerate(dates):
            last = bisect_right(dates, start + window) - 1
            count = last - first + 1
            total = bisect_right(buyer_dates, start + window) - bisect_left(buyer_dates, start)
            enough = count >= config.repeat_min_awards and count / total >= config.repeat_min_share
            if enough and (best is None or count > best[0]):
                best = (count, total, first, last)
        if best is None:
            continue
        count, total, first, last = best
        text = (
            f"{names[key]} ({key}) won {count} of this buyer's {total} awards from "
            f"{dates[first]:%Y-%m-%d} to {dates[last]:%Y-%m-%d}"
        )
        for _, t, _ in wins[first : last + 1]:
            if text not in found[t.tender_id]:
                found[t.tender_id].append(text)
    fields = ("awards[].suppliers[].identifier", AWARD_DATE, "awards[].status", "buyer.id")
    named = "awards[].suppliers[].identifier, awards[].date, awards[].status = active, buyer.id"
    return [
        Flag(
            "repeat_winner",
            tender_id,
            "; ".join(texts) + f" ({named}); threshold "
            f"{config.repeat_min_awards} awards and {config.repeat_min_share:.0%} within "
            f"{config.repeat_window_days} days",
            fields,
        )
        for tender_id, texts in found.items()
    ]


def split_below_threshold(tenders: Sequence[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """At least `split_min_awards` tenders of this buyer for the same kind of work (CPV prefix),
    each just under a threshold (within `split_margin`), within `split_window_days`, that
    together reach the threshold: the pattern of splitting to stay under it."""
    window = timedelta(days=config.split_window_days)
    groups: dict[tuple[str, Threshold], list[tuple[datetime, TenderRecord, Decimal, str]]]
    groups = defaultdict(list)
    applying: dict[tuple[str | None, str | None], tuple[Threshold, ...]] = {}
    for t in tenders:
        kind = (t.main_cpv or "")[: config.split_cpv_digits]
        value, field = _value(t)
        date = min((a.date for a in t.active_awards if a.date), default=None) or t.published_at
        if len(kind) < config.split_cpv_digits or value is None or field is None or date is None:
            continue
        wanted = (t.currency, t.main_cpv)
        if wanted not in applying:
            applying[wanted] = config.thresholds_for(*wanted)
        for threshold in applying[wanted]:
            floor = threshold.amount * (1 - Decimal(str(config.split_margin)))
            if floor <= value < threshold.amount:
                groups[(kind, threshold)].append((date, t, value, field))
    found: dict[int, Flag] = {}
    for (kind, threshold), items in groups.items():
        items.sort(key=lambda item: item[0])
        dates = [item[0] for item in items]
        flagged_to = -1  # the last index of the latest cluster flagged
        for first, start in enumerate(dates):
            last = bisect_right(dates, start + window) - 1
            if last <= flagged_to:  # all within that cluster (first is past its start): no news
                continue
            cluster = items[first : last + 1]
            if len(cluster) < config.split_min_awards:
                continue
            total = sum((value for _, _, value, _ in cluster), Decimal(0))
            if total < threshold.amount:
                continue
            flagged_to = last
            fields = tuple(sorted({field for *_, field in cluster}))
            evidence = (
                f"{len(cluster)} tenders for the same kind of work (CPV {kind}*, "
                f"tender.items[].classification) from {dates[first]:%Y-%m-%d} to "
                f"{dates[last]:%Y-%m-%d}, each between "
                f"{_money(threshold.amount * (1 - Decimal(str(config.split_margin))), threshold.currency)}"
                f" and {_money(threshold.amount, threshold.currency)} ({threshold.label}; "
                f"{threshold.source}); together {_money(total, threshold.currency)} "
                f"({', '.join(fields)}); window {config.split_window_days} days"
            )
            for _, t, _, _ in cluster:
                found.setdefault(
                    t.tender_id,
                    Flag(
                        "split_below_threshold",
                        t.tender_id,
                        evidence,
                        (*fields, "tender.items[].classification"),
                    ),
                )
    return list(found.values())


def needs_buyer_context(t: TenderRecord, config: IntegrityConfig) -> bool:
    """Whether a rule reading the buyer's other tenders could flag `t`: `repeat_winner` flags
    only tenders with a dated active award, `split_below_threshold` only one whose value is
    just under a threshold (the same tests as the rules). When False, `t`'s flags are those
    of `t` read alone, so a tender's page need not read its buyer's whole record."""
    if any(a.date is not None for a in t.active_awards):
        return True
    value, field = _value(t)
    date = min((a.date for a in t.active_awards if a.date), default=None) or t.published_at
    if len((t.main_cpv or "")[: config.split_cpv_digits]) < config.split_cpv_digits:
        return False
    if value is None or field is None or date is None:
        return False
    margin = 1 - Decimal(str(config.split_margin))
    return any(
        threshold.amount * margin <= value < threshold.amount
        for threshold in config.thresholds_for(t.currency, t.main_cpv)
    )


def _value(t: TenderRecord) -> tuple[Decimal | None, str | None]:
    """What was spent (the active awards' total, all valued in the tender's currency), else
    the estimate; with the field it came from."""
    awards = t.active_awards
    if awards and all(a.value is not None and a.currency == t.currency for a in awards):
        return sum((a.value for a in awards if a.value is not None), Decimal(0)), AWARD_VALUE
    if t.value is not None:
        return t.value, ESTIMATE
    return None, None


def _money(amount: Decimal, currency: str | None) -> str:
    return f"{amount:,.2f} {currency or ''}".strip()
