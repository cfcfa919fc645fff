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

OpportunityKind = Literal["tender", "lot", "package"]
OpenSourceStance = Literal["always", "preferred", "no preference"]


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


@dataclass(frozen=True, slots=True)
class Opportunity:
    """Something an organisation could bid for: a whole tender, one of its lots, or a package
    the splitter proposed. `id` is unique across kinds ("tender:42", "lot:42:2", "package:42:1");
    `parent_title` names the tender a lot or package belongs to, for explanations."""

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
