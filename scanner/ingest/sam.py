"""One SAM.gov Get Opportunities v2 record -> one `NormalisedTender`.

SAM.gov writes "empty" three ways (null, "" and "NONE"); all become None here. Codes are
kept beside CPV as classifications: NAICS (`naicsCodes`, `naicsCode`), PSC
(`classificationCode`) and the set-aside type (scheme "SET-ASIDE"); a small-business
set-aside marks the tender suitable for SMEs. `description` is a URL that needs the API key,
so it is kept in `raw` and not fetched. Points of contact (names, emails, phones) are not
stored. Values are in USD: open notices carry none, award notices the awarded amount.
Only `SamRecordError` (a `NormaliseError`) is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount
from scanner.ingest.normalise import NormaliseError
from scanner.ingest.tender import Classification, NormalisedTender
from scanner.ingest.text import clean_text
from scanner.ingest.xml_countries import country_code

__all__ = ["SAM_TIMEZONE", "SamRecordError", "empty_to_none", "normalise_sam_opportunity"]

#: Dates without a time or offset (`postedDate`) are read in Washington time.
SAM_TIMEZONE = "America/New_York"
CURRENCY = "USD"
_EMPTY_MARKERS = frozenset({"", "NONE", "None", "none", "null", "N/A"})
_PERSONAL = ("pointOfContact",)
_ACTIVE_TYPES = frozenset({"solicitation", "combined synopsis/solicitation"})
_PLANNED_TYPES = frozenset({"presolicitation", "sources sought", "special notice"})


class SamRecordError(NormaliseError):
    """The record cannot become a tender; `reason` says why (for the error log)."""


def empty_to_none(value: Any) -> Any:
    """None for SAM.gov's empty markers (null, "", "NONE"), else the value (strings trimmed)."""
    if isinstance(value, str):
        text = value.strip()
        return None if text in _EMPTY_MARKERS else text
    return value


def normalise_sam_opportunity(
    record: Mapping[str, Any], *, source: str = "sam_gov"
) -> NormalisedTender:
    """Turn one `opportunitiesData[]` record into a `NormalisedTender` keyed by `noticeId`.
    Raises `SamRecordError` only."""
    if not isinstance(record, Mapping):
        raise SamRecordError(f"an opportunity must be a JSON object, not {type(record).__name__}")
    try:
        return _normalise(record, source)
    except SamRecordError:
        raise
    except Exception as exc:  # pragma: no cover - a bug; reported per record, never fatal
        raise SamRecordError(f"internal error: {type(exc).__name__}: {exc}") from exc


def _normalise(record: Mapping[str, Any], source: str) -> NormalisedTender:
    notice_id = _text(record.get("noticeId"))
    if notice_id is None:
        raise SamRecordError("no noticeId")
    title = _text(record.get("title"))
    if title is None:
        raise SamRecordError(f"opportunity {notice_id}: no title")
    naics = _unique([*_texts(record.get("naicsCodes")), *_texts(record.get("naicsCode"))])
    psc = _text(record.get("classificationCode"))
    set_aside = _text(record.get("typeOfSetAside"))
    set_aside_text = _text(record.get("typeOfSetAsideDescription"))
    classifications = [Classification(scheme="NAICS", code=code) for code in naics]
    if psc:
        classifications.append(Classification(scheme="PSC", code=psc))
    if set_aside:
        classifications.append(
            Classification(scheme="SET-ASIDE", code=set_aside, description=set_aside_text)
        )
    posted = parse_datetime(_text(record.get("postedDate")), tz=SAM_TIMEZONE)
    notice_type = _text(record.get("type"))
    award = record.get("award")
    if not isinstance(award, Mapping):
        award = {}
    amount = parse_amount(empty_to_none(award.get("amount")))
    region, country = _place(record.get("placeOfPerformance"))
    raw = {k: v for k, v in record.items() if k not in _PERSONAL}
    return NormalisedTender(
        source=source,
        source_key=notice_id,
        title=title,
        notice_id=_text(record.get("solicitationNumber")) or notice_id,
        notice_url=_text(record.get("uiLink")),
        buyer_name=_buyer(_text(record.get("fullParentPathName"))),
        buyer_id=_text(record.get("fullParentPathCode")),
        value_amount=amount,
        currency=CURRENCY,
        published_at=posted,
        deadline_at=parse_datetime(
            _text(record.get("responseDeadLine")), tz=SAM_TIMEZONE, end_of_day=True
        ),
        updated_at=posted,
        status=_status(notice_type, _text(record.get("active"))),
        procedure_type=_text(record.get("baseType")),
        classifications=tuple(classifications),
        regions=(region,) if region else (),
        countries=(country,) if country else (),
        suitable_sme=True if set_aside else None,
        notice_type=notice_type,
        raw={"format": "sam-opportunities-v2", "set_aside": set_aside, "record": raw},
    )


def _status(notice_type: str | None, active: str | None) -> str | None:
    kind = (notice_type or "").lower()
    if "award" in kind:
        return "complete"
    if active and active.lower() == "no":
        return "complete"
    if kind in _ACTIVE_TYPES:
        return "active"
    if kind in _PLANNED_TYPES:
        return "planned"
    return None


def _buyer(path: str | None) -> str | None:
    """`DEPT OF DEFENSE.DEPT OF THE NAVY.NAVSEA.NAVSEA HQ` -> department and office."""
    if path is None:
        return None
    parts = [p.strip() for p in path.split(".") if p.strip()]
    if len(parts) <= 1:
        return path
    return f"{parts[0]} - {parts[-1]}"


def _place(value: object) -> tuple[str | None, str | None]:
    """(`US-CO`, `US`) from `placeOfPerformance.{state,country}.code`."""
    if not isinstance(value, Mapping):
        return None, None
    country = _code(value.get("country"))
    state = _code(value.get("state"))
    iso = country_code(country) if country else None
    if state and (iso in (None, "US")):
        return f"US-{state}", "US"
    return None, iso


def _code(value: object) -> str | None:
    if isinstance(value, Mapping):
        return _text(value.get("code"))
    return _text(value)


def _text(value: object) -> str | None:
    value = empty_to_none(value)
    if isinstance(value, list):
        value = next((v for v in (empty_to_none(x) for x in value) if v is not None), None)
    return clean_text(value) if value is not None else None


def _texts(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [t for t in (_text(v) for v in values) if t]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
