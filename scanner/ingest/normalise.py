"""One OCDS (compiled) release -> one `NormalisedTender`.

Publishers put the same facts in different places (CPV on the tender, on items, in additional
classifications, on lots; the buyer in `buyer`, in `parties` or as `procuringEntity`) and send
any JSON type in any field. Every read here is type-checked, so a bad field costs that field,
never the tender: the only exception is `NormaliseError`, when there is no ocid or no title.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from scanner.ingest.cpv import cpv_of, is_cpv_scheme
from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.ocds import strip_personal_data
from scanner.ingest.places import countries_of, delivery_addresses, regions_of
from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.ingest.text import clean_text

__all__ = ["NormaliseError", "normalise_release"]

_EMPTY: Mapping[str, Any] = {}
_TITLE_FALLBACK_LENGTH = 200


class NormaliseError(ValueError):
    """The release cannot become a tender; `reason` says why (for the error log)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def normalise_release(
    release: Mapping[str, Any],
    *,
    source: str,
    default_tz: str = "UTC",
    notice_url: str | None = None,
) -> NormalisedTender:
    """Turn an OCDS release (ideally compiled) into a `NormalisedTender`.

    `default_tz` reads naive dates; `notice_url` is used when the release links no notice.
    Raises `NormaliseError` only.
    """
    if not isinstance(release, Mapping):
        raise NormaliseError(f"a release must be a JSON object, not {type(release).__name__}")
    if not isinstance(release, dict):
        release = dict(release)
    try:
        return _normalise(release, source, default_tz, notice_url)
    except NormaliseError:
        raise
    except RecursionError:
        raise NormaliseError("release nested too deeply") from None
    except Exception as exc:  # pragma: no cover - a bug; reported per record, never fatal
        raise NormaliseError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _normalise(
    release: Mapping[str, Any], source: str, default_tz: str, notice_url: str | None
) -> NormalisedTender:
    ocid = _text_id(release.get("ocid"))
    if ocid is None:
        raise NormaliseError("no ocid")
    tender = _obj(release.get("tender"))
    lots_raw = [lot for lot in _list(tender.get("lots")) if isinstance(lot, dict)]
    items_raw = [item for item in _list(tender.get("items")) if isinstance(item, dict)]
    title = _title(tender, lots_raw, release)
    description = clean_text(tender.get("description"))
    if description is None:
        description = clean_text(release.get("description"))
    buyer_name, buyer_id, buyer_party = _buyer(release, tender)
    value = _obj(tender.get("value"))
    documents = [doc for doc in _list(tender.get("documents")) if isinstance(doc, dict)]
    released_at = parse_datetime(release.get("date"), tz=default_tz)

    items = tuple(_item(raw, index) for index, raw in enumerate(items_raw))
    lots = _lots(lots_raw, items)
    classifications = _unique_classifications(
        _all_classifications(release, tender, items_raw, lots_raw)
    )
    cpv_codes = tuple(dict.fromkeys(c.code for c in classifications if c.scheme == "CPV"))
    regions = _unique(region for item in items for region in item.regions)
    regions += tuple(r for r in regions_of(tender) if r not in regions)

    return NormalisedTender(
        source=source,
        source_key=ocid,
        title=title,
        ocid=ocid,
        notice_id=_text_id(release.get("id")) or _text_id(tender.get("id")),
        notice_url=_notice_url(documents) or notice_url,
        description=description,
        buyer_name=buyer_name,
        buyer_id=buyer_id,
        value_amount=_amount(value),
        currency=parse_currency(value.get("currency")),
        published_at=(
            parse_datetime(tender.get("datePublished"), tz=default_tz)
            or _notice_published(documents, default_tz)
            or released_at
        ),
        deadline_at=parse_datetime(
            _obj(tender.get("tenderPeriod")).get("endDate"), tz=default_tz, end_of_day=True
        ),
        updated_at=released_at,
        status=_code(tender.get("status")),
        procedure_type=(
            clean_text(tender.get("procurementMethodDetails"))
            or clean_text(tender.get("procurementMethod"))
        ),
        main_cpv=_main_cpv(tender, items_raw, cpv_codes),
        cpv_codes=cpv_codes,
        classifications=classifications,
        regions=regions,
        countries=countries_of(
            [
                *(a for item in items_raw for a in delivery_addresses(item)),
                *delivery_addresses(tender),
                _obj(buyer_party.get("address")),
            ],
            regions,
        ),
        items=items,
        lots=lots,
        suitable_sme=_suitability(tender, lots_raw, "sme", "isSuitableForSme"),
        suitable_vcse=_suitability(tender, lots_raw, "vcse", "isSuitableForVco"),
        notice_type=_notice_type(release, documents),
        raw=strip_personal_data(release),
    )


# -- safe access -------------------------------------------------------------------------------


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else _EMPTY


def _list(value: object) -> list[Any]:
    """A list as is; one object (where a publisher wrote an object for a list) as a list."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


def _text_id(value: object) -> str | None:
    """Identifiers: strings or integers (OCDS allows both), never booleans or floats."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _code(value: object) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text.lower() if text and len(text) <= 64 else None


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def _unique_classifications(values: Iterable[Classification]) -> tuple[Classification, ...]:
    """Unique by (scheme, code): the first description wins."""
    found: dict[tuple[str, str], Classification] = {}
    for value in values:
        found.setdefault((value.scheme, value.code), value)
    return tuple(found.values())


def _amount(value: Mapping[str, Any]) -> Decimal | None:
    """`amount`, else `amountGross` (FTS); 0 means "not published" (Mexico, Contracts Finder)."""
    for key in ("amount", "amountGross"):
        amount = parse_amount(value.get(key))
        if amount:
            return amount
    return None


# -- fields ------------------------------------------------------------------------------------


def _title(
    tender: Mapping[str, Any], lots: Sequence[Mapping[str, Any]], release: Mapping[str, Any]
) -> str:
    title = clean_text(tender.get("title"))
    if title is not None:
        return title
    for lot in lots:
        title = clean_text(lot.get("title"))
        if title is not None:
            return title
    for source in (tender.get("description"), release.get("description")):
        text = clean_text(source)
        if text is not None:
            line = text.split("\n", 1)[0]
            if len(line) > _TITLE_FALLBACK_LENGTH:
                line = line[: _TITLE_FALLBACK_LENGTH - 1].rstrip() + "…"
            return line
    for key in ("awards", "contracts"):
        for entry in _list(release.get(key)):
            title = clean_text(_obj(entry).get("title"))
            if title is not None:
                return title
    raise NormaliseError("no usable title (tender, lots, description, awards, contracts)")


def _buyer(
    release: Mapping[str, Any], tender: Mapping[str, Any]
) -> tuple[str | None, str | None, Mapping[str, Any]]:
    """Name, party id and the party object of the buyer (`buyer`, role "buyer", procuringEntity)."""
    parties = [p for p in _list(release.get("parties")) if isinstance(p, dict)]
    buyer = _obj(release.get("buyer"))
    buyer_id = _text_id(buyer.get("id"))
    party: Mapping[str, Any] = _EMPTY
    if buyer_id is not None:
        party = next((p for p in parties if _text_id(p.get("id")) == buyer_id), _EMPTY)
    else:
        party = next((p for p in parties if _has_role(p, "buyer")), _EMPTY)
        buyer_id = _text_id(party.get("id"))
    name = clean_text(buyer.get("name")) or clean_text(party.get("name"))
    if name is None and buyer_id is None:
        entity = _obj(tender.get("procuringEntity"))
        name, buyer_id = clean_text(entity.get("name")), _text_id(entity.get("id"))
    return name, buyer_id, party or buyer


def _has_role(party: Mapping[str, Any], role: str) -> bool:
    return any(isinstance(r, str) and r.strip().lower() == role for r in _list(party.get("roles")))


def _notice_url(documents: Sequence[Mapping[str, Any]]) -> str | None:
    """The `tenderNotice` document's URL, preferring the HTML notice over attachments."""
    urls = [
        (doc.get("format") != "text/html", index, doc["url"].strip())
        for index, doc in enumerate(documents)
        if doc.get("documentType") == "tenderNotice"
        and isinstance(doc.get("url"), str)
        and doc["url"].strip().startswith(("http://", "https://"))
    ]
    return str(min(urls)[2]) if urls else None


def _notice_published(documents: Sequence[Mapping[str, Any]], tz: str) -> datetime | None:
    for doc in documents:
        if doc.get("documentType") == "tenderNotice":
            published = parse_datetime(doc.get("datePublished"), tz=tz)
            if published is not None:
                return published
    return None


def _notice_type(
    release: Mapping[str, Any], tender_documents: Sequence[Mapping[str, Any]]
) -> str | None:
    """FTS notice type (UK1..UK17): the latest document carrying one, else the release's own."""
    documents = list(tender_documents)
    for key in ("awards", "contracts"):
        for entry in _list(release.get(key)):
            if isinstance(entry, dict):
                documents += [d for d in _list(entry.get("documents")) if isinstance(d, dict)]
    found: list[tuple[datetime | None, int, str]] = [
        (parse_datetime(doc.get("datePublished")), index, str(doc["noticeType"]).strip())
        for index, doc in enumerate(documents)
        if isinstance(doc.get("noticeType"), str) and doc["noticeType"].strip()
    ]
    if found:
        dated = [(at, index, kind) for at, index, kind in found if at is not None]
        return max(dated)[2] if dated else found[-1][2]
    notice_type = release.get("noticeType")
    if isinstance(notice_type, str) and notice_type.strip():
        return notice_type.strip()
    return None


def _classification(raw: object) -> Classification | None:
    if not isinstance(raw, dict):
        return None
    cpv = cpv_of(raw)
    if cpv is not None:
        return Classification("CPV", cpv, clean_text(raw.get("description")))
    scheme = raw.get("scheme")
    code = _text_id(raw.get("id"))
    if not isinstance(scheme, str) or not scheme.strip() or code is None:
        return None
    if is_cpv_scheme(scheme):
        return None  # a CPV scheme with an id that is not a CPV code
    return Classification(scheme.strip(), code, clean_text(raw.get("description")))


def _classifications_of(obj: Mapping[str, Any]) -> Iterator[Classification]:
    for raw in (obj.get("classification"), *_list(obj.get("additionalClassifications"))):
        found = _classification(raw)
        if found is not None:
            yield found


def _all_classifications(
    release: Mapping[str, Any],
    tender: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    lots: Sequence[Mapping[str, Any]],
) -> Iterator[Classification]:
    """Every classification, in the order of authority: tender, items, lots, awarded items."""
    yield from _classifications_of(tender)
    for item in items:
        yield from _classifications_of(item)
    for lot in lots:
        yield from _classifications_of(lot)
    for key in ("awards", "contracts"):
        for entry in _list(release.get(key)):
            for item in _list(_obj(entry).get("items")):
                if isinstance(item, dict):
                    yield from _classifications_of(item)


def _main_cpv(
    tender: Mapping[str, Any], items: Sequence[Mapping[str, Any]], cpv_codes: tuple[str, ...]
) -> str | None:
    main = cpv_of(tender.get("classification"))
    if main is None and items:
        main = cpv_of(items[0].get("classification"))
    return main or (cpv_codes[0] if cpv_codes else None)


def _item(raw: Mapping[str, Any], index: int) -> Item:
    return Item(
        id=_text_id(raw.get("id")) or str(index + 1),
        description=clean_text(raw.get("description")),
        classifications=_unique_classifications(_classifications_of(raw)),
        related_lot=_text_id(raw.get("relatedLot")),
        regions=regions_of(raw),
    )


def _lots(lots_raw: Sequence[Mapping[str, Any]], items: tuple[Item, ...]) -> tuple[Lot, ...]:
    by_lot: dict[str, list[Item]] = {}
    for item in items:
        if item.related_lot is not None:
            by_lot.setdefault(item.related_lot, []).append(item)
    lots = []
    for index, raw in enumerate(lots_raw):
        lot_id = _text_id(raw.get("id")) or str(index + 1)
        related = by_lot.get(lot_id, [])
        listed = [i for i in map(_listed_item_id, _list(raw.get("items"))) if i is not None]
        related_ids = _unique([item.id for item in related] + listed)
        own = _unique_classifications(_classifications_of(raw))
        if not own:
            members = related or [item for item in items if item.id in listed]
            own = _unique_classifications(c for item in members for c in item.classifications)
        value = _obj(raw.get("value"))
        lots.append(
            Lot(
                lot_id=lot_id,
                title=clean_text(raw.get("title")),
                description=clean_text(raw.get("description")),
                value_amount=_amount(value),
                currency=parse_currency(value.get("currency")),
                status=_code(raw.get("status")),
                classifications=own,
                related_items=related_ids,
            )
        )
    return tuple(lots)


def _listed_item_id(entry: object) -> str | None:
    """OCDS 1.0-era `lots[].items`: item ids (or item objects with an id)."""
    if isinstance(entry, dict):
        return _text_id(entry.get("id"))
    return _text_id(entry)


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def _suitability(
    tender: Mapping[str, Any], lots: Sequence[Mapping[str, Any]], key: str, legacy_key: str
) -> bool | None:
    """Tender-level suitability, else any lot's (FTS), else Contracts Finder's 2014 flags."""
    flag = _flag(_obj(tender.get("suitability")).get(key))
    if flag is not None:
        return flag
    lot_flags = [_flag(_obj(lot.get("suitability")).get(key)) for lot in lots]
    if True in lot_flags:
        return True
    if False in lot_flags:
        return False
    return _flag(_obj(tender.get("xClassifications")).get(legacy_key))
