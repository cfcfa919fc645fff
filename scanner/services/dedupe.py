"""Cross-source de-duplication and reporting-currency values as a use case.

`refresh_canonical` re-blocks only tenders that are new or changed since they were last
placed: each is scored against the candidates its blocks and identifiers name (with reasons),
joins the best group that accepts it, or stays alone. A tender already merged stays merged
(an operator splits a wrong merge with `unmerge`, which is remembered); its changed fields
update the canonical opportunity. Values are converted with the dated rates table of the
configuration, never fetched.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.dedupe import (
    BlockIndex,
    DedupeConfig,
    Grouping,
    Identifiers,
    Record,
    identifiers_of,
    load_dedupe_config,
    make_record,
)
from scanner.orgs import RateTable, load_rates
from scanner.storage import canonical as store


@dataclass(frozen=True)
class CanonicalConfig:
    """What a refresh needs from configuration: thresholds and the rates table."""

    dedupe: DedupeConfig
    rates: RateTable

    @classmethod
    def load(cls, dedupe_file: Path, rates_file: Path) -> CanonicalConfig:
        """Raises `DedupeConfigError` or `RatesError` naming the file."""
        return cls(load_dedupe_config(dedupe_file), load_rates(rates_file))


@dataclass
class DedupeCounts:
    """What a refresh did."""

    tenders: int = 0
    refreshed: int = 0
    merged: int = 0
    by_identifier: int = 0
    converted: int = 0
    not_converted: int = 0
    seconds: float = 0.0
    #: Why values were not converted ("no rate for UAH"), with how many: filters by value
    #: skip those tenders, so the run summary names them.
    unconverted: dict[str, int] = field(default_factory=dict)


def rates_key(rates: RateTable) -> str:
    """Names a rates table's content, so a new table re-converts every value."""
    text = repr((rates.base, rates.reporting, rates.tables))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def convert(
    amount: Decimal | None, currency: str | None, rates: RateTable, on: datetime
) -> tuple[Decimal | None, str | None]:
    """(value in the reporting currency, why not) for one amount."""
    if amount is None:
        return None, None
    if not currency:
        return None, "no currency published"
    try:
        return rates.convert(Decimal(amount), currency.upper(), on=on.date()), None
    except KeyError as exc:
        return None, str(exc.args[0])


def refresh_canonical(engine: Engine, config: CanonicalConfig, now: datetime) -> DedupeCounts:
    """Convert values and place new or changed tenders in canonical opportunities."""
    counts = DedupeCounts()
    started = time.perf_counter()
    key = rates_key(config.rates)
    with engine.begin() as conn:
        tenders = store.load_tenders(conn)
        counts.tenders = len(tenders)
        stale = [t for t in tenders if t.member_version != t.version]
        revalue = [t for t in tenders if t.value_version != t.version or t.rates_key != key]
        if not stale and not revalue:
            counts.seconds = time.perf_counter() - started
            return counts
        details = store.load_details(conn, sorted({t.id for t in stale + revalue}))
        values = {t.id: t.value_reporting for t in tenders}
        value_rows = [_value_row(t, details[t.id], config.rates, key, now) for t in revalue]
        store.save_values(conn, value_rows)
        for row in value_rows:
            values[row["tender_id"]] = row["value_reporting"]
            counts.converted += row["value_reporting"] is not None
            counts.not_converted += row["error"] is not None
            if row["error"]:
                counts.unconverted[row["error"]] = counts.unconverted.get(row["error"], 0) + 1
        exclusions = store.load_exclusions(conn)
        placed, kept, touched = _place(
            tenders, stale, details, values, config.dedupe, exclusions, counts, now
        )
        store.save_members(conn, placed)
        store.refresh_members(conn, kept)
        touched |= {t.canonical_id for t in revalue if t.canonical_id is not None}
        store.rebuild_canonicals(conn, touched, now)
    counts.refreshed = len(stale)
    counts.seconds = time.perf_counter() - started
    return counts


def _place(
    tenders: list[store.StoredTender],
    stale: list[store.StoredTender],
    details: dict[int, store.TenderDetail],
    values: dict[int, Any],
    config: DedupeConfig,
    exclusions: set[tuple[int, int]],
    counts: DedupeCounts,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    """Rows of newly placed tenders, rows of merged tenders that stay, and touched groups."""
    grouping = Grouping(config, exclusions)
    index = BlockIndex(window_days=config.deadline_window_days, max_block=config.max_block)
    records: dict[int, Record] = {}
    stale_ids = {t.id for t in stale}
    sizes: dict[int, int] = {}
    for t in tenders:
        if t.canonical_id is not None:
            sizes[t.canonical_id] = sizes.get(t.canonical_id, 0) + 1

    def record_of(t: store.StoredTender, ids: Identifiers) -> Record:
        rec = make_record(
            id=t.id,
            source=t.source,
            title=t.title,
            buyer=t.buyer_name,
            deadline=t.deadline_at,
            value=values.get(t.id),
            ids=ids,
        )
        records[t.id] = rec
        index.add(rec)
        return rec

    for t in tenders:  # placed tenders keep their place
        if t.id not in stale_ids and t.canonical_id is not None:
            grouping.place(t.id, t.source, t.canonical_id)
            record_of(t, Identifiers.from_json(t.identifiers))
    rows: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    touched: set[int] = set()
    fresh_ids = {t.id: _identifiers(t, details[t.id], config) for t in stale}
    # in a group with others (founder or joiner): stays, its change updates the group
    staying = [t for t in stale if t.canonical_id is not None and sizes[t.canonical_id] > 1]
    for t in staying:
        assert t.canonical_id is not None
        grouping.place(t.id, t.source, t.canonical_id)
        record_of(t, fresh_ids[t.id])
        kept.append({"key": t.id, "version": t.version, "identifiers": fresh_ids[t.id].as_json()})
        touched.add(t.canonical_id)
    staying_ids = {t.id for t in staying}
    for t in stale:
        if t.id in staying_ids:
            continue
        rec = make_record(
            id=t.id,
            source=t.source,
            title=t.title,
            buyer=t.buyer_name,
            deadline=t.deadline_at,
            value=values.get(t.id),
            ids=fresh_ids[t.id],
        )
        merge = grouping.best_match(rec, (records[i] for i in index.candidates(rec)))
        group = grouping.group_of[merge.other] if merge else t.id
        grouping.place(t.id, t.source, group)
        records[t.id] = rec
        index.add(rec)
        touched.add(group)
        if t.canonical_id is not None:
            touched.add(t.canonical_id)
        if merge is None and t.method == "unmerged":  # keeps the operator's split as its reason
            kept.append({"key": t.id, "version": t.version, "identifiers": rec.ids.as_json()})
            continue
        row = {
            "tender_id": t.id,
            "tender_version": t.version,
            "identifiers": fresh_ids[t.id].as_json(),
            "canonical_id": group,
            "method": merge.pair.method if merge else "single",
            "matched_tender_id": merge.other if merge else None,
            "score": merge.pair.score if merge else None,
            "reasons": merge.pair.reasons if merge else [],
            "linked_at": now,
        }
        rows.append(row)
        if merge:
            counts.merged += 1
            counts.by_identifier += merge.pair.method == "identifier"
    return rows, kept, touched


def _identifiers(
    t: store.StoredTender, detail: store.TenderDetail, config: DedupeConfig
) -> Identifiers:
    try:
        return identifiers_of(
            source=t.source,
            ocid=detail.ocid,
            notice_id=detail.notice_id,
            notice_url=detail.notice_url,
            description=detail.description,
            raw=detail.raw,
            related_relationships=config.related_relationships,
        )
    except Exception:  # an odd payload costs its identifiers, never the refresh
        return Identifiers(frozenset())


def _value_row(
    t: store.StoredTender, detail: store.TenderDetail, rates: RateTable, key: str, now: datetime
) -> dict[str, Any]:
    on = t.published_at or t.updated_at or now
    value, error = convert(t.value_amount, t.currency, rates, on)
    lots: dict[str, Any] = {}
    for lot_id, amount, currency in detail.lots:
        converted, _ = convert(amount, currency or t.currency, rates, on)
        if converted is not None:
            lots[lot_id] = format(converted, "f")
    return {
        "tender_id": t.id,
        "tender_version": t.version,
        "value_reporting": value,
        "reporting_currency": rates.reporting,
        "rate_date": rates.table_for(on.date())[0],
        "rates_key": key,
        "lot_values": lots,
        "error": error[:500] if error else None,
    }


# -- read side -------------------------------------------------------------------------------


def canonical_group(session: Session, tender_id: int) -> dict[str, Any] | None:
    """The canonical opportunity a tender belongs to, with every member and its reasons."""
    conn = session.connection()
    canonical_id = store.canonical_of(conn, tender_id)
    if canonical_id is None:
        return None
    rows = store.canonical_rows(conn, merged_only=False, ids=[canonical_id])
    if not rows:
        return None
    return _group_dict(rows[0], store.group_members(conn, canonical_id))


def merged_groups(session: Session) -> list[dict[str, Any]]:
    """Every canonical opportunity with more than one member."""
    conn = session.connection()
    return [
        _group_dict(row, store.group_members(conn, row.id))
        for row in store.canonical_rows(conn, merged_only=True)
    ]


def unmerge(engine: Engine, tender_id: int, now: datetime) -> list[int]:
    """Split a tender out of its group for good; returns the members it left."""
    with engine.begin() as conn:
        return store.unmerge(conn, tender_id, now)


def _group_dict(row: Any, members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "canonical_id": row.id,
        "title": row.title,
        "buyer_name": row.buyer_name,
        "deadline_at": row.deadline_at.isoformat() if row.deadline_at else None,
        "value_amount": None if row.value_amount is None else format(row.value_amount, "f"),
        "currency": row.currency,
        "value_reporting": None
        if row.value_reporting is None
        else format(row.value_reporting, "f"),
        "member_count": row.member_count,
        "members": members,
    }


NotMergedError = store.NotMergedError

__all__ = [
    "CanonicalConfig",
    "DedupeCounts",
    "NotMergedError",
    "canonical_group",
    "convert",
    "merged_groups",
    "rates_key",
    "refresh_canonical",
    "unmerge",
    "value_and_group",
]


def value_and_group(session: Session, tender_id: int) -> dict[str, Any]:
    """Fields `tenders show` adds: the reporting value (tender and lots) and the group."""
    row = store.tender_value(session, tender_id)
    return {
        "value_reporting": None
        if row is None or row.value_reporting is None
        else format(row.value_reporting, "f"),
        "reporting_currency": row.reporting_currency if row else None,
        "lot_values_reporting": dict(row.lot_values) if row else {},
        "value_reporting_error": row.error if row else None,
        "canonical": canonical_group(session, tender_id),
    }
