"""One notice of the TED API v3 search (`POST /v3/notices/search`) -> one `NormalisedTender`.

The search answers with the fields it was asked for (`TED_FIELDS`), each named as in the TED
expert query language. Texts are per-language maps (`{"eng": "...", "deu": "..."}`, lot texts
as lists per language); English is kept when given, and the original language (the first
language of the texts TED does not machine-translate: buyer name, descriptions) is kept with
its code in `raw`. Lot fields are parallel arrays (`identifier-lot`, `title-lot`,
`estimated-value-lot`, ...): they become lots only where they line up with the lot ids.

When the notice's eForms XML was fetched, `normalise_ted_xml` parses it with
`parse_eforms_notice` and keeps the search's identity, so both paths update one tender.
Only `TedNoticeError` (a `NormaliseError`) is raised, naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from scanner.ingest.cpv import normalise_cpv
from scanner.ingest.dates import parse_datetime
from scanner.ingest.eforms import EformsFormatError, parse_eforms_notice
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.normalise import NormaliseError
from scanner.ingest.places import countries_of, region_code
from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.ingest.text import clean_text
from scanner.ingest.xml_countries import country_code

__all__ = [
    "TED_FIELDS",
    "TedNoticeError",
    "normalise_ted_notice",
    "normalise_ted_notice_with_xml",
    "normalise_ted_xml",
]

#: Exactly the fields the tender model needs; the spider requests these and no others.
TED_FIELDS: tuple[str, ...] = (
    "publication-number",
    "publication-date",
    "notice-type",
    "form-type",
    "procedure-type",
    "notice-title",
    "description-proc",
    "buyer-name",
    "buyer-country",
    "classification-cpv",
    "place-of-performance",
    "estimated-value-proc",
    "estimated-value-cur-proc",
    "identifier-lot",
    "title-lot",
    "description-lot",
    "estimated-value-lot",
    "estimated-value-cur-lot",
    "deadline-receipt-tender-date-lot",
    "links",
)
NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"
_PREFERRED = ("eng", "ENG", "en")
# The notice type's prefix -> OCDS-style status (cn = contract notice, can = award, pin = prior).
_STATUS_BY_PREFIX = {"cn": "active", "can": "complete", "pin": "planned", "veat": "complete"}
_STATUS_BY_FORM = {"competition": "active", "result": "complete", "planning": "planned"}


class TedNoticeError(NormaliseError):
    """The search notice cannot become a tender; `reason` says why (for the error log)."""


def normalise_ted_notice(notice: Mapping[str, Any], *, source: str = "ted") -> NormalisedTender:
    """Turn one notice of a TED v3 search answer into a `NormalisedTender`.

    `source_key` is the publication number (`67623-2022`). Raises `TedNoticeError` only.
    """
    if not isinstance(notice, Mapping):
        raise TedNoticeError(f"a notice must be a JSON object, not {type(notice).__name__}")
    try:
        return _normalise(notice, source)
    except TedNoticeError:
        raise
    except Exception as exc:  # pragma: no cover - a bug; reported per notice, never fatal
        raise TedNoticeError(f"internal error: {type(exc).__name__}: {exc}") from exc


def normalise_ted_xml(
    notice: Mapping[str, Any], xml: bytes, *, source: str = "ted"
) -> NormalisedTender:
    """The notice's eForms XML, parsed, under the search notice's identity (publication
    number, notice URL), so a notice read with and without its XML is one tender."""
    number = _publication_number(notice)
    try:
        tender = parse_eforms_notice(xml, source=source)
    except EformsFormatError as exc:
        raise TedNoticeError(f"notice {number} XML: {exc}") from exc
    return replace(
        tender,
        source_key=number,
        notice_id=number,
        notice_url=_notice_url(notice, number),
        raw={**tender.raw, "format": "ted-api+eforms", "notice": dict(notice)},
    )


def _normalise(notice: Mapping[str, Any], source: str) -> NormalisedTender:
    number = _publication_number(notice)
    title, title_lang = pick_text(notice.get("notice-title"))
    description, _ = pick_text(notice.get("description-proc"))
    buyer_name, _ = pick_text(notice.get("buyer-name"))
    lots = _lots(notice)
    if title is None:
        title = next((lot.title for lot in lots if lot.title), None)
    if title is None:
        raise TedNoticeError(f"notice {number}: no notice-title (request the field)")
    cpv_codes = _unique(
        [c for c in map(normalise_cpv, _strings(notice.get("classification-cpv"))) if c]
    )
    if len(lots) == 1 and not lots[0].classifications:
        lots = [replace(lots[0], classifications=_cpv(cpv_codes))]
    places = _strings(notice.get("place-of-performance"))
    regions = _unique([r for p in places if not _is_country(p) and (r := region_code(p))])
    country_codes = [country_code(c) for c in [*places, *_strings(notice.get("buyer-country"))]]
    countries = countries_of(
        [{"country": c} for c in country_codes if c and _is_country(c)], regions
    )
    value, currency = _money(
        notice.get("estimated-value-proc"), notice.get("estimated-value-cur-proc")
    )
    if value is None and len(lots) == 1:
        value, currency = lots[0].value_amount, lots[0].currency
    published = parse_datetime(_first(notice.get("publication-date")) or _first(notice.get("PD")))
    notice_type = clean_text(_first(notice.get("notice-type")))
    form_type = clean_text(_first(notice.get("form-type")))
    return NormalisedTender(
        source=source,
        source_key=number,
        title=title,
        notice_id=number,
        notice_url=_notice_url(notice, number),
        description=description,
        buyer_name=buyer_name,
        value_amount=value,
        currency=currency,
        published_at=published,
        deadline_at=_deadline(notice),
        updated_at=published,
        status=_status(notice_type, form_type),
        procedure_type=clean_text(_first(notice.get("procedure-type"))),
        main_cpv=cpv_codes[0] if cpv_codes else None,
        cpv_codes=cpv_codes,
        classifications=_cpv(cpv_codes),
        regions=regions,
        countries=countries,
        items=tuple(
            Item(
                id=lot.lot_id,
                description=lot.title,
                classifications=lot.classifications,
                related_lot=lot.lot_id,
            )
            for lot in lots
        ),
        lots=tuple(lots),
        notice_type=notice_type,
        raw={
            "format": "ted-api",
            "title_language": title_lang,
            "original": _original(notice),
            "notice": dict(notice),
        },
    )


# -- per-language texts ---------------------------------------------------------------------


def pick_text(value: object) -> tuple[str | None, str | None]:
    """The English text of a per-language map (else the first language's), with its
    language code; a plain string has no code. Lists (one text per lot) are joined."""
    if isinstance(value, Mapping):
        languages = [k for k in _PREFERRED if k in value] + [
            k for k in value if k not in _PREFERRED
        ]
        for language in languages:
            text = _joined(value[language])
            if text:
                return text, str(language).lower()
        return None, None
    return _joined(value), None


def language_texts(value: object) -> dict[str, list[str]]:
    """A per-language map as `{code: [texts]}` (a lot field has one text per lot)."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k).lower(): [t for t in map(clean_text, _list(v)) if t] for k, v in value.items()}


def _original(notice: Mapping[str, Any]) -> dict[str, Any]:
    """The notice's own language and its texts: buyer names and descriptions are published
    in the notice's languages only, while titles are translated into all of them."""
    for field in ("buyer-name", "description-proc", "description-lot", "title-lot"):
        value = notice.get(field)
        if isinstance(value, Mapping) and value:
            language = str(next(iter(value))).lower()
            titles = language_texts(notice.get("notice-title")).get(language)
            description = language_texts(notice.get("description-proc")).get(language)
            return {
                "language": language,
                "title": titles[0] if titles else None,
                "description": description[0] if description else None,
            }
    return {"language": None, "title": None, "description": None}


def _joined(value: object) -> str | None:
    texts = [t for t in map(clean_text, _list(value)) if t]
    return " ".join(dict.fromkeys(texts)) if texts else None


# -- lots -----------------------------------------------------------------------------------


def _lots(notice: Mapping[str, Any]) -> list[Lot]:
    """Lots from the parallel arrays; a field is used only when it has one entry per lot id
    (otherwise its entries cannot be told apart and are left to the notice level)."""
    ids = _strings(notice.get("identifier-lot"))
    if not ids:
        return []
    count = len(ids)
    titles = _per_lot(_lot_texts(notice.get("title-lot")), count)
    descriptions = _per_lot(_lot_texts(notice.get("description-lot")), count)
    values = _per_lot(_list(notice.get("estimated-value-lot")), count)
    currencies = _per_lot(_list(notice.get("estimated-value-cur-lot")), count)
    lots = []
    for index, lot_id in enumerate(ids):
        amount, currency = _money(values[index], currencies[index])
        lots.append(
            Lot(
                lot_id=lot_id,
                title=clean_text(titles[index]),
                description=clean_text(descriptions[index]),
                value_amount=amount,
                currency=currency,
            )
        )
    return _unique_lots(lots)


def _lot_texts(value: object) -> list[Any]:
    """One text per lot, in English when given."""
    if isinstance(value, Mapping):
        for language in [k for k in _PREFERRED if k in value] + list(value):
            texts = _list(value[language])
            if texts:
                return texts
        return []
    return _list(value)


def _per_lot(values: list[Any], count: int) -> list[Any]:
    return values if len(values) == count else [None] * count


def _unique_lots(lots: list[Lot]) -> list[Lot]:
    seen: dict[str, Lot] = {}
    for lot in lots:
        seen.setdefault(lot.lot_id, lot)
    return list(seen.values())


# -- small reads ----------------------------------------------------------------------------


def _publication_number(notice: Mapping[str, Any]) -> str:
    number = clean_text(_first(notice.get("publication-number")) or _first(notice.get("ND")))
    if number is None:
        raise TedNoticeError("no publication-number")
    return number


def _notice_url(notice: Mapping[str, Any], number: str) -> str:
    links = notice.get("links")
    html = links.get("html") if isinstance(links, Mapping) else None
    if isinstance(html, Mapping):
        for language in ("ENG", *html):
            url = html.get(language)
            if isinstance(url, str) and url.startswith("http"):
                return url
    return NOTICE_URL.format(number)


def _deadline(notice: Mapping[str, Any]) -> datetime | None:
    """The earliest lot deadline: the first moment a bidder can miss."""
    dates = [
        parse_datetime(d, end_of_day=True)
        for d in _strings(notice.get("deadline-receipt-tender-date-lot"))
    ]
    found = [d for d in dates if d is not None]
    return min(found) if found else None


def _status(notice_type: str | None, form_type: str | None) -> str | None:
    if form_type and form_type.lower() in _STATUS_BY_FORM:
        return _STATUS_BY_FORM[form_type.lower()]
    if notice_type:
        return _STATUS_BY_PREFIX.get(notice_type.lower().split("-")[0])
    return None


def _money(amount: object, currency: object) -> tuple[Decimal | None, str | None]:
    value = parse_amount(_first(amount))
    if value is None:
        return None, None
    return value, parse_currency(_first(currency))


def _cpv(codes: Sequence[str]) -> tuple[Classification, ...]:
    return tuple(Classification(scheme="CPV", code=code) for code in codes)


def _is_country(code: str) -> bool:
    return (len(code) == 3 and code.isalpha()) or (len(code) == 2 and code.isalpha())


def _list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _first(value: object) -> Any:
    values = _list(value)
    return values[0] if values else None


def _strings(value: object) -> list[str]:
    return [text for text in (clean_text(v) for v in _list(value)) if text]


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def normalise_ted_notice_with_xml(
    record: tuple[Mapping[str, Any], bytes], *, source: str = "ted"
) -> NormalisedTender:
    """The tender from the notice's XML; when the XML cannot be used, from the search fields,
    with the XML's problem kept in `raw["xml_error"]` (the search fields still make a tender)."""
    notice, xml = record
    try:
        return normalise_ted_xml(notice, xml, source=source)
    except TedNoticeError as exc:
        tender = normalise_ted_notice(notice, source=source)
        return replace(tender, raw={**tender.raw, "xml_error": exc.reason})
