"""The CPV 2008 vocabulary with its labels in the 24 EU languages, so codes can be shown as
words, searched by words, and read across languages ("72" is "IT services" in English and
"Servizi informatici" in Italian).

Pure and read-only: the shipped file (`data/cpv-2008.json.gz`, converted from the
Regulation's own lists; provenance in docs/reference-data.md) is loaded once, on first use.
The hierarchy is in the digits: division = 2, group = 3, class = 4, category = 5 significant
digits, finer codes below; a code's ancestors are its prefixes padded with zeros.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = [
    "DATA_FILE",
    "CpvVocabulary",
    "cpv_vocabulary",
    "fold",
    "pad_code",
    "significant_prefix",
]

DATA_FILE = Path(__file__).parent / "data" / "cpv-2008.json.gz"
FALLBACK_LANGUAGE = "en"


def pad_code(code: str) -> str:
    """A prefix ("72", "7231") as the full 8-digit code it names ("72000000", "72310000")."""
    digits = code.strip()[:8]
    return digits + "0" * (8 - len(digits))


def significant_prefix(code: str) -> str:
    """The digits that carry meaning: "72000000" -> "72", "72310000" -> "7231" (never under 2)."""
    stripped = code[:8].rstrip("0")
    return stripped if len(stripped) >= 2 else code[:2]


def fold(text: str) -> str:
    """Case- and accent-insensitive form for searching labels ("Ré-seau" -> "re-seau")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split() if w]


@dataclass(frozen=True)
class CpvVocabulary:
    """Every CPV 2008 code with one label per language (`languages` in file order)."""

    languages: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _folded: dict[str, dict[str, list[str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {lang: i for i, lang in enumerate(self.languages)})
        object.__setattr__(self, "_folded", {})

    def _label_words(self, language: str) -> dict[str, list[str]]:
        """Folded words of every label in `language`, built on the first search in it."""
        if language not in self._folded:
            self._folded[language] = {
                code: _words(self.label(code, language) or "") for code in self.labels
            }
        return self._folded[language]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def codes(self) -> Iterator[str]:
        return iter(self.labels)

    def nearest_known(self, code: str) -> str | None:
        """The code itself when listed, else its nearest listed ancestor (or None)."""
        full = pad_code(code)
        for length in range(len(significant_prefix(full)), 1, -1):
            candidate = pad_code(full[:length])
            if candidate in self.labels:
                return candidate
        return None

    def label(self, code: str, language: str = FALLBACK_LANGUAGE) -> str | None:
        """The label of `code` (a full code or a prefix) in `language`, falling back to English;
        None when neither the code nor any ancestor is listed."""
        known = self.nearest_known(code)
        if known is None:
            return None
        row = self.labels[known]
        position = self._index.get(language.lower()[:2], self._index[FALLBACK_LANGUAGE])
        return row[position] or row[self._index[FALLBACK_LANGUAGE]]

    def describe(self, code: str, language: str = FALLBACK_LANGUAGE) -> str:
        """Words first, code after: "IT services: consulting, ... (72)"; an unknown code says so."""
        prefix = significant_prefix(pad_code(code))
        known = self.nearest_known(code)
        if known is None:
            return f"CPV {code} (not in CPV 2008)"
        text = self.label(known, language) or ""
        return f"{text} ({prefix})"

    def ancestors(self, code: str) -> list[str]:
        """Listed ancestors of `code`, broadest first, without the code itself."""
        full = pad_code(code)
        own = len(significant_prefix(full))
        found = [pad_code(full[:n]) for n in range(2, own)]
        return [c for c in found if c in self.labels]

    def search(
        self, query: str, language: str = FALLBACK_LANGUAGE, *, limit: int = 20
    ) -> list[tuple[str, str]]:
        """Codes whose label in `language` has every word of `query` as the start of one of its
        words ("web dev" finds "Website development services"); digits search codes. Broader
        codes and whole-word hits first. Returns (code, label) pairs."""
        terms = _words(query)
        if not terms:
            return []
        digits = [t for t in terms if t.isdigit()]
        words = [t for t in terms if not t.isdigit()]
        hits: list[tuple[tuple[int, int, str], str]] = []
        for code, label_words in self._label_words(language).items():
            if any(not code.startswith(d[:8]) for d in digits):
                continue
            if not all(any(w.startswith(t) for w in label_words) for t in words):
                continue
            whole = sum(1 for t in words if t in label_words)
            hits.append(((-whole, len(significant_prefix(code)), code), code))
        hits.sort()
        return [(code, self.label(code, language) or "") for _, code in hits[:limit]]


@cache
def cpv_vocabulary(path: Path = DATA_FILE) -> CpvVocabulary:
    """The shipped vocabulary, loaded once per process (about 0.3 s and 30 MB)."""
    payload = json.loads(gzip.decompress(path.read_bytes()))
    languages = tuple(payload["languages"])
    labels = {code: tuple(row) for code, row in payload["codes"].items()}
    return CpvVocabulary(languages, labels)
