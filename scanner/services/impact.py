"""Impact and integrity use cases: the impact report, the list of flags, one tender's awards
and flags, case studies, coverage per source and the backfill of outcomes. The CLI, the web
pages and the API all call these, so every view shows the same figures.

Flags are computed when asked (from the stored outcomes and `config/integrity.toml`), never
stored: a changed threshold applies at once, and a flag is always explained by current data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.integrity import (
    RULES,
    Flag,
    IntegrityConfig,
    IntegrityConfigError,
    TenderRecord,
    Threshold,
    case_studies,
    cases_markdown,
    detect,
    flag_json,
    impact_report,
    load_integrity_config,
    needs_buyer_context,
    peer_rates,
    rule_of,
)
from scanner.splitter import ThresholdsError, load_thresholds
from scanner.storage import outcome_reads as reads
from scanner.storage.data_generation import UNREAD, read_generation
from scanner.storage.outcomes import backfill_outcomes
from scanner.storage.tender_page import TenderPageRows

__all__ = [
    "PERIODS",
    "IntegrityConfigError",
    "UnknownBuyerError",
    "backfill",
    "case_report",
    "coverage",
    "flag_list",
    "impact",
    "load_config",
    "page_outcome",
    "tender_outcome",
]

PERIODS = ("month", "quarter", "year")
CANNOT_TELL_BY_ID = (
    "Organisation profiles carry no register identifier (scheme + id), so Lotwise cannot tell "
    "by identifier whether a matched organisation bid or won. Names that agree exactly are "
    "counted as unconfirmed, never as a match."
)


class UnknownBuyerError(LookupError):
    """No stored tender has this buyer."""


def load_config(integrity_file: Path, thresholds_file: Path) -> IntegrityConfig:
    """The flags' configuration with every procedure threshold of `config/thresholds.toml`
    added to those of the integrity file. Raises `IntegrityConfigError` naming the file.

    Read again only when either file changes (each tender page asks for it: parsing both
    files took longer than the page's queries)."""
    key = (_stamp(integrity_file), _stamp(thresholds_file))
    with _CONFIG_LOCK:
        cached = _CONFIG_CACHE.get(key)
    if cached is not None:
        return cached
    config = _read_config(integrity_file, thresholds_file)
    with _CONFIG_LOCK:
        _CONFIG_CACHE.clear()  # one configuration at a time is in use
        _CONFIG_CACHE[key] = config
    return config


_CONFIG_LOCK = threading.Lock()
_CONFIG_CACHE: dict[tuple[tuple[str, int, int], ...], IntegrityConfig] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    """What changes when a file is rewritten (its name, modification time and size)."""
    try:
        found = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), found.st_mtime_ns, found.st_size)


def _read_config(integrity_file: Path, thresholds_file: Path) -> IntegrityConfig:
    config = load_integrity_config(integrity_file)
    try:
        jurisdictions = load_thresholds(thresholds_file).jurisdictions
    except (ThresholdsError, OSError, ValueError) as exc:
        raise IntegrityConfigError(f"{thresholds_file}: {exc}") from exc
    extra = tuple(
        Threshold(
            currency=jurisdiction.currency,
            amount=threshold.amount,
            label=threshold.label,
            source=threshold.source,
            kinds=kinds,
        )
        for jurisdiction in jurisdictions
        for threshold in jurisdiction.thresholds
        if (kinds := tuple(k for k in threshold.kinds if k in ("supplies_services", "works")))
    )
    return config.with_thresholds(extra)


def impact(
    engine: Engine,
    config: IntegrityConfig,
    *,
    buyer: str | None = None,
    since: datetime | None = None,
    period: str = "month",
) -> dict[str, Any]:
    """The impact report (docs/json-output.md, `lotwise impact --json`). Peers are every buyer
    published since `since`, also when one buyer is asked for."""
    with Session(engine) as session:
        records = reads.tender_records(session, reads.RecordFilter(since=since))
        keys = _buyer_keys(records, buyer)
        flags = detect(records, config)
        report = impact_report(records, flags, config, period=period, buyer_keys=keys)
        report["loop"] = _own_loop(session, records, keys)
    if keys is not None:  # one buyer's page lists its flags: computed once, here
        report["flags"] = _flag_rows(records, flags, peer_rates(records, flags, config), keys)
    return {"buyer": buyer, "since": since.isoformat() if since else None, **report}


def flag_list(
    engine: Engine,
    config: IntegrityConfig,
    *,
    buyer: str | None = None,
    code: str | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Flagged tenders with their evidence, each buyer's rate beside its peers', and every
    flag's definition, threshold and source (`lotwise flags --json`)."""
    if code is not None and rule_of(code) is None:
        known = ", ".join(rule.code for rule in RULES)
        raise IntegrityConfigError(f"no flag {code!r}; flags are: {known}")
    with Session(engine) as session:
        records = reads.tender_records(session, reads.RecordFilter(since=since))
    keys = _buyer_keys(records, buyer)
    flags = detect(records, config)
    rates = peer_rates(records, flags, config)
    rows = _flag_rows(records, flags, rates, keys, code)
    shown_codes = [code] if code else [rule.code for rule in RULES]
    return {
        "notice": config.notice,
        "buyer": buyer,
        "code": code,
        "since": since.isoformat() if since else None,
        "definitions": [rule.describe(config) for rule in RULES if rule.code in shown_codes],
        "flags": rows,
        "counts": {c: sum(1 for row in rows if row["code"] == c) for c in shown_codes},
        "tenders": len(records) if keys is None else sum(r.buyer_key in keys for r in records),
        "peers": {
            "buyers": rates["peer_buyers"],
            "min_tenders": config.peer_min_tenders,
            "median": rates["peer_median"],
            "pooled": rates["pooled"],
        },
    }


def _flag_rows(
    records: Sequence[TenderRecord],
    flags: dict[int, list[Flag]],
    rates: dict[str, Any],
    keys: set[str] | None,
    code: str | None = None,
) -> list[dict[str, Any]]:
    """Each flag raised on the selected buyers' tenders, with the buyer's rate and its peers'."""
    rows = []
    for record in records:
        if keys is not None and record.buyer_key not in keys:
            continue
        for flag in flags.get(record.tender_id, []):
            if code is None or flag.code == code:
                rows.append(
                    {
                        "tender_id": record.tender_id,
                        "tender_title": record.title,
                        "buyer_id": record.buyer_id,
                        "buyer_name": record.buyer_name,
                        "source_name": record.source,
                        **flag_json(flag),
                        "fields": list(flag.fields),
                        "buyer_rate": rates["buyers"][record.buyer_key][flag.code],
                        "peer_median_rate": rates["peer_median"][flag.code],
                    }
                )
    return rows


def tender_outcome(
    session: Session, tender_id: int, config: IntegrityConfig | None
) -> dict[str, Any]:
    """`awards`, `bid_count`, `red_flags` and `outcome` for one tender (`tenders show --json`
    and the API). Flags are computed over the tender's buyer, as patterns need its other
    tenders; with no config (a broken file) `red_flags` is empty and the error is given."""
    row = reads.outcome_row(session, tender_id)
    result = _outcome_fields(reads.awards_json(session, tender_id), row, config)
    if config is None:
        buyer = reads.tender_buyer(session, tender_id)
        result["red_flags_error"] = None if buyer is None else "integrity configuration unusable"
        return result
    # The tender's own record (none when there is no such tender) names its buyer too.
    own = reads.tender_records(session, reads.RecordFilter(tender_ids=(tender_id,)))
    if own:
        result["red_flags"] = [
            flag_json(flag) for flag in _tender_flags(session, tender_id, config, own)
        ]
    return result


def page_outcome(
    session: Session,
    rows: TenderPageRows,
    config: IntegrityConfig | None,
    *,
    generation: int | object | None = UNREAD,
) -> dict[str, Any]:
    """`tender_outcome` from the rows a tender's page read (`scanner.storage.tender_page`):
    the same fields, its own record built from them rather than read again. `generation`,
    when the caller read the data generation in this session before the rows, stamps the
    flags of its buyer (read again otherwise)."""
    tender = rows.tender
    own, awards = reads.page_awards(rows)
    result = _outcome_fields(awards, None if tender.outcome_id is None else tender, config)
    if config is None:
        result["red_flags_error"] = "integrity configuration unusable"
        return result
    result["red_flags"] = [
        flag_json(flag)
        for flag in _tender_flags(session, tender.id, config, [own], generation=generation)
    ]
    return result


def _outcome_fields(
    awards: list[dict[str, Any]], outcome: Any, config: IntegrityConfig | None
) -> dict[str, Any]:
    """The fields of `tender_outcome` but the flags, from the awards as JSON and the outcome
    (a `TenderOutcome` or a row answering the same names; None when none is stored)."""
    return {
        "awards": awards,
        "bid_count": outcome.bid_count if outcome is not None else None,
        "outcome": None
        if outcome is None
        else {
            "method": outcome.method,
            "method_details": outcome.method_details,
            "bid_count_field": outcome.bid_count_field,
            "lot_bid_counts": {str(lot): count for lot, count in outcome.lot_bid_counts or ()},
            "contracts": outcome.contracts,
            "unknowns": outcome.unknowns,
        },
        "red_flags": [],
        "red_flags_notice": config.notice if config else None,
        "red_flags_error": None,
    }


def _tender_flags(
    session: Session,
    tender_id: int,
    config: IntegrityConfig,
    own: list[TenderRecord],
    *,
    generation: int | object | None = UNREAD,
) -> list[Flag]:
    """One tender's flags: from its own record alone unless a rule over its buyer's other
    tenders could flag it (`needs_buyer_context`: an award, or a value just under a
    threshold), then from the buyer's record: all of it (hundreds of tenders at 100,000) for
    a tender with a dated active award (`repeat_winner` counts all the buyer's awards), else
    only the tenders `split_below_threshold` could group with it (`_split_neighbours`): without
    a dated active award that is the only rule that could flag it from other tenders (every
    other rule reads each tender alone), so the flags are the same, from tens of rows."""
    if own and not needs_buyer_context(own[0], config):
        return detect(own, config).get(tender_id, [])
    buyer_id, buyer_name = own[0].buyer_id, own[0].buyer_name
    key = buyer_id or (f"name:{buyer_name}" if buyer_name else None)
    if key is None:
        return detect(own, config).get(tender_id, [])
    flt: reads.RecordFilter | None = reads.RecordFilter(buyer_ids=(key,))
    if own and not any(award.date is not None for award in own[0].active_awards):
        flt = _split_neighbours(own[0], key, config)
    if flt is None:  # no rule over other tenders applies
        return detect(own, config).get(tender_id, [])
    return _buyer_flags(session, flt, config, generation=generation).get(tender_id, [])


def _split_neighbours(
    t: TenderRecord, buyer_key: str, config: IntegrityConfig
) -> reads.RecordFilter | None:
    """The buyer's tenders `split_below_threshold` could group with `t` (which has no dated
    active award, so its date is its publication), or with any tender of its kind of work
    valued in the same ranges: those of its kind of work (the first `split_cpv_digits`
    characters of the main CPV code), and of them those with an award (whose value and date
    the rule takes from their awards) or with a publication date and an estimate just under a
    threshold of that kind of work (in any currency, each range a little wider). A cluster
    holding `t` lies within the rule's window either side of `t` and among these tenders, so
    `t`'s flags are the same as over the buyer's whole record; and the filter is the same for
    every tender of that kind, so their flags are computed once (`_buyer_flags`)."""
    kind = (t.main_cpv or "")[: config.split_cpv_digits]
    if len(kind) < config.split_cpv_digits or t.published_at is None:
        return None
    margin = 1 - Decimal(str(config.split_margin))
    ranges = tuple(
        sorted(
            {
                (threshold.amount * margin * Decimal("0.999"), threshold.amount)
                for threshold in config.thresholds
                if threshold.applies_to(t.main_cpv)  # by CPV division, the same for the kind
            }
        )
    )
    if not ranges:
        return None
    return reads.RecordFilter(buyer_ids=(buyer_key,), cpv_prefix=kind, near=(ranges, *_ANY_DATE))


# "Published at any date" for `RecordFilter.near`: a tender without a publication date is left
# out, as the rule cannot place it in a window.
_ANY_DATE = (datetime(1000, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))


def _buyer_flags(
    session: Session,
    flt: reads.RecordFilter,
    config: IntegrityConfig,
    *,
    generation: int | object | None = UNREAD,
) -> dict[int, list[Flag]]:
    """The flags of one buyer's tenders (or of those `flt` narrows them to), computed again
    only when the data generation moved (any committed change to tenders or outcomes, from
    any process: migration 0028) or the configuration changed: a tender's page that needs its
    buyer's whole record (`_tender_flags`) reads hundreds of tenders at 100,000, and one that
    needs its kind of work's candidates (`_split_neighbours`) shares them with every tender
    of that kind. Read before the records (or `generation`, when the caller read it in this
    session before anything else), so flags newer than their number are only ever computed
    again. Without the number (its row missing), what those tenders' records sum to
    (`records_stamp`)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), flt)
    if generation is UNREAD:
        generation = read_generation(session)
    stamp = (
        ("generation", generation) if generation is not None else reads.records_stamp(session, flt)
    )
    with _FLAGS_LOCK:
        cached = _FLAGS_CACHE.get(key)
        if cached is not None and cached[0] == stamp and cached[1] is config:
            _FLAGS_CACHE.move_to_end(key)
            return cached[2]
    flags = detect(reads.tender_records(session, flt), config)
    with _FLAGS_LOCK:
        _FLAGS_CACHE[key] = (stamp, config, flags)
        while len(_FLAGS_CACHE) > FLAGS_CACHED:
            _FLAGS_CACHE.popitem(last=False)
    return flags


# Buyers' and kinds of work's flags kept (the least recently read go first): each holds only
# the flags raised, a few per buyer.
FLAGS_CACHED = 10_000
_FLAGS_LOCK = threading.Lock()
_FLAGS_CACHE: OrderedDict[
    tuple[str, reads.RecordFilter], tuple[tuple[Any, ...], IntegrityConfig, dict[int, list[Flag]]]
] = OrderedDict()


def case_report(
    engine: Engine,
    config: IntegrityConfig,
    *,
    buyer: str | None = None,
    cpv: str | None = None,
    since: datetime | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Case studies for a buyer or a kind of work (CPV prefix), with their Markdown."""
    with Session(engine) as session:
        records = reads.tender_records(session, reads.RecordFilter(since=since))
    keys = _buyer_keys(records, buyer)
    flags = detect(records, config)
    chosen = [
        r
        for r in records
        if (keys is None or r.buyer_key in keys) and (not cpv or (r.main_cpv or "").startswith(cpv))
    ]
    cases = case_studies(chosen, flags, limit=limit)
    scope = " ".join(
        part for part in (f"buyer {buyer}" if buyer else "", f"CPV {cpv}*" if cpv else "") if part
    )
    title = "Divided and undivided requirements, side by side" + (f": {scope}" if scope else "")
    return {
        "title": title,
        "notice": config.notice,
        "buyer": buyer,
        "cpv": cpv,
        "cases": cases,
        "markdown": cases_markdown(cases, config.notice, title),
    }


def coverage(engine: Engine) -> list[dict[str, Any]]:
    """Per source, how much of the outcome it publishes (the operator's view)."""
    with Session(engine) as session:
        return reads.coverage_by_source(session)


def backfill(engine: Engine, now: Callable[[], datetime], batch: int = 500) -> int:
    """Store outcomes for tenders stored before outcomes were; one transaction per batch."""
    done = 0
    while True:
        with engine.begin() as conn:
            count = backfill_outcomes(conn, now=now(), limit=batch)
        done += count
        if count < batch:
            return done


def _buyer_keys(records: Sequence[TenderRecord], buyer: str | None) -> set[str] | None:
    """The buyer keys `buyer` names: an id, or a name (case-insensitive); None for all."""
    if buyer is None:
        return None
    wanted = buyer.strip().casefold()
    keys = {
        r.buyer_key
        for r in records
        if r.buyer_key.casefold() == wanted or (r.buyer_name or "").casefold() == wanted
    }
    if not keys:
        raise UnknownBuyerError(f"no stored tender has the buyer {buyer!r}")
    return keys


def _own_loop(
    session: Session, records: Sequence[TenderRecord], keys: set[str] | None
) -> dict[str, Any]:
    """Lotwise's own loop: for tenders it suggested dividing, did the buyer publish lots (that
    tender later, or a later tender of the same kind); did organisations it matched bid or win."""
    by_id = {r.tender_id: r for r in records}
    in_scope = [r for r in records if keys is None or r.buyer_key in keys]
    assessed = reads.split_flagged(session)
    current = reads.lot_counts_after(session)
    flagged = [
        by_id[tid]
        for tid in assessed
        if tid in by_id and (keys is None or by_id[tid].buyer_key in keys)
    ]
    now_divided = [
        r.tender_id
        for r in flagged
        if current[r.tender_id][1] >= 2 and current[r.tender_id][0] > assessed[r.tender_id]
    ]
    same_kind: dict[tuple[str, str], list[TenderRecord]] = defaultdict(list)
    for record in records:  # grouped once: a buyer's tenders of one kind (CPV division)
        same_kind[(record.buyer_key, (record.main_cpv or "")[:2])].append(record)
    later_divided, cannot_tell = [], []
    for r in flagged:
        later = [
            other
            for other in same_kind[(r.buyer_key, (r.main_cpv or "")[:2])]
            if other.tender_id != r.tender_id
            and r.published_at is not None
            and other.published_at is not None
            and other.published_at > r.published_at
        ]
        if not later:
            cannot_tell.append(r.tender_id)
        elif any(other.divided for other in later):
            later_divided.append(r.tender_id)
    scope = {r.tender_id for r in in_scope}
    pairs = [(tid, slug, name) for tid, slug, name in reads.matched_pairs(session) if tid in scope]
    examples: list[dict[str, Any]] = []
    with_outcome = won = bid = 0
    for tender_id, slug, name in pairs:
        record = by_id[tender_id]
        if not (record.awards or record.bids):
            continue
        with_outcome += 1
        wanted = _plain(name)
        winners = {_plain(s.name) for a in record.active_awards for s in a.suppliers}
        bidders = {_plain(s.name) for b in record.bids for s in b.tenderers}
        verdict = "outcome published; the organisation's name is not among the winners or bidders"
        if wanted in winners:
            won += 1
            verdict = "won: the winner's name agrees exactly (unconfirmed: no identifier)"
        elif wanted in bidders:
            bid += 1
            verdict = "bid: a bidder's name agrees exactly (unconfirmed: no identifier)"
        if len(examples) < 20:
            examples.append({"tender_id": tender_id, "organisation": slug, "finding": verdict})
    return {
        "split_flagged": len(flagged),
        "now_divided": len(now_divided),
        "buyer_divided_later": len(later_divided),
        "cannot_tell": len(cannot_tell),
        "cannot_tell_reason": "no later tender of the same kind (CPV division) by that buyer "
        "is stored",
        "matched_pairs": len(pairs),
        "matched_with_outcome": with_outcome,
        "matched_won_by_name": won,
        "matched_bid_by_name": bid,
        "matched_note": CANNOT_TELL_BY_ID,
        "matched_examples": examples,
    }


def _plain(name: str | None) -> str:
    """A name compared exactly, but for case and spacing."""
    return " ".join((name or "").split()).casefold()
