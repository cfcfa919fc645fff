"""What the readers of the two legacy TED XML form grammars (R2.0.9 and the older R2.0.8 /
R2.0.7) share: paths in the document's namespace, the facts a form yields, and small reads.

Both grammars live in a `TED_EXPORT` container whose namespace URI has had several spellings
(even relative ones such as `ted/R2.0.9.S02/publication`), so paths are built from the root's
own namespace instead of a fixed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from scanner.ingest.cpv import normalise_cpv
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.places import region_code
from scanner.ingest.tender import Classification, Item, Lot
from scanner.ingest.text import clean_text
from scanner.ingest.xml_safe import Element, local_name, namespace, title_from_text

__all__ = ["FormFacts", "TedReader", "cpv_of", "item_of", "nuts_of", "titled", "unique"]

_NUTS_NS_END = "/nuts"  # `.../ted/2016/nuts`, `.../ted/2021/nuts`, `ted/2016/nuts`
# Submission times are the buyer's local time: the zone of the buyer's country.
_ZONES = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "PT": "Europe/Lisbon",
    "IS": "Atlantic/Reykjavik", "BG": "Europe/Sofia", "CY": "Asia/Nicosia",
    "EE": "Europe/Tallinn", "FI": "Europe/Helsinki", "GR": "Europe/Athens",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "RO": "Europe/Bucharest",
    "UA": "Europe/Kyiv", "MD": "Europe/Chisinau", "TR": "Europe/Istanbul",
}  # fmt: skip
_DEFAULT_ZONE = "Europe/Brussels"  # central European time: most other TED countries

LotWithRegions = tuple[Lot, tuple[str, ...]]


def zone_of(country: str | None) -> str:
    """The time zone a buyer in `country` (ISO alpha-2) writes its deadlines in."""
    return _ZONES.get(country or "", _DEFAULT_ZONE)


@dataclass(frozen=True, slots=True)
class FormFacts:
    """What one form (in one language) says, before the notice-level assembly."""

    title: str | None
    description: str | None
    buyer_name: str | None
    buyer_id: str | None
    main_cpv: str | None
    lots: list[LotWithRegions]
    regions: tuple[str, ...]  # the procedure's own, beyond its lots'
    value_amount: Decimal | None
    currency: str | None
    deadline_at: datetime | None
    procedure_type: str | None


class TedReader:
    """Paths in the document's own namespace: `path("A/B")` -> `{ns}A/{ns}B`."""

    def __init__(self, ns: str | None) -> None:
        self.ns = ns
        self.prefix = f"{{{ns}}}" if ns else ""
        self._paths: dict[str, str] = {}  # a few dozen paths, each used once per lot

    def path(self, path: str) -> str:
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = "/".join(
                step if step in {".", "..", ""} or step.startswith("{") else self.prefix + step
                for step in path.split("/")
            )
        return found

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self.path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return list(element.iterfind(self.path(path)))

    def descendant(self, element: Element, *names: str) -> Element | None:
        """The first descendant named one of `names` (tried in order)."""
        for name in names:
            found = element.find(f".//{self.prefix}{name}")
            if found is not None:
                return found
        return None

    def text(self, element: Element | None, path: str) -> str | None:
        """Text of the first match, paragraphs (`<P>`) joined by line breaks, cleaned."""
        if element is None:
            return None
        found = element.find(self.path(path))
        return None if found is None else self.paragraphs(found)

    def paragraphs(self, element: Element | None) -> str | None:
        if element is None:
            return None
        paragraphs = element.findall(self.prefix + "P")
        if not paragraphs:
            return clean_text("".join(element.itertext()))
        return clean_text("\n".join("".join(p.itertext()) for p in paragraphs))

    def attr(self, element: Element | None, path: str, name: str) -> str | None:
        if element is None:
            return None
        found = element.find(self.path(path))
        value = None if found is None else found.get(name)
        return value.strip() or None if isinstance(value, str) else None

    def amount(self, scope: Element, *paths: str) -> tuple[Decimal | None, str | None]:
        """The first positive amount among `paths` (element text, or the R2.0.8 `FMTVAL`
        attribute), with its `CURRENCY` (on the element or its parent); 0 means unpublished."""
        for path in paths:
            for element in scope.iterfind(self.path(path)):
                raw = element.get("FMTVAL") or element.text or ""
                amount = parse_amount(raw.strip())
                if amount:
                    parent = element.getparent()
                    currency = element.get("CURRENCY") or (
                        parent.get("CURRENCY") if parent is not None else None
                    )
                    return amount, parse_currency(currency)
        return None, None


def cpv_of(elements: Sequence[Element]) -> list[Classification]:
    """CPV classifications of `CPV_CODE`/`ORIGINAL_CPV` elements (`CODE` attribute)."""
    found = []
    for element in elements:
        code = normalise_cpv(element.get("CODE"))
        if code is not None:
            found.append(Classification("CPV", code))
    return found


def nuts_of(elements: Sequence[Element], scope_ns: str | None) -> tuple[str, ...]:
    """NUTS codes (`CODE` attribute) of NUTS elements in a NUTS namespace (one per NUTS
    revision) or the document's own (older exports)."""
    codes = []
    for element in elements:
        uri = namespace(element)
        if uri == scope_ns or (uri is not None and uri.endswith(_NUTS_NS_END)):
            code = region_code(element.get("CODE"))
            if code is not None:
                codes.append(code)
    return unique(codes)


def children_named(scope: Element, name: str) -> list[Element]:
    """Children of `scope` with local name `name`, whatever their namespace."""
    return [child for child in scope if local_name(child) == name]


def titled(lot: Lot, procedure_title: str, lot_count: int) -> Lot:
    """A lot published without a title takes the procedure's when it is the only lot (an
    undivided procedure), else its description's first line."""
    if lot.title is not None:
        return lot
    title = procedure_title if lot_count == 1 else title_from_text(lot.description)
    return replace(lot, title=title)


def item_of(lot: Lot, regions: tuple[str, ...]) -> Item:
    """The one item standing for a lot: TED lists no items (see `scanner.ingest.ted_xml`)."""
    parts = [text for text in (lot.title, lot.description) if text is not None]
    if len(parts) == 2 and parts[1].startswith(parts[0]):
        parts = parts[1:]  # the description often repeats the title
    return Item(
        id=lot.lot_id,
        description="\n".join(parts) or None,
        classifications=lot.classifications,
        related_lot=lot.lot_id,
        regions=regions,
    )


def unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))
