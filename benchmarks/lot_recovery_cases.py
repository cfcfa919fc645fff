"""Lot recovery, the cases: real multi-lot tenders, what is hidden from the splitter, and the
fixed split into a tuning half and a held-out half.

The halves are decided by a hash of the sample file name and the tender's identifier, never by
anything measured, so a rule tuned by reading the tuning half's misses is judged on tenders it
has not seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import iter_file_releases
from scanner.ingest.tender import NormalisedTender

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LOTWISE_SHARED_DIR", REPO.parent / "shared"))
TUNING, HELD_OUT = "tuning", "held-out"

OCDS_CORPORA = {
    "pcs_scotland": "Scotland (PCS)",
    "sell2wales": "Wales (Sell2Wales)",
    "find_a_tender": "Find a Tender",
    "paraguay": "Paraguay (DNCP)",
    "armenia": "Armenia (PPS)",
}


@dataclass(frozen=True)
class Proposal:
    """One proposed package (or buyer's lot), reduced to what is compared: text, codes, items."""

    title: str
    scope: str
    codes: tuple[str, ...]
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One real multi-lot tender: as published, and the buyer's division to recover."""

    corpus: str
    origin: str  # sample file name and tender identifier: decides the half
    tender: NormalisedTender
    gold_items: tuple[tuple[str, ...], ...]  # (a): item ids per lot
    gold_lots: tuple[Proposal, ...]  # (b): each lot's title, description and codes

    @property
    def several_items_per_lot(self) -> bool:
        return any(len(group) >= 2 for group in self.gold_items)

    @property
    def half(self) -> str:
        """Tuning or held-out, by the first byte of SHA-256 of the origin (fixed, about even)."""
        return TUNING if hashlib.sha256(self.origin.encode()).digest()[0] % 2 == 0 else HELD_OUT

    def hidden(self) -> NormalisedTender:
        """The view the splitter gets: (a) lots hidden, (b) lots and items hidden."""
        if self.several_items_per_lot:
            return hide_lots(self.tender)
        return hide_lots_and_items(self.tender)


# -- loading ----------------------------------------------------------------------------------


def load_cases() -> tuple[list[Case], list[str]]:
    """Every multi-lot tender of the shared samples, and notes on what could not be read."""
    cases: list[Case] = []
    notes: list[str] = []
    folder = SHARED / "samples" / "multi-lot-ocds"
    for path in sorted(folder.glob("*.json")):
        corpus = next((n for k, n in OCDS_CORPORA.items() if path.name.startswith(k)), path.stem)
        for release in iter_file_releases(path):
            cases.extend(_case(corpus, path.name, normalise_release(release, source="bench")))
    for corpus, module, func, sub in (
        ("TED eForms", "scanner.ingest.eforms", "parse_eforms_notice", "multi-lot-eforms"),
        ("TED XML R2.0.9", "scanner.ingest.ted_xml", "parse_ted_notice", "multi-lot-ted-xml"),
    ):
        try:
            parse = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            notes.append(f"{corpus}: not measured ({module}.{func} unavailable: {exc})")
            continue
        failed = 0
        for path in sorted((SHARED / "samples" / sub).glob("*.xml")):
            try:
                tenders = parse(path.read_bytes())
            except Exception as exc:  # a parser error costs the notice, not the benchmark
                failed += 1
                notes.append(f"{corpus}: {path.name} not parsed ({type(exc).__name__}: {exc})")
                continue
            for tender in tenders if isinstance(tenders, list | tuple) else [tenders]:
                cases.extend(_case(corpus, path.name, tender))
        if failed:
            notes.append(f"{corpus}: {failed} notices not parsed")
    return cases, notes


def _case(corpus: str, file_name: str, tender: NormalisedTender) -> list[Case]:
    if len(tender.lots) < 2:
        return []
    gold_items, gold_lots = [], []
    for lot in tender.lots:
        wanted = set(lot.related_items)
        items = [i for i in tender.items if i.related_lot == lot.lot_id or i.id in wanted]
        gold_items.append(tuple(i.id for i in items))
        codes = [c.code for c in lot.classifications] + [
            c.code for i in items for c in i.classifications
        ]
        gold_lots.append(
            Proposal(lot.title or "", lot.description or "", tuple(dict.fromkeys(codes)), ())
        )
    ident = tender.ocid or tender.notice_id or tender.source_key
    return [Case(corpus, f"{file_name}|{ident}", tender, tuple(gold_items), tuple(gold_lots))]


# -- hiding -----------------------------------------------------------------------------------


def _raw_without_lots(raw: dict[str, Any], *, items: bool) -> dict[str, Any]:
    """The raw release without lots (and items): the splitter reads durations from it."""
    tender = raw.get("tender")
    if not isinstance(tender, dict):
        return {}
    drop = {"lots", "lotDetails", "lotGroups"} | ({"items"} if items else set())
    return {**raw, "tender": {k: v for k, v in tender.items() if k not in drop}}


def hide_lots(tender: NormalisedTender) -> NormalisedTender:
    """(a): no lots, items kept but no longer saying which lot they were in."""
    return dataclasses.replace(
        tender,
        lots=(),
        items=tuple(dataclasses.replace(i, related_lot=None) for i in tender.items),
        raw=_raw_without_lots(tender.raw, items=False),
    )


def hide_lots_and_items(tender: NormalisedTender) -> NormalisedTender:
    """(b): what an undivided notice carries. Title, the whole-tender description, value,
    and the CPV codes and regions of the whole requirement (an undivided notice lists them all);
    no lot or item titles, descriptions or structure. A title or description that parsers
    took from a lot (when the notice has none of its own) is withheld too."""
    lot_texts = {t for lot in tender.lots for t in (lot.title, lot.description) if t}
    return dataclasses.replace(
        tender,
        title=tender.title if tender.title not in lot_texts else "Untitled requirement",
        description=tender.description if tender.description not in lot_texts else None,
        lots=(),
        items=(),
        raw=_raw_without_lots(tender.raw, items=True),
    )
