"""What a notice is for: buying something (a procurement), or giving money or rights to the
public (a grant or subsidy call, a concession or sale to the public). Only a procurement has a
buyer who could let part of it as a lot, so only a procurement's requirement may be cut into
suggested packages; a grant's value is a fund total, not one contract's size.

`purpose_of(tender)` is pure and returns its evidence: the fields and words that decided it.
Fields decide first (an eForms or TED contract notice, an OCDS procurement method or main
procurement category, a CPV code: a buyer's notice); then words in the title (strong) and the
description (weak), in several languages. A grant call published on a procurement portal
without codes or a method is caught by its words ("contributo a fondo perduto", "call for
proposals", "Förderprogramm", "грант").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scanner.ingest.tender import NormalisedTender

__all__ = ["Purpose", "PurposeKind", "purpose_of"]

PurposeKind = Literal["procurement", "grant", "concession", "sale"]

# Words that mark a grant or subsidy call, per language (case-insensitive, whole words; a
# trailing "*" matches any ending).
_GRANT_WORDS = (
    # en
    "grant", "grants", "grant funding", "call for proposals", "funding call", "subsidy",
    "subsidies", "bursary", "prize fund",
    # it
    "contributo", "contributi", "fondo perduto", "a fondo perduto", "sovvenzione",
    "sovvenzioni", "agevolazione", "agevolazioni", "incentivo", "incentivi", "voucher",
    "bando per la concessione di contributi", "finanziamento a fondo perduto", "sostegno",
    # fr
    "subvention", "subventions", "appel à projets", "aide financière",
    # de
    "zuschuss", "zuschüsse", "förderung", "förderprogramm", "fördermittel", "förderaufruf",
    # es / pt
    "subvención", "subvenciones", "ayudas", "convocatoria de ayudas", "subsídio", "subvenção",
    # pl / cs / ro / nl
    "dotacja", "dotacje", "dofinansowanie", "dotace", "grant nerambursabil", "subsidie",
    # uk
    "грант", "гранти", "грантова", "субсидія", "субсидії", "дотація", "дотації",
)  # fmt: skip
# Phrases no procurement title uses: they decide even against a CPV code (not against a
# procurement method or a TED contract notice).
_GRANT_PHRASES = (
    "fondo perduto", "a fondo perduto", "call for proposals", "concessione di contributi",
    "concessione dei contributi", "bando contributi", "förderprogramm", "förderaufruf",
    "appel à projets", "convocatoria de ayudas", "grant nerambursabil", "grant funding",
    "funding call", "грантова програма", "грантовий конкурс",
)  # fmt: skip
_CONCESSION_WORDS = (
    "suolo pubblico", "posteggi", "posteggio", "concessione demaniale", "licence to occupy",
    "market stall", "market pitches", "stands de marché", "оренда",
)  # fmt: skip
_SALE_WORDS = (
    "sale of", "for sale", "disposal of", "auction", "vendita", "alienazione", "asta pubblica",
    "vente", "enchères", "verkauf", "versteigerung", "subasta", "sprzedaż", "przetarg na sprzedaż",
    "продаж", "аукціон з продажу",
)  # fmt: skip
# Words of a buyer buying: with one of them in the text, a plain grant or sale word is the
# subject of the purchase ("Community Grants Management Modernization: statement of
# objectives", "sistema per la gestione dei contributi: appalto"), not what the notice gives.
_PURCHASE_WORDS = (
    "contract", "contractor", "statement of objectives", "statement of work", "procurement",
    "invitation to tender", "appalto", "stazione appaltante", "affidamento", "auftrag",
    "auftragnehmer", "vergabe", "marché public", "titulaire du marché", "zamówienie",
    "wykonawca", "contrato", "licitación", "закупівля", "закупівлі", "договір", "постачальник",
)  # fmt: skip
_OCDS_METHODS = frozenset({"open", "selective", "limited", "direct"})
_CATEGORIES = frozenset({"goods", "works", "services"})
_TED_FORMATS = ("eforms", "ted-xml", "ted-api", "ted-api+eforms")


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


_GRANT = _pattern(_GRANT_WORDS)
_GRANT_PHRASE = _pattern(_GRANT_PHRASES)
_CONCESSION = _pattern(_CONCESSION_WORDS)
_SALE = _pattern(_SALE_WORDS)
_PURCHASE = _pattern(_PURCHASE_WORDS)


@dataclass(frozen=True, slots=True)
class Purpose:
    """A notice's purpose and why: `evidence` names the fields and quotes the words."""

    kind: PurposeKind
    evidence: tuple[str, ...] = ()

    @property
    def procurement(self) -> bool:
        """True when a buyer is buying something (packages may then be suggested)."""
        return self.kind == "procurement"


def _buyer_fields(tender: NormalisedTender) -> list[str]:
    """Fields that only a buyer's procurement notice carries (a CPV code last: the weakest)."""
    found: list[str] = []
    fmt = str(tender.raw.get("format") or "")
    if fmt in _TED_FORMATS:
        found.append(f"a {fmt} contract notice")
    ocds = tender.raw.get("tender") if isinstance(tender.raw.get("tender"), dict) else None
    if ocds is not None:
        method = ocds.get("procurementMethod")
        if isinstance(method, str) and method.lower() in _OCDS_METHODS:
            found.append(f"procurementMethod '{method}'")
        category = ocds.get("mainProcurementCategory")
        if isinstance(category, str) and category.lower() in _CATEGORIES:
            found.append(f"mainProcurementCategory '{category}'")
    if tender.cpv_codes:
        found.append(f"CPV {tender.cpv_codes[0]}")
    if fmt == "sam-opportunities-v2":
        found.append("a SAM.gov contract opportunity")
    return found


def _words(pattern: re.Pattern[str], text: str | None) -> list[str]:
    return list(dict.fromkeys(m.group(1).lower() for m in pattern.finditer(text or "")))


def purpose_of(tender: NormalisedTender) -> Purpose:
    """Procurement, grant, concession to the public, or sale, with the evidence (see module)."""
    title, description = tender.title or "", tender.description or ""
    fields = _buyer_fields(tender)
    strong = [f for f in fields if not f.startswith("CPV ")]
    purchase = _words(_PURCHASE, title) or _words(_PURCHASE, description)
    if not strong:
        # A phrase only grant calls use decides even beside a CPV code; plain words ("grant",
        # "contributo", "sale") decide in a title without any buyer field, or recurring in a
        # description without one nor a word of buying ("contract", "appalto"). A TED notice
        # or an OCDS procurement method always wins: "Grant management system" is bought.
        phrase = _words(_GRANT_PHRASE, title)
        if phrase:
            return Purpose("grant", tuple(f"title says '{w}'" for w in phrase[:3]))
        for kind, pattern in (("sale", _SALE), ("concession", _CONCESSION), ("grant", _GRANT)):
            if fields or purchase:
                break
            in_title = _words(pattern, title)
            if in_title:
                return Purpose(kind, tuple(f"title says '{w}'" for w in in_title[:3]))  # type: ignore[arg-type]
            in_text = _words(pattern, description)
            if len(in_text) >= 2:
                return Purpose(kind, tuple(f"text says '{w}'" for w in in_text[:3]))  # type: ignore[arg-type]
    if fields:
        return Purpose("procurement", tuple(fields[:3]))
    if purchase:
        return Purpose("procurement", tuple(f"text says '{w}'" for w in purchase[:3]))
    return Purpose("procurement", ("no grant, concession or sale wording",))
