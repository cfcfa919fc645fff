"""An organisation's own view: its profile (edited with the same validation as an import), its
current matches with their explanations, and its digest frequency (the calendar feed is in
`services.calendar_feed`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from scanner.dedupe.similar import group_similar
from scanner.matching.opportunities import KIND_LABELS, PACKAGE_ADVICE
from scanner.money import for_reader
from scanner.orgs import RateTable, RecordError
from scanner.orgs.loaders import validate_records
from scanner.orgs.schema import LIST_FIELDS
from scanner.storage import digests as digest_store
from scanner.storage import matches as match_store
from scanner.storage import organisations as org_store

EDITABLE = (
    "name", "emails", "description", "capabilities", "keywords", "exclusions", "cpv", "naics",
    "regions", "national", "remote", "value_min", "value_max", "currency", "turnover",
    "team_size", "certifications", "open_source", "active", "listed",
)  # fmt: skip
FLAGS = ("national", "remote", "active", "listed")


@dataclass(frozen=True)
class ProfileUpdate:
    """The outcome of a profile form: its errors, or the addresses it added, which are kept
    out of the profile until their owners confirm them (`services.recipients`)."""

    errors: list[RecordError]
    added: list[str]
    organisation_id: int | None = None
    name: str = ""


def profile_form(engine: Engine, slug: str) -> dict[str, str] | None:
    """The stored profile as form values (lists joined with '; ')."""
    with engine.connect() as conn:
        stored = org_store.get_organisation(conn, slug)
    if stored is None:
        return None
    data = stored.profile.export_dict()
    return {
        name: "; ".join(value) if name in LIST_FIELDS else ("" if value is None else str(value))
        for name, value in data.items()
    }


def update_profile(
    engine: Engine,
    slug: str,
    form: dict[str, str],
    *,
    currencies: frozenset[str] | None,
    now: datetime,
    language: str | None = None,
) -> ProfileUpdate:
    """Validate the edited profile as an import would and store it; the id never changes and
    the digest field is left to the frequency choice. Addresses not yet among the profile's
    recipients are returned as `added`, not stored: their owners confirm them first."""
    with engine.connect() as conn:
        stored = org_store.get_organisation(conn, slug)
    if stored is None:
        raise LookupError(slug)
    record: dict[str, Any] = {"id": slug, "digest": stored.profile.digest}
    for name in EDITABLE:
        value = form.get(name, "")
        if name in FLAGS:
            record[name] = value in ("on", "true", "1", "yes")
        elif value.strip():
            record[name] = value
    loaded = validate_records([record], currencies=currencies, language=language)
    if loaded.errors:
        return ProfileUpdate(loaded.errors, [])
    current = {e.lower() for e in stored.profile.emails}
    wanted = loaded.profiles[0].emails
    kept = tuple(e for e in wanted if e.lower() in current)
    added = [e for e in wanted if e.lower() not in current]
    if not kept:
        problem = RecordError(
            1,
            slug,
            "emails",
            "keep at least one address that gets digests now; a new address joins once its "
            "owner confirms it",
        )
        return ProfileUpdate([problem], [])
    with engine.begin() as conn:
        org_store.upsert_organisations(
            conn, [loaded.profiles[0].model_copy(update={"emails": kept})], now=now
        )
    return ProfileUpdate([], added, stored.key, loaded.profiles[0].name)


def matches_of(engine: Engine, organisation_id: int, *, now: datetime) -> list[dict[str, Any]]:
    """The stored matches of tenders open at `now`, best first, with the explanation and the
    tender's facts."""
    with engine.connect() as conn:
        rows = match_store.stored_matches(conn, organisation_id=organisation_id, open_at=now)
    return [
        {
            "id": row["id"],
            "tender_id": row["tender_id"],
            "opportunity_id": row["opportunity_id"],
            "kind": row["kind"],
            "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
            "advice": PACKAGE_ADVICE if row["kind"] == "suggested_package" else None,
            "title": row["title"],
            "tender_title": row["tender_title"],
            "buyer_name": row["buyer_name"],
            "score": row["score"],
            "explanation": row["explanation"],
            "breakdown": row["breakdown"],
            "value_amount": None
            if row["value_amount"] is None
            else format(row["value_amount"], "f"),
            "currency": row["currency"],
            "deadline_at": row["deadline_at"].isoformat() if row["deadline_at"] else None,
            "notice_url": row["notice_url"],
            "found_at": row["found_at"].isoformat(),
        }
        for row in rows
    ]


def in_reader_currency(
    matches: list[dict[str, Any]], currency: str, rates: RateTable | None, *, now: datetime
) -> list[dict[str, Any]]:
    """`matches` each with `value`: its tender's value in the organisation's `currency` (the
    matcher's rates of `now`'s day), the notice's own amount beside it."""
    on = now.date()
    return [
        {**m, "value": for_reader(m["value_amount"], m["currency"], currency, rates, on=on)}
        for m in matches
    ]


def reader_fields(
    matches: list[dict[str, Any]], currency: str, rates: RateTable | None, *, now: datetime
) -> list[dict[str, Any]]:
    """`matches` as the API gives them: each with `reader_value`, its tender's value in the
    organisation's `currency` (`reader_currency`) as a decimal string, null when there is no
    value or no rate to convert it (`value_amount` and `currency` stay as published)."""
    return [
        {
            **{k: v for k, v in m.items() if k != "value"},
            "reader_value": None
            if m["value"] is None or m["value"].reader is None
            else format(m["value"].reader, "f"),
            "reader_currency": currency,
        }
        for m in in_reader_currency(matches, currency, rates, now=now)
    ]


def grouped(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`matches` (best first) with near-identical notices of other tenders folded under the
    best of them as its `similar` list, so eight buyers' copies of one audit read as one
    entry "and 7 similar"."""
    groups = group_similar(
        matches,
        lambda m: (
            m["tender_title"] if m["kind"] == "tender" else f"{m['tender_title']} {m['title']}"
        ),
        lambda m: m["tender_id"],
    )
    return [{**group[0], "similar": group[1:]} for group in groups]


def frequency_of(engine: Engine, slug: str) -> str:
    """The frequency in force: the one chosen through a link or this site, else the profile's."""
    with engine.connect() as conn:
        found = digest_store.preference(conn, slug)
        stored = org_store.get_organisation(conn, slug)
    if found is None or stored is None:
        raise LookupError(slug)
    return found[1] or stored.profile.digest


def set_frequency(engine: Engine, slug: str, frequency: str, *, now: datetime) -> None:
    if frequency not in ("daily", "weekly", "never"):
        raise ValueError("frequency must be daily, weekly or never")
    with engine.begin() as conn:
        found = digest_store.preference(conn, slug)
        if found is None:
            raise LookupError(slug)
        digest_store.set_preference(conn, found[0], now, frequency=frequency)


OrganisationHeader = org_store.OrganisationHeader


def organisation_header(engine: Engine, slug: str) -> OrganisationHeader | None:
    """The id, slug, name and version of an organisation, or None."""
    with engine.connect() as conn:
        return org_store.organisation_header(conn, slug)
