"""Notices in the formats of Find a Tender and Contracts Finder OCDS releases (written for
these tests, not copied), and helpers to ingest them as two sources."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scanner.services.ingest import ingest_files

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _release(
    *,
    ocid: str,
    release_id: str,
    title: str,
    buyer: str,
    deadline: str,
    amount: float | None,
    currency: str = "GBP",
    description: str = "",
    documents: list[dict[str, Any]] | None = None,
    related: list[dict[str, Any]] | None = None,
    date: str = "2026-11-02T09:00:00Z",
) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": release_id,
        "title": title,
        "description": description,
        "status": "active",
        "tenderPeriod": {"endDate": deadline},
        "documents": documents or [],
    }
    if amount is not None:
        tender["value"] = {"amount": amount, "currency": currency}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": release_id,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "GB-X-" + buyer[:6], "name": buyer},
        "parties": [{"id": "GB-X-" + buyer[:6], "name": buyer, "roles": ["buyer"]}],
        "tender": tender,
    }
    if related:
        release["relatedProcesses"] = related
    return release


def fts_notice(
    number: str, title: str, buyer: str, deadline: str, amount: float | None, **extra: Any
) -> dict[str, Any]:
    """A Find a Tender release: ocid `ocds-h6vhtk-...`, id the notice number `NNNNNN-YYYY`."""
    docs = [
        {
            "id": "1",
            "documentType": "tenderNotice",
            "url": f"https://www.find-tender.service.gov.uk/Notice/{number}",
            "format": "text/html",
        }
    ]
    return _release(
        ocid=f"ocds-h6vhtk-{number.replace('-', '')[:6]}",
        release_id=number,
        title=title,
        buyer=buyer,
        deadline=deadline,
        amount=amount,
        documents=docs,
        **extra,
    )


def cf_notice(
    title: str,
    buyer: str,
    deadline: str,
    amount: float | None,
    *,
    key: str | None = None,
    extra_documents: list[str] = (),  # type: ignore[assignment]
    **extra: Any,
) -> dict[str, Any]:
    """A Contracts Finder release: ocid `ocds-b5fd17-<uuid>`, a notice URL by uuid."""
    notice = key or str(uuid.uuid5(uuid.NAMESPACE_URL, title + buyer + deadline))
    docs = [
        {
            "id": "1",
            "documentType": "tenderNotice",
            "url": f"https://www.contractsfinder.service.gov.uk/Notice/{notice}",
        }
    ] + [{"id": str(i + 2), "url": url} for i, url in enumerate(extra_documents)]
    return _release(
        ocid=f"ocds-b5fd17-{notice}",
        release_id=f"{notice}-582354",
        title=title,
        buyer=buyer,
        deadline=deadline,
        amount=amount,
        documents=docs,
        **extra,
    )


def ingest_as(engine: Engine, tmp_path: Path, source: str, releases: list[dict[str, Any]]) -> None:
    """Ingest `releases` into source `source` through the real ingest service."""
    path = tmp_path / f"{source}-{uuid.uuid4().hex[:6]}.json"
    path.write_text(
        json.dumps({"uri": "x", "publishedDate": "2026-11-01T00:00:00Z", "releases": releases})
    )
    outcomes = ingest_files(engine, [path], source_name=source, now=lambda: NOW)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
