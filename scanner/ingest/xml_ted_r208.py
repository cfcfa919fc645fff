"""The older TED form grammar (R2.0.8 / R2.0.7: `CONTRACT`, `CONTRACT_AWARD`, the defence
forms...), read for `scanner.ingest.ted_xml`.

Those forms nest the same facts under long, form-specific wrappers
(`FD_CONTRACT/OBJECT_CONTRACT_INFORMATION/DESCRIPTION_CONTRACT_INFORMATION/TITLE_CONTRACT`),
write amounts as display text with the machine value in `FMTVAL`, and dates as `DAY`/`MONTH`/
`YEAR`/`TIME` elements. Rather than one path per form, facts are found by element name
anywhere in the form; lots are the blocks holding a `LOT_NUMBER` (the `*ANNEX_B` lot
annexes), else the lots named by `AWARD_OF_CONTRACT` blocks, else the procedure as one lot.

Best effort: written from the published element names, not checked against a large corpus.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from scanner.ingest.dates import parse_datetime
from scanner.ingest.tender import Classification, Lot
from scanner.ingest.xml_safe import Element, local_name
from scanner.ingest.xml_ted_common import FormFacts, LotWithRegions, TedReader, cpv_of, nuts_of

__all__ = ["r208_facts"]

_TITLES = ("TITLE_CONTRACT", "TITLE_CONTRACT_NOTICE", "TITLE")
_DESCRIPTIONS = ("SHORT_CONTRACT_DESCRIPTION", "SHORT_DESCRIPTION_CONTRACT", "SHORT_DESCRIPTION")
_LOT_TITLES = ("LOT_TITLE", "CONTRACT_TITLE", "TITLE_CONTRACT")
_LOT_DESCRIPTIONS = ("LOT_DESCRIPTION", "SHORT_CONTRACT_DESCRIPTION", "SHORT_DESCRIPTION")


def r208_facts(form: Element, r: TedReader, zone: str) -> FormFacts:
    """The facts of an R2.0.8-grammar form (see the module docstring)."""
    lot_blocks, award_blocks = _blocks(form)
    # A set of the elements themselves (not their `id`: lxml proxies die and ids get reused).
    inside = {e for block in (*lot_blocks, *award_blocks) for e in block.iter()}
    outside = [e for e in form.iter() if e not in inside and isinstance(e.tag, str)]

    main = [e for e in outside if local_name(e) == "CPV_MAIN"]
    additional = [e for e in outside if local_name(e) == "CPV_ADDITIONAL"]
    main_codes = cpv_of([c for e in main for c in e.iter() if local_name(c) == "CPV_CODE"])
    extra_codes = cpv_of([c for e in additional for c in e.iter() if local_name(c) == "CPV_CODE"])
    main_cpv = main_codes[0].code if main_codes else None
    procedure_regions = nuts_of([e for e in outside if local_name(e) == "NUTS"], r.ns)
    costs = [e for e in outside if local_name(e) == "VALUE_COST"]
    value, currency = _first_amount(costs, r)

    title = r.paragraphs(_first(outside, _TITLES))
    description = r.paragraphs(_first(outside, _DESCRIPTIONS))
    awarded = _award_values(award_blocks, r)
    if lot_blocks:
        lots = [_lot(block, index, r, main_cpv, awarded) for index, block in enumerate(lot_blocks)]
    elif any(_lot_number(block, r) for block in award_blocks):
        lots = _lots_from_awards(award_blocks, r, main_cpv)
    else:  # not divided into lots: the procedure is the one lot
        awarded_value, awarded_currency = next(iter(awarded.values()), (None, None))
        whole = Lot(
            lot_id="1",
            description=description,
            value_amount=value or awarded_value,
            currency=currency if value else awarded_currency,
            classifications=tuple(dict.fromkeys([*main_codes, *extra_codes])),
            related_items=("1",),
        )
        lots = [(whole, ())]
    # Lot annexes rarely say where: a lot without NUTS codes is where the procedure is.
    lots = [(lot, regions or procedure_regions) for lot, regions in lots]
    profile = r.descendant(form, "CA_CE_CONCESSIONAIRE_PROFILE")
    organisation = r.descendant(profile if profile is not None else form, "ORGANISATION")
    buyer = organisation if organisation is not None else form
    return FormFacts(
        title=title,
        description=description,
        buyer_name=r.paragraphs(r.descendant(buyer, "OFFICIALNAME")),
        buyer_id=r.paragraphs(r.descendant(buyer, "NATIONALID")),
        main_cpv=main_cpv,
        lots=lots,
        regions=procedure_regions,
        value_amount=value,
        currency=currency,
        deadline_at=_deadline(r.descendant(form, "RECEIPT_LIMIT_DATE"), r, zone),
        procedure_type=_procedure_type(outside),
    )


def _blocks(form: Element) -> tuple[list[Element], list[Element]]:
    """Lot annexes (elements with a `LOT_NUMBER` child) and award blocks, outermost only."""
    lots: list[Element] = []
    awards: list[Element] = []
    claimed: set[Element] = set()  # elements inside a block already taken (document order)
    for element in form.iter():
        if not isinstance(element.tag, str) or element in claimed:
            continue
        if local_name(element).startswith("AWARD_OF_CONTRACT"):
            awards.append(element)
        elif any(local_name(child) == "LOT_NUMBER" for child in element):
            lots.append(element)
        else:
            continue
        claimed.update(element.iter())
    return lots, awards


def _lot(
    block: Element,
    index: int,
    r: TedReader,
    main_cpv: str | None,
    awarded: dict[str, tuple[Decimal, str | None]],
) -> LotWithRegions:
    lot_id = _lot_number(block, r) or str(index + 1)
    codes = cpv_of([e for e in block.iter() if local_name(e) == "CPV_CODE"])
    if not codes and main_cpv is not None:
        codes = [Classification("CPV", main_cpv)]
    value, currency = _first_amount([e for e in block.iter() if local_name(e) == "VALUE_COST"], r)
    if value is None:
        value, currency = awarded.get(lot_id, (None, None))
    elements = list(block.iter())
    lot = Lot(
        lot_id=lot_id,
        title=r.paragraphs(_first(elements, _LOT_TITLES)),
        description=r.paragraphs(_first(elements, _LOT_DESCRIPTIONS)),
        value_amount=value,
        currency=currency,
        classifications=tuple(dict.fromkeys(codes)),
        related_items=(lot_id,),
    )
    return lot, nuts_of([e for e in elements if local_name(e) == "NUTS"], r.ns)


def _lots_from_awards(
    awards: list[Element], r: TedReader, main_cpv: str | None
) -> list[LotWithRegions]:
    """Award notices of this grammar name their lots only in the award blocks."""
    found: dict[str, LotWithRegions] = {}
    for index, block in enumerate(awards):
        lot_id = _lot_number(block, r) or str(index + 1)
        if lot_id not in found:
            found[lot_id] = _lot(block, index, r, main_cpv, {})
    return list(found.values())


def _award_values(awards: list[Element], r: TedReader) -> dict[str, tuple[Decimal, str | None]]:
    values: dict[str, tuple[Decimal, str | None]] = {}
    for block in awards:
        lot_id = _lot_number(block, r) or "1"
        value, currency = _first_amount(
            [e for e in block.iter() if local_name(e) == "VALUE_COST"], r
        )
        if value is not None and lot_id not in values:
            values[lot_id] = (value, currency)
    return values


def _lot_number(block: Element, r: TedReader) -> str | None:
    for child in block:
        if local_name(child) == "LOT_NUMBER":
            return r.paragraphs(child)
    return None


def _first(elements: list[Element], names: tuple[str, ...]) -> Element | None:
    for name in names:
        for element in elements:
            if local_name(element) == name:
                return element
    return None


def _first_amount(elements: list[Element], r: TedReader) -> tuple[Decimal | None, str | None]:
    for element in elements:
        parent = element.getparent()
        if parent is None:
            continue
        value, currency = r.amount(parent, local_name(element))
        if value is not None:
            return value, currency
    return None, None


def _deadline(limit: Element | None, r: TedReader, zone: str) -> datetime | None:
    """`RECEIPT_LIMIT_DATE` with `DAY`, `MONTH`, `YEAR` and `TIME` children."""
    if limit is None:
        return None
    parts = {local_name(child): (child.text or "").strip() for child in limit}
    day, month, year = parts.get("DAY", ""), parts.get("MONTH", ""), parts.get("YEAR", "")
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None
    date_text = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    clock = parts.get("TIME", "")
    if clock:
        at = parse_datetime(f"{date_text}T{clock}", tz=zone)
        if at is not None:
            return at
    return parse_datetime(date_text, tz=zone, end_of_day=True)


def _procedure_type(elements: list[Element]) -> str | None:
    """The first `PT_*` marker element: `PT_OPEN` -> `open`."""
    for element in elements:
        name = local_name(element)
        if name.startswith("PT_"):
            return name[3:].lower().replace("_", "-")
    return None
