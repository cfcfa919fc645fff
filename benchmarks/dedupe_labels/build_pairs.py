"""Write pairs.json from cases.toml: each case as a Find a Tender release and a Contracts Finder
release in their OCDS formats (notice URLs, ocid prefixes, documents, relatedProcesses).

    .venv/bin/python benchmarks/dedupe_labels/build_pairs.py
"""

from __future__ import annotations

import json
import tomllib
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def release(
    side: dict[str, Any], *, fts: bool, number: str, key: str, link: str | None
) -> dict[str, Any]:
    ocid = f"ocds-h6vhtk-{number.replace('-', '')[:6]}" if fts else f"ocds-b5fd17-{key}"
    url = (
        f"https://www.find-tender.service.gov.uk/Notice/{number}"
        if fts
        else f"https://www.contractsfinder.service.gov.uk/Notice/{key}"
    )
    documents: list[dict[str, Any]] = [
        {"id": "1", "documentType": "tenderNotice", "url": url, "format": "text/html"}
    ]
    description = f"{side['title']}. Full details in the notice."
    fts_url = f"https://www.find-tender.service.gov.uk/Notice/{number}"
    if link == "document":
        documents.append({"id": "2", "documentType": "tenderNotice", "url": fts_url})
    if link == "description":
        description += f" This opportunity is also advertised on Find a Tender: FTS {number}."
    tender: dict[str, Any] = {
        "id": number if fts else f"{key}-1",
        "title": side["title"],
        "description": description,
        "status": "active",
        "tenderPeriod": {"endDate": side["deadline"]},
        "documents": documents,
    }
    if not side.get("no_value"):
        tender["value"] = {"amount": side["value"], "currency": side.get("currency", "GBP")}
    buyer = {
        "id": "GB-PPON-" + uuid.uuid5(uuid.NAMESPACE_DNS, side["buyer"]).hex[:8],
        "name": side["buyer"],
    }
    data: dict[str, Any] = {
        "ocid": ocid,
        "id": number if fts else f"{key}-582354",
        "date": "2026-11-02T09:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
        "tender": tender,
    }
    if link in ("planning", "prior"):
        data["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": [link],
                "scheme": "ocid",
                "identifier": f"ocds-h6vhtk-{number.replace('-', '')[:6]}",
            }
        ]
    return data


def main() -> None:
    cases = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
    pairs = []
    for position, case in enumerate(cases, start=1):
        a = dict(case["a"])
        b = {**a, **case["b"]}
        link = b.pop("link_a", None)
        number = f"{900000 + position:06d}-2026"
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lotwise-dedupe-label-{position}"))
        pairs.append(
            {
                "case": position,
                "note": case["note"],
                "same": case["same"],
                "a": {
                    "source": "find_a_tender",
                    "release": release(a, fts=True, number=number, key=key, link=None),
                },
                "b": {
                    "source": "contracts_finder",
                    "release": release(b, fts=False, number=number, key=key, link=link),
                },
            }
        )
    (HERE / "pairs.json").write_text(json.dumps(pairs, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pairs)} pairs written to {HERE / 'pairs.json'}")


if __name__ == "__main__":
    main()
