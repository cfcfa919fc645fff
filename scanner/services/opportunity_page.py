"""An organisation's opportunity page: what it needs to decide whether to bid, read from the
tender as published. Only what the notice gives is shown; nothing is guessed. The buyer's
contact route is the organisation (name, address, web address, submission portal), never a
named person: contact points are personal data and are not stored at all (`ingest.ocds`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from scanner.alerts.content import days_left
from scanner.matching.opportunities import KIND_LABELS
from scanner.money import ReaderAmount, for_reader
from scanner.orgs import RateTable
from scanner.storage import opportunity_reads as reads
from scanner.storage import organisations as org_store
from scanner.tender_state import is_open

NOT_OFFERED = (
    "The buyer is not offering this package: Lotwise suggests it as the part of the tender "
    "that fits you. To win this work you would bid for the whole tender (alone or in a "
    "consortium) or for the buyer's lot that contains it, or offer it as a subcontract to the "
    "likely prime contractor."
)
METHODS = {
    "open": "Open procedure: anyone may bid",
    "selective": "Restricted procedure: the buyer shortlists who may bid",
    "limited": "Limited procedure: the buyer invites named suppliers",
    "direct": "Direct award",
}
SUBMISSION = {
    "electronicSubmission": "online",
    "electronicAuction": "electronic auction",
    "written": "in writing",
    "inPerson": "in person",
}


@dataclass(frozen=True)
class KeyDate:
    label: str
    at: datetime
    days_left: int | None


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: str


@dataclass(frozen=True)
class Document:
    title: str
    url: str


@dataclass(frozen=True)
class BuyerContact:
    name: str | None
    address: str | None
    url: str | None
    submission: str | None


@dataclass(frozen=True)
class OpportunityPage:
    """Everything the page shows, as plain data (the template only lays it out)."""

    slug: str
    organisation: str
    opportunity_id: str
    tender_id: int
    kind: str
    kind_label: str
    title: str
    tender_title: str
    tender_text: str
    part_title: str | None
    part_text: str | None
    package_reason: str | None
    not_offered: str | None
    score: float
    explanation: str
    fit: list[str]
    value: Any
    currency: str | None
    dates: list[KeyDate]
    procedure: str | None
    submission: str | None
    criteria: list[Criterion]
    criteria_details: str | None
    documents: list[Document]
    notice_url: str | None
    buyer: BuyerContact
    similar: list[reads.PastAward]
    partners: list[tuple[str, list[str]]]
    status: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Still open at the page's `now` (scanner.tender_state); a closed one says so at the top.
    open: bool = True
    #: `value` in the organisation's currency, the notice's amount beside it (a package's value
    #: is Lotwise's estimate); `similar_values` the same for each similar award, by tender id.
    shown_value: ReaderAmount | None = None
    similar_values: dict[int, ReaderAmount | None] = field(default_factory=dict)


def opportunity_page(
    engine: Engine,
    slug: str,
    opportunity_id: str,
    *,
    now: datetime,
    rates: RateTable | None = None,
) -> OpportunityPage | None:
    """The page of one of the organisation's matches, or None when it has no such match.
    Money is shown in the organisation's currency with `rates` (the matcher's): the tender's
    by the table of `now`, each past award's by the table of its date."""
    with engine.connect() as conn:
        org = org_store.get_organisation(conn, slug)
        if org is None:
            return None
        found = reads.opportunity(conn, org.key, opportunity_id)
        if found is None:
            return None
        tender = found.tender
        codes = [tender["main_cpv"], *(tender["cpv_codes"] or [])]
        cpv = next((c for c in codes if isinstance(c, str) and len(c) >= 5), None)
        similar = reads.similar_awards(conn, tender["id"], cpv)
        partners = reads.listed_partners(conn, tender["id"], org.key)
    page = build_page(found, slug, org.profile.name, similar, partners, now=now)
    reader = org.profile.currency
    return replace(
        page,
        shown_value=for_reader(
            page.value, page.currency, reader, rates, on=now.date(),
            estimate=page.kind == "suggested_package",
        ),
        similar_values={
            a.tender_id: for_reader(
                a.value, a.currency, reader, rates, on=(a.date or now).date()
            )
            for a in similar
        },
    )  # fmt: skip


def build_page(
    found: reads.OpportunityRecord,
    slug: str,
    organisation: str,
    similar: list[reads.PastAward],
    partners: list[tuple[str, list[str]]],
    *,
    now: datetime,
) -> OpportunityPage:
    match, tender, raw = found.match, found.tender, found.raw
    body = _mapping(raw.get("tender"))
    kind = match["kind"]
    position = _position(match["opportunity_id"])
    lot = found.lots[position - 1] if kind == "buyer_lot" and position <= len(found.lots) else None
    raw_lot = _raw_lot(body, lot["lot_id"]) if lot else {}
    package = (
        found.packages[position - 1]
        if kind == "suggested_package" and position <= len(found.packages)
        else {}
    )
    part_title = match["title"] if kind != "tender" else None
    part_text: str | None = None
    if lot:
        part_text = lot.get("description")
    elif package:
        part_text = _text(package.get("scope"))
    value, currency = tender["value_amount"], tender["currency"]
    if lot and lot.get("value_amount") is not None:
        value, currency = lot["value_amount"], lot.get("currency") or currency
    elif kind == "suggested_package":
        value = package.get("estimated_value")
    criteria, details = _criteria(raw_lot or _single_lot(body), body)
    return OpportunityPage(
        slug=slug,
        organisation=organisation,
        opportunity_id=match["opportunity_id"],
        tender_id=tender["id"],
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind),
        title=match["title"],
        tender_title=tender["title"],
        tender_text=tender["description"] or "",
        part_title=part_title,
        part_text=part_text,
        package_reason=_text(package.get("reason")) if package else None,
        not_offered=NOT_OFFERED if kind == "suggested_package" else None,
        score=match["score"],
        explanation=match["explanation"],
        fit=_fit(match.get("breakdown")),
        value=value,
        currency=currency,
        dates=_dates(body, raw_lot, tender["deadline_at"], now),
        procedure=_procedure(body, tender["procedure_type"]),
        submission=_submission(body),
        criteria=criteria,
        criteria_details=details,
        documents=_documents(raw, raw_lot),
        notice_url=tender["notice_url"],
        buyer=buyer_contact(raw, tender["buyer_name"]),
        similar=similar,
        partners=partners,
        status=tender["status"],
        open=is_open(tender["status"], tender["deadline_at"], now),
    )


def _position(opportunity_id: str) -> int:
    tail = opportunity_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() and opportunity_id.count(":") == 2 else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _raw_lot(body: Mapping[str, Any], lot_id: str) -> Mapping[str, Any]:
    return next((lot for lot in _list(body.get("lots")) if str(lot.get("id")) == lot_id), {})


def _single_lot(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tender published as one lot, or whose lots all share their award criteria, carries
    them on its (first) lot."""
    lots = _list(body.get("lots"))
    if len(lots) == 1:
        return lots[0]
    criteria = [lot.get("awardCriteria") for lot in lots]
    if lots and criteria[0] and all(c == criteria[0] for c in criteria):
        return {"awardCriteria": criteria[0]}
    return {}


def _fit(breakdown: Any) -> list[str]:
    """The criteria that counted, in words, best first (the matcher's own details)."""
    rows = [r for r in breakdown or [] if isinstance(r, dict) and _text(r.get("detail"))]
    rows.sort(key=lambda r: -float(r.get("score") or 0) * float(r.get("weight") or 0))
    return [str(r["detail"]) for r in rows if r.get("criterion") != "gate"][:6]


def _dates(
    body: Mapping[str, Any], lot: Mapping[str, Any], deadline: datetime | None, now: datetime
) -> list[KeyDate]:
    found: list[tuple[str, datetime | None]] = [
        ("Deadline for clarification questions", _date(_mapping(body.get("enquiryPeriod")).get("endDate"))),
        ("Submission deadline", deadline or _date(_mapping(body.get("tenderPeriod")).get("endDate"))),
    ]  # fmt: skip
    start = _date(_mapping(lot.get("contractPeriod")).get("startDate")) or _date(
        _mapping(body.get("contractPeriod")).get("startDate")
    )
    if start is None:
        starts = [
            _date(_mapping(entry.get("contractPeriod")).get("startDate"))
            for entry in _list(body.get("lots"))
        ]
        start = min((s for s in starts if s), default=None)
    found.append(("Expected start", start))
    return [KeyDate(label, at, days_left(at, now)) for label, at in found if at is not None]


def _procedure(body: Mapping[str, Any], stored: str | None) -> str | None:
    method = _text(body.get("procurementMethod"))
    details = _text(body.get("procurementMethodDetails"))
    plain = METHODS.get(method or "")
    if plain and details and details.lower() not in plain.lower():
        return f"{plain} ({details})"
    return plain or details or stored


def _submission(body: Mapping[str, Any]) -> str | None:
    methods = body.get("submissionMethod")
    ways = (
        [SUBMISSION.get(m, m) for m in methods if isinstance(m, str)]
        if isinstance(methods, list)
        else []
    )
    details = _text(body.get("submissionMethodDetails"))
    if ways and details:
        return f"{', '.join(ways)}: {details}"
    return ", ".join(ways) or details


def _criteria(
    lot: Mapping[str, Any], body: Mapping[str, Any]
) -> tuple[list[Criterion], str | None]:
    """The award criteria of the lot, else of the tender: OCDS's object with `criteria`
    (the lots extension) or the 1.1 code string with `awardCriteriaDetails`."""
    for source in (lot, body):
        value = source.get("awardCriteria")
        details = _text(source.get("awardCriteriaDetails"))
        if isinstance(value, Mapping):
            rows = [
                Criterion(
                    _text(c.get("name")) or str(c.get("type") or "criterion").capitalize(),
                    _weight(c),
                )
                for c in _list(value.get("criteria"))
            ]
            if rows or details:
                return rows, details
        elif isinstance(value, str) and value.strip():
            words = {
                "priceOnly": "Price only",
                "costOnly": "Cost only",
                "qualityOnly": "Quality only",
                "ratedCriteria": "Price and quality, weighted",
                "lowestCost": "Lowest cost",
                "bestProposal": "Best proposal",
                "bestValueToGovernment": "Best value",
                "singleBidOnly": "Single bid only",
            }
            return [Criterion(words.get(value, value), "")], details
        elif details:
            return [], details
    return [], None


def _weight(criterion: Mapping[str, Any]) -> str:
    for number in _list(criterion.get("numbers")):
        if number.get("number") is not None:
            return f"{number['number']}%" if number.get("weighting") != "order" else ""
    description = _text(criterion.get("description"))
    if description and description.replace(".", "", 1).isdigit():
        return f"{description}%"
    return description or ""


def _documents(raw: Mapping[str, Any], lot: Mapping[str, Any]) -> list[Document]:
    body = _mapping(raw.get("tender"))
    seen: set[str] = set()
    found: list[Document] = []
    for doc in [*_list(body.get("documents")), *_list(lot.get("documents"))]:
        url = _text(doc.get("url"))
        if not url or url in seen or not url.lower().startswith(("https://", "http://")):
            continue
        seen.add(url)
        title = (
            _text(doc.get("title"))
            or _text(doc.get("description"))
            or _text(doc.get("documentType"))
            or url
        )
        found.append(Document(title, url))
    return found


def buyer_contact(raw: Mapping[str, Any], name: str | None) -> BuyerContact:
    """The buyer as an organisation: its address and web address from its OCDS party. Any
    personal field (a contact point's name, e-mail or telephone) is never read."""
    buyer_ref = _mapping(raw.get("buyer"))
    party: Mapping[str, Any] = {}
    for candidate in _list(raw.get("parties")):
        roles = candidate.get("roles")
        if (buyer_ref.get("id") and candidate.get("id") == buyer_ref.get("id")) or (
            isinstance(roles, list) and "buyer" in roles
        ):
            party = candidate
            break
    address = _mapping(party.get("address"))
    parts = [
        _text(address.get(k))
        for k in ("streetAddress", "locality", "region", "postalCode", "countryName")
    ]
    url = _text(_mapping(party.get("details")).get("url")) or _text(buyer_ref.get("uri"))
    if url and not url.lower().startswith(("https://", "http://")):
        url = None
    return BuyerContact(
        name=_text(party.get("name")) or name or _text(buyer_ref.get("name")),
        address=", ".join(p for p in parts if p) or None,
        url=url,
        submission=_text(_mapping(raw.get("tender")).get("submissionMethodDetails")),
    )
