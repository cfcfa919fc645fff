"""Stop words per language: the words that carry no subject ("di", "the", "для"), so that
they never count as evidence of a match and never appear in an explanation.

Pure and read-only: the shipped file (`data/stopwords.json`, built by
scripts/convert_stopwords.py from the Snowball project's lists and, for languages Snowball has
no list for, spaCy's, with the function words of Universal Dependencies treebanks added;
provenance in docs/reference-data.md) is loaded once, on first use.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

__all__ = ["DATA_FILE", "all_stopwords", "stopword_languages", "stopwords"]

DATA_FILE = Path(__file__).parent / "data" / "stopwords.json"
# Languages read with another's list: Norwegian Nynorsk shares most function words with Bokmål.
_SAME_LIST = {"nn": "nb", "no": "nb"}


_WORD = re.compile(r"[^\W_]+")


@cache
def _lists() -> dict[str, frozenset[str]]:
    payload = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {code: _as_tokens(entry["words"]) for code, entry in payload["languages"].items()}


def _as_tokens(words: list[str]) -> frozenset[str]:
    """The words, and each as text analysis reads it ("atd." is "atd"; a contraction or
    elision such as "couldn't" or "дев'ять" is its pieces): a listed word must be caught
    however it is tokenised."""
    found = set(words)
    for word in words:
        tokens = _WORD.findall(word)
        if len(tokens) == 1 or "'" in word or "’" in word:
            found.update(tokens)
    return frozenset(found)


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
