"""Matching as a use case: score every open tender, its lots and its proposed packages against
the active organisations, keep each organisation's best, and store them with their reasons.

The ranking is done by the pure `matchers` over an index of all open opportunities, so a new
tender can enter any organisation's list; stored rows keep `found_at` while a pair stays listed.
An organisation sees each tender once, through its best-fitting part (the whole tender, a lot,
or a package), so "its £60k research package fits you" is not crowded out by the £2M whole.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from matchers import (
    Consortium,
    Match,
    Opportunity,
    OpportunityIndex,
    OrgProfile,
    Weights,
    load_weights,
    propose_consortia,
    rank,
)
from matchers.value import note_text
from scanner.ingest.tender import NormalisedTender
from scanner.matching.opportunities import (
    KIND_LABELS,
    PACKAGE_ADVICE,
    UNDETERMINED,
    Languages,
    detect_languages_many,
    opportunities_of,
)
from scanner.orgs import RateTable, load_rates
from scanner.orgs.convert import in_reader_currency
from scanner.splitter import Package
from scanner.storage import matches as store
from scanner.storage.assessments import rebuild_tender
from scanner.storage.organisations import active_org_profiles
from scanner.storage.tenders import save_languages

BATCH = 2000
CANDIDATES_PER_SLOT = 3  # ranked opportunities asked for per kept tender (lots/packages overlap)


class LimitError(ValueError):
    """More matches per organisation asked for than the stored lists hold."""


@dataclass(frozen=True)
class MatchingConfig:
    """Weights (and the version of the file they came from) and the dated currency rates."""

    weights: Weights
    weights_version: str
    rates: RateTable
    top: int = 20

    @classmethod
    def load(cls, matching_file: Path, rates_file: Path, *, top: int = 20) -> MatchingConfig:
        data = matching_file.read_bytes()
        version = hashlib.sha256(data).hexdigest()[:16]
        return cls(load_weights(matching_file), version, load_rates(rates_file), top)


@dataclass(frozen=True)
class TenderFacts:
    """What a person needs beside a match: which tender, who buys, how much, until when."""

    tender_id: int
    version: int
    source_key: str
    title: str
    buyer: str | None
    value: Decimal | None
    currency: str | None
    deadline: datetime | None
    notice_url: str | None


@dataclass(frozen=True)
class RankedMatch:
    """One organisation's match, ready to show or store."""

    organisation: str
    rank: int
    match: Match
    opportunity: Opportunity
    tender: TenderFacts
    currency: str = "GBP"
    currency_rate: float = 1.0

    def reader_amount(self, amount: Decimal | None) -> Decimal | None:
        """An amount of the reporting currency in the reader's currency, to the cent."""
        return None if amount is None else in_reader_currency(amount, self.currency_rate)

    def as_dict(self) -> dict[str, Any]:
        """Stable JSON fields (docs/json-output.md)."""
        o, t, m = self.opportunity, self.tender, self.match
        value = self.reader_amount(o.value)
        low = self.reader_amount(o.value_low)
        published = o.published_value
        return {
            "organisation": self.organisation,
            "rank": self.rank,
            "score": m.score,
            "explanation": m.explanation,
            "opportunity_id": o.id,
            "kind": o.kind,
            "kind_label": KIND_LABELS[o.kind],
            "advice": PACKAGE_ADVICE if o.kind == "suggested_package" else None,
            "title": o.title,
            "tender_id": t.tender_id,
            "tender_key": t.source_key,
            "tender_title": t.title,
            "buyer": t.buyer,
            "value": None if value is None else str(value),
            "value_low": None if low is None else str(low),
            "value_currency": self.currency if value is not None else None,
            "value_kind": o.value_kind,
            "value_note": (
                note_text(o.value_note_parts, self.currency, self.currency_rate)
                if o.value_note_parts
                else o.value_note
            ),
            "notice_value": None if published is None else str(published[0]),
            "notice_currency": None if published is None else published[1],
            "tender_value": None if t.value is None else str(t.value),
            "tender_currency": t.currency,
            "language": o.language,
            "deadline": t.deadline.isoformat() if t.deadline else None,
            "notice_url": t.notice_url,
            "breakdown": breakdown(m),
        }


@dataclass
class MatchRun:
    """What one matching pass did, and its ranked lists."""

    organisations: int = 0
    tenders: int = 0
    opportunities: int = 0
    stored: int = 0
    new: int = 0
    seconds: float = 0.0
    ranked: dict[str, list[RankedMatch]] = field(default_factory=dict)


@dataclass(frozen=True)
class Corpus:
    """The open opportunities at `now`, and the facts of the tenders they belong to."""

    opportunities: list[Opportunity]
    tenders: dict[str, TenderFacts]


def load_corpus(engine: Engine, *, now: datetime, rates: RateTable) -> Corpus:
    """Every open tender, each lot and each suggested package as an `Opportunity`. Tenders
    whose languages were never detected (new or changed since) are detected here, in one
    batch per page, and their languages stored, so the crawl never loads the detector."""
    builder = CorpusBuilder(rates, on=now.date())
    after = 0
    while True:
        with engine.connect() as conn:
            batch = store.open_tenders(conn, now=now, after_id=after, limit=BATCH)
        if not batch:
            break
        after = batch[-1][0].tender_id
        tenders = [(stale, rebuild_tender(stale), packages) for stale, packages in batch]
        known = {
            stale.tender_id: Languages.stored(stale.row["language"], stale.row["title_language"])
            for stale, _t, _p in tenders
            if stale.row.get("language") is not None
        }
        todo = [
            (stale.tender_id, tender)
            for stale, tender, _p in tenders
            if stale.tender_id not in known
        ]
        if todo:
            found = detect_languages_many([tender for _id, tender in todo])
            known.update(zip((tid for tid, _t in todo), found, strict=True))
            with engine.begin() as conn:
                save_languages(
                    conn,
                    {
                        tid: (found_.text or UNDETERMINED, found_.title or UNDETERMINED)
                        for (tid, _t), found_ in zip(todo, found, strict=True)
                    },
                )
        for stale, tender, packages in tenders:
            builder.add(
                stale.tender_id, stale.version, tender, _packages(packages),
                languages=known[stale.tender_id],
            )  # fmt: skip
    return builder.corpus


class CorpusBuilder:
    """Collects opportunities tender by tender, converting money to the reporting currency
    with the rates of day `on` (a value in a currency without a rate is left out)."""

    def __init__(self, rates: RateTable, *, on: date) -> None:
        self.rates = rates
        self.on = on
        self.corpus = Corpus([], {})

    def to_reporting(self, amount: Decimal | None, currency: str | None) -> Decimal | None:
        if amount is None or currency is None or amount < 0:
            return None
        try:
            return self.rates.convert(amount, currency.upper(), on=self.on)
        except (KeyError, InvalidOperation, ArithmeticError):
            return None  # no rate: the value is left out, never guessed

    def add(
        self,
        tender_id: int,
        version: int,
        tender: NormalisedTender,
        packages: Sequence[Package],
        *,
        languages: Languages | None = None,
    ) -> None:
        """Add a tender's opportunities (its languages detected when not given)."""
        key = str(tender_id)
        self.corpus.opportunities.extend(
            opportunities_of(
                tender, key, packages, to_reporting=self.to_reporting, languages=languages
            )
        )
        self.corpus.tenders[key] = TenderFacts(
            tender_id=tender_id,
            version=version,
            source_key=tender.source_key,
            title=tender.title,
            buyer=tender.buyer_name,
            value=tender.value_amount,
            currency=tender.currency,
            deadline=tender.deadline_at,
            notice_url=tender.notice_url,
        )


def rank_corpus(
    corpus: Corpus,
    orgs: Sequence[OrgProfile],
    *,
    now: datetime,
    weights: Weights,
    top: int,
) -> dict[str, list[RankedMatch]]:
    """Each organisation's `top` tenders, each through its best-fitting opportunity. An
    organisation whose candidates were mostly parts of the same tenders is ranked again with
    more candidates, so it gets `top` tenders whenever that many fit."""
    if not corpus.opportunities or not orgs:
        return {org.id: [] for org in orgs}
    by_id = {o.id: o for o in corpus.opportunities}
    index = OpportunityIndex(corpus.opportunities, weights=weights, now=now)
    asked = top * CANDIDATES_PER_SLOT
    ranked = rank(index, orgs, now=now, weights=weights, top_k=asked)
    result = {org.id: _distinct(corpus, by_id, org, ranked[org.id], top) for org in orgs}
    short = [o for o in orgs if len(result[o.id]) < top and len(ranked[o.id]) == asked]
    while short and asked < len(corpus.opportunities):
        asked *= 2
        again = rank(index, short, now=now, weights=weights, top_k=asked, workers=1)
        for org in short:
            result[org.id] = _distinct(corpus, by_id, org, again[org.id], top)
        short = [o for o in short if len(result[o.id]) < top and len(again[o.id]) == asked]
    return result


def _distinct(
    corpus: Corpus,
    by_id: Mapping[str, Opportunity],
    org: OrgProfile,
    matches: Sequence[Match],
    top: int,
) -> list[RankedMatch]:
    """The first `top` matches of distinct tenders, ranked from 1."""
    seen: set[str] = set()
    kept: list[RankedMatch] = []
    for match in matches:
        opportunity = by_id[match.opportunity_id]
        if opportunity.tender_id in seen:
            continue
        seen.add(opportunity.tender_id)
        facts = corpus.tenders[opportunity.tender_id]
        kept.append(
            RankedMatch(
                org.id, len(kept) + 1, match, opportunity, facts, org.currency, org.currency_rate
            )
        )
        if len(kept) == top:
            break
    return kept


def refresh_matches(
    engine: Engine,
    config: MatchingConfig,
    *,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
    store_results: bool = True,
    top: int | None = None,
) -> MatchRun:
    """Rank the active organisations (or those in `only`) and, when `store_results`, make the
    stored matches equal to the ranked lists. `now` defaults to the current time; deadlines
    and the currency rates' date are taken as of `now`. `top` ranks that many per
    organisation (at most `config.top` when storing: ValueError past it)."""
    if top is not None and store_results and top > config.top:
        raise LimitError(
            f"{top} matches per organisation is over the stored maximum {config.top} "
            "(LOTWISE_MATCH_TOP); raise it, or rank without storing (--now)"
        )
    started = time.perf_counter()
    moment = now or datetime.now(UTC)
    with engine.connect() as conn:
        orgs = active_org_profiles(conn, config.rates, on=moment.date())
        keys = store.organisation_keys(conn)
    if only is not None:
        wanted = set(only)
        orgs = [org for org in orgs if org.id in wanted]
    corpus = load_corpus(engine, now=moment, rates=config.rates)
    run = MatchRun(
        organisations=len(orgs),
        tenders=len(corpus.tenders),
        opportunities=len(corpus.opportunities),
    )
    # Stored lists always hold `config.top`, whatever is shown; a what-if ranks what it shows.
    count = config.top if store_results or top is None else max(top, 1)
    run.ranked = rank_corpus(corpus, orgs, now=moment, weights=config.weights, top=count)
    if store_results:
        stamp = datetime.now(UTC)
        for slug, ranked in run.ranked.items():
            organisation_id, org_version = keys[slug]
            rows = [_row(r, organisation_id, org_version, config, stamp) for r in ranked]
            with engine.begin() as conn:
                before = store.known_opportunities(conn, organisation_id)
                store.replace_matches(conn, organisation_id, rows)
            run.stored += len(rows)
            run.new += sum(row["opportunity_id"] not in before for row in rows)
    run.seconds = time.perf_counter() - started
    return run


def consortium_for(
    engine: Engine, config: MatchingConfig, opportunity_id: str, *, now: datetime | None = None
) -> Consortium | None:
    """Up to three organisations that together cover an open tender or lot, with who covers
    what; None when no open opportunity has that id."""
    moment = now or datetime.now(UTC)
    corpus = load_corpus(engine, now=moment, rates=config.rates)
    target = next((o for o in corpus.opportunities if o.id == opportunity_id), None)
    if target is None:
        return None
    with engine.connect() as conn:
        orgs = active_org_profiles(conn, config.rates, on=moment.date())
    stats = OpportunityIndex(corpus.opportunities, weights=config.weights, now=moment).stats
    return propose_consortia(target, orgs, now=moment, weights=config.weights, corpus=stats)


def breakdown(match: Match) -> list[dict[str, Any]]:
    """The per-criterion breakdown as plain data (stored and shown)."""
    rows: list[dict[str, Any]] = [
        {
            "criterion": c.name,
            "score": round(c.score, 4),
            "weight": c.weight,
            "detail": c.detail,
            "evidence": list(c.evidence),
        }
        for c in match.criteria
    ]
    if match.gate is not None:
        rows.append({"criterion": "gate", "gate": match.gate.name, "detail": match.gate.reason})
    return rows


def _row(
    ranked: RankedMatch,
    organisation_id: int,
    org_version: int,
    config: MatchingConfig,
    stamp: datetime,
) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "tender_id": ranked.tender.tender_id,
        "opportunity_id": ranked.opportunity.id,
        "kind": ranked.opportunity.kind,
        "title": ranked.opportunity.title,
        "score": ranked.match.score,
        "explanation": ranked.match.explanation,
        "breakdown": breakdown(ranked.match),
        "tender_version": ranked.tender.version,
        "organisation_version": org_version,
        "weights_version": config.weights_version,
        "found_at": stamp,
        "updated_at": stamp,
    }


def _packages(stored: Sequence[Mapping[str, Any]]) -> list[Package]:
    """Stored package dicts back into `Package`s (a malformed one is skipped)."""
    packages = []
    for data in stored:
        try:
            packages.append(
                Package(
                    title=str(data["title"]),
                    scope=str(data.get("scope") or ""),
                    item_ids=tuple(str(i) for i in data.get("item_ids") or ()),
                    cpv=data.get("cpv") or None,
                    estimated_value=_decimal(data.get("estimated_value")),
                    value_method=str(data.get("value_method") or ""),
                    duration_months=data.get("duration_months"),
                    region=data.get("region") or None,
                    depends_on=tuple(data.get("depends_on") or ()),
                    strategy=str(data.get("strategy") or ""),
                    reason=str(data.get("reason") or ""),
                    optional=bool(data.get("optional")),
                    optional_reason=data.get("optional_reason"),
                )
            )
        except (KeyError, TypeError, ValueError, InvalidOperation):
            continue
    return packages


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


__all__ = [
    "Corpus",
    "CorpusBuilder",
    "LimitError",
    "MatchRun",
    "MatchingConfig",
    "RankedMatch",
    "TenderFacts",
    "breakdown",
    "consortium_for",
    "load_corpus",
    "rank_corpus",
    "refresh_matches",
]
