"""Organisation profiles in the database: an import upserts by slug, and a changed profile gets
a new `version` and `updated_at` so matches computed against the old one can be recomputed.
Profiles are never deleted by an import; `active = false` takes one out of matching."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from matchers.types import OrgProfile
from scanner.models import Organisation
from scanner.orgs import FIELD_ORDER, OrganisationProfile, RateTable, to_org_profile

__all__ = [
    "StoredOrganisation",
    "UpsertResult",
    "active_org_profiles",
    "content_hash",
    "get_organisation",
    "list_organisations",
    "listed_slugs",
    "upsert_organisations",
]

_COLUMNS = {name: ("slug" if name == "id" else name) for name in FIELD_ORDER}
_SELECT = select(*Organisation.__table__.columns)


@dataclass
class UpsertResult:
    """Slugs per outcome of one import."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoredOrganisation:
    """A stored profile with its bookkeeping."""

    key: int
    profile: OrganisationProfile
    version: int
    created_at: datetime
    updated_at: datetime


def content_hash(profile: OrganisationProfile) -> str:
    """A digest of every field: equal profiles hash equal, whatever file they came from."""
    data = profile.model_dump(mode="json")
    if data.get("language") is None:  # added later: unstated, the digest is as it was
        data.pop("language", None)
    if not data.get("reserved_eligible"):  # the same
        data.pop("reserved_eligible", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def upsert_organisations(
    conn: Connection, profiles: Sequence[OrganisationProfile], *, now: datetime
) -> UpsertResult:
    """Insert new slugs, update changed profiles (version + 1), leave equal ones alone."""
    result = UpsertResult()
    if not profiles:
        return result
    slugs = [profile.id for profile in profiles]
    existing = {
        row.slug: (row.id, row.content_hash)
        for row in conn.execute(
            select(Organisation.id, Organisation.slug, Organisation.content_hash).where(
                Organisation.slug.in_(slugs)
            )
        )
    }
    new_rows = []
    for profile in profiles:
        digest = content_hash(profile)
        values = {**_columns(profile), "content_hash": digest, "updated_at": now}
        if profile.id not in existing:
            new_rows.append({**values, "version": 1, "created_at": now})
            result.created.append(profile.id)
        elif existing[profile.id][1] != digest:
            conn.execute(
                update(Organisation)
                .where(Organisation.id == existing[profile.id][0])
                .values(**values, version=Organisation.version + 1)
            )
            result.updated.append(profile.id)
        else:
            result.unchanged.append(profile.id)
    if new_rows:
        conn.execute(insert(Organisation), new_rows)
    return result


def get_organisation(conn: Connection, slug: str) -> StoredOrganisation | None:
    row = conn.execute(_SELECT.where(Organisation.slug == slug)).first()
    return None if row is None else _stored(row._mapping)


@dataclass(frozen=True)
class OrganisationHeader:
    """What a page names an organisation by."""

    id: int
    slug: str
    name: str
    version: int
    currency: str = "GBP"  # the profile's: its pages show money in it


def organisation_header(conn: Connection, slug: str) -> OrganisationHeader | None:
    row = conn.execute(
        select(
            Organisation.id,
            Organisation.slug,
            Organisation.name,
            Organisation.version,
            Organisation.currency,
        ).where(Organisation.slug == slug)
    ).first()
    if row is None:
        return None
    return OrganisationHeader(row.id, row.slug, row.name, row.version, row.currency or "GBP")


def list_organisations(conn: Connection, *, active_only: bool = False) -> list[StoredOrganisation]:
    """Every stored profile, by slug."""
    stmt = _SELECT.order_by(Organisation.slug)
    if active_only:
        stmt = stmt.where(Organisation.active.is_(True))
    return [_stored(row._mapping) for row in conn.execute(stmt)]


def has_active_organisations(conn: Connection) -> bool:
    """Whether any organisation takes part in matching."""
    stmt = select(Organisation.id).where(Organisation.active.is_(True)).limit(1)
    return conn.execute(stmt).first() is not None


def active_org_profiles(
    conn: Connection, rates: RateTable | None, *, on: date | None = None
) -> list[OrgProfile]:
    """The active profiles as the matchers see them, money in the reporting currency."""
    return [
        to_org_profile(stored.profile, rates, on=on)
        for stored in list_organisations(conn, active_only=True)
    ]


def listed_slugs(conn: Connection) -> frozenset[str]:
    """Ids of the active organisations that agreed to be named to procurement officers."""
    stmt = select(Organisation.slug).where(
        Organisation.active.is_(True), Organisation.listed.is_(True)
    )
    return frozenset(conn.scalars(stmt))


def _columns(profile: OrganisationProfile) -> dict[str, Any]:
    data = profile.export_dict()
    return {_COLUMNS[name]: value for name, value in data.items()}


def _stored(row: RowMapping) -> StoredOrganisation:
    data = {name: row[column] for name, column in _COLUMNS.items()}
    return StoredOrganisation(
        key=row["id"],
        profile=OrganisationProfile.model_validate(_without_none(data.items())),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _without_none(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {name: value for name, value in items if value is not None}
