"""Stop words per language: the words that carry no subject ("di", "the", "для"), so that
they never count as evidence of a match and never appear in an explanation.

Pure and read-only: the shipped file (`data/stopwords.json`, built by
scripts/convert_stopwords.py from the Snowball project's lists and, for languages Snowball has
no list for, spaCy's; provenance in docs/reference-data.md) is loaded once, on first use.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

__all__ = ["DATA_FILE", "all_stopwords", "stopword_languages", "stopwords"]

DATA_FILE = Path(__file__).parent / "data" / "stopwords.json"
# Languages read with another's list: Norwegian Nynorsk shares most function words with Bokmål.
_SAME_LIST = {"nn": "nb", "no": "nb"}


@cache
def _lists() -> dict[str, frozenset[str]]:
    payload = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {code: frozenset(entry["words"]) for code, entry in payload["languages"].items()}


def stopword_languages() -> frozenset[str]:
    """ISO 639-1 codes of the languages with a shipped list."""
    return frozenset(_lists())


def stopwords(language: str | None) -> frozenset[str]:
    """The case-folded stop words of `language` (ISO 639-1); empty for a language without a
    list, every list's words together for an unknown language (None)."""
    if language is None:
        return all_stopwords()
    code = language.lower()
    return _lists().get(_SAME_LIST.get(code, code), frozenset())


@cache
def all_stopwords() -> frozenset[str]:
    """Every list's words: what counts as a function word when the language is not known."""
    return frozenset().union(*_lists().values())
