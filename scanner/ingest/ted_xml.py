"""One legacy TED XML notice (`TED_EXPORT`) -> one `NormalisedTender`.

TED published notices this way until eForms (2023): the 2014 forms (`F02_2014`...) in schema
R2.0.9, and before them (and for defence notices until 2024) the older forms (`CONTRACT`,
`CONTRACT_AWARD`...) of R2.0.8 / R2.0.7, read by `scanner.ingest.xml_ted_r208`. An export holds
the notice once per language (the original and translations in `FORM_SECTION`): the English
form is read when there is one, else the original. Elements are found under the root's own
namespace URI (it has had several spellings), NUTS codes under any NUTS namespace URI.

Lots are the `OBJECT_CONTRACT/OBJECT_DESCR` entries (`LOT_NO`); a procedure not divided into
lots has one `OBJECT_DESCR` without a number and so one lot, as eForms has `LOT-0001`. As in
`scanner.ingest.eforms`, every lot is also one `Item` (id and `related_lot` = lot id, the lot's
CPV codes and NUTS regions), since TED lists no items. A lot naming no CPV code of its own
inherits the procedure's main CPV (the lot is within the procedure's subject); a lot without a
title takes the procedure's when it is the only one, else its description's first line. Lots
of award notices without an estimate take their awarded value.

Only `TedXmlFormatError` (a `ValueError`) is raised, naming what is wrong.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from scanner.ingest.dates import parse_datetime
from scanner.ingest.places import countries_of
from scanner.ingest.tender import Classification, Lot, NormalisedTender
from scanner.ingest.text import clean_text
from scanner.ingest.xml_countries import country_code
from scanner.ingest.xml_safe import Element, local_name, namespace, parse_untrusted_xml
from scanner.ingest.xml_ted_common import (
    FormFacts,
    LotWithRegions,
    TedReader,
    cpv_of,
    item_of,
    nuts_of,
    titled,
    unique,
    zone_of,
)
from scanner.ingest.xml_ted_r208 import r208_facts

__all__ = ["TedXmlFormatError", "parse_ted_notice"]

_TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"
_ENGLISH = "EN"
# Form number -> OCDS-style status, for forms without a `NOTICE TYPE` saying more. R2.0.8
# numbers its forms "2", "3"... with the same meanings (16-19: defence).
_STATUS_BY_FORM = {
    "F01": "planning", "F04": "planning", "F08": "planning", "F16": "planning",
    "F02": "active", "F05": "active", "F07": "active", "F09": "active", "F10": "active",
    "F11": "active", "F12": "active", "F17": "active", "F19": "active", "F24": "active",
    "F03": "complete", "F06": "complete", "F13": "complete", "F15": "complete",
    "F18": "complete", "F20": "complete", "F25": "complete",
}  # fmt: skip
# `CODIF_DATA/TD_DOCUMENT_TYPE/@CODE` -> status, when the form says nothing usable.
_STATUS_BY_DOCUMENT_TYPE = {
    "0": "planning", "P": "planning", "3": "active", "Y": "active",
    "7": "complete", "V": "complete",
}  # fmt: skip


class TedXmlFormatError(ValueError):
    """The document is not a usable TED XML notice; `reason` says why (for the error log)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def parse_ted_notice(data: bytes, *, source: str = "ted") -> NormalisedTender:
    """Parse a legacy TED XML export (`TED_EXPORT`). Raises `TedXmlFormatError`.

    `source_key` is the TED notice number (`DOC_ID`, e.g. `209416-2020`): legacy notices carry
    no procedure identifier shared by the notices of one procedure.
    """
    root = parse_untrusted_xml(data, TedXmlFormatError)
    if local_name(root) != "TED_EXPORT":
        hint = " (eForms: use parse_eforms_notice)" if "ubl" in (namespace(root) or "") else ""
        raise TedXmlFormatError(
            f"root element {local_name(root) or '?'} is not TED_EXPORT: not legacy TED XML{hint}"
        )
    try:
        return _parse(root, TedReader(namespace(root)), source)
    except TedXmlFormatError:
        raise
    except RecursionError:
        raise TedXmlFormatError("notice nested too deeply") from None
    except Exception as exc:  # pragma: no cover - a bug; reported per notice, never fatal
        raise TedXmlFormatError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _parse(root: Element, r: TedReader, source: str) -> NormalisedTender:
    form, language = _form(root, r)
    doc_id = clean_text(root.get("DOC_ID"))
    if doc_id is None:
        raise TedXmlFormatError("no notice number (TED_EXPORT/@DOC_ID)")
    notice_data = r.find(root, "CODED_DATA_SECTION/NOTICE_DATA")
    codif = r.find(root, "CODED_DATA_SECTION/CODIF_DATA")
    # The coded section's country is the buyer's; else the first address of the form, the buyer's.
    buyer_country = country_code(r.attr(notice_data, "ISO_COUNTRY", "VALUE")) or country_code(
        r.attr(form, ".//COUNTRY", "VALUE")
    )
    zone = zone_of(buyer_country)
    contract = r.find(form, "OBJECT_CONTRACT")
    facts = _r209_facts(form, contract, r, zone) if contract is not None else None
    if facts is None:
        facts = r208_facts(form, r, zone)
    title = facts.title or _fallback_title(facts.lots, root, r)
    lots = [(titled(lot, title, len(facts.lots)), regions) for lot, regions in facts.lots]

    procedure_codes = [Classification("CPV", facts.main_cpv)] if facts.main_cpv else []
    if notice_data is not None:
        procedure_codes += cpv_of(r.findall(notice_data, "ORIGINAL_CPV"))
    classifications = unique(
        [*procedure_codes, *(c for lot, _ in lots for c in lot.classifications)]
    )
    cpv_codes = tuple(c.code for c in classifications)
    regions = unique(
        [*facts.regions, *(region for _, lot_regions in lots for region in lot_regions)]
    )
    if not regions and notice_data is not None:
        regions = nuts_of(
            [e for e in notice_data if local_name(e) in {"PERFORMANCE_NUTS", "ORIGINAL_NUTS"}],
            r.ns,
        )
    value, currency = facts.value_amount, facts.currency
    if value is None and notice_data is not None:
        value, currency = r.amount(notice_data, "VALUES/VALUE")
    published = parse_datetime(r.text(root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB"))
    form_code = _form_code(form)
    return NormalisedTender(
        source=source,
        source_key=doc_id,
        title=title,
        notice_id=doc_id,
        notice_url=_TED_NOTICE_URL.format(doc_id),
        description=facts.description,
        buyer_name=facts.buyer_name,
        buyer_id=facts.buyer_id,
        value_amount=value,
        currency=currency,
        published_at=published,
        deadline_at=facts.deadline_at or _coded_deadline(codif, r, zone),
        updated_at=published,
        status=_status(form, r, form_code, codif),
        procedure_type=facts.procedure_type or r.text(codif, "PR_PROC"),
        main_cpv=facts.main_cpv or (cpv_codes[0] if cpv_codes else None),
        cpv_codes=cpv_codes,
        classifications=classifications,
        regions=regions,
        countries=countries_of([{"country": buyer_country}] if buyer_country else [], regions),
        items=tuple(item_of(lot, lot_regions) for lot, lot_regions in lots),
        lots=tuple(lot for lot, _ in lots),
        notice_type=form_code,
        raw={
            "format": "ted-xml",
            "doc_id": doc_id,
            "version": root.get("VERSION"),
            "form": form_code,
            "grammar": "R2.0.9" if contract is not None else "R2.0.8",
            "document_type": r.text(codif, "TD_DOCUMENT_TYPE"),
            # TED's coded type of buyer (1 ministry, 3 regional or local, 4 utilities entity,
            # 6 body governed by public law...): which EU threshold applies to it.
            "authority_type": r.attr(codif, "AA_AUTHORITY_TYPE", "CODE"),
            "authority_type_name": r.text(codif, "AA_AUTHORITY_TYPE"),
            "language": language,
            "ojs_number": r.text(notice_data, "NO_DOC_OJS"),
            **award_terms(form),
        },
    )


# Reserved contracts (`LEFTI`, for the whole notice): Directive 2014/24/EU Art. 20 (sheltered
# workshops and operators integrating disabled or disadvantaged persons, or performance in
# sheltered employment programmes) and, in F21/F22, Art. 77 (organisations with a public
# service mission). R2.0.8 (defence forms) nests its two flags in `RESERVED_CONTRACTS`.
_RESERVED_TAGS = {
    "RESTRICTED_SHELTERED_WORKSHOP": "sheltered_workshop",
    "RESTRICTED_SHELTERED_PROGRAM": "sheltered_workshop",
    "RESTRICTED_TO_SHELTERED_WORKSHOPS": "sheltered_workshop",
    "RESTRICTED_TO_FRAMEWORK": "sheltered_workshop",
    "RESERVED_ORGANISATIONS_SERVICE_MISSION": "public_service_mission",
}


def award_terms(form: Element) -> dict[str, Any]:
    """The form's framework agreement (`FRAMEWORK`, with `NB_PARTICIPANTS` when it caps the
    operators) and dynamic purchasing system (`DPS`), read by
    `scanner.matching.value_basis`, and its reservation (`reserved`: "sheltered_workshop",
    "public_service_mission"), read by `scanner.matching.reserved`. Tags are compared by
    local name (R2.0.8 and R2.0.9)."""
    found: dict[str, Any] = {}
    reserved: dict[str, None] = {}
    for element in form.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name in _RESERVED_TAGS:
            reserved[_RESERVED_TAGS[name]] = None
        elif name == "FRAMEWORK":
            found["framework"] = True
        elif name == "DPS":
            found["dps"] = True
        elif name == "NB_PARTICIPANTS" and (element.text or "").strip().isdigit():
            found["max_participants"] = int((element.text or "").strip())
    if reserved:
        found["reserved"] = sorted(reserved)
    return found


# -- notice-level reads ------------------------------------------------------------------------


def _form(root: Element, r: TedReader) -> tuple[Element, str | None]:
    """The form to read, with its language: English, else the original, else the first."""
    section = r.find(root, "FORM_SECTION")
    forms = [child for child in section if local_name(child)] if section is not None else []
    if not forms:
        raise TedXmlFormatError("no form in FORM_SECTION")
    for form in forms:
        if (form.get("LG") or "").strip().upper() == _ENGLISH:
            return form, _ENGLISH
    for form in forms:
        if (form.get("CATEGORY") or "").strip().upper() == "ORIGINAL":
            return form, (form.get("LG") or "").strip().upper() or None
    return forms[0], (forms[0].get("LG") or "").strip().upper() or None


def _form_code(form: Element) -> str:
    """`F02` for `FORM="F02"` (R2.0.9) and `FORM="2"` (R2.0.8); else from the element name."""
    code = (form.get("FORM") or "").strip().upper()
    if code.isdigit():
        return f"F{int(code):02d}"
    return code or local_name(form)[:3].upper()


def _fallback_title(lots: list[LotWithRegions], root: Element, r: TedReader) -> str:
    for lot, _ in lots:
        if lot.title is not None:
            return lot.title
    # The translated titles TED writes itself ("Country-Town: CPV label"): better than none.
    for language in (_ENGLISH, None):
        where = f"[@LG='{language}']" if language else ""
        text = r.text(root, f"TRANSLATION_SECTION/ML_TITLES/ML_TI_DOC{where}/TI_TEXT")
        if text is not None:
            return text
    raise TedXmlFormatError("no title: no contract title, no lot title, no translated title")


def _status(form: Element, r: TedReader, form_code: str, codif: Element | None) -> str | None:
    """OCDS-style status from the form's `NOTICE TYPE` (F01, F04, F21-F23), else its number,
    else the coded document type."""
    notice_type = (r.attr(form, "NOTICE", "TYPE") or "").upper()
    if notice_type:
        if "AWARD" in notice_type:
            return "complete"
        if "CALL_COMPETITION" in notice_type or notice_type in {"CONTRACT", "QUALIFICATION"}:
            return "active"
        return "planning"  # PRI_ONLY, PER_ONLY, PER_REDUCING_TIME_LIMITS, ...
    status = _STATUS_BY_FORM.get(form_code)
    if status is None:
        status = _STATUS_BY_DOCUMENT_TYPE.get(r.attr(codif, "TD_DOCUMENT_TYPE", "CODE") or "")
    return status


def _coded_deadline(codif: Element | None, r: TedReader, zone: str) -> datetime | None:
    """`CODIF_DATA/DT_DATE_FOR_SUBMISSION`, TED's own copy of the deadline (`20200605 12:00`)."""
    text = r.text(codif, "DT_DATE_FOR_SUBMISSION")
    if text is None or len(text) < 8 or not text[:8].isdigit():
        return None
    day = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    clock = text[8:].strip()
    if clock:
        at = parse_datetime(f"{day}T{clock}", tz=zone)
        if at is not None:
            return at
    return parse_datetime(day, tz=zone, end_of_day=True)


# -- the R2.0.9 form grammar (F01_2014 ... F25_2014) ------------------------------------------


def _r209_facts(form: Element, contract: Element, r: TedReader, zone: str) -> FormFacts:
    buyer = r.find(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY")
    main_cpv_codes = cpv_of(r.findall(contract, "CPV_MAIN/CPV_CODE"))
    main_cpv = main_cpv_codes[0].code if main_cpv_codes else None
    value, currency = r.amount(contract, "VAL_ESTIMATED_TOTAL", "VAL_TOTAL")
    return FormFacts(
        title=r.text(contract, "TITLE"),
        description=r.text(contract, "SHORT_DESCR"),
        buyer_name=r.text(buyer, "OFFICIALNAME"),
        buyer_id=r.text(buyer, "NATIONALID"),
        main_cpv=main_cpv,
        lots=_r209_lots(form, contract, r, main_cpv),
        regions=(),  # R2.0.9 places every lot (OBJECT_DESCR/NUTS), not the procedure
        value_amount=value,
        currency=currency,
        deadline_at=_r209_deadline(form, r, zone),
        procedure_type=_r209_procedure_type(form, r),
    )


def _r209_procedure_type(form: Element, r: TedReader) -> str | None:
    """`PT_OPEN` -> `open`, `PT_AWARD_CONTRACT_WITHOUT_CALL` -> `award-contract-without-call`."""
    procedure = r.find(form, "PROCEDURE")
    if procedure is not None:
        for element in procedure.iter():
            name = local_name(element)
            if name.startswith("PT_"):
                return name[3:].lower().replace("_", "-")
    return None


def _r209_deadline(form: Element, r: TedReader, zone: str) -> datetime | None:
    day = r.text(form, "PROCEDURE/DATE_RECEIPT_TENDERS")
    if day is None:
        return None
    clock = r.text(form, "PROCEDURE/TIME_RECEIPT_TENDERS")
    if clock is not None:
        at = parse_datetime(f"{day}T{clock}", tz=zone)
        if at is not None:
            return at
    return parse_datetime(day, tz=zone, end_of_day=True)


def _r209_lots(
    form: Element, contract: Element, r: TedReader, main_cpv: str | None
) -> list[LotWithRegions]:
    """Each `OBJECT_DESCR` as a lot, with its NUTS regions."""
    awarded = _r209_awarded_values(form, r)
    found: list[LotWithRegions] = []
    seen: set[str] = set()
    for index, descr in enumerate(r.findall(contract, "OBJECT_DESCR"), start=1):
        lot_id = r.text(descr, "LOT_NO") or clean_text(descr.get("ITEM")) or str(index)
        if lot_id in seen:  # a repeated number: keep both lots, distinguishable
            lot_id = f"{lot_id}#{index}"
        seen.add(lot_id)
        codes = cpv_of(
            r.findall(descr, "CPV_MAIN/CPV_CODE") + r.findall(descr, "CPV_ADDITIONAL/CPV_CODE")
        )
        if not codes and main_cpv is not None:
            codes = [Classification("CPV", main_cpv)]
        value, currency = r.amount(descr, "VAL_OBJECT", "VAL_TOTAL")
        if value is None:
            value, currency = awarded.get(lot_id, (None, None))
        lot = Lot(
            lot_id=lot_id,
            title=r.text(descr, "TITLE"),
            description=r.text(descr, "SHORT_DESCR"),
            value_amount=value,
            currency=currency,
            classifications=unique(codes),
            related_items=(lot_id,),
        )
        nuts = [e for e in descr if local_name(e) == "NUTS"]
        found.append((lot, nuts_of(nuts, r.ns)))
    return found


def _r209_awarded_values(form: Element, r: TedReader) -> dict[str, tuple[Decimal, str | None]]:
    """The first awarded value of each lot (award notices: F03, F06, F15, F21...)."""
    values: dict[str, tuple[Decimal, str | None]] = {}
    for award in r.findall(form, "AWARD_CONTRACT"):
        lot_id = r.text(award, "LOT_NO") or "1"
        if lot_id in values:
            continue
        amount, currency = r.amount(
            award,
            "AWARDED_CONTRACT/VALUES/VAL_TOTAL",
            "AWARDED_CONTRACT/VALUES/VAL_ESTIMATED_TOTAL",
        )
        if amount is not None:
            values[lot_id] = (amount, currency)
    return values
