"""What the splitter reads off a tender, computed once and checked for sense.

Signals and strategies both need the value, the duration, the codes and the text structure;
reading them here once keeps each rule short and makes bad input a fact, not an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from scanner.ingest.tender import Item, NormalisedTender
from scanner.splitter.amounts import lengths_in
from scanner.splitter.deliverables import phases_in
from scanner.splitter.stated import StatedLots, stated_lots
from scanner.splitter.work import WorkPackage, is_strong, work_packages

# Above a trillion in any currency is a data-entry error, not a procurement.
MAX_VALUE = Decimal("1e12")
MAX_MONTHS = 240
MAX_TEXT_CHARS = 100_000
IT_DIVISIONS = frozenset({"48", "72"})
IT_GROUPS = frozenset({"302", "324", "642"})


@dataclass(frozen=True, slots=True)
class Facts:
    """The sane, pre-read parts of a tender; `value` is None when missing or absurd."""

    value: Decimal | None
    value_problem: str | None
    text: str
    description: str
    duration_months: int | None
    item_codes: Mapping[str, tuple[str, ...]]
    regions: tuple[str, ...]
    codes: tuple[str, ...]
    is_it: bool
    phases: tuple[tuple[str, float, str], ...]
    deliverables: tuple[str, ...]
    work: tuple[WorkPackage, ...] = ()
    work_kind: str = ""
    lowered: str = ""
    stated: StatedLots | None = None  # a division the text states where no lots were read
    concession: str | None = None  # how the notice shows it is a concession (2014/23/EU)

    @property
    def listed_work(self) -> bool:
        """The buyer enumerated the work (numbered, bulleted, headed): those are the packages."""
        return len(self.work) >= 2 and is_strong(self.work_kind)


def read_facts(tender: NormalisedTender) -> Facts:
    """Read and sanity-check everything the rules need from one tender."""
    value, problem = sane_value(tender.value_amount)
    # Bounded: a 5 MB "description" is read for its first 100,000 characters only.
    description = (tender.description or "")[:MAX_TEXT_CHARS]
    text = f"{(tender.title or '')[:1000]}\n{description}"
    item_codes = {item.id: codes_of(item.classifications) for item in tender.items}
    codes = tuple(
        dict.fromkeys([*(c for cs in item_codes.values() for c in cs), *tender.cpv_codes])
    )
    regions = most_specific([*(r for i in tender.items for r in i.regions), *tender.regions])
    work, kind = work_packages(description[:MAX_TEXT_CHARS])
    if kind != "headed" and tender.title:
        # Lots named in the title ("... - lot no 03: charpente et lot no 05: menuiseries")
        # are the buyer's division when the description heads none.
        titled, title_kind = work_packages(tender.title[:1000])
        if title_kind == "headed":
            work, kind = titled, title_kind
    return Facts(
        value=value,
        value_problem=problem,
        text=text,
        description=description,
        duration_months=duration_months(tender.raw, description),
        item_codes=item_codes,
        regions=regions,
        codes=codes,
        is_it=any(c[:2] in IT_DIVISIONS or c[:3] in IT_GROUPS for c in codes if is_cpv(c)),
        phases=tuple(phases_in(text)),
        deliverables=tuple(w.title for w in work),
        work=work,
        work_kind=kind,
        lowered=text.lower(),
        # A division the text states ("in 17 lots", "Lot 1: ..., Lot 2: ...") is the buyer's.
        stated=stated_lots(text) if len(tender.lots) < 2 else None,
        concession=concession_of(tender.raw),
    )


# eForms notice subtypes of Directive 2014/23/EU (concessions): 19 standard, 23 light regime.
CONCESSION_SUBTYPES = frozenset({"19", "23"})


def concession_of(raw: Mapping[str, Any]) -> str | None:
    """How the notice's own coding shows a concession (Directive 2014/23/EU), or None: the TED
    form F24 or a "... concession" document type, or an eForms concession subtype. A
    concession is not a public contract, so the lots duty of Directive 2014/24/EU Art. 46
    (and of the laws transposing it) does not apply to it."""
    if not isinstance(raw, Mapping):
        return None
    document = raw.get("document_type")
    if raw.get("form") == "F24" or (isinstance(document, str) and "concession" in document.lower()):
        kind = document if isinstance(document, str) and document else "concession"
        return f"a TED concession notice ({kind})"
    if raw.get("format") == "eforms" and raw.get("notice_subtype") in CONCESSION_SUBTYPES:
        return f"an eForms concession notice (subtype {raw['notice_subtype']})"
    return None


def sane_value(amount: Decimal | None) -> tuple[Decimal | None, str | None]:
    """The amount if it can be a real estimate, else None and the reason it cannot."""
    if amount is None:
        return None, "no estimated value published"
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return None, f"the estimated value {amount!r} is not a number"
    if amount <= 0:
        return None, f"the estimated value {amount} is not positive"
    if amount == 1:  # TED buyers who keep the value to themselves publish 1 (EUR 1)
        return None, "the estimated value 1 is a placeholder, not an estimate"
    if amount < 1 or amount > MAX_VALUE:
        return None, f"the estimated value {amount:.3g} is implausible"
    return amount, None


def is_cpv(code: str) -> bool:
    """CPV codes are stored as eight digits (no check digit)."""
    return len(code) == 8 and code.isdigit()


def codes_of(classifications: Iterable[Any]) -> tuple[str, ...]:
    """Classification codes, CPV first, so grouping prefers the scheme with known levels. A
    CPV code written with its check digit under another scheme name ("ДК021" 15511000-3:
    Ukraine's DK 021 is CPV 2008) is read as the CPV code it is."""
    codes = [
        _without_check_digit(str(c.code))
        for c in classifications
        if isinstance(getattr(c, "code", None), str)
    ]
    return tuple(sorted(dict.fromkeys(c for c in codes if c), key=lambda c: not is_cpv(c)))


def _without_check_digit(code: str) -> str:
    code = code.strip()
    return code[:8] if len(code) == 10 and code[8] == "-" and code[:8].isdigit() else code


def first_code(item: Item) -> str | None:
    """The code an item is grouped by: its first CPV code, else its first other code."""
    try:
        return _first_code(item.classifications)
    except TypeError:  # unhashable content: compute without the cache
        codes = codes_of(item.classifications)
        return codes[0] if codes else None


@lru_cache(maxsize=8192)
def _first_code(classifications: tuple[Any, ...]) -> str | None:
    """Memoised: strategies ask for the same items' codes several times per assessment, and
    the same classification tuples recur across tenders."""
    codes = codes_of(classifications)
    return codes[0] if codes else None


def most_specific(regions: Iterable[str]) -> tuple[str, ...]:
    """Distinct region codes without those that contain another (NUTS `UKM` holds `UKM8`)."""
    unique = sorted({r.strip().upper() for r in regions if isinstance(r, str) and r.strip()})
    return tuple(r for r in unique if not any(o != r and o.startswith(r) for o in unique))


def duration_months(raw: Mapping[str, Any], description: str) -> int | None:
    """Contract length: OCDS contractPeriod (tender, else the longest lot), else the text."""
    tender = raw.get("tender") if isinstance(raw, Mapping) else None
    periods: list[object] = []
    if isinstance(tender, Mapping):
        periods.append(tender.get("contractPeriod"))
        lots = tender.get("lots")
        if isinstance(lots, list):
            periods.extend(lot.get("contractPeriod") for lot in lots if isinstance(lot, Mapping))
    months = [m for m in map(_period_months, periods) if m]
    if months:
        return max(months)
    found = lengths_in(description)
    return max(found) if found else None


def _period_months(period: object) -> int | None:
    if not isinstance(period, Mapping):
        return None
    days = period.get("durationInDays")
    if isinstance(days, int | float) and not isinstance(days, bool) and 0 < days < MAX_MONTHS * 31:
        return max(1, round(days / 30.44))
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start and end:
        try:
            days = (end - start).days
        except TypeError:  # one aware, one naive
            return None
        if 0 < days < MAX_MONTHS * 31:
            return max(1, round(days / 30.44))
    return None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
