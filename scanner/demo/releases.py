"""OCDS releases in the shapes three kinds of publisher really emit, built from plain facts.

Find a Tender (Procurement Act 2023): CPV only in `items[].additionalClassifications`, one item
per lot with `relatedLot`, gross and net values, notice types UK3/UK4/UK6/UK12, per-lot
suitability and the invalid number `1e9999`. Contracts Finder: a main `tender.classification`,
region names, `tender.suitability`, below-threshold values, HTML in descriptions. A Welsh
regional portal (Sell2Wales style): `org-N` party ids, lots with values, release ids derived
from the ocid. Every buyer carries a `contactPoint` of (fictional) personal data, as the real
feeds do, which Lotwise must not store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scanner.demo.catalogue import CPV, REGIONS
from scanner.demo.facts import Buyer, Event, Facts, LotFacts

INFINITY = "__OCDS_1E9999__"  # serialised as the bare token 1e9999, as Find a Tender does
FTS_NOTICE_URL = "https://www.find-tender.service.gov.uk/Notice/"
CF_NOTICE_URL = "https://www.contractsfinder.service.gov.uk/Notice/"
UKPGA = {
    "id": "2023/54",
    "scheme": "UKPGA",
    "uri": "https://www.legislation.gov.uk/ukpga/2023/54/contents",
}


# event kind -> (release tag, tender status, notice type, document type, notice name)
_FTS_NOTICES = {
    "planning": ("planning", "planned", "UK3", "plannedProcurementNotice", "Planned procurement"),
    "tender": ("tender", "active", "UK4", "tenderNotice", "Tender"),
    "amendment": ("tenderAmendment", "active", "UK4", "tenderNotice", "Tender"),
    "award": ("award", "complete", "UK6", "awardNotice", "Contract award"),
    "cancellation": ("tenderCancellation", "cancelled", "UK12", "terminationNotice", "Termination"),
}


def fts_release(f: Facts, e: Event) -> dict[str, Any]:
    """A Find a Tender release, a complete snapshot of the procedure as FTS publishes."""
    tag, status, notice_type, document_type, notice_name = _FTS_NOTICES[e.kind]
    tender: dict[str, Any] = {
        "id": f.ref,
        "legalBasis": dict(UKPGA),
        "title": f.title,
        "description": f.description,
        "status": status,
        "items": [_fts_item(f, lot) for lot in f.lots],
        "value": _money(e.value, gross=True, as_text="string_amounts" in f.quirks),
        "procurementMethod": f.method,
        "procurementMethodDetails": f.method_details,
        "mainProcurementCategory": f.category,
        "aboveThreshold": f.above_threshold,
        "lots": [_fts_lot(f, e, lot, status) for lot in f.lots],
        "documents": [{"id": "conflictOfInterest", "documentType": "conflictOfInterest"}],
    }
    if e.kind != "planning":
        tender["submissionMethodDetails"] = f.buyer.url + "/tenders"
        tender["tenderPeriod"] = {"endDate": e.deadline.isoformat()}
        tender["enquiryPeriod"] = {"endDate": (e.deadline - timedelta(days=10)).isoformat()}
    if len(f.lots) > 1:
        tender["lotDetails"] = {
            "maximumLotsBidPerSupplier": INFINITY,
            "maximumLotsAwardedPerSupplier": max(1, len(f.lots) // 2),
        }
    if "framework" in f.quirks:
        tender["techniques"] = {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {"maximumParticipants": INFINITY, "type": "open"},
        }
    if e.kind == "amendment":
        tender["amendments"] = [{"id": "1", "date": e.date.isoformat(), "description": e.note}]
    document = {
        "id": e.notice,
        "documentType": document_type,
        "noticeType": notice_type,
        "description": f"{notice_name} notice on Find a Tender",
        "url": FTS_NOTICE_URL + e.notice,
        "datePublished": e.date.isoformat(),
        "format": "text/html",
    }
    release: dict[str, Any] = {
        "ocid": f.ocid,
        "id": e.notice,
        "tag": [tag, "contract"] if e.kind == "award" else [tag],
        "date": e.date.isoformat(),
        "initiationType": "tender",
        "parties": [_fts_buyer(f.buyer)],
        "buyer": {"id": f.buyer.identifier, "name": f.buyer.name},
        "tender": tender,
        "language": "en",
    }
    if e.kind == "planning":
        release["planning"] = {"documents": [document]}
    else:
        tender["documents"].append(document)
    if e.kind == "award":
        release["awards"] = _fts_awards(f, e, document)
        release["parties"] += [_supplier(name, scale) for name, scale in e.suppliers]
    return release


def _fts_item(f: Facts, lot: LotFacts) -> dict[str, Any]:
    codes = f.cpvs if len(f.lots) == 1 else [lot.cpv]
    regions = f.regions if len(f.lots) == 1 else [lot.region]
    return {
        "id": lot.id,
        "additionalClassifications": [
            {"scheme": "CPV", "id": code, "description": CPV[code]} for code in codes
        ],
        "deliveryAddresses": [
            {"region": r, "country": "GB", "countryName": "United Kingdom"} for r in regions
        ],
        "relatedLot": lot.id,
    }


def _fts_lot(f: Facts, e: Event, lot: LotFacts, status: str) -> dict[str, Any]:
    share = lot.value if e.value == f.value else round(lot.value * e.value / f.value, -3)
    data: dict[str, Any] = {
        "id": lot.id,
        "status": status,
        "value": _money(int(share), gross=True, as_text="string_amounts" in f.quirks),
        "suitability": {"sme": f.sme, "vcse": f.vcse},
        "contractPeriod": {
            "startDate": f.contract_start.isoformat(),
            "endDate": f.contract_end.isoformat(),
        },
        "hasRenewal": lot.value > 500_000,
        "description": lot.description,
    }
    if lot.title:
        data["title"] = lot.title
    return data


def _fts_awards(f: Facts, e: Event, document: dict[str, Any]) -> list[dict[str, Any]]:
    awards = []
    for number, lot in enumerate(f.lots, start=1):
        name, _scale = e.suppliers[(number - 1) % len(e.suppliers)]
        awards.append(
            {
                "id": str(number),
                "title": lot.title or f.title,
                "status": "active",
                "date": e.date.isoformat(),
                "value": _money(round(lot.value * 0.93, -2), gross=True),
                "suppliers": [{"id": _supplier_id(name), "name": name}],
                "relatedLots": [lot.id],
                "documents": [document],
                "contractPeriod": {
                    "startDate": f.contract_start.isoformat(),
                    "endDate": f.contract_end.isoformat(),
                },
            }
        )
    return awards


def _fts_buyer(b: Buyer) -> dict[str, Any]:
    return {
        "name": b.name,
        "id": b.identifier,
        "identifier": {"scheme": "GB-PPON", "id": b.identifier.removeprefix("GB-PPON-")},
        "address": {
            "streetAddress": b.street,
            "locality": b.locality,
            "postalCode": b.postcode,
            "country": "GB",
            "countryName": "United Kingdom",
            "region": b.region,
        },
        "contactPoint": {"name": b.contact_name, "email": b.email, "telephone": b.telephone},
        "roles": ["buyer"],
        "details": {
            "url": b.url,
            "classifications": [{"scheme": "UK_CA_TYPE", "id": b.ca_type}],
        },
    }


def cf_release(f: Facts, e: Event) -> dict[str, Any]:
    """A Contracts Finder release: one item, a main CPV, region names, tender suitability."""
    tag = {"amendment": "tenderAmendment", "award": "award", "cancellation": "tenderUpdate"}
    tender: dict[str, Any] = {
        "id": f.ref,
        "title": f.title,
        "description": f.description,
        "datePublished": f.published.isoformat(),
        "status": {"award": "complete", "cancellation": "cancelled"}.get(e.kind, "active"),
        "classification": {"scheme": "CPV", "id": f.cpvs[0], "description": CPV[f.cpvs[0]]},
        "items": [
            {
                "id": "1",
                "deliveryAddresses": [
                    {"region": REGIONS[f.regions[0]], "postalCode": f.buyer.postcode}
                ],
            }
        ],
        "value": _money(e.value, as_text="string_amounts" in f.quirks),
        "procurementMethod": f.method,
        "procurementMethodDetails": f.method_details,
        "tenderPeriod": {"endDate": e.deadline.isoformat()},
        "contractPeriod": {
            "startDate": f.contract_start.isoformat(),
            "endDate": f.contract_end.isoformat(),
        },
        "suitability": {"sme": f.sme, "vcse": f.vcse},
        "mainProcurementCategory": f.category,
        "documents": [
            {
                "id": "1",
                "documentType": "tenderNotice",
                "description": "Opportunity notice on Contracts Finder",
                "url": CF_NOTICE_URL + e.notice.rsplit("-", 1)[0],
                "datePublished": f.published.isoformat(),
                "dateModified": e.date.isoformat(),
                "format": "text/html",
                "language": "en",
            }
        ],
    }
    if f.value < 100_000:
        tender["minValue"] = _money(round(f.value * 0.6, -3))
    release: dict[str, Any] = {
        "ocid": f.ocid,
        "id": e.notice,
        "language": "en",
        "date": e.date.isoformat(),
        "tag": [tag.get(e.kind, "tender")],
        "initiationType": "tender",
        "tender": tender,
        "parties": [
            {
                "id": f.buyer.identifier,
                "name": f.buyer.name,
                "identifier": {
                    "legalName": f.buyer.name,
                    "scheme": "GB-SRS",
                    "id": f.buyer.identifier.removeprefix("GB-SRS-"),
                },
                "address": {
                    "streetAddress": f.buyer.street,
                    "locality": f.buyer.locality,
                    "postalCode": f.buyer.postcode,
                    "countryName": "England",
                },
                "contactPoint": {
                    "name": f.buyer.contact_name,
                    "email": f.buyer.email,
                    "telephone": f.buyer.telephone,
                },
                "roles": ["buyer"],
            }
        ],
        "buyer": {"id": f.buyer.identifier, "name": f.buyer.name},
    }
    if e.kind == "award":
        name, scale = e.suppliers[0]
        release["parties"].append(_supplier(name, scale))
        release["awards"] = [
            {
                "id": f"{f.ocid}-1",
                "status": "active",
                "date": e.date.isoformat(),
                "datePublished": e.date.isoformat(),
                "value": _money(round(e.value * 0.95, -2)),
                "suppliers": [{"id": _supplier_id(name), "name": name}],
                "description": f.title,
            }
        ]
    return release


def portal_release(f: Facts, e: Event, number: int) -> dict[str, Any]:
    """A release of a Welsh regional portal in the Sell2Wales style."""
    serial = f.ocid.rsplit("-", 1)[1]
    release = fts_release(f, e)
    release["id"] = f"{f.ocid}-release-{number}"
    release["tender"]["id"] = f"{f.ocid}-tender-{serial}-{f.ref}"
    del release["tender"]["legalBasis"]
    for item in release["tender"]["items"]:
        item["deliveryLocation"] = {"description": f.buyer.locality}
        for address in item["deliveryAddresses"]:
            del address["country"], address["countryName"]
    for lot in release["tender"]["lots"]:
        lot["value"].pop("amountGross", None)
        lot.pop("suitability", None)
    release["tender"]["value"].pop("amountGross", None)
    release["tender"].pop("lotDetails", None)
    release["tender"]["documents"] = []
    release["parties"][0] = {
        "name": f.buyer.name,
        "id": "org-1",
        "identifier": {"legalName": f.buyer.name},
        "address": {
            "streetAddress": f.buyer.street,
            "locality": f.buyer.locality,
            "region": f.buyer.region,
            "postalCode": f.buyer.postcode,
        },
        "contactPoint": {
            "name": f.buyer.contact_name,
            "email": f.buyer.email,
            "telephone": f.buyer.telephone,
            "url": f.buyer.url,
        },
        "roles": ["buyer"],
        "details": {"classifications": [{"id": f.buyer.ca_type, "scheme": "TED_CA_TYPE"}]},
    }
    release["buyer"] = {"name": f.buyer.name, "id": "org-1"}
    release.pop("planning", None)
    release["tender"].pop("techniques", None)  # 1e9999 is a Find a Tender quirk
    return release


def _money(amount: float, *, gross: bool = False, as_text: bool = False) -> dict[str, Any]:
    net: Any = str(int(amount)) if as_text else int(amount)
    value: dict[str, Any] = {"amount": net, "currency": "GBP"}
    if gross:
        gross_amount = round(amount * 1.2, 2)
        value = {
            "amountGross": int(gross_amount) if gross_amount.is_integer() else gross_amount,
            **value,
        }
    return value


def _supplier(name: str, scale: str) -> dict[str, Any]:
    return {
        "id": _supplier_id(name),
        "name": name,
        "roles": ["supplier"],
        "details": {"scale": scale, "vcse": name.endswith(("CIC", "Co-operative"))},
    }


def _supplier_id(name: str) -> str:
    digits = sum(ord(c) * (i + 7) for i, c in enumerate(name)) % 10_000_000
    return f"GB-COH-{digits:08d}"
