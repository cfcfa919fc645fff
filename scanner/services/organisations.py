"""Organisation profiles: import a file (all or nothing unless invalid records are skipped),
list, show and export them, and hand the active ones to matching.

Plain dicts for `--json` carry stable field names (docs/json-output.md, docs/organisations.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from matchers.types import OrgProfile
from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.orgs import (
    Format,
    OrganisationProfile,
    RateTable,
    RecordError,
    dump_profiles,
    load_file,
)
from scanner.orgs.codes import countries_of_regions
from scanner.storage import organisations as store
from scanner.storage.organisations import StoredOrganisation, UpsertResult
from scanner.storage.tender_reads import money_text

__all__ = [
    "ImportReport",
    "active_profiles",
    "export_organisations",
    "get_organisation",
    "import_organisations",
    "list_organisations",
    "stored_profiles",
]


@dataclass
class ImportReport:
    """What an import found and did. `stored` is False when errors (without skipping) or a dry
    run kept everything out of the database."""

    path: Path
    records: int = 0
    valid: int = 0
    errors: list[RecordError] = field(default_factory=list)
    stored: bool = False
    result: UpsertResult = field(default_factory=UpsertResult)
    notes: list[RecordError] = field(default_factory=list)

    @property
    def invalid(self) -> int:
        return len({error.record for error in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "stored": self.stored,
            "created": self.result.created,
            "updated": self.result.updated,
            "unchanged": self.result.unchanged,
            "errors": [error.as_dict() for error in self.errors],
            "notes": [note.as_dict() for note in self.notes],
        }


def import_organisations(
    engine: Engine,
    path: Path,
    *,
    now: datetime,
    rates: RateTable | None = None,
    fmt: Format | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    limits: JsonLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Validate every record of `path`, then store the valid ones in one transaction, unless
    any record is invalid and `skip_invalid` is off (then nothing is stored). With `rates`,
    a currency without a reference rate is an error. Raises `OrgFileError` for an unreadable
    file."""
    currencies = rates.currencies if rates else None
    loaded = load_file(path, fmt=fmt, currencies=currencies, limits=limits)
    report = ImportReport(
        path=path,
        records=loaded.records,
        valid=len(loaded.profiles),
        errors=loaded.errors,
        notes=loaded.notes,
    )
    if dry_run or (loaded.errors and not skip_invalid) or not loaded.profiles:
        return report
    with engine.begin() as conn:
        report.result = store.upsert_organisations(conn, loaded.profiles, now=now)
    report.stored = True
    return report


def list_organisations(engine: Engine, *, active_only: bool = False) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [_as_dict(s) for s in store.list_organisations(conn, active_only=active_only)]


def get_organisation(engine: Engine, slug: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        stored = store.get_organisation(conn, slug)
    return None if stored is None else _as_dict(stored)


def export_organisations(engine: Engine, fmt: Format, *, active_only: bool = False) -> str:
    """Every stored profile (by id) as one document that `import_organisations` reads back."""
    with engine.connect() as conn:
        profiles = [s.profile for s in store.list_organisations(conn, active_only=active_only)]
    return dump_profiles(profiles, fmt)


def stored_profiles(engine: Engine) -> list[OrganisationProfile]:
    with engine.connect() as conn:
        return [s.profile for s in store.list_organisations(conn)]


def active_profiles(
    engine: Engine, rates: RateTable | None, *, on: date | None = None
) -> list[OrgProfile]:
    """The active profiles as the matchers see them (money in the reporting currency)."""
    with engine.connect() as conn:
        return store.active_org_profiles(conn, rates, on=on)


def _as_dict(stored: StoredOrganisation) -> dict[str, Any]:
    data = stored.profile.export_dict()
    for name in ("value_min", "value_max", "turnover"):
        data[name] = money_text(data[name])
    data["countries"] = list(countries_of_regions(stored.profile.regions))
    data.update(
        version=stored.version,
        created_at=stored.created_at.isoformat(),
        updated_at=stored.updated_at.isoformat(),
    )
    return data
