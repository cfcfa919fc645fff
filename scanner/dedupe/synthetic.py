"""A synthetic corpus of tenders with known cross-posts and hard negatives, for the benchmark
and the blocking-versus-all-pairs test. Deterministic for a seed; no I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from scanner.dedupe.records import Record, make_record

_PLACES = [
    "Leeds",
    "Bristol",
    "Kent",
    "Camden",
    "Salford",
    "Manchester",
    "Norfolk",
    "Devon",
    "Cardiff",
    "Glasgow",
    "Derby",
    "York",
    "Bradford",
    "Sheffield",
    "Leicester",
    "Coventry",
    "Sutton",
    "Hackney",
    "Brent",
    "Surrey",
    "Essex",
    "Dorset",
    "Bath",
    "Oxford",
    "Cambridge",
    "Reading",
    "Luton",
    "Swindon",
    "Exeter",
    "Plymouth",
    "Hull",
    "Wigan",
    "Bolton",
    "Stockport",
]
# Made-up place names (Ashby, Brookton, ...), so buyers are as many as a real national feed's.
_STEMS = [
    "Ash",
    "Brook",
    "Clay",
    "Dun",
    "Elm",
    "Fair",
    "Glen",
    "Har",
    "Ing",
    "Kings",
    "Lang",
    "Mar",
    "Nor",
    "Oak",
    "Pen",
    "Ridge",
    "Stan",
    "Thorn",
    "Wal",
    "Whit",
]
_ENDS = [
    "by",
    "ton",
    "ford",
    "ham",
    "ley",
    "field",
    "wick",
    "bury",
    "stead",
    "well",
    "mouth",
    "borough",
    "bridge",
    "dale",
]
_KINDS = (
    "City Council",
    "County Council",
    "Borough Council",
    "NHS Foundation Trust",
    "District Council",
    "Housing Association",
    "College",
    "Fire and Rescue Service",
)
_SUBJECTS = (
    "digital inclusion support",
    "website redevelopment and hosting",
    "grounds maintenance",
    "winter gritting",
    "case management system",
    "translation and interpreting",
    "community transport",
    "open data portal",
    "youth employment programme",
    "energy audit",
    "cyber security assessment",
    "payroll software",
    "legal advice",
    "road resurfacing",
    "school meals catering",
    "library management system",
    "domestic abuse support",
    "customer contact centre",
    "fleet telematics",
    "volunteer matching platform",
    "mental health peer support",
    "street lighting maintenance",
    "data warehouse migration",
    "accessibility audit",
    "learning management system",
    "waste collection vehicles",
)
_QUALIFIERS = ("services", "framework", "contract", "programme", "pilot", "support", "")
_START = datetime(2026, 1, 5, 12, tzinfo=UTC)


def _title(rng: random.Random) -> str:
    subject = rng.choice(_SUBJECTS)
    other = rng.choice(_SUBJECTS)
    text = f"{subject} {rng.choice(_QUALIFIERS)}".strip()
    if rng.random() < 0.5:
        text += f" for {other}"
    return text.capitalize()


def _variant_title(rng: random.Random, title: str) -> str:
    """How a second portal retypes a title: case, `&`, punctuation, a dropped word."""
    choice = rng.randrange(5)
    if choice == 0:
        return title.title()
    if choice == 1:
        return title.replace(" and ", " & ").upper()
    if choice == 2:
        return title + "."
    if choice == 3:
        return "Contract notice: " + title
    return title.replace(" for ", " - ")


def _variant_buyer(rng: random.Random, buyer: str) -> str:
    return rng.choice((buyer.upper(), f"The {buyer}", f"{buyer} Ltd", buyer))


def corpus(
    n: int, *, cross_posted: float = 0.10, hard_negatives: float = 0.05, seed: int = 7
) -> tuple[list[Record], set[tuple[int, int]]]:
    """`n` records; a `cross_posted` share are second copies of another from another source,
    a `hard_negatives` share are same-buyer, same-deadline notices of another lot or year.
    Returns the records (shuffled) and the true duplicate pairs (smaller id first)."""
    rng = random.Random(seed)
    places = [*_PLACES, *(f"{a}{b}" for a in _STEMS for b in _ENDS)]
    buyers = [f"{p} {k}" for p in places for k in _KINDS]
    originals = int(n * (1 - cross_posted - hard_negatives))
    rows: list[tuple[str, str, str, datetime, Decimal]] = []
    for _ in range(originals):
        deadline = _START + timedelta(days=rng.randrange(365), hours=rng.choice((0, 5)))
        value = Decimal(rng.randrange(10, 5000) * 1000)
        rows.append(
            (
                "fts" if rng.random() < 0.5 else "cf",
                _title(rng),
                rng.choice(buyers),
                deadline,
                value,
            )
        )
    for _ in range(int(n * hard_negatives)):
        original = rng.randrange(originals)
        source, title, buyer, deadline, value = rows[original]
        if rng.random() < 0.5:
            title, other = f"{title} lot 1", f"{title} lot 2"
        else:
            title, other = f"{title} 2026", f"{title} 2027"
        rows[original] = (source, title, buyer, deadline, value)
        rows.append(("cf" if source == "fts" else "fts", other, buyer, deadline, value))
    truth: set[tuple[int, int]] = set()
    for original in rng.sample(range(originals), n - len(rows)):
        source, title, buyer, deadline, value = rows[original]
        shift = timedelta(hours=rng.choice((0, 0, 0, 11, 24)))
        rows.append(
            (
                "cf" if source == "fts" else "fts",
                _variant_title(rng, title),
                _variant_buyer(rng, buyer),
                deadline + shift,
                value,
            )
        )
        truth.add((original, len(rows) - 1))
    order = list(range(len(rows)))
    rng.shuffle(order)
    ids = {old: new for new, old in enumerate(order, start=1)}
    records = [
        make_record(id=ids[i], source=s, title=t, buyer=b, deadline=d, value=v)
        for i, (s, t, b, d, v) in enumerate(rows)
    ]
    records.sort(key=lambda r: r.id)
    pairs = {(min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in truth}
    return records, pairs
