"""One tender becomes up to three kinds of opportunity: the whole tender (`tender`), each lot
the buyer published (`buyer_lot`), and each micro-contract the splitter suggests
(`suggested_package`). An organisation that cannot bid for a £2M contract may still fit its
£60k research package, so all three are scored; but a suggested package is not offered by the
buyer, so it is only cut from a procurement (`scanner.ingest.purpose`), never from a grant or
a concession to the public, and only when the splitter divides it: its one package of an
undivided requirement is the whole tender, already an opportunity.

Each opportunity carries what matching needs to read it honestly: the languages of its texts,
the value one supplier would be awarded (`scanner.matching.value_basis`) in the reporting
currency with the notice's own amount beside it (a suggested package is judged on the whole
the buyer awards, its estimated share shown only as context: it is Lotwise's division, not a
published value), the place names no table could read, and,
for a notice published without codes, the codes its text suggests (`matchers.bridge`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import TypedDict

from matchers.analysis import terms_with_words
from matchers.bridge import InferredCode, infer_codes
from matchers.types import Amount, NoteParts, Opportunity, ValueKind
from matchers.value import note_text, usable_value
from scanner.ingest.declared_language import declared_language
from scanner.ingest.places import regions_of
from scanner.ingest.purpose import purpose_of
from scanner.ingest.tender import NormalisedTender
from scanner.matching.reserved import reserved_of
from scanner.matching.value_basis import ValueBasis, value_basis
from scanner.reference.cpv import cpv_vocabulary, fold
from scanner.reference.regions import regions_named
from scanner.splitter import Package, proposed_parts
from scanner.splitter.facts import is_cpv
from scanner.tender_state import is_closed_status

Converter = Callable[[Decimal | None, str | None], Decimal | None]
"""Turns (amount, currency) into the reporting currency; None when it cannot."""

UNDETERMINED = "und"
TITLE_LETTERS = 30  # a title shorter than this is too short to tell its own language
KIND_LABELS = {"tender": "tender", "buyer_lot": "lot", "suggested_package": "suggested package"}
PACKAGE_ADVICE = (
    "The buyer has not offered this part separately: Lotwise suggests it. You can bid for the "
    "whole as part of a consortium, offer it as a subcontract to the likely prime contractor, "
    "raise it at the buyer's market engagement, or ask the buyer to divide the contract into "
    "lots."
)
_OPEN_SOURCE_RE = re.compile(r"\bopen[- ]source\b|\bopen licen[cs]e\b|\bpublished code\b", re.I)


@dataclass(frozen=True, slots=True)
class Languages:
    """ISO 639-1 codes of a tender's description and title (None: undetermined)."""

    text: str | None
    title: str | None

    @classmethod
    def stored(cls, text: str | None, title: str | None) -> Languages:
        """From the stored columns, where "und" means detected as undetermined."""
        return cls(None if text == UNDETERMINED else text, None if title == UNDETERMINED else title)


def opportunities_of(
    tender: NormalisedTender,
    tender_id: int | str,
    packages: Iterable[Package] = (),
    *,
    to_reporting: Converter,
    languages: Languages | None = None,
) -> list[Opportunity]:
    """The tender itself, then its lots, then the suggested packages (procurements only)."""
    key = str(tender_id)
    if languages is None:
        languages = detect_languages(tender)
    purpose = purpose_of(tender)
    basis = value_basis(tender, purpose=purpose)
    currency = tender.currency
    coded = tender.regions or buyer_regions(tender)
    named = _named(tender.title, coded, tender.countries, languages.title, "the title")
    whole = Opportunity(
        id=f"tender:{key}",
        kind="tender",
        tender_id=key,
        title=tender.title,
        text=tender.description or "",
        cpv=tender.cpv_codes,
        naics=_naics(tender),
        regions=tuple(code for code, _ in named) or coded,
        countries=tender.countries,
        deadline=tender.deadline_at,
        closed=is_closed_status(tender.status),
        suitable_sme=tender.suitable_sme,
        suitable_vcse=tender.suitable_vcse,
        open_source=bool(_OPEN_SOURCE_RE.search(f"{tender.title} {tender.description or ''}")),
        language=languages.text,
        title_language=languages.title,
        parent_language=languages.title,
        place_names=tender.place_names,
        procurement=purpose.procurement,
        cpv_inferred=_inferred(tender, languages),
        regions_named=named,
        reserved=reserved_of(tender),
        **_money(basis, currency, to_reporting, purpose_note(purpose.kind)),
    )
    found = [whole]
    for position, lot in enumerate(tender.lots, start=1):
        lot_cpv = tuple(c.code for c in lot.classifications if c.scheme == "CPV")
        lot_basis = value_basis(tender, lot, purpose=purpose)
        lot_coded = _lot_regions(tender, lot.lot_id) or tender.regions
        lot_named = _named(
            lot.title or "", lot_coded, tender.countries, languages.title, "the lot's title"
        )
        if not lot_named and not _finer(lot_coded) and named:
            lot_named = tuple(
                (code, said.replace("the title", "the tender's title")) for code, said in named
            )
        found.append(
            replace(
                whole,
                id=f"lot:{key}:{position}",
                kind="buyer_lot",
                title=lot.title or f"Lot {lot.lot_id}",
                text=lot.description or "",
                parent_title=tender.title,
                cpv=lot_cpv or tender.cpv_codes,
                regions=tuple(code for code, _ in lot_named) or lot_coded,
                regions_named=lot_named,
                reserved=reserved_of(tender, lot),
                **_money(lot_basis, lot.currency or currency, to_reporting, ""),
            )
        )
    if not purpose.procurement:
        return found  # nobody can be offered a part of a grant or a sale
    parts = proposed_parts(tuple(packages))
    labels = code_labels(tender) if parts else frozenset()
    for position, package in enumerate(parts, start=1):
        estimated = _part(basis, package.estimated_value)
        found.append(
            replace(
                whole,
                id=f"package:{key}:{position}",
                kind="suggested_package",
                title=package.title,
                title_from_codes=only_labels(package.title, labels),
                text="" if only_labels(package.scope, labels) else package.scope,
                parent_title=tender.title,
                cpv=(package.cpv,) if package.cpv else tender.cpv_codes,
                regions=(package.region,) if package.region else whole.regions,
                regions_named=() if package.region else whole.regions_named,
                **_money(estimated, currency, to_reporting, ""),
            )
        )
    return found


# What the splitter calls a part it has no words for (`scanner.splitter.strategies`).
_LOTWISE_NAME_RE = re.compile(r"cpv group \w+|products of code \w+|uncoded products")


def code_labels(tender: NormalisedTender) -> frozenset[str]:
    """Folded labels of the tender's codes and of their ancestors, in every language of the
    CPV vocabulary, with the descriptions the notice publishes beside its codes: the words
    the splitter names a package with when the buyer wrote none (`only_labels`)."""
    listed = (
        *tender.classifications,
        *(c for item in tender.items for c in item.classifications),
        *(c for lot in tender.lots for c in lot.classifications),
    )
    codes = {c for c in (tender.main_cpv, *tender.cpv_codes) if c} | {c.code for c in listed}
    found = {fold(c.description).strip() for c in listed if c.description}
    return frozenset(found.union(*(_vocabulary_labels(code) for code in codes)))


@lru_cache(maxsize=20_000)
def _vocabulary_labels(code: str) -> frozenset[str]:
    """Folded labels of `code` and its ancestors in every language (folding is the cost)."""
    vocabulary = cpv_vocabulary()
    known = vocabulary.nearest_known(code) if is_cpv(code) else None
    if known is None:
        return frozenset()
    return frozenset(
        fold(label).strip()
        for each in (*vocabulary.ancestors(known), known)
        for label in vocabulary.labels[each]
        if label
    )


def only_labels(text: str, labels: frozenset[str]) -> bool:
    """Whether `text` is nothing but code labels joined by ";" (`code_labels`) or the
    splitter's own name for an unlabelled group: no word of the buyer's in it. A label cut
    short with an ellipsis (`fold` spells it "...") counts by its start."""
    pieces = [fold(piece).strip() for piece in text.split(";")]
    pieces = [piece for piece in pieces if piece]
    return bool(pieces) and all(
        piece in labels
        or _LOTWISE_NAME_RE.fullmatch(piece)
        or (
            len(piece) > 3
            and piece.endswith("...")
            and any(label.startswith(piece[:-3]) for label in labels)
        )
        for piece in pieces
    )


def _part(whole: ValueBasis, estimate: Decimal | None) -> ValueBasis:
    """A suggested package's size. Lotwise's share of a total is no evidence of what a
    supplier would be awarded, so it is context only; what is known is the whole the buyer
    will award (kind `part`, judged on the whole: `matchers.value`), when it is one contract."""
    note: tuple[str | Decimal, ...] = (
        ("Lotwise's estimate of this part ", estimate, ", not published")
        if estimate is not None and usable_value(estimate) is not None
        else ()
    )
    if whole.kind not in ("contract", "range") or whole.per_award is None or whole.total is None:
        return ValueBasis("unknown", None, parts=note)
    if whole.evidence == ("lot values",):  # its lots' values, not the whole's: unknown
        return ValueBasis("unknown", None, parts=note)
    return ValueBasis("part", whole.per_award, None, whole.per_award, note)


def _finer(regions: Sequence[str]) -> bool:
    """Whether any region code is finer than a country."""
    return any(len(code.strip()) > 2 for code in regions)


def _named(
    title: str,
    coded: Sequence[str],
    countries: Sequence[str],
    language: str | None,
    where: str,
) -> tuple[tuple[str, str], ...]:
    """Regions a title names, for a notice whose fields give no region finer than its one
    country: (code, "Łódź named in the title"). A code in the fields always wins."""
    if _finer(coded):
        return ()
    country = {c.strip().upper() for c in (*coded, *countries) if c and len(c.strip()) == 2}
    if len(country) != 1:
        return ()
    found = regions_named(title, country.pop(), language)
    return tuple((code, f"{name} named in {where}") for code, name in found)


def buyer_regions(tender: NormalisedTender) -> tuple[str, ...]:
    """The buyer's own region (its OCDS party address), read as a code, for a notice that gives
    no place of delivery: a municipality or a school mostly buys for where it is."""
    raw = tender.raw if isinstance(tender.raw, dict) else {}
    parties = raw.get("parties")
    buyer = raw.get("buyer")
    buyer_id = buyer.get("id") if isinstance(buyer, dict) else None
    for party in parties if isinstance(parties, list) else ():
        if not isinstance(party, dict):
            continue
        roles = party.get("roles")
        if party.get("id") == buyer_id or (isinstance(roles, list) and "buyer" in roles):
            address = party.get("address")
            if isinstance(address, dict):
                return regions_of({"deliveryAddress": address})
    return ()


def purpose_note(kind: str) -> str:
    """What an explanation says of a notice that is not a procurement."""
    return {
        "grant": "a grant or subsidy call, not a procurement",
        "concession": "a concession to the public, not a procurement",
        "sale": "a sale, not a procurement",
    }.get(kind, "")


class _Money(TypedDict):
    value: Decimal | None
    value_low: Decimal | None
    value_kind: ValueKind
    value_note: str
    value_note_parts: NoteParts
    published_value: tuple[Decimal, str] | None


def _money(
    basis: ValueBasis, currency: str | None, to_reporting: Converter, purpose: str
) -> _Money:
    """The value fields of an opportunity from its basis, in the reporting currency; the
    note's amounts kept as money, in the notice's currency and the reporting one."""
    published = basis.per_award if basis.per_award is not None else basis.total
    parts: NoteParts = tuple(
        part if isinstance(part, str) else Amount(part, currency, to_reporting(part, currency))
        for part in basis.parts
        if part != ""
    )
    if purpose:
        parts = (*parts, "; ", purpose) if parts else (purpose,)
    return {
        "value": to_reporting(basis.per_award, currency),
        "value_low": to_reporting(basis.per_award_low, currency),
        "value_kind": basis.kind,
        "value_note": note_text(parts),
        "value_note_parts": parts,
        "published_value": (published, currency) if published is not None and currency else None,
    }


def detect_languages(tender: NormalisedTender) -> Languages:
    """The languages of the tender's description (title and description together, the longer
    read) and of its title (its own when long enough to tell, else the description's), the
    language the notice declares taken unless the words rule it out (`matchers.detect`)."""
    return detect_languages_many([tender])[0]


def detect_languages_many(tenders: Sequence[NormalisedTender]) -> list[Languages]:
    """`detect_languages` of many tenders, the detector run once over all their texts."""
    from matchers.detect import detect_many  # the detector loads only when detecting

    texts: list[str | None] = []
    declared: list[str | None] = []
    for tender in tenders:
        texts.append(" ".join(filter(None, (tender.title, tender.description))))
        texts.append(tender.title)
        declared.extend([declared_language(tender.raw)] * 2)
    found = detect_many(texts, declared)
    languages = []
    for i, tender in enumerate(tenders):
        text, title = found[2 * i], found[2 * i + 1]
        if title is None or sum(c.isalpha() for c in tender.title or "") < TITLE_LETTERS:
            title = text  # a short title is read in its description's language
        languages.append(Languages(text, title))
    return languages


def _inferred(tender: NormalisedTender, languages: Languages) -> tuple[InferredCode, ...]:
    """Likely CPV codes of a tender published without any (`matchers.bridge.infer_codes`)."""
    if tender.cpv_codes or not languages.text:
        return ()
    pairs = terms_with_words(f"{tender.title}\n{tender.description or ''}", languages.text)
    surface: dict[str, str] = {}
    for term, word in pairs:
        surface.setdefault(term, word)
    return infer_codes(set(surface), surface, languages.text)


def _naics(tender: NormalisedTender) -> tuple[str, ...]:
    return tuple(c.code for c in tender.classifications if c.scheme.upper() == "NAICS")


def _lot_regions(tender: NormalisedTender, lot_id: str) -> tuple[str, ...]:
    regions: dict[str, None] = {}
    for item in tender.items:
        if item.related_lot == lot_id:
            regions.update(dict.fromkeys(item.regions))
    return tuple(regions)
