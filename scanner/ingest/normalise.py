"""One OCDS (compiled) release -> one `NormalisedTender`.

Publishers put the same facts in different places (CPV on the tender, on items, in additional
classifications, on lots; the buyer in `buyer`, in `parties` or as `procuringEntity`) and send
any JSON type in any field. Every read here is type-checked, so a bad field costs that field,
never the tender: the only exception is `NormaliseError`, when there is no ocid or no title.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from scanner.ingest.cpv import cpv_of, is_cpv_scheme, normalise_cpv
from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.ocds import strip_personal_data
from scanner.ingest.places import (
    countries_of,
    delivery_addresses,
    place_names_of,
    regions_of,
)
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
    personal_data_stripped: bool = False,
) -> NormalisedTender:
    """Turn an OCDS release (ideally compiled) into a `NormalisedTender`.

    `default_tz` reads naive dates; `notice_url` is used when the release links no notice;
    `personal_data_stripped` says the caller has already passed `release` through
    `strip_personal_data` (the store does, before it writes the release), so the tender's
    `raw` is `release` itself without a second scan. Raises `NormaliseError` only.
    """
    if type(release) is not dict:  # (exact type first: an ABC check costs more than it looks)
        if not isinstance(release, Mapping):
            raise NormaliseError(f"a release must be a JSON object, not {type(release).__name__}")
        if not isinstance(release, dict):
            release = dict(release)
    try:
        return _normalise(release, source, default_tz, notice_url, personal_data_stripped)
    except NormaliseError:
        raise
    except RecursionError:
        raise NormaliseError("release nested too deeply") from None
    except Exception as exc:  # pragma: no cover - a bug; reported per record, never fatal
        raise NormaliseError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _normalise(
    release: Mapping[str, Any],
    source: str,
    default_tz: str,
    notice_url: str | None,
    stripped: bool = False,
) -> NormalisedTender:
    ocid = _text_id(release.get("ocid"))
    if ocid is None:
        raise NormaliseError("no ocid")
    tender = _obj(release.get("tender"))
    lots_raw = _objects(tender.get("lots"))
    items_raw = _objects(tender.get("items"))
    title = _title(tender, lots_raw, release)
    description = clean_text(tender.get("description"))
    if description is None:
        description = clean_text(release.get("description"))
    buyer_name, buyer_id, buyer_party = _buyer(release, tender)
    value = _obj(tender.get("value"))
    documents = _objects(tender.get("documents"))
    released_at = parse_datetime(release.get("date"), tz=default_tz)

    # Each classification list and address list is read once, then reused for the items, the
    # lots and the tender as a whole.
    items, items_found, addresses = _items(items_raw)
    lots_found = [_classifications_of(raw) for raw in lots_raw]
    lots = _lots(lots_raw, lots_found, items)
    classifications = _unique_classifications(
        _classifications_of(tender), *items_found, *lots_found, *_awarded_classifications(release)
    )
    # Unique already: classifications are unique by (scheme, code).
    cpv_codes = tuple(c.code for c in classifications if c.scheme == "CPV")
    tender_addresses = delivery_addresses(tender)
    regions = _unique(
        [
            *(region for item in items for region in item.regions),
            *regions_of(tender, tender_addresses),
        ]
    )
    buyer_address = _obj(buyer_party.get("address"))
    countries = countries_of([*addresses, *tender_addresses, buyer_address], regions)
    suitable_sme, suitable_vcse = _suitabilities(tender, lots_raw)

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
        countries=countries,
        items=items,
        lots=lots,
        suitable_sme=suitable_sme,
        suitable_vcse=suitable_vcse,
        notice_type=_notice_type(release, documents),
        place_names=place_names_of(tender, [*addresses, *tender_addresses]),
        raw=dict(release) if stripped else strip_personal_data(release),
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


def _objects(value: object) -> list[dict[str, Any]]:
    """The objects of a list (or the one object written for a list)."""
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, dict)]
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


def _unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(values) if len(values) < 2 else tuple(dict.fromkeys(values))


def _unique_classifications(*lists: Sequence[Classification]) -> tuple[Classification, ...]:
    """Unique by (scheme, code) over the lists in order: the first description wins."""
    if len(lists) == 1:  # an item or lot: usually unique already, which a set shows fastest
        (values,) = lists
        if len(values) < 2 or len({(c.scheme, c.code) for c in values}) == len(values):
            return tuple(values)
    found: dict[tuple[str, str], Classification] = {}
    for values in lists:
        for value in values:
            found.setdefault((value.scheme, value.code), value)
    return tuple(found.values())


def _amount(value: Mapping[str, Any]) -> Decimal | None:
    """`amount`, else `amountGross` (FTS); 0 means "not published" (Mexico, Contracts Finder)."""
    return parse_amount(value.get("amount")) or parse_amount(value.get("amountGross")) or None


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
    parties = _objects(release.get("parties"))
    buyer = _obj(release.get("buyer"))
    buyer_id = _text_id(buyer.get("id"))
    party: Mapping[str, Any] = _EMPTY
    if buyer_id is not None:
        for candidate in parties:
            if _text_id(candidate.get("id")) == buyer_id:
                party = candidate
                break
    else:
        for candidate in parties:
            if _has_role(candidate, "buyer"):
                party = candidate
                break
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
    best: tuple[bool, int, str] | None = None
    for index, doc in enumerate(documents):
        if doc.get("documentType") == "tenderNotice":
            url = doc.get("url")
            if isinstance(url, str):
                url = url.strip()
                if url.startswith(("http://", "https://")):
                    found = (doc.get("format") != "text/html", index, url)
                    if best is None or found < best:
                        best = found
    return str(best[2]) if best is not None else None


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
                documents += _objects(entry.get("documents"))
    found = [
        (doc, str(kind).strip())
        for doc in documents
        if isinstance(kind := doc.get("noticeType"), str) and kind.strip()
    ]
    if len(found) == 1:  # no dates to compare
        return found[0][1]
    if found:
        dated = [
            (at, index, kind)
            for index, (doc, kind) in enumerate(found)
            if (at := parse_datetime(doc.get("datePublished"))) is not None
        ]
        return max(dated)[2] if dated else found[-1][1]
    notice_type = release.get("noticeType")
    if isinstance(notice_type, str) and notice_type.strip():
        return notice_type.strip()
    return None


def _classification(raw: object) -> Classification | None:
    if not isinstance(raw, dict):
        return None
    scheme, code, description = raw.get("scheme"), raw.get("id"), raw.get("description")
    if (
        type(scheme) in _CACHED_TYPES
        and type(code) in _CACHED_ID_TYPES
        and type(description) in _CACHED_TYPES
    ):
        return _cached_classification(scheme, code, description)
    return _parse_classification(scheme, code, description)


# Exact types whose equal values always read the same: so a cache keyed by equality is safe
# (unlike True == 1, 0.0 == -0.0 or Decimal("1.0") == Decimal("1.00")).
_CACHED_TYPES = frozenset({str, type(None)})
_CACHED_ID_TYPES = frozenset({str, int})


@lru_cache(maxsize=16384)
def _cached_classification(
    scheme: str | None, code: str | int, description: str | None
) -> Classification | None:
    """`_parse_classification`, memoised: the same few codes and labels recur on the tender,
    every item, lot and awarded item and across releases. Classifications are immutable, so
    tenders can share them."""
    return _parse_classification(scheme, code, description)


def _parse_classification(
    scheme: object, code: object, description: object
) -> Classification | None:
    """A classification from its `scheme`, `id` and `description` (as `cpv_of` reads CPV)."""
    if scheme is None or (isinstance(scheme, str) and not scheme.strip()) or is_cpv_scheme(scheme):
        cpv = normalise_cpv(code)
        if cpv is not None:
            return Classification("CPV", cpv, clean_text(description))
    if not isinstance(scheme, str) or not scheme.strip():
        return None
    text_id = _text_id(code)
    if text_id is None or is_cpv_scheme(scheme):
        return None  # no id, or a CPV scheme with an id that is not a CPV code
    return Classification(scheme.strip(), text_id, clean_text(description))


def _classifications_of(obj: Mapping[str, Any]) -> list[Classification]:
    """`classification` then `additionalClassifications`, as read (not yet unique)."""
    found = []
    raw = obj.get("classification")
    if raw is not None:
        classification = _classification(raw)
        if classification is not None:
            found.append(classification)
    additional = obj.get("additionalClassifications")
    if additional is not None:
        for raw in _list(additional):
            classification = _classification(raw)
            if classification is not None:
                found.append(classification)
    return found


def _awarded_classifications(release: Mapping[str, Any]) -> list[list[Classification]]:
    """Classifications of awarded and contracted items, after the tender's own."""
    found = []
    for key in ("awards", "contracts"):
        for entry in _list(release.get(key)):
            for item in _list(_obj(entry).get("items")):
                if isinstance(item, dict):
                    found.append(_classifications_of(item))
    return found


def _main_cpv(
    tender: Mapping[str, Any], items: Sequence[Mapping[str, Any]], cpv_codes: tuple[str, ...]
) -> str | None:
    main = cpv_of(tender.get("classification"))
    if main is None and items:
        main = cpv_of(items[0].get("classification"))
    return main or (cpv_codes[0] if cpv_codes else None)


def _items(
    items_raw: Sequence[Mapping[str, Any]],
) -> tuple[tuple[Item, ...], list[list[Classification]], list[Mapping[str, Any]]]:
    """The items, each item's classifications as read, and all their delivery addresses."""
    items = []
    items_found = []
    all_addresses: list[Mapping[str, Any]] = []
    for index, raw in enumerate(items_raw):
        found = _classifications_of(raw)
        addresses = delivery_addresses(raw)
        items_found.append(found)
        all_addresses += addresses
        items.append(
            Item(
                id=_text_id(raw.get("id")) or str(index + 1),
                description=clean_text(raw.get("description")),
                classifications=_unique_classifications(found),
                related_lot=_text_id(raw.get("relatedLot")),
                regions=regions_of(raw, addresses),
            )
        )
    return tuple(items), items_found, all_addresses


def _lots(
    lots_raw: Sequence[Mapping[str, Any]],
    lots_found: Sequence[list[Classification]],
    items: tuple[Item, ...],
) -> tuple[Lot, ...]:
    by_lot: dict[str, list[Item]] = {}
    for item in items:
        if item.related_lot is not None:
            by_lot.setdefault(item.related_lot, []).append(item)
    lots = []
    for index, (raw, found) in enumerate(zip(lots_raw, lots_found, strict=True)):
        lot_id = _text_id(raw.get("id")) or str(index + 1)
        related = by_lot.get(lot_id, [])
        listed = _listed_item_ids(raw.get("items"))
        related_ids = _unique([item.id for item in related] + listed)
        own = _unique_classifications(found)
        if not own:
            members = related or [item for item in items if item.id in listed]
            if len(members) == 1:  # the usual lot of one item: unique already
                own = members[0].classifications
            else:
                own = _unique_classifications(*[item.classifications for item in members])
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


def _listed_item_ids(entries: object) -> list[str]:
    """OCDS 1.0-era `lots[].items`: item ids (or item objects with an id)."""
    if entries is None:  # the usual case (OCDS 1.1 links items to lots instead)
        return []
    ids = (
        _text_id(entry.get("id")) if isinstance(entry, dict) else _text_id(entry)
        for entry in _list(entries)
    )
    return [i for i in ids if i is not None]


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def _suitabilities(
    tender: Mapping[str, Any], lots: Sequence[Mapping[str, Any]]
) -> tuple[bool | None, bool | None]:
    """SME and VCSE suitability: the tender's, else any lot's (FTS), else Contracts Finder's 2014
    flags."""
    tender_flags = _obj(tender.get("suitability"))
    sme, vcse = _flag(tender_flags.get("sme")), _flag(tender_flags.get("vcse"))
    if sme is not None and vcse is not None:
        return sme, vcse
    lots_flags = [_obj(lot.get("suitability")) for lot in lots]
    if sme is None:
        sme = _suitability(tender, lots_flags, "sme", "isSuitableForSme")
    if vcse is None:
        vcse = _suitability(tender, lots_flags, "vcse", "isSuitableForVco")
    return sme, vcse


def _suitability(
    tender: Mapping[str, Any], lots_flags: Sequence[Mapping[str, Any]], key: str, legacy_key: str
) -> bool | None:
    """Any lot's flag (True if any lot says so), else the legacy one."""
    lot_flags = [_flag(flags.get(key)) for flags in lots_flags]
    if True in lot_flags:
        return True
    if False in lot_flags:
        return False
    return _flag(_obj(tender.get("xClassifications")).get(legacy_key))
