"""Contract clause templates (`config/clauses/*.toml`): checked on load, filled per package.

Templates are data so that buyers can share what worked: one file per topic, each clause with
the kinds of work it fits, its text with placeholders, and the provision or guidance behind it
in each regime (else shown "by analogy"). Filling is pure: a stored package and its context in,
clauses out, each marked when it does not fit and saying what to fill in.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from scanner.splitter.prose import clip, join_words

KINDS = ("digital", "services", "goods", "works", "any")
PLACEHOLDERS = (
    "title",
    "buyer",
    "value",
    "months",
    "period",
    "lot",
    "lots",
    "other_lots",
    "previous",
    "increment_months",
    "increment_value",
    "kpi_law",
)
REGIMES = ("UK", "UK-SCT", "UK-WLS", "EU", "US", "default")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {"id", "title", "applies_to", "text", "sources", "needs", "only_if", "when"}
_MISSING = {
    "value": "the package's value",
    "months": "the package's duration",
    "previous": "the lot this one builds on",
    "increment_months": "the length of an increment",
    "increment_value": "the value of an increment",
}
# Words that make a package a service whatever else it mentions ("digital skills training"),
# then words of digital work. Matched as whole words of the lower-cased text (sets, not one
# long regular expression: this runs for every package of every assessment shown).
_SERVICE_WORDS = frozenset(
    [
        "training",
        "audit",
        "consultancy",
        "advice",
        "advisory",
        "evaluation",
        "survey",
        "cleaning",
        "catering",
        "maintenance",
        "transport",
        "legal",
        "translation",
        "recruitment",
    ]
)
_DIGITAL_WORDS = frozenset(
    [
        "software",
        "digital",
        "website",
        "online",
        "app",
        "apps",
        "platform",
        "data",
        "hosting",
        "cloud",
        "alpha",
        "beta",
        "discovery",
        "api",
        "system",
        "portal",
    ]
)
_DIGITAL_PHRASES = ("service design", "user research", "web site")
_WORDS = re.compile(r"[a-z]+")
INCREMENT_MONTHS = 3
KPI_VALUE_GBP = Decimal(5_000_000)


class ClauseError(ValueError):
    """A clause file breaks the schema; the message names the file, the clause and the fault."""


@dataclass(frozen=True, slots=True)
class ClauseTemplate:
    """One clause as written in a file."""

    id: str
    title: str
    applies_to: tuple[str, ...]
    text: str
    sources: dict[str, str]
    needs: tuple[str, ...]
    only_if: tuple[str, ...]
    when: str
    file: str


@dataclass(frozen=True, slots=True)
class ClauseLibrary:
    """Every clause of the folder, in file then position order."""

    templates: tuple[ClauseTemplate, ...]


def load_clauses(folder: Path) -> ClauseLibrary:
    """Read and check every `*.toml` in `folder`; raises `ClauseError` on the first fault."""
    if not folder.is_dir():
        raise ClauseError(f"{folder}: clause folder not found")
    templates: list[ClauseTemplate] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ClauseError(f"{path}: {exc}") from None
        entries = data.get("clause")
        extra = set(data) - {"clause"}
        if extra:
            raise ClauseError(f"{path}: unknown table {sorted(extra)[0]!r} (only [[clause]])")
        if not isinstance(entries, list) or not entries:
            raise ClauseError(f"{path}: no [[clause]] tables")
        for position, entry in enumerate(entries, start=1):
            template = _template(entry, path, position)
            if template.id in seen:
                raise ClauseError(
                    f"{path}: clause {template.id!r} repeats an id used in {seen[template.id]}"
                )
            seen[template.id] = path.name
            templates.append(template)
    if not templates:
        raise ClauseError(f"{folder}: no clause files (*.toml)")
    return ClauseLibrary(tuple(templates))


def _template(entry: object, path: Path, position: int) -> ClauseTemplate:
    where = f"{path}: clause {position}"
    if not isinstance(entry, dict):
        raise ClauseError(f"{where}: not a table")
    clause_id = entry.get("id")
    if not isinstance(clause_id, str) or not _ID.match(clause_id):
        raise ClauseError(f"{where}: id missing or not lower-case words joined by '-'")
    where = f"{path}: clause {clause_id!r}"
    unknown = set(entry) - _KEYS
    if unknown:
        raise ClauseError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("title", "text"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ClauseError(f"{where}: {key} missing or empty")
    kinds = entry.get("applies_to")
    if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
        raise ClauseError(f"{where}: applies_to must list some of {', '.join(KINDS)}")
    text = entry["text"].strip()
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ClauseError(f"{where}: text is not a valid template ({exc})") from None
    bad = sorted(n for n in names if n not in PLACEHOLDERS)
    if bad:
        raise ClauseError(
            f"{where}: unknown placeholder {{{bad[0]}}} (known: {', '.join(PLACEHOLDERS)})"
        )
    sources = entry.get("sources")
    if not isinstance(sources, dict) or not isinstance(sources.get("default"), str):
        raise ClauseError(f"{where}: sources needs at least a default")
    if any(k not in REGIMES or not isinstance(v, str) or not v for k, v in sources.items()):
        raise ClauseError(f"{where}: sources keys must be among {', '.join(REGIMES)}, values text")
    needs = entry.get("needs", [])
    only_if = entry.get("only_if", [])
    for key, listed in (("needs", needs), ("only_if", only_if)):
        if not isinstance(listed, list) or any(n not in PLACEHOLDERS for n in listed):
            raise ClauseError(f"{where}: {key} must list placeholders")
    when = entry.get("when", "always")
    if when not in ("always", "divided"):
        raise ClauseError(f"{where}: when must be 'always' or 'divided'")
    return ClauseTemplate(
        id=clause_id,
        title=entry["title"].strip(),
        applies_to=tuple(kinds),
        text=text,
        sources=dict(sources),
        needs=tuple(needs),
        only_if=tuple(only_if),
        when=when,
        file=path.name,
    )


# -- filling ------------------------------------------------------------------------------


def package_kind(package: Mapping[str, Any]) -> str | None:
    """`digital`, `works`, `goods` or `services` from the package's CPV code, else its words;
    None when neither tells."""
    return _kind(
        str(package.get("cpv") or ""),
        f"{package.get('title') or ''} {package.get('scope') or ''}",
    )


@lru_cache(maxsize=4096)
def _kind(cpv: str, text: str) -> str | None:
    """Memoised: time increments of one package, and stored packages shown again, repeat."""
    if cpv[:2] in ("48", "72") or cpv[:3] in ("302",):
        return "digital"
    if cpv[:2] == "45":
        return "works"
    lowered = text[:2000].lower()
    words = set(_WORDS.findall(lowered))
    if words & _SERVICE_WORDS:
        return "services"
    if words & _DIGITAL_WORDS or any(p in lowered for p in _DIGITAL_PHRASES):
        return "digital"
    if cpv[:2].isdigit() and cpv[:2] < "45":
        return "goods"
    if cpv[:2].isdigit():
        return "services"
    return None


def fill_clauses(
    library: ClauseLibrary,
    package: Mapping[str, Any],
    *,
    number: int,
    packages: Sequence[Mapping[str, Any]],
    regime: str | None,
    buyer: str | None,
    currency: str | None,
) -> list[dict[str, Any]]:
    """The clauses that suit this package, filled with its facts. Each is
    `{id, title, text, source, fits, fit_note}`; `fits` is false when a fact the clause needs
    is missing (the gap is written "[to be agreed: ...]") or the kind of work is unknown."""
    kind = package_kind(package)
    values = _values(package, number, packages, regime, buyer, currency)
    shown = {
        n: f"[to be agreed: {_MISSING.get(n, n)}]" if values.get(n) is None else values[n]
        for n in PLACEHOLDERS
    }
    divided = len(packages) >= 2
    filled = []
    for template in library.templates:
        if template.when == "divided" and not divided:
            continue
        if (
            kind is not None
            and "any" not in template.applies_to
            and kind not in template.applies_to
        ):
            continue
        if any(values.get(n) is None for n in template.only_if):
            continue
        missing = [n for n in template.needs if values.get(n) is None]
        notes = []
        if kind is None and "any" not in template.applies_to:
            notes.append(
                f"check that it fits: the kind of work is not clear (this clause is for "
                f"{join_words(list(template.applies_to))} work)"
            )
        if missing:
            notes.append(
                "does not fit as it stands: fill in "
                + join_words([_MISSING.get(n, n) for n in missing])
            )
        text = template.text.format_map(shown)
        filled.append(
            {
                "id": template.id,
                "title": template.title,
                "text": text,
                "source": _source(template, regime),
                "fits": not notes,
                "fit_note": "; ".join(notes) or None,
            }
        )
    return filled


def _source(template: ClauseTemplate, regime: str | None) -> str:
    if regime and regime in template.sources:
        return template.sources[regime]
    base, _, buyer = (regime or "").partition("/")
    if buyer and base in template.sources:
        return f"by analogy: {template.sources[base]} (public-sector rules; a {buyer} buys under its own)"
    if regime in ("UK-SCT", "UK-WLS") and "UK" in template.sources:
        return f"by analogy: {template.sources['UK']}"
    return f"by analogy: {template.sources['default']}"


def _values(
    package: Mapping[str, Any],
    number: int,
    packages: Sequence[Mapping[str, Any]],
    regime: str | None,
    buyer: str | None,
    currency: str | None,
) -> dict[str, str | None]:
    value = _decimal(package.get("estimated_value"))
    months = package.get("duration_months")
    months = (
        months if isinstance(months, int) and not isinstance(months, bool) and months > 0 else None
    )
    increment = min(INCREMENT_MONTHS, months) if months else None
    others = [
        str(p.get("title") or f"lot {k}") for k, p in enumerate(packages, start=1) if k != number
    ]
    depends = package.get("depends_on") or []
    kpi = ""
    if regime in ("UK",) and value is not None and value > KPI_VALUE_GBP and currency == "GBP":
        kpi = (
            " As the contract is worth more than GBP 5,000,000, at least three key performance "
            "indicators are set and published (Procurement Act 2023 s.52)."
        )
    return {
        "title": str(package.get("title") or f"lot {number}"),
        "buyer": buyer or "the buyer",
        "value": _money(value, currency),
        "months": _months(months),
        "period": package.get("period") or None,
        "lot": str(number),
        "lots": str(len(packages)),
        "other_lots": clip(join_words(others) + (" and others" if len(packages) > 7 else ""), 300)
        or "none",
        "previous": str(depends[0]) if depends else None,
        "increment_months": _months(increment),
        "increment_value": (
            _money(value * increment / months, currency)
            if value is not None and months and increment
            else None
        ),
        "kpi_law": kpi,
    }


def _months(months: int | None) -> str | None:
    if not months:
        return None
    return "1 month" if months == 1 else f"{months} months"


def _money(value: Decimal | None, currency: str | None) -> str | None:
    if value is None:
        return None
    return f"{currency + ' ' if currency else ''}{value:,.0f}"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
