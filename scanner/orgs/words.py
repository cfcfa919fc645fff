"""Profile codes typed as words: "London" is the region UKI, "Research services" the CPV code
73110000. A field accepts a code or words; words that name one place or one kind of work
become its code, and words that could mean several are refused with the choices, so the
person picks one (the web form's picker offers the same choices as they type).

Pure: reads only the shipped reference tables (`scanner.reference`).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationInfo

from scanner.orgs.codes import check_cpv, check_region
from scanner.reference.cpv import cpv_vocabulary, fold, significant_prefix
from scanner.reference.regions import (
    region_candidates,
    region_words,
    resolve_country,
    search_regions,
)

__all__ = [
    "cpv_entry",
    "cpv_words",
    "region_entry",
    "resolve_cpv_words",
    "resolve_region_words",
    "shown_cpv",
    "shown_regions",
]

SHOWN_CHOICES = 5
# "London (UKI)", "IT services (72)": words followed by the code in brackets, as shown
_BRACKETED = re.compile(r"^.*\(\s*([A-Za-z0-9-]{2,10})\s*\)\s*$")


def _bracketed(text: str) -> str | None:
    match = _BRACKETED.match(text)
    return match.group(1) if match else None


def _has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _code_like(text: str) -> bool:
    """One token holding a digit ("72A", "UKI31X"): a mistyped code, not words."""
    stripped = text.strip()
    return " " not in stripped and any(c.isdigit() for c in stripped)


def cpv_words(code: str, language: str | None = "en") -> str:
    """A CPV code or prefix in words with the code in brackets: "IT services: ... (72)"."""
    described = cpv_vocabulary().describe(code, (language or "en").lower()[:2])
    return described.replace(";", ",")  # ";" separates a profile's items


def resolve_cpv_words(text: str, language: str = "en") -> str:
    """The CPV code (as its significant prefix, "73" or "7311") that `text` names; ValueError
    listing the choices when it names several kinds of work, or none."""
    vocabulary = cpv_vocabulary()
    language = (language or "en").lower()[:2]
    wanted = fold(text).strip()
    hits = vocabulary.search(text, language, limit=200)
    if not hits and language != "en":
        language = "en"
        hits = vocabulary.search(text, language, limit=200)
    exact = [code for code, label in hits if fold(label).strip() == wanted]
    if exact:
        return significant_prefix(exact[0])
    if not hits:
        raise ValueError(
            f"no kind of work (CPV) is called {text!r}; try other words, or a CPV code such "
            "as 72 or 79311000"
        )
    broadest = significant_prefix(hits[0][0])
    if all(significant_prefix(code).startswith(broadest) for code, _label in hits):
        return broadest
    shown = "; ".join(f"{label} ({code})" for code, label in hits[:SHOWN_CHOICES])
    raise ValueError(
        f"{text!r} could mean {len(hits)} kinds of work, such as {shown}; type the code in "
        "brackets or more words"
    )


def resolve_region_words(text: str) -> str:
    """The region code a name means ("London" -> "UKI", "Italia" -> "IT"); ValueError listing
    the choices when several places share the name, or saying none does."""
    places = region_candidates(text)
    codes = sorted({code for code, _country in places}, key=lambda c: (len(c), c))
    if codes and all(c.startswith(codes[0]) for c in codes):
        return codes[0]
    if codes:
        shown = "; ".join(region_words(c) for c in codes[:SHOWN_CHOICES])
        raise ValueError(f"several places are called {text!r}: {shown}; type the code in brackets")
    country = resolve_country(text)
    if country:
        return country
    found = search_regions(text, limit=50)
    codes = [code for code, _name in found]
    if codes and all(c.startswith(codes[0]) for c in codes):
        return codes[0]
    if codes:
        shown = "; ".join(region_words(c) for c in codes[:SHOWN_CHOICES])
        raise ValueError(
            f"{text!r} could mean {len(codes)} places, such as {shown}; type the code in "
            "brackets or the full name"
        )
    raise ValueError(
        f"no region or country is called {text!r}; type its name as in 'Greater Manchester' "
        "or 'Wales', or a code such as UKI or GB"
    )


def cpv_entry(value: str, info: ValidationInfo) -> str:
    """A profile's CPV item: a code as `check_cpv` takes it, or words naming one kind of work
    (searched in the profile's language, given in the validation context, else English)."""
    code = _bracketed(value)
    if code is not None and not _has_letters(code):
        return check_cpv(code)
    if not _has_letters(value) or _code_like(value):
        return check_cpv(value)
    context: dict[str, Any] = info.context or {}
    return resolve_cpv_words(value, str(context.get("language") or "en"))


def region_entry(value: str) -> str:
    """A profile's region item: a code as `check_region` takes it, or a place's name."""
    code = _bracketed(value)
    if code is not None:
        return check_region(code)
    try:
        return check_region(value)
    except ValueError as refused:
        if not _has_letters(value) or _code_like(value):
            raise
        try:
            return resolve_region_words(value)
        except ValueError as unknown:
            if value.strip().isupper() and len(value.strip()) <= 5:
                raise refused from None  # it looked like a code: say what a code is
            raise unknown from None


def shown_cpv(codes: list[str] | tuple[str, ...], language: str | None = "en") -> list[str]:
    """A profile's CPV codes as a person reads them: "Research services (7311)"."""
    return [cpv_words(code, language) for code in codes]


def shown_regions(codes: list[str] | tuple[str, ...]) -> list[str]:
    """A profile's regions as a person reads them: "London (UKI)"."""
    return [region_words(code) for code in codes]
