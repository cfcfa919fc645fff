"""One eForms notice (UBL XML, as TED and national portals such as Doffin publish it) ->
one `NormalisedTender`.

Elements are found by namespace URI, never by prefix: real notices bind the same URIs to
`cac:`, to `urn:`, to a default namespace or to `ns8:`, so a prefix means nothing. The lookups
below use *our* prefixes mapped to the URIs (`_NS`), which lxml resolves to `{uri}Name`.

Lots are `cac:ProcurementProjectLot` whose id has scheme `Lot` (`LOT-0001`); groups of lots
(`GLO-...`) are not lots, and the parts (`PAR-...`) of a prior information notice count as its
lots only when it has no lots. eForms has no item list, so every lot also becomes one `Item`
(id = lot id, `related_lot` = lot id, the lot's CPV codes and NUTS regions): the matchers and
the splitter read items and lots the same way for every source, and OCDS publishers that
emit one item per lot (Find a Tender, PCS, Sell2Wales) look the same.

Texts come in several languages: English is kept when given, else the notice's own language.
Values are the estimated ones; a result notice without estimates gives the awarded total for
the procedure and each lot's winning tenders for the lot (`scanner.ingest.xml_eforms_results`).
Only `EformsFormatError` (a `ValueError`) is raised, naming what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from scanner.ingest.cpv import normalise_cpv
from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.places import countries_of, region_code
from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.ingest.text import clean_text
from scanner.ingest.xml_countries import country_code
from scanner.ingest.xml_eforms_outcomes import eforms_result
from scanner.ingest.xml_eforms_results import awarded_lot_values
from scanner.ingest.xml_safe import (
    Element,
    choose_language,
    local_name,
    namespace,
    parse_untrusted_xml,
    text_of,
    title_from_text,
)

__all__ = ["EformsFormatError", "parse_eforms_notice"]

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_NS = {
    "cac": _UBL + "CommonAggregateComponents-2",
    "cbc": _UBL + "CommonBasicComponents-2",
    "ext": _UBL + "CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
_ROOTS = frozenset({"ContractNotice", "PriorInformationNotice", "ContractAwardNotice"})
# The list a notice type belongs to (the `listName` of `cbc:NoticeTypeCode`) -> OCDS-style status.
_STATUS_BY_LIST = {
    "competition": "active",
    "planning": "planning",
    "result": "complete",
    "dir-awa-pre": "complete",  # voluntary ex-ante transparency: the award is already decided
}
# Else by the notice type's prefix, first match wins (`pin-cfc-*` calls for competition).
_STATUS_BY_PREFIX = (
    ("cn-", "active"),
    ("pin-cfc", "active"),
    ("pin-", "planning"),
    ("can-", "complete"),
    ("veat", "complete"),
)
_TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"
_PUBLICATION_ID_RE = re.compile(r"(?P<number>\d{1,10})-(?P<year>\d{4})")
_OJS_ID_RE = re.compile(r"(?P<year>\d{4})/S\s*\d{1,3}-(?P<number>\d{1,10})")
# Converters from legacy TED XML fill a missing mandatory deadline with 2099-01-01: not a date.
_PLACEHOLDER_YEAR = 2099
# Where a deadline is, in order of preference, under `cac:TenderingProcess`.
_DEADLINE_PERIODS = (
    "cac:TenderSubmissionDeadlinePeriod",
    "cac:ParticipationRequestReceptionPeriod",
    "ext:UBLExtensions//efac:InterestExpressionReceptionPeriod",  # prior information notices
)


class EformsFormatError(ValueError):
    """The document is not a usable eForms notice; `reason` says why (for the error log)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class _Project:
    """What a `cac:ProcurementProject` (of the procedure or of one lot) says."""

    title: str | None
    description: str | None
    classifications: tuple[Classification, ...]
    value_amount: Decimal | None
    currency: str | None
    regions: tuple[str, ...]
    countries: tuple[str, ...]
    sme: bool | None


def parse_eforms_notice(data: bytes, *, source: str = "ted") -> NormalisedTender:
    """Parse eForms notice XML (contract, prior information or contract award notice).

    `source_key` is the procedure identifier (`cbc:ContractFolderID`), shared by the notices
    of one procedure, so a later notice updates the same tender. Raises `EformsFormatError`.
    """
    root = parse_untrusted_xml(data, EformsFormatError)
    _check_root(root)
    try:
        return _parse(root, source)
    except EformsFormatError:
        raise
    except RecursionError:
        raise EformsFormatError("notice nested too deeply") from None
    except Exception as exc:  # pragma: no cover - a bug; reported per notice, never fatal
        raise EformsFormatError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _check_root(root: Element) -> None:
    name, uri = local_name(root), namespace(root)
    if name == "TED_EXPORT":
        raise EformsFormatError("legacy TED XML (TED_EXPORT), not eForms: use parse_ted_notice")
    if name not in _ROOTS or uri != f"{_UBL}{name}-2":
        expected = ", ".join(sorted(_ROOTS))
        raise EformsFormatError(
            f"root element {{{uri or ''}}}{name} is not an eForms notice "
            f"(expected {expected} in the UBL namespace)"
        )


def _parse(root: Element, source: str) -> NormalisedTender:
    languages = _languages(root)
    procedure_el = root.find("cac:ProcurementProject", _NS)
    lot_els = _lot_elements(root)
    if procedure_el is None and not lot_els:
        raise EformsFormatError("no cac:ProcurementProject and no cac:ProcurementProjectLot")
    procedure = _project(procedure_el, languages)
    lots = [_lot(element, languages) for element in lot_els]

    folder_id = clean_text(root.findtext("cbc:ContractFolderID", namespaces=_NS))
    notice_uuid = clean_text(root.findtext("cbc:ID", namespaces=_NS))
    publication_id = _publication_id(root)
    source_key = folder_id or notice_uuid or publication_id
    if source_key is None:
        raise EformsFormatError("no procedure or notice identifier (cbc:ContractFolderID, cbc:ID)")
    title = _title(procedure, [lot for lot, _ in lots])
    awarded = awarded_lot_values(root, _NS)
    lots = [(_completed(lot, title, len(lots), awarded), project) for lot, project in lots]

    classifications = _unique(
        [*procedure.classifications, *(c for lot, _ in lots for c in lot.classifications)]
    )
    cpv_codes = tuple(c.code for c in classifications if c.scheme == "CPV")
    lot_projects = [project for _, project in lots]
    regions = _unique([*procedure.regions, *(r for p in lot_projects for r in p.regions)])
    buyer_name, buyer_id, buyer_country = _buyer(root, languages)
    countries = countries_of(
        [{"country": code} for code in (*procedure.countries, buyer_country) if code]
        + [{"country": code} for p in lot_projects for code in p.countries],
        regions,
    )
    value, currency = procedure.value_amount, procedure.currency
    if value is None:
        value, currency = _amount(root.find("ext:UBLExtensions//efac:NoticeResult", _NS))
    notice_type_el = root.find("cbc:NoticeTypeCode", _NS)
    notice_type = clean_text(text_of(notice_type_el))
    issued = _date_time(
        root.findtext("cbc:IssueDate", namespaces=_NS),
        root.findtext("cbc:IssueTime", namespaces=_NS),
    )
    published = parse_datetime(
        root.findtext("ext:UBLExtensions//efac:Publication/efbc:PublicationDate", namespaces=_NS)
    )
    return NormalisedTender(
        source=source,
        source_key=source_key,
        title=title,
        notice_id=publication_id or notice_uuid,
        notice_url=_TED_NOTICE_URL.format(publication_id) if publication_id else None,
        description=procedure.description,
        buyer_name=buyer_name,
        buyer_id=buyer_id,
        value_amount=value,
        currency=currency,
        published_at=published or issued,
        deadline_at=_deadline(root, lot_els),
        updated_at=issued or published,
        status=_status(notice_type, notice_type_el),
        procedure_type=clean_text(
            root.findtext("cac:TenderingProcess/cbc:ProcedureCode", namespaces=_NS)
        ),
        main_cpv=_main_cpv(procedure_el, lot_els) or (cpv_codes[0] if cpv_codes else None),
        cpv_codes=cpv_codes,
        classifications=classifications,
        regions=regions,
        countries=countries,
        items=tuple(_item_of(lot, project) for lot, project in lots),
        lots=tuple(lot for lot, _ in lots),
        suitable_sme=_any_flag([procedure.sme, *(p.sme for p in lot_projects)]),
        notice_type=notice_type,
        raw={
            "format": "eforms",
            "notice_id": notice_uuid,
            "publication_id": publication_id,
            "contract_folder_id": folder_id,
            "notice_type": notice_type,
            "notice_subtype": clean_text(
                root.findtext(
                    "ext:UBLExtensions//efac:NoticeSubType/cbc:SubTypeCode", namespaces=_NS
                )
            ),
            "sdk": clean_text(root.findtext("cbc:CustomizationID", namespaces=_NS)),
            "languages": list(languages),
            # BT-11, the buyer's legal type (cga, ra, la, body-pl, pub-undert...): which EU
            # threshold applies to it.
            "buyer_legal_type": clean_text(
                root.findtext(
                    "cac:ContractingParty/cac:ContractingPartyType/"
                    "cbc:PartyTypeCode[@listName='buyer-legal-type']",
                    namespaces=_NS,
                )
            ),
            "result": eforms_result(root, _NS, languages, len(lots)),
            **award_terms(root),
        },
    )


def award_terms(root: Element) -> dict[str, Any]:
    """What decides the value one supplier would be awarded (read by
    `scanner.matching.value_basis`): a framework agreement (BT-765, any lot), a dynamic
    purchasing system (BT-766), the most operators a framework admits (BT-113) and its
    maximum value (BT-709). Only the facts the notice gives."""
    found: dict[str, Any] = {}
    for code in root.iterfind(".//cac:ContractingSystem/cbc:ContractingSystemTypeCode", _NS):
        value = (code.text or "").strip()
        if code.get("listName") == "framework-agreement" and value.startswith("fa-"):
            found["framework"] = True
        if code.get("listName") == "dps-usage" and value.startswith("dps-"):
            found["dps"] = True
    quantities = [
        int(q.text.strip())
        for q in root.iterfind(".//cac:FrameworkAgreement/cbc:MaximumOperatorQuantity", _NS)
        if q.text and q.text.strip().isdigit()
    ]
    if quantities:
        found["max_participants"] = max(quantities)
    amounts = [
        float(a.text)
        for a in root.iterfind(".//efbc:FrameworkMaximumAmount", _NS)
        if a.text and a.text.strip().replace(".", "", 1).isdigit()
    ]
    if amounts:
        found["framework_max"] = sum(amounts)
    found.update(reserved_terms(root))
    return found


# BT-71 "Reserved Participation" (codelist reserved-procurement) and BT-736 "Reserved
# Execution" (sheltered employment programmes), per lot: Directive 2014/24/EU Art. 20 (res-ws)
# and Art. 77 (res-pub-ser).
_RESERVED_CODES = {"res-ws": "sheltered_workshop", "res-pub-ser": "public_service_mission"}


def reserved_terms(root: Element) -> dict[str, Any]:
    """The lots reserved to some kind of operator, read by `scanner.matching.reserved`:
    `reserved_lots` maps a lot id to its kinds ("sheltered_workshop",
    "public_service_mission"); `reserved` holds the kinds every lot shares (the whole notice
    is reserved then). Nothing when no lot is reserved."""
    by_lot: dict[str, list[str]] = {}
    lots = _lot_elements(root)
    for lot in lots:
        kinds: dict[str, None] = {}
        for code in lot.iterfind(
            "cac:TenderingTerms/cac:TendererQualificationRequest/cac:SpecificTendererRequirement/"
            "cbc:TendererRequirementTypeCode[@listName='reserved-procurement']",
            _NS,
        ):
            kind = _RESERVED_CODES.get((code.text or "").strip())
            if kind:
                kinds[kind] = None
        for code in lot.iterfind(
            "cac:TenderingTerms/cac:ContractExecutionRequirement/"
            "cbc:ExecutionRequirementCode[@listName='reserved-execution']",
            _NS,
        ):
            if (code.text or "").strip() in ("yes", "true"):
                kinds["sheltered_workshop"] = None
        if kinds:
            lot_id = (lot.findtext("cbc:ID", namespaces=_NS) or "").strip()
            by_lot[lot_id] = sorted(kinds)
    if not by_lot:
        return {}
    found: dict[str, Any] = {"reserved_lots": by_lot}
    if len(by_lot) == len(lots):
        shared = set.intersection(*(set(kinds) for kinds in by_lot.values()))
        if shared:
            found["reserved"] = sorted(shared)
    return found


# -- notice-level reads ------------------------------------------------------------------------


def _languages(root: Element) -> tuple[str, ...]:
    """The notice's language, then its additional languages (the originals, in order)."""
    codes = [root.findtext("cbc:NoticeLanguageCode", namespaces=_NS)]
    codes += [element.text for element in root.findall("cac:AdditionalNoticeLanguage/cbc:ID", _NS)]
    return tuple(dict.fromkeys(c.strip().upper() for c in codes if c and c.strip()))


def _lot_elements(root: Element) -> list[Element]:
    """Lots (`schemeName="Lot"` or a `LOT-` id); the parts of a PIN only when there are none."""
    lots, parts = [], []
    for element in root.findall("cac:ProcurementProjectLot", _NS):
        id_el = element.find("cbc:ID", _NS)
        scheme = (id_el.get("schemeName") or "").strip().lower() if id_el is not None else ""
        lot_id = (id_el.text or "").strip().upper() if id_el is not None else ""
        if scheme == "lot" or (not scheme and lot_id.startswith("LOT-")):
            lots.append(element)
        elif scheme == "part" or (not scheme and lot_id.startswith("PAR-")):
            parts.append(element)
    return lots or parts


def _publication_id(root: Element) -> str | None:
    """The TED publication number (`00309890-2023` or `2022/S 107-303653` ->
    `309890-2023`, `303653-2022`), when the notice was published there."""
    text = clean_text(
        root.findtext(
            "ext:UBLExtensions//efac:Publication/efbc:NoticePublicationID", namespaces=_NS
        )
    )
    if text is None:
        return None
    match = _PUBLICATION_ID_RE.fullmatch(text) or _OJS_ID_RE.fullmatch(text)
    if match is None:  # "n.a." (national notices not on TED) and other placeholders
        return None
    number, year = match.group("number"), match.group("year")
    return f"{int(number)}-{year}"


def _title(procedure: _Project, lots: Sequence[Lot]) -> str:
    if procedure.title is not None:
        return procedure.title
    for lot in lots:
        if lot.title is not None:
            return lot.title
    for text in (procedure.description, *(lot.description for lot in lots)):
        title = title_from_text(text)
        if title is not None:
            return title
    raise EformsFormatError("no title: no cbc:Name or cbc:Description on procedure or lots")


def _buyer(root: Element, languages: Sequence[str]) -> tuple[str | None, str | None, str | None]:
    """Name, registration number and country of the first buyer (`cac:ContractingParty`).

    The party is a reference (`ORG-0001`) into the organisations of the eForms extension."""
    party = root.find("cac:ContractingParty/cac:Party", _NS)
    if party is None:
        return None, None, None
    org_ref = clean_text(party.findtext("cac:PartyIdentification/cbc:ID", namespaces=_NS))
    company = party  # older notices name the party in place
    if org_ref is not None:
        for candidate in root.iterfind(
            "ext:UBLExtensions//efac:Organizations/efac:Organization/efac:Company", _NS
        ):
            ref = candidate.findtext("cac:PartyIdentification/cbc:ID", namespaces=_NS)
            if ref is not None and ref.strip() == org_ref:
                company = candidate
                break
    name, _ = choose_language(
        ((e.get("languageID"), e.text) for e in company.iterfind("cac:PartyName/cbc:Name", _NS)),
        languages,
    )
    buyer_id = clean_text(company.findtext("cac:PartyLegalEntity/cbc:CompanyID", namespaces=_NS))
    country = country_code(
        company.findtext("cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=_NS)
    )
    return name, buyer_id, country


def _status(notice_type: str | None, element: Element | None) -> str | None:
    """OCDS-style status: `active` for calls for competition, `planning`, `complete`."""
    list_name = (element.get("listName") or "").strip().lower() if element is not None else ""
    if list_name in _STATUS_BY_LIST:
        return _STATUS_BY_LIST[list_name]
    code = (notice_type or "").lower()
    for prefix, status in _STATUS_BY_PREFIX:
        if code.startswith(prefix):
            return status
    return None


def _deadline(root: Element, lot_els: Sequence[Element]) -> datetime | None:
    """The latest lot deadline for tenders (else for requests to participate, else for
    expressions of interest).

    The latest, so that the tender counts as open while any of its lots is."""
    found = []
    for scope in (*lot_els, root):
        process = scope.find("cac:TenderingProcess", _NS)
        if process is None:
            continue
        for path in _DEADLINE_PERIODS:
            period = process.find(path, _NS)
            if period is None:
                continue
            at = _date_time(
                period.findtext("cbc:EndDate", namespaces=_NS),
                period.findtext("cbc:EndTime", namespaces=_NS),
                end_of_day=True,
            )
            if at is not None and at.year < _PLACEHOLDER_YEAR:
                found.append(at)
                break
    return max(found) if found else None


def _main_cpv(procedure: Element | None, lot_els: Sequence[Element]) -> str | None:
    path = "cac:MainCommodityClassification/cbc:ItemClassificationCode"
    for scope in (procedure, *(lot.find("cac:ProcurementProject", _NS) for lot in lot_els)):
        if scope is not None:
            for element in scope.iterfind(path, _NS):
                if _is_cpv_list(element):
                    code = normalise_cpv(element.text)
                    if code is not None:
                        return code
    return None


# -- project (procedure or lot) ----------------------------------------------------------------


def _lot(element: Element, languages: Sequence[str]) -> tuple[Lot, _Project]:
    lot_id = clean_text(element.findtext("cbc:ID", namespaces=_NS))
    if lot_id is None:
        raise EformsFormatError("a cac:ProcurementProjectLot has no cbc:ID")
    project = _project(element.find("cac:ProcurementProject", _NS), languages)
    lot = Lot(
        lot_id=lot_id,
        title=project.title,
        description=project.description,
        value_amount=project.value_amount,
        currency=project.currency,
        classifications=project.classifications,
        related_items=(lot_id,),
    )
    return lot, project


def _completed(
    lot: Lot, procedure_title: str, lot_count: int, awarded: dict[str, tuple[Decimal, str | None]]
) -> Lot:
    """Fill what a lot lacks: a name (the procedure's when it is the only lot, else its
    description's first line) and, in result notices, the awarded value for the estimate."""
    if lot.title is None:
        title = procedure_title if lot_count == 1 else title_from_text(lot.description)
        lot = replace(lot, title=title)
    if lot.value_amount is None and lot.lot_id in awarded:
        amount, currency = awarded[lot.lot_id]
        lot = replace(lot, value_amount=amount, currency=currency)
    return lot


def _item_of(lot: Lot, project: _Project) -> Item:
    """The one item standing for a lot (eForms lists no items; see the module docstring)."""
    parts = [text for text in (lot.title, lot.description) if text is not None]
    if len(parts) == 2 and parts[1].startswith(parts[0]):
        parts = parts[1:]  # the description often repeats the title
    return Item(
        id=lot.lot_id,
        description="\n".join(parts) or None,
        classifications=lot.classifications,
        related_lot=lot.lot_id,
        regions=project.regions,
    )


def _project(element: Element | None, languages: Sequence[str]) -> _Project:
    if element is None:
        return _Project(None, None, (), None, None, (), (), None)
    title, _ = choose_language(_texts(element, "cbc:Name"), languages)
    description, _ = choose_language(_texts(element, "cbc:Description"), languages)
    amount, currency = _amount(element.find("cac:RequestedTenderTotal", _NS))
    regions, countries = [], []
    for address in element.iterfind("cac:RealizedLocation/cac:Address", _NS):
        for code_el in address.iterfind("cbc:CountrySubentityCode", _NS):
            region = region_code(code_el.text)
            if region is not None:
                regions.append(region)
        country = country_code(
            address.findtext("cac:Country/cbc:IdentificationCode", namespaces=_NS)
        )
        if country is not None:
            countries.append(country)
    return _Project(
        title=title,
        description=description,
        classifications=_classifications(element),
        value_amount=amount,
        currency=currency,
        regions=_unique(regions),
        countries=_unique(countries),
        sme=_flag(element.findtext("cbc:SMESuitableIndicator", namespaces=_NS)),
    )


def _texts(element: Element, path: str) -> Iterable[tuple[str | None, str | None]]:
    return ((e.get("languageID"), text_of(e)) for e in element.iterfind(path, _NS))


def _classifications(project: Element) -> tuple[Classification, ...]:
    """Main then additional CPV codes (8 digits, no check digit), unique."""
    found = []
    for path in (
        "cac:MainCommodityClassification/cbc:ItemClassificationCode",
        "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
    ):
        for element in project.iterfind(path, _NS):
            if _is_cpv_list(element):
                code = normalise_cpv(element.text)
                if code is not None:
                    found.append(Classification("CPV", code))
    return _unique(found)


def _is_cpv_list(element: Element) -> bool:
    """`listName="cpv"` (or none): the supplementary `cpvs` list is another vocabulary."""
    list_name = (element.get("listName") or "cpv").strip().lower()
    return list_name == "cpv"


def _amount(scope: Element | None) -> tuple[Decimal | None, str | None]:
    """The estimated amount (or a result's total) with its currency; 0 means not published."""
    if scope is None:
        return None, None
    for path in ("cbc:EstimatedOverallContractAmount", "cbc:TotalAmount"):
        element = scope.find(path, _NS)
        if element is not None:
            amount = parse_amount((element.text or "").strip())
            if amount:
                return amount, parse_currency(element.get("currencyID"))
    return None, None


# -- small helpers -----------------------------------------------------------------------------


def _date_time(
    date_text: str | None, time_text: str | None, *, end_of_day: bool = False
) -> datetime | None:
    """eForms splits dates and times, each with its offset: `2023-07-11+02:00` and
    `16:00:00+02:00`. Joined into one ISO timestamp; a date alone is read by `parse_datetime`
    (the day's last second for a deadline)."""
    if date_text is None or not date_text.strip():
        return None
    day = date_text.strip()
    if time_text is None or not time_text.strip():
        return parse_datetime(day, end_of_day=end_of_day)
    clock = time_text.strip()
    offset = day[10:]  # "+02:00", "Z" or ""
    if not _has_offset(clock) and offset:
        clock += offset
    return parse_datetime(f"{day[:10]}T{clock}") or parse_datetime(day, end_of_day=end_of_day)


def _has_offset(clock: str) -> bool:
    return clock.endswith(("Z", "z")) or "+" in clock or "-" in clock


def _flag(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    return True if value == "true" else False if value == "false" else None


def _any_flag(flags: Sequence[bool | None]) -> bool | None:
    """True when the procedure or any lot says so; False when one says no and none yes."""
    if True in flags:
        return True
    return False if False in flags else None


def _unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))
