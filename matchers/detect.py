"""Which language a text is written in, so it is analysed with that language's stemmer and
stop words (`matchers.analysis`).

The detector is lingua (lingua-language-detector: statistical n-gram models that ship inside
its wheel, no download), limited to `LANGUAGES` (the EU's languages lingua knows, Ukrainian,
Russian, Norwegian and a few of the EU's regional and candidate-country languages) and built
in low-accuracy mode: measured on this machine, 0.1 s to build and ~80 MB resident against
3.3 s and ~790 MB for the high-accuracy models, ~11,000 notices a second (title plus
description), and the high-accuracy mode gave no better reading of the Prozorro sample
(benchmarks/bench_language_strategies.py). It is built on first use only, so a process that
never detects (a crawl) never pays for it.

A language the notice declares (`declared`: OCDS `language`, the TED form's, eForms') is a
prior: it is taken when the words do not rule it out, that is when the model gives it at least
`DECLARED_MIN_RATIO` of its best language's confidence, or cannot tell at all. Short titles
are where the model errs: on the real samples, Ukrainian "Бензин" or "Принтери" read as
Russian or Bulgarian, "Supply of laptops and monitors" as Danish, Spanish calls as Catalan or
Portuguese (confidence of the declared language 0.002 to 0.94 of the best); where the model
was right against the declaration (a Catalan title in a Spanish notice, an English text in a
German one) it gave the declared language 0.

Two rules on top of the model: Cyrillic with letters only Ukrainian has (і ї є ґ) is
Ukrainian, with letters only Russian has (ы э ё) Russian, whatever the n-grams say (short
Ukrainian titles were read as Russian, Bulgarian or Macedonian), and other Cyrillic is the
likeliest of Ukrainian, Russian and Bulgarian; and a text with fewer than `MIN_LETTERS`
letters, or whose two best languages are too close to call, has no language (None): it is
matched on what it has, read with every language's stop words (see `matchers.analysis`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = ["LANGUAGES", "MIN_LETTERS", "detect", "detect_many"]

LANGUAGES = (
    "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fi", "fr", "ga", "hr", "hu",
    "it", "lt", "lv", "nb", "nl", "nn", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sv", "tr",
    "uk",
)  # fmt: skip
CYRILLIC_LANGUAGES = ("uk", "ru", "bg")
MIN_LETTERS = 12
MIN_CYRILLIC_LETTERS = 4  # Cyrillic is one of three languages: a word is enough to choose
MIN_DISTANCE = 0.05
DECLARED_MIN_RATIO = 0.001
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile("[ыэёЫЭЁ]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# Roman numerals typed with the Cyrillic capital І (U+0406), alone or beside Latin V, X, L.
_ROMAN_NUMERAL = re.compile("(?<![^\\W\\d_])[IVXLІ]*І[IVXLІ]*(?![^\\W\\d_])")
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_minimum_relative_distance(MIN_DISTANCE)
        .build()
    )


def _by_script(text: str) -> str | None:
    if not _CYRILLIC.search(text):
        return None
    text = _ROMAN_NUMERAL.sub(" ", text)  # "от І до VІІ клас": a numeral, not Ukrainian
    ukrainian = bool(_UKRAINIAN_ONLY.search(text))
    russian = bool(_RUSSIAN_ONLY.search(text))
    if ukrainian and not russian:
        return "uk"
    if russian and not ukrainian:
        return "ru"
    return "?"  # Cyrillic without a telling letter: the model chooses among Cyrillic languages


def _cyrillic(text: str) -> str | None:
    """The likeliest of the Cyrillic languages read (Ukrainian, Russian, Bulgarian) for a
    Cyrillic text with no letter only one of them has."""
    best: tuple[float, str] | None = None
    for value in _detector().compute_language_confidence_values(text):
        code = value.language.iso_code_639_1.name.lower()
        if code in CYRILLIC_LANGUAGES and (best is None or value.value > best[0]):
            best = (value.value, code)
    return best[1] if best is not None and best[0] > 0 else None


def _enough(text: str | None) -> bool:
    if not text:
        return False
    letters = len(_LETTER.findall(text))
    return letters >= (MIN_CYRILLIC_LETTERS if _CYRILLIC.search(text) else MIN_LETTERS)


def detect(text: str | None, declared: str | None = None) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when it cannot be told; `declared`,
    the language the notice states, is taken unless the words rule it out."""
    return detect_many([text], [declared])[0]


def detect_many(
    texts: Sequence[str | None], declared: Sequence[str | None] | None = None
) -> list[str | None]:
    """`detect` of each text (with `declared[i]` as its prior when given); the model runs
    once over all of them (in parallel threads)."""
    found: list[str | None] = [None] * len(texts)
    pending: list[int] = []
    decided: set[int] = set()  # read from letters only one language has: no prior overrides
    for i, text in enumerate(texts):
        if not _enough(text):
            continue
        by_script = _by_script(text or "")
        if by_script == "?":
            found[i] = _cyrillic(text or "")
        elif by_script is not None:
            found[i] = by_script
            decided.add(i)
        else:
            pending.append(i)
    if pending:
        results = _detector().detect_languages_in_parallel_of([texts[i] for i in pending])
        for i, language in zip(pending, results, strict=True):
            found[i] = None if language is None else language.iso_code_639_1.name.lower()
    if declared is not None:
        for i, prior in enumerate(declared):
            if prior and prior != found[i] and i not in decided:
                found[i] = _with_prior(texts[i], found[i], prior)
    return found


def _with_prior(text: str | None, found: str | None, prior: str) -> str | None:
    """`prior` unless the model rules it out for `text`: a text too short to read, or one the
    model cannot tell, is in the declared language; a language the model does not know is
    taken as declared only then."""
    if found is None or not _enough(text):
        return prior
    if prior not in LANGUAGES:
        return found
    confidences = {
        value.language.iso_code_639_1.name.lower(): value.value
        for value in _detector().compute_language_confidence_values(text or "")
    }
    best = max(confidences.values(), default=0.0)
    if best > 0 and confidences.get(prior, 0.0) >= DECLARED_MIN_RATIO * best:
        return prior
    return found
