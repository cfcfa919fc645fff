"""Deterministic generator of realistic civic tenders as OCDS releases.

One seed gives the same releases every time (no clock, no uuid4, no hash randomisation), so the
committed demo fixtures regenerate byte for byte and benchmarks measure the same work on every
run. Used by `scripts/make_demo_fixtures.py` and `benchmarks/bench_ingest.py`.
"""

from __future__ import annotations

import hashlib
import html
import math
import random
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scanner.demo import catalogue as cat
from scanner.demo.facts import Buyer, Event, Facts, LotFacts
from scanner.demo.releases import cf_release, fts_release, portal_release
from scanner.demo.themes import THEMES, Theme

LONDON = ZoneInfo("Europe/London")
ANCHOR = datetime(2026, 11, 26, 17, 0, tzinfo=LONDON)  # the fixtures' "today"
OPEN_DEADLINES = (
    datetime(2027, 3, 1, 12, tzinfo=LONDON),
    datetime(2027, 12, 15, 12, tzinfo=LONDON),
)
PUBLISHERS = ("fts", "cf", "portal")

# (kind, outcome, count) per publisher: kinds small (<= £100k), standard, works (> £1M),
# multi (3-12 lots), programme (£2M-£20M single-supplier digital programme).
FTS_MIX: tuple[tuple[str, str, int], ...] = (
    ("programme", "open", 7), ("programme", "amended", 3), ("programme", "awarded", 2),
    ("programme", "cancelled", 1), ("programme", "planned", 1),
    ("multi", "open", 16), ("multi", "amended", 4), ("multi", "awarded", 4),
    ("multi", "cancelled", 2), ("multi", "planned", 2),
    ("works", "open", 6), ("works", "amended", 2), ("works", "awarded", 2),
    ("standard", "open", 58), ("standard", "amended", 12), ("standard", "awarded", 14),
    ("standard", "cancelled", 5), ("standard", "planned", 5),
    ("small", "open", 26), ("small", "amended", 3), ("small", "awarded", 5),
)  # fmt: skip
CF_MIX: tuple[tuple[str, str, int], ...] = (
    ("small", "open", 62), ("small", "amended", 8), ("small", "awarded", 12),
    ("small", "cancelled", 3), ("standard", "open", 18), ("standard", "amended", 3),
    ("standard", "awarded", 5), ("standard", "cancelled", 1), ("works", "open", 4),
    ("works", "awarded", 1), ("programme", "open", 3),
)  # fmt: skip
PORTAL_MIX: tuple[tuple[str, str, int], ...] = (
    ("multi", "open", 14), ("multi", "amended", 3), ("multi", "awarded", 3),
    ("programme", "open", 3), ("programme", "amended", 1), ("works", "open", 3),
    ("works", "awarded", 1), ("standard", "open", 18), ("standard", "amended", 3),
    ("standard", "awarded", 3), ("standard", "cancelled", 1), ("small", "open", 7),
)  # fmt: skip
MIXES = {"fts": FTS_MIX, "cf": CF_MIX, "portal": PORTAL_MIX}


@dataclass
class Procedure:
    """One generated procedure: its plan, its facts and its releases in date order."""

    kind: str
    outcome: str
    facts: Facts
    releases: list[dict[str, Any]]

    @property
    def ocid(self) -> str:
        return self.facts.ocid

    @property
    def lots(self) -> int:
        return len(self.facts.lots)


class ReleaseGenerator:
    """Makes procedures for one publisher; ids keep increasing across calls."""

    def __init__(self, seed: int, publisher: str = "fts") -> None:
        if publisher not in PUBLISHERS:
            raise ValueError(f"unknown publisher {publisher!r}: one of {PUBLISHERS}")
        self.rng = random.Random(f"{publisher}:{seed}")  # str seeds hash the same everywhere
        self.publisher = publisher
        self._serial = {"fts": 0x05F000, "cf": 0, "portal": 150_000}[publisher]
        self._notice = {"fts": 60_000, "cf": 580_000, "portal": 150_000}[publisher]

    def procedures(self, mix: Sequence[tuple[str, str, int]] | None = None) -> list[Procedure]:
        """The procedures of `mix` in random order, notices numbered in publication order."""
        plan = [
            (kind, outcome) for kind, outcome, n in mix or MIXES[self.publisher] for _ in range(n)
        ]
        self.rng.shuffle(plan)
        drafts = []
        for kind, outcome in plan:
            facts = self._facts(kind, outcome)
            drafts.append((kind, outcome, facts, self._events(facts, outcome)))
        timeline = sorted(
            (event.date, n, i) for n, d in enumerate(drafts) for i, event in enumerate(d[3])
        )
        numbers: dict[tuple[int, int], int] = {}
        for _date, n, i in timeline:
            self._notice += self.rng.randint(1, 60)
            numbers[(n, i)] = self._notice
        procedures = []
        for n, (kind, outcome, facts, events) in enumerate(drafts):
            releases = [
                self._release(facts, event, numbers[(n, i)]) for i, event in enumerate(events)
            ]
            procedures.append(Procedure(kind, outcome, facts, releases))
        return procedures

    def _release(self, facts: Facts, event: Event, number: int) -> dict[str, Any]:
        if self.publisher == "fts":
            return fts_release(facts, _with_notice(event, f"{number:06d}-{event.date.year}"))
        if self.publisher == "cf":
            return cf_release(facts, _with_notice(event, f"{facts.guid}-{number:06d}"))
        return portal_release(facts, event, number)

    # -- facts -------------------------------------------------------------------------------

    def _facts(self, kind: str, outcome: str) -> Facts:
        rng = self.rng
        buyer, place = self._buyer()
        theme = self._theme(kind)
        ctx = {
            "buyer": buyer.name,
            "place": place.name,
            "service": rng.choice(cat.SERVICES),
            "audience": rng.choice(cat.AUDIENCES),
            "site": rng.choice(cat.SITES),
        }
        if kind == "programme":
            title = rng.choice(cat.PROGRAMME_TITLES).format(**ctx)
            cpvs = ["72000000", *rng.sample(cat.PROGRAMME_CPVS, rng.randint(3, 5))]
            value = _round(_log_uniform(rng, 2_000_000, 20_000_000))
            regions = [buyer.region, *rng.sample(sorted(cat.REGIONS), rng.randint(2, 4))]
        else:
            title = rng.choice(theme.titles).format(**ctx)
            cpvs = list(theme.cpvs[: rng.randint(1, len(theme.cpvs))])
            value = _round(_log_uniform(rng, *self._value_range(kind, theme)))
            regions = [buyer.region]
        title = title[0].upper() + title[1:]
        lots = self._lots(kind, theme, value, buyer.region)
        paragraphs = [
            rng.choice(theme.intro).format(**ctx),
            *rng.sample(theme.scope, rng.randint(1, len(theme.scope))),
        ]
        if kind == "programme":
            *others, last = (cat.PLACES[i].name for i in rng.sample(range(len(cat.PLACES)), 3))
            paragraphs += [
                cat.PHASES,
                cat.CONSOLIDATION.format(**ctx),
                f"Partner organisations in {', '.join(others)} and {last} may also use the contract.",
            ]
        if len(lots) > 1:
            listed = "; ".join(f"Lot {lot.id}: {lot.title}" for lot in lots)
            paragraphs.append(
                f"The requirement is divided into {len(lots)} lots: {listed}. "
                "Suppliers may bid for any number of lots."
            )
        years = rng.choice((1, 2, 3, 4)) if kind != "programme" else rng.choice((4, 5))
        paragraphs.append(
            f"The estimated value is £{value:,} excluding VAT over {years} year{'s' * (years > 1)}."
        )
        selective = kind in {"programme", "works", "multi"} and rng.random() < 0.5
        method_details = "Competitive flexible procedure" if selective else "Open procedure"
        if self.publisher == "cf" and value < 135_000:
            method_details = "Open procedure (below threshold)"
        paragraphs.append(cat.BOILERPLATE[self.publisher].format(method=method_details.lower()))
        small = kind == "small" or value < 150_000
        facts = Facts(
            ocid=self._ocid(),
            ref=f"{_initials(buyer.name)}-{2026}-{rng.randint(1, 999):04d}",
            buyer=buyer,
            title=title,
            description="",
            category=theme.category if kind != "programme" else "services",
            value=value,
            cpvs=cpvs,
            regions=list(dict.fromkeys(regions)),
            lots=lots,
            sme=rng.random() < (0.9 if small else 0.15 if kind in {"works", "programme"} else 0.6),
            vcse=rng.random() < (0.45 if small else 0.1),
            method="selective" if selective else "open",
            method_details=method_details,
            published=ANCHOR,
            deadline=ANCHOR,
            contract_start=ANCHOR,
            contract_end=ANCHOR,
        )
        facts.description = self._description(paragraphs, facts)
        facts.guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if rng.random() < 0.04:
            facts.quirks.add("string_amounts")
        if len(lots) > 1 and rng.random() < 0.25:
            facts.quirks.add("framework")
        return facts

    def _description(self, paragraphs: list[str], facts: Facts) -> str:
        if self.publisher != "cf":
            return "\n".join(paragraphs)
        if self.rng.random() < 0.35:  # Contracts Finder descriptions often carry markup
            facts.quirks.add("html")
            body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs[:-2])
            tail = html.escape(paragraphs[-2], quote=False).replace("£", "&pound;")
            return f"{body}<ul><li>{tail}</li></ul><p>{paragraphs[-1]}&nbsp;</p>"
        return "\r\n\r\n".join(paragraphs)

    def _buyer(self) -> tuple[Buyer, cat.Place]:
        rng = self.rng
        if self.publisher == "portal":
            place = rng.choice(cat.WELSH_PLACES)
            pattern, ca_type = rng.choice(cat.WELSH_BODY_PATTERNS)
        else:
            place = rng.choice(cat.PLACES)
            pattern, ca_type = rng.choice(cat.BODY_PATTERNS)
            if rng.random() < 0.1:
                pattern, ca_type = rng.choice(cat.CENTRAL_BODIES), "centralGovernment"
        name = pattern.format(place=place.name, welsh=place.welsh)
        h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
        letters = "".join(chr(65 + (h >> (5 * i)) % 26) for i in range(8))
        domain = _slug(name) + _domain_suffix(name)
        first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
        if self.publisher == "cf":
            identifier = f"GB-SRS-sid4gov.cabinetoffice.gov.uk/{letters}"
        else:
            identifier = f"GB-PPON-P{letters[:3]}-{h % 10_000:04d}-{letters[3:7]}"
        phone = rng.choice(("+44 1632 960", "+44 7700 900")) + f"{rng.randint(0, 999):03d}"
        buyer = Buyer(
            name=name,
            identifier=identifier,
            street=cat.STREETS[h % len(cat.STREETS)],
            locality=place.name,
            postcode=f"{place.postcode}{h % 9 + 1} {h % 7 + 1}{letters[6:8]}",
            region=place.region,
            url=f"https://www.{domain}",
            ca_type=ca_type,
            contact_name=f"{first} {last}",
            email=f"{_ascii(first)}.{_ascii(last)}@{domain}".lower(),
            telephone=phone,
        )
        return buyer, place

    def _theme(self, kind: str) -> Theme:
        if kind == "programme":
            keys = {"data_platform", "digital_service", "case_management", "website"}
        elif kind == "works":
            keys = {"construction", "highways", "refurbishment", "care", "data_platform"}
        elif kind == "multi":
            keys = {t.key for t in THEMES if t.lots} | {"digital_service", "data_platform"}
        elif kind == "small":
            keys = {t.key for t in THEMES if t.values[0] <= 60_000}
        else:
            keys = {t.key for t in THEMES}
        return self.rng.choice([t for t in THEMES if t.key in keys])

    def _value_range(self, kind: str, theme: Theme) -> tuple[int, int]:
        low, high = theme.values
        if kind == "small":
            return max(10_000, low), min(100_000, high)
        if kind == "works":
            return 1_000_000, max(high, 3_000_000)
        if kind == "multi":
            return max(low, high // 4, 300_000), max(high, 2_000_000)
        return low, high

    def _lots(self, kind: str, theme: Theme, value: int, region: str) -> list[LotFacts]:
        rng = self.rng
        if kind != "multi":
            return [LotFacts("1", None, None, value, theme.cpvs[0], region)]
        pool = list(theme.lots) if theme.lots else list(cat.DDAT_LOTS)
        if len(pool) == 1:  # an area-based lot pattern
            pool = [(pool[0][0].replace("{area}", area), pool[0][1]) for area in cat.AREAS]
        chosen = sorted(rng.sample(range(len(pool)), rng.randint(3, min(12, len(pool)))))
        weights = [rng.uniform(0.5, 2.0) for _ in chosen]
        lots = []
        for number, (index, weight) in enumerate(zip(chosen, weights, strict=True), start=1):
            title, cpv = pool[index]
            share = _round(value * weight / sum(weights))
            description = f"Lot {number} covers {title[0].lower()}{title[1:]}."
            nearby = [r for r in sorted(cat.REGIONS) if r[:3] == region[:3]]
            lot_region = region if rng.random() < 0.75 else rng.choice(nearby)
            lots.append(LotFacts(str(number), title, description, share, cpv, lot_region))
        return lots

    def _ocid(self) -> str:
        self._serial += self.rng.randint(1, 40)
        if self.publisher == "fts":
            return f"ocds-h6vhtk-{self._serial:06x}"
        if self.publisher == "cf":
            return f"ocds-b5fd17-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
        return f"ocds-tc9w2k-{self._serial:06d}"

    # -- timeline ----------------------------------------------------------------------------

    def _events(self, f: Facts, outcome: str) -> list[Event]:
        rng = self.rng

        def ago(low: float, high: float) -> datetime:
            moment = ANCHOR - timedelta(days=rng.uniform(low, high))
            return moment.replace(hour=rng.randint(8, 17), microsecond=0)

        if outcome == "awarded":
            f.published = ago(160, 300)
            f.deadline = (f.published + timedelta(days=rng.randint(28, 50))).replace(
                hour=12, minute=0, second=0
            )
        else:
            f.published = ago(20, 90) if outcome == "amended" else ago(1, 140)
            span = (OPEN_DEADLINES[1] - OPEN_DEADLINES[0]).days
            f.deadline = OPEN_DEADLINES[0] + timedelta(days=rng.randint(0, span))
        f.contract_start = (f.deadline + timedelta(days=rng.randint(60, 120))).replace(hour=0)
        years = 5 if f.value > 2_000_000 else rng.randint(1, 4)
        f.contract_end = f.contract_start + timedelta(days=365 * years - 1, hours=23, minutes=59)
        first = Event(
            "planning" if outcome == "planned" else "tender", f.published, "", f.deadline, f.value
        )
        events = [first]
        if outcome == "amended":
            later = min(f.published + timedelta(days=rng.uniform(3, 25)), ANCHOR).replace(
                microsecond=0
            )
            deadline = f.deadline + timedelta(days=rng.choice((14, 21, 28, 42)))
            value = _round(f.value * rng.uniform(1.05, 1.25)) if rng.random() < 0.5 else f.value
            note = f"Deadline extended to {deadline:%d %B %Y}" + (
                f"; estimated value revised to £{value:,}" if value != f.value else ""
            )
            events.append(Event("amendment", later, "", deadline, value, note=note))
        elif outcome == "awarded":
            when = min(f.deadline + timedelta(days=rng.uniform(30, 100)), ANCHOR).replace(
                microsecond=0
            )
            suppliers = tuple(rng.sample(cat.SUPPLIERS, min(3, len(f.lots))))
            events.append(Event("award", when, "", f.deadline, f.value, suppliers))
        elif outcome == "cancelled":
            when = min(f.published + timedelta(days=rng.uniform(7, 25)), ANCHOR).replace(
                microsecond=0
            )
            events.append(Event("cancellation", when, "", f.deadline, f.value))
        return events


def generate_releases(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`count` Find a Tender style releases, newest first like the live feed; about a quarter of
    ocids have a later amendment, award or termination, often in a later page than the tender."""
    generator = ReleaseGenerator(seed, "fts")
    releases: list[dict[str, Any]] = []
    while len(releases) < count:
        releases.extend(r for p in generator.procedures() for r in p.releases)
    releases.sort(key=lambda r: r["date"], reverse=True)
    return releases[:count]


def _with_notice(event: Event, notice: str) -> Event:
    return Event(
        event.kind, event.date, notice, event.deadline, event.value, event.suppliers, event.note
    )


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(max(low, high))))


def _round(value: float) -> int:
    """Buyers publish round estimates: two or three significant figures."""
    digits = max(0, int(math.log10(max(value, 1))) - 1)
    return int(round(value, -digits))


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper())[:5] or "REF"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace("'", "")


def _domain_suffix(name: str) -> str:
    if "Health" in name or "NHS" in name:
        return ".nhs.uk"
    if any(word in name for word in ("University", "College", "Coleg")):
        return ".ac.uk"
    return ".gov.uk"


def _slug(name: str) -> str:
    words = [w for w in _ascii(name).lower().replace("/", " ").split() if w.isalpha()]
    return "".join(words[:3])
