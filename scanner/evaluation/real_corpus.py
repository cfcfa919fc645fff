"""The real-data evaluation corpus: every call for competition in the shared samples
(`../shared/samples`), normalised by Lotwise's own parsers, each as on its publication day.

What is kept, and why (the counts of what is left out are part of the corpus):

- a notice whose state *as published* is an open call: status `active` after normalising.
  Award and contract notices, procedures marked complete, cancelled or unsuccessful, and
  planning notices (prior information without a call, SAM.gov presolicitations) are left out:
  nobody could bid for them, and making them biddable would mean rewriting their status.
- Prozorro procedures that are no call for competition although "active": `reporting` is a
  direct award (the buyer names the supplier and reports the contract), `negotiation` and
  `negotiation.quick` negotiate with a supplier the buyer chose. Open (`aboveThreshold*`,
  `belowThreshold`, `esco`) and selective procedures (`priceQuotation` among qualified
  catalogue suppliers, `requestForProposal`) are kept: a small supplier can take part.
- a TED search-API listing that carries only notice numbers and dates is no notice at all.
- a call published after its own deadline (it happens on TED) was never open to a bidder.
- each procedure once: the multi-lot sample files are subsets of the open-tender files, so
  the first file in `FOLDERS` order (then file name order) that holds a procedure keys it.

Timing: the notices were published from 2014 to 2026. Each is judged as on the day its call
opened (`opened_at`: the tender period's start when given, else the publication date): its
dates (published, deadline, updated) are shifted by the same amount so that it opens at
`now` (default `EVALUATION_NOW`); nothing else changes (status, values, texts and the raw
payload are as published). So every kept notice is open at `now` with its own full bidding
window, and all of them can be ranked together.

Gathered notices: real notices in a language the other folders barely hold, gathered from
public sources into samples folders of their own (`GATHERED_FOLDERS`, one `gathered-<code>/`
per language, each named there with its provenance file benchmarks/real_match/GATHERED.md (Italian)
or GATHERED-<CODE>.md, also the folder's PROVENANCE.md: TED notices, gzip-compressed TED XML and
eForms files as published), read last,
by the same parsers and the same rules. Each is optional: a folder that is absent is simply not
read.

Item keys are stable: `<file relative to the samples folder>#<ocid or notice id>`.
Pure apart from reading the sample files; uses only `scanner.ingest` parsers.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner.evaluation.languages import detect_language
from scanner.ingest.dates import parse_datetime
from scanner.ingest.declared_language import declared_language
from scanner.ingest.eforms import parse_eforms_notice
from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import compile_releases, iter_file_releases
from scanner.ingest.sam import normalise_sam_opportunity
from scanner.ingest.ted_xml import parse_ted_notice
from scanner.ingest.tender import NormalisedTender

__all__ = [
    "EVALUATION_NOW",
    "FOLDERS",
    "GATHERED_FOLDERS",
    "RealCorpus",
    "RealItem",
    "left_out_reason",
    "load_real_corpus",
    "opened_at",
    "shifted_to",
    "source_of",
]

EVALUATION_NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday; the Prozorro snapshot's end
# Samples folders of real notices gathered for one language group each; not part of the shared
# samples everywhere (fetched data is never committed), so each one is optional.
GATHERED_FOLDERS = (
    "gathered-it",  # real Italian TED notices (benchmarks/real_match/GATHERED.md)
    "gathered-fr",  # real French TED notices (benchmarks/real_match/GATHERED-FR.md)
    "gathered-es",  # real Spanish TED notices (benchmarks/real_match/GATHERED-ES.md)
    "gathered-de",  # real German TED notices (benchmarks/real_match/GATHERED-DE.md)
    "gathered-pl",  # real Polish TED notices (benchmarks/real_match/GATHERED-PL.md)
    "gathered-bg",  # real Bulgarian TED notices (benchmarks/real_match/GATHERED-BG.md)
    "gathered-cs",  # real Czech TED notices (benchmarks/real_match/GATHERED-CS.md)
    "gathered-el",  # real Greek TED notices (benchmarks/real_match/GATHERED-EL.md)
    "gathered-nl",  # real Dutch TED notices (benchmarks/real_match/GATHERED-NL.md)
    "gathered-hu",  # real Hungarian TED notices (benchmarks/real_match/GATHERED-HU.md)
    "gathered-fi",  # real Finnish TED notices (benchmarks/real_match/GATHERED-FI.md)
    "gathered-ro",  # real Romanian TED notices (benchmarks/real_match/GATHERED-RO.md)
    "gathered-sk",  # real Slovak TED notices (benchmarks/real_match/GATHERED-SK.md)
    "gathered-da",  # real Danish TED notices (benchmarks/real_match/GATHERED-DA.md)
    "gathered-et",  # real Estonian TED notices (benchmarks/real_match/GATHERED-ET.md)
    "gathered-sv",  # real Swedish TED notices (benchmarks/real_match/GATHERED-SV.md)
    "gathered-pt",  # real Portuguese TED notices (benchmarks/real_match/GATHERED-PT.md)
    "gathered-sl",  # real Slovenian TED notices (benchmarks/real_match/GATHERED-SL.md)
    "gathered-lt",  # real Lithuanian TED notices (benchmarks/real_match/GATHERED-LT.md)
    "gathered-hr",  # real Croatian TED notices (benchmarks/real_match/GATHERED-HR.md)
    "gathered-lv",  # real Latvian TED notices (benchmarks/real_match/GATHERED-LV.md)
)
FOLDERS = (
    "open-tenders-en",
    "contracts-finder",
    "find-a-tender",
    "multi-lot-ocds",
    "multi-lot-eforms",
    "multi-lot-ted-xml",
    "ted",
    "sam-gov",
    "ocds",
    "prozorro",
    *GATHERED_FOLDERS,
)
# Procedures that are no call for competition although published as active (Prozorro's
# `procurementMethodDetails`, which normalising keeps as the procedure type).
NO_CALL = {
    "reporting": "direct award report (no call for competition)",
    "negotiation": "negotiated with a supplier the buyer chose (no open call)",
    "negotiation.quick": "negotiated with a supplier the buyer chose (no open call)",
}
_CLOSED = {
    "complete": "award notice, or complete as published",
    "cancelled": "cancelled or unsuccessful as published",
    "unsuccessful": "cancelled or unsuccessful as published",
    "planning": "planning notice (no call yet)",
    "planned": "planning notice (no call yet)",
}
# File name (or folder) patterns -> the publisher and format, for counts; first match wins.
_SOURCES = (
    ("contracts_finder", "Contracts Finder (OCDS)"),
    ("contracts-finder/", "Contracts Finder (OCDS)"),
    ("pcs_scotland", "Public Contracts Scotland (OCDS)"),
    ("sell2wales", "Sell2Wales (OCDS)"),
    ("find_a_tender", "Find a Tender (OCDS)"),
    ("find-a-tender/", "Find a Tender (OCDS)"),
    ("fts_", "Find a Tender (OCDS)"),
    ("paraguay", "DNCP Paraguay (OCDS)"),
    ("armenia", "Armenia PPS (OCDS)"),
    ("mexico", "Mexico APF (OCDS)"),
    ("prozorro", "Prozorro (OCDS)"),
    ("doffin_", "Doffin (eForms)"),
    ("ted-xml/", "TED (XML R2.0.9)"),
    ("sam-gov/", "SAM.gov"),
    ("ted_v3", "TED search API"),
    (".xml", "TED (eForms)"),
)


@dataclass(frozen=True)
class RealItem:
    """One call for competition as on its publication day."""

    key: str
    file: str  # relative to the samples folder
    source: str  # publisher and format, for counts
    tender: NormalisedTender  # dates shifted so that it is published at the corpus's `now`
    published: datetime | None  # when the call opened, as published (`opened_at`)
    declared_language: str | None  # of the text Lotwise keeps, as the notice declares it
    detected_language: str | None  # guessed from that text (languages.detect_language)


@dataclass(frozen=True)
class RealCorpus:
    """The kept items by key (in file order) and how many notices were left out, and why."""

    now: datetime
    items: dict[str, RealItem]
    left_out: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, reason)

    def counts(self, by: str) -> Counter[str]:
        """Kept items per `source`, `declared_language` or `detected_language`."""
        return Counter(str(getattr(item, by) or "undetermined") for item in self.items.values())


def source_of(relative: str) -> str:
    """The publisher and format of a sample file, from its path."""
    lowered = relative.lower()
    name = next((name for pattern, name in _SOURCES if pattern in lowered), "other")
    return f"{name}, gathered" if lowered.startswith("gathered-") else name


def load_real_corpus(
    samples: Path, *, now: datetime = EVALUATION_NOW, folders: tuple[str, ...] = FOLDERS
) -> RealCorpus:
    """Every call for competition in `folders` under `samples`, keyed, de-duplicated and
    shifted onto `now`."""
    items: dict[str, RealItem] = {}
    seen: dict[str, str] = {}
    left_out: Counter[tuple[str, str]] = Counter()
    for path in _sample_files(samples, folders):
        relative = path.relative_to(samples).as_posix()
        source = source_of(relative)
        for tender in _tenders_in(path, relative, left_out):
            reason = left_out_reason(tender)
            if reason is None and tender.source_key in seen:
                reason = "duplicate of a procedure in an earlier sample file"
            if reason is not None:
                left_out[(source, reason)] += 1
                continue
            key = f"{relative}#{tender.source_key}"
            seen[tender.source_key] = key
            items[key] = RealItem(
                key=key,
                file=relative,
                source=source,
                tender=shifted_to(tender, now),
                published=opened_at(tender),
                declared_language=_declared_language(tender, relative),
                detected_language=detect_language(_text_of(tender)),
            )
    return RealCorpus(now=now, items=items, left_out=left_out)


def _sample_files(samples: Path, folders: tuple[str, ...]) -> Iterator[Path]:
    for folder in folders:
        base = samples / folder
        if base.is_dir():
            yield from sorted(
                p for p in base.rglob("*") if p.is_file() and p.suffix.lower() != ".md"
            )


def _tenders_in(
    path: Path, relative: str, left_out: Counter[tuple[str, str]]
) -> Iterator[NormalisedTender]:
    """The normalised procedures of one sample file; a file or record that cannot be read is
    counted as left out (with the parser's reason), never fatal."""
    source = source_of(relative)
    try:
        name = path.name.lower()
        if name.endswith((".xml", ".xml.gz")):
            data = path.read_bytes()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            parse = parse_ted_notice if b"TED_EXPORT" in data[:4096] else parse_eforms_notice
            yield parse(data, source=source)
            return
        if relative.startswith("sam-gov/"):
            records = json.loads(path.read_bytes()).get("opportunitiesData") or []
            yield from (normalise_sam_opportunity(r, source=source) for r in records)
            return
        if relative.startswith("ted/") and path.suffix.lower() == ".json":
            listing = json.loads(path.read_bytes()).get("notices") or []
            left_out[(source, "search listing: notice numbers and dates only")] += len(listing)
            return
        yield from _ocds_procedures(path, source)
    except (ValueError, OSError, EOFError) as exc:  # a parser's error names the problem; a bad gzip
        left_out[(source, f"unreadable: {str(exc).splitlines()[0][:120]}")] += 1


def _ocds_procedures(path: Path, source: str) -> Iterator[NormalisedTender]:
    by_ocid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in iter_file_releases(path):
        by_ocid[str(release.get("ocid"))].append(release)
    for releases in by_ocid.values():
        compiled = compile_releases(sorted(releases, key=lambda r: str(r.get("date"))))
        yield normalise_release(compiled, source=source)


def left_out_reason(tender: NormalisedTender) -> str | None:
    """Why a normalised notice is no call a supplier could still bid for, or None."""
    status = (tender.status or "").lower()
    if status != "active":
        return _CLOSED.get(status, f"status {status or 'missing'} as published")
    opened = opened_at(tender)
    if tender.deadline_at is not None and opened is not None and tender.deadline_at < opened:
        # TED sometimes publishes a notice after its own deadline (a German PIN of 2021: sent
        # 8 July, deadline 9 July, published 13 July): shifted to `now`, nobody could bid
        return "deadline before publication as published"
    return NO_CALL.get((tender.procedure_type or "").strip())


def opened_at(tender: NormalisedTender) -> datetime | None:
    """When the call opened: the start of the OCDS tender period when the release gives one
    and it is earlier (Prozorro's releases are dated by their latest change, so their
    `published_at` can fall after the deadline), else the published date."""
    tender_part = tender.raw.get("tender")
    period = tender_part.get("tenderPeriod") if isinstance(tender_part, dict) else None
    start = parse_datetime(period.get("startDate")) if isinstance(period, dict) else None
    dates = [d for d in (start, tender.published_at) if d is not None]
    return min(dates) if dates else tender.updated_at


def shifted_to(tender: NormalisedTender, now: datetime) -> NormalisedTender:
    """The tender with every date moved by the same amount, so that it opens at `now`."""
    anchor = opened_at(tender)
    if anchor is None:
        return tender
    shift: timedelta = now - anchor

    def moved(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment + shift

    return replace(
        tender,
        published_at=now,
        deadline_at=moved(tender.deadline_at),
        updated_at=moved(tender.updated_at),
    )


def _declared_language(tender: NormalisedTender, relative: str) -> str | None:
    """The language of the text Lotwise keeps, as the notice declares it
    (`scanner.ingest.declared_language`, the prior matching gives the detector); Norwegian's
    two written standards are one group here."""
    if relative.startswith("sam-gov/"):
        return "en"
    code = declared_language(tender.raw)
    return "no" if code in ("nb", "nn") else code


def _text_of(tender: NormalisedTender) -> str:
    parts = [tender.title, tender.description or ""]
    parts += [f"{lot.title or ''} {lot.description or ''}" for lot in tender.lots]
    parts += [item.description or "" for item in tender.items]
    return " ".join(parts)
