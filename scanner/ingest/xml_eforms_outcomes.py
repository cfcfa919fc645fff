"""What an eForms result notice says happened: per lot, the result (winner chosen or not),
the number of tenders received, the winning tenders with their value and the winning
organisations; read for `scanner.ingest.eforms`, which keeps it in the tender's
`raw["result"]` (as `Outcome.to_json()`), and turned back into an `Outcome` by
`eforms_outcome`.

The result is spread over `efac:NoticeResult`: `efac:LotResult` (one lot: `cbc:TenderResultCode`
`selec-w` / `clos-nw` / `open-nw`, `efac:ReceivedSubmissionsStatistics`), `efac:LotTender` (a
tender with `cac:LegalMonetaryTotal/cbc:PayableAmount` and its `efac:TenderingParty`),
`efac:SettledContract` (lists the tenders that won, as `scanner.ingest.xml_eforms_results`
reads them) and `efac:TenderingParty` (the `efac:Tenderer` organisations, described under
`efac:Organizations`). A submissions count of unstated type is kept as unknown, not read as
the number of tenders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.outcome import SCALES, Award, Bid, Contract, Outcome, Party
from scanner.ingest.outcome import compact_identifier as _compact
from scanner.ingest.text import clean_text
from scanner.ingest.xml_safe import Element, choose_language

__all__ = ["eforms_outcome", "eforms_result", "method_of_procedure_code"]

METHOD_FIELD = "cac:TenderingProcess/cbc:ProcedureCode"
COUNT_FIELD = "efac:ReceivedSubmissionsStatistics[tenders]"
# eForms BT-105 procedure type -> OCDS procurementMethod, as the OCDS for eForms guidance maps
# it; `oth-single` and `oth-mult` have no OCDS method.
_METHODS = {
    "open": "open",
    "restricted": "selective",
    "comp-dial": "selective",
    "comp-tend": "selective",
    "exp-int-rail": "selective",
    "innovation": "selective",
    "neg-w-call": "selective",
    "neg-wo-call": "limited",
}
# BT-142 winner chosen -> award status: no winner yet is pending, closed without one unsuccessful.
_NO_WINNER_STATUS = {"clos-nw": "unsuccessful", "open-nw": "pending"}


def method_of_procedure_code(code: str | None) -> str | None:
    return _METHODS.get((code or "").strip().lower())


def eforms_outcome(procedure_code: str | None, result: object) -> Outcome:
    """The outcome of an eForms notice: the method from its procedure code and, for a result
    notice, what `eforms_result` read at parse time."""
    base = Outcome.from_json(result) if isinstance(result, dict) else Outcome()
    method = method_of_procedure_code(procedure_code)
    unknowns = list(base.unknowns)
    if method is None:
        unknowns.insert(0, f"procedure {procedure_code!r} has no OCDS method ({METHOD_FIELD})")
    if not isinstance(result, dict):
        unknowns.append("not a result notice: no awards or bid counts yet")
    return Outcome(
        method=method,
        method_details=procedure_code,
        method_field=METHOD_FIELD,
        bid_count=base.bid_count,
        bid_count_field=base.bid_count_field,
        lot_bid_counts=base.lot_bid_counts,
        bids=base.bids,
        awards=base.awards,
        contracts=base.contracts,
        unknowns=tuple(unknowns),
    )


@dataclass
class _LotTender:
    lot: str | None
    amount: Any
    currency: str | None
    party: str | None


def eforms_result(
    root: Element, ns: Mapping[str, str], languages: Sequence[str], lot_count: int
) -> dict[str, Any] | None:
    """The notice result as `Outcome.to_json()`, or None when the notice has no result."""
    result = root.find("ext:UBLExtensions//efac:NoticeResult", ns)
    if result is None:
        return None
    unknowns: list[str] = []
    organisations = _organisations(root, ns, languages)
    parties = {
        _id(tpa, ns): tuple(
            organisations.get(ref) or Party(ref=ref)
            for ref in (_text(t, "cbc:ID", ns) for t in tpa.iterfind("efac:Tenderer", ns))
            if ref is not None
        )
        for tpa in result.iterfind("efac:TenderingParty", ns)
    }
    tenders = {
        _id(element, ns): _lot_tender(element, ns)
        for element in result.iterfind("efac:LotTender", ns)
    }
    contracts, won_in = _contracts(result, ns)
    bids = [
        Bid(
            bid_id=tender_id,
            value_amount=t.amount,
            currency=t.currency if t.amount is not None else None,
            tenderers=parties.get(t.party, ()),
            lot_ids=(t.lot,) if t.lot else (),
        )
        for tender_id, t in tenders.items()
        if tender_id is not None
    ]
    awards: list[Award] = []
    counts: dict[str, int] = {}
    for lot_result in result.iterfind("efac:LotResult", ns):
        lot = _text(lot_result, "efac:TenderLot/cbc:ID", ns)
        name = lot or _id(lot_result, ns) or "a lot"
        _count(lot_result, ns, lot, name, counts, unknowns)
        code = (_text(lot_result, "cbc:TenderResultCode", ns) or "").lower()
        if code in _NO_WINNER_STATUS:
            awards.append(
                Award(
                    award_id=_id(lot_result, ns),
                    status=_NO_WINNER_STATUS[code],
                    lot_ids=(lot,) if lot else (),
                )
            )
    for tender_id, t in tenders.items():
        if tender_id is None or tender_id not in won_in:
            continue
        suppliers = parties.get(t.party, ())
        label = f"award {tender_id}"
        if not suppliers:
            unknowns.append(f"{label}: no supplier")
        unknowns += [
            f"{label}: supplier {s.name or s.ref!r} has no identifier"
            for s in suppliers
            if s.key is None
        ]
        if t.amount is None:
            unknowns.append(f"{label}: no value")
        awards.append(
            Award(
                award_id=tender_id,
                status="active",
                date=won_in[tender_id],
                value_amount=t.amount,
                currency=t.currency if t.amount is not None else None,
                suppliers=suppliers,
                lot_ids=(t.lot,) if t.lot else (),
            )
        )
    awards.sort(key=lambda a: (a.lot_ids, a.award_id or ""))
    bid_count = next(iter(counts.values())) if len(counts) == 1 and lot_count <= 1 else None
    return Outcome(
        bid_count=bid_count,
        bid_count_field=COUNT_FIELD if bid_count is not None else None,
        lot_bid_counts=tuple(sorted(counts.items())),
        bids=tuple(bids),
        awards=tuple(awards),
        contracts=contracts,
        unknowns=tuple(unknowns),
    ).to_json()


def _count(
    lot_result: Element,
    ns: Mapping[str, str],
    lot: str | None,
    name: str,
    counts: dict[str, int],
    unknowns: list[str],
) -> None:
    """The lot's number of tenders received (`tenders`); other statistics (SME tenders,
    electronic ones) are not the total, and a count without its type is not read as one."""
    for stat in lot_result.iterfind("efac:ReceivedSubmissionsStatistics", ns):
        kind = (_text(stat, "efbc:StatisticsCode", ns) or "").lower()
        number = _text(stat, "efbc:StatisticsNumeric", ns)
        value = int(number) if number is not None and number.isdigit() else None
        if kind == "tenders" and value is not None and lot is not None:
            counts[lot] = value
        elif not kind and value is not None:
            unknowns.append(
                f"{name}: {value} submissions of unstated type (efbc:StatisticsCode missing)"
            )
    if lot is not None and lot not in counts:
        unknowns.append(f"{name}: number of tenders received not published")


def _contracts(
    result: Element, ns: Mapping[str, str]
) -> tuple[tuple[Contract, ...], dict[str, Any]]:
    """Settled contracts, and for each winning tender the award date (else None)."""
    contracts = []
    won_in: dict[str, Any] = {}
    for element in result.iterfind("efac:SettledContract", ns):
        signed = parse_datetime(_text(element, "cbc:IssueDate", ns))
        awarded = parse_datetime(_text(element, "cbc:AwardDate", ns))
        tenders = [
            tender_id
            for ref in element.iterfind("efac:LotTender/cbc:ID", ns)
            if (tender_id := (ref.text or "").strip())
        ]
        for tender_id in tenders:
            won_in[tender_id] = awarded
        contracts.append(
            Contract(
                contract_id=_id(element, ns),
                award_id=tenders[0] if tenders else None,  # awards are named by their tender
                date_signed=signed,
            )
        )
    return tuple(contracts), won_in


def _lot_tender(element: Element, ns: Mapping[str, str]) -> _LotTender:
    payable = element.find("cac:LegalMonetaryTotal/cbc:PayableAmount", ns)
    amount = parse_amount((payable.text or "").strip()) if payable is not None else None
    return _LotTender(
        lot=_text(element, "efac:TenderLot/cbc:ID", ns),
        amount=amount or None,
        currency=parse_currency(payable.get("currencyID")) if payable is not None else None,
        party=_text(element, "efac:TenderingParty/cbc:ID", ns),
    )


def _organisations(
    root: Element, ns: Mapping[str, str], languages: Sequence[str]
) -> dict[str, Party]:
    """`ORG-0003` -> the organisation (name, company number, size)."""
    found = {}
    path = "ext:UBLExtensions//efac:Organizations/efac:Organization"
    for organisation in root.iterfind(path, ns):
        company = organisation.find("efac:Company", ns)
        if company is None:
            continue
        ref = _text(company, "cac:PartyIdentification/cbc:ID", ns)
        if ref is None:
            continue
        name, _ = choose_language(
            ((e.get("languageID"), e.text) for e in company.iterfind("cac:PartyName/cbc:Name", ns)),
            languages,
        )
        number_el = company.find("cac:PartyLegalEntity/cbc:CompanyID", ns)
        number = _compact(clean_text(number_el.text) if number_el is not None else None)
        size = (_text(organisation, "efbc:CompanySizeCode", ns) or "").lower() or (
            _text(company, "efbc:CompanySizeCode", ns) or ""
        ).lower()
        found[ref] = Party(
            ref=ref,
            name=name,
            scheme=_scheme(number_el, company, ns) if number else None,
            identifier=number[:300] if number else None,
            scale=size if size in SCALES else None,
        )
    return found


def _scheme(number_el: Element, company: Element, ns: Mapping[str, str]) -> str:
    """The register of a company number: its `schemeName` when given, else `EFORMS-<country>`,
    a Lotwise name that keeps the same number from the same country one supplier across
    eForms notices without claiming which register it is."""
    named = clean_text(number_el.get("schemeName"))
    if named:
        return named.upper()[:100]
    country = _text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode", ns)
    return f"EFORMS-{(country or 'XXX').upper()}"


def _text(element: Element, path: str, ns: Mapping[str, str]) -> str | None:
    found = element.find(path, ns)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _id(element: Element, ns: Mapping[str, str]) -> str | None:
    return _text(element, "cbc:ID", ns)
