"""The plain data the matchers score: an organisation's profile and an opportunity.

These are the contract between the scanner core (which builds them from validated profiles,
stored tenders, their lots and the splitter's packages) and the pure matchers. No ORM, no I/O.
Money is in the reporting currency (conversion happens before matching, never during it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from matchers.bridge import InferredCode

OpportunityKind = Literal["tender", "buyer_lot", "suggested_package"]
ValueKind = Literal["contract", "framework", "dps", "fund", "range", "ceiling", "part", "unknown"]
"""What a published value means for one supplier (`scanner.matching.value_basis`): the value
of the contract itself; a framework or dynamic purchasing system ceiling shared by its
suppliers; a fund or multi-supplier total; a per-supplier range; or nothing usable."""
OpenSourceStance = Literal["always", "preferred", "no preference"]


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount in a note, kept as money so it is shown in the reader's currency (the reader
    is not known when the note is made): `own` in the notice's `currency`, `reporting` the same
    in the reporting currency (None when no rate converts it)."""

    own: Decimal
    currency: str | None
    reporting: Decimal | None = None


NoteParts = tuple["str | Amount", ...]
"""A note as words and amounts ("framework ceiling ", Amount(...), " shared by 4"), made into
text for its reader by `matchers.value.note_text`."""


@dataclass(frozen=True, slots=True)
class OrgProfile:
    """What a small organisation does, where, and at what size.

    `cpv` and `naics` are prefixes of any length ("72", "722", "72200000"; check digits removed).
    `regions` holds NUTS/ITL codes ("UKC", "UKI3", "TLC"), ISO 3166-1 alpha-2 countries ("GB"),
    and `national` means everywhere in `countries`."""

    id: str
    name: str
    description: str = ""
    capabilities: str = ""
    keywords: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()
    naics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    national: bool = False
    remote: bool = True
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    turnover: Decimal | None = None
    team_size: int | None = None
    certifications: tuple[str, ...] = ()
    open_source: OpenSourceStance = "no preference"
    language: str | None = "en"
    currency: str = "GBP"
    reserved_eligible: tuple[str, ...] = ()
    """Kinds of operator a reserved contract may be reserved to that the organisation says it
    is: "sheltered_workshop", "social_enterprise" (both Directive 2014/24/EU Art. 20),
    "public_service_mission" (Art. 77)."""
    currency_rate: float = 1.0
    """Units of `currency` per unit of the reporting currency on the day of the run, so
    amounts are shown to the reader in the currency of their profile."""


@dataclass(frozen=True, slots=True)
class Opportunity:
    """Something an organisation could bid for: a whole tender, one of its lots, or a package
    the splitter proposed. `id` is unique across kinds ("tender:42", "lot:42:2", "package:42:1");
    `parent_title` names the tender a lot or package belongs to, for explanations.

    `value` is what one supplier would be awarded, in the reporting currency (None when that
    is not known: a framework ceiling or a fund total is not it); `value_low` the bottom of a
    per-supplier range whose top is `value` (kind "ceiling": one supplier wins some part of
    `value`, how much is not published, so it runs from 0; kind "part": a suggested package,
    `value` the whole the buyer awards); `value_kind` and `value_note` say which value the
    notice gave and how it was read (`value_note` in the notice's currency, for a page with no
    reader; `value_note_parts` the same with its amounts kept as money, shown to a reader in
    their currency by `matchers.value.note_text`); `published_value` is the notice's own amount and
    currency, shown beside converted money. Languages are ISO 639-1 codes (None: unknown) of
    the text, the title and the parent title. `cpv_inferred` holds likely codes of a notice
    published without codes (`matchers.bridge.infer_codes`). `regions_named` says, for each
    region read from the notice's own words instead of its fields, where it was read
    (code, "Wrocław named in the title"), for explanations."""

    id: str
    kind: OpportunityKind
    tender_id: str
    title: str
    text: str = ""
    parent_title: str | None = None
    cpv: tuple[str, ...] = ()
    naics: tuple[str, ...] = ()
    value: Decimal | None = None
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    deadline: datetime | None = None
    closed: bool = False
    suitable_sme: bool | None = None
    suitable_vcse: bool | None = None
    open_source: bool = False
    language: str | None = "en"
    title_language: str | None = "en"
    parent_language: str | None = "en"
    value_low: Decimal | None = None
    value_kind: ValueKind = "contract"
    value_note: str = ""
    value_note_parts: NoteParts = ()
    published_value: tuple[Decimal, str] | None = None
    cpv_inferred: tuple[InferredCode, ...] = ()
    place_names: tuple[str, ...] = ()
    procurement: bool = True
    regions_named: tuple[tuple[str, str], ...] = ()
    reserved: tuple[str, ...] = ()
    """Kinds of operator the buyer reserved it to (`scanner.matching.reserved`):
    "sheltered_workshop" (Art. 20), "public_service_mission" (Art. 77); () when open to all."""
    title_from_codes: bool = False
    """The title is only the labels of its CPV codes (a package Lotwise named from the CPV
    vocabulary or the notice's code descriptions): shown, never read as the buyer's words,
    since the classification criterion already reads those codes (`read_texts`)."""

    def read_texts(self) -> tuple[tuple[str | None, str | None], ...]:
        """The texts a matcher reads, each with its language: title, parent title, text. A
        title named from codes reads as empty: otherwise a profile's own CPV labels, carried
        into the notice's language, would meet Lotwise's words and score as text (a package
        titled "IT-Dienste: Beratung, Software-Entwicklung, Internet und Hilfestellung" was
        'text 1.00' for any IT firm)."""
        return (
            (None if self.title_from_codes else self.title, self.title_language),
            (self.parent_title, self.parent_language),
            (self.text, self.language),
        )
