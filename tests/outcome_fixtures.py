"""OCDS releases with outcomes, written for the impact tests (tests/impact, tests/web) in the
shape real publishers use (Prozorro with the bids extension, Contracts Finder and Find a Tender
award releases). A plain module at the top of tests/, like `required.py`, so any folder can
import it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "impact" / "fixtures"


def party(
    pid: str,
    name: str,
    *,
    roles: list[str],
    scheme: str | None = "GB-COH",
    ident: str | None = None,
    scale: str | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {"id": pid, "name": name, "roles": roles}
    found["identifier"] = (
        {"scheme": scheme, "id": ident, "legalName": name} if ident else {"legalName": name}
    )
    if scale is not None:
        found["details"] = {"scale": scale}
    found["contactPoint"] = {"name": "A Person", "email": "person@example.org"}
    return found


def release(
    n: int,
    *,
    buyer: tuple[str, str] = ("GB-GOR-1", "Riverside Council"),
    method: str | None = "open",
    details: str | None = "Open procedure",
    value: float | None = 100_000,
    currency: str = "GBP",
    cpv: str = "72000000",
    date: str = "2026-10-05T10:00:00Z",
    period: tuple[str, str] | None = ("2026-09-01T00:00:00Z", "2026-10-01T12:00:00Z"),
    awards: list[dict[str, Any]] | None = None,
    bids: list[dict[str, Any]] | None = None,
    statistics: list[dict[str, Any]] | None = None,
    tenderers: int | None = None,
    parties: list[dict[str, Any]] | None = None,
    lots: int = 0,
    tag: str = "award",
    release_id: str | None = None,
) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": f"T-{n}",
        "title": f"Digital service {n}",
        "status": "complete",
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}],
    }
    if method is not None:
        tender["procurementMethod"] = method
    if details is not None:
        tender["procurementMethodDetails"] = details
    if value is not None:
        tender["value"] = {"amount": value, "currency": currency}
    if period is not None:
        tender["tenderPeriod"] = {"startDate": period[0], "endDate": period[1]}
    if tenderers is not None:
        tender["numberOfTenderers"] = tenderers
    if lots:
        tender["lots"] = [{"id": str(i + 1), "title": f"Lot {i + 1}"} for i in range(lots)]
        tender["items"] = [
            {"id": str(i + 1), "relatedLot": str(i + 1),
             "classification": {"scheme": "CPV", "id": cpv}}
            for i in range(lots)
        ]  # fmt: skip
    found: dict[str, Any] = {
        "ocid": f"ocds-test-{n}",
        "id": release_id or f"ocds-test-{n}-{tag}",
        "date": date,
        "tag": [tag],
        "buyer": {"id": buyer[0], "name": buyer[1]},
        "parties": [{"id": buyer[0], "name": buyer[1], "roles": ["buyer"]}, *(parties or [])],
        "tender": tender,
    }
    if awards is not None:
        found["awards"] = awards
    if bids is not None or statistics is not None:
        found["bids"] = {}
        if bids is not None:
            found["bids"]["details"] = bids
        if statistics is not None:
            found["bids"]["statistics"] = statistics
    return found


def award(
    aid: str,
    suppliers: list[tuple[str, str]],
    *,
    amount: float | None = 95_000,
    currency: str = "GBP",
    status: str = "active",
    date: str = "2026-10-03T00:00:00Z",
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": aid,
        "status": status,
        "date": date,
        "suppliers": [{"id": sid, "name": name} for sid, name in suppliers],
    }
    if amount is not None:
        found["value"] = {"amount": amount, "currency": currency}
    return found


def bid(
    bid_id: str, status: str, tenderers: list[tuple[str, str]], amount: float | None = 90_000
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": bid_id,
        "status": status,
        "tenderers": [{"id": sid, "name": name} for sid, name in tenderers],
    }
    if amount is not None:
        found["value"] = {"amount": amount, "currency": "GBP"}
    return found


def write_package(path: Path, releases: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"uri": "test", "releases": releases}), encoding="utf-8")
    return path
