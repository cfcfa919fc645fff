"""Turning free text into the terms every matcher compares: words, then English stems.

Stemming uses PyStemmer, the Snowball project's own C binding (the reference English stemmer,
maintained with the algorithms, ~1M words/s, with its own cache). Words are Unicode `\\w` runs
with underscores dropped; Han, kana and Hangul have no spaces between words, so each of those
characters is its own term. Any script passes through without error: the English stemmer leaves
words it does not know as they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["STOPWORDS", "stems", "terms", "terms_with_words", "words"]

_WORD_RE = re.compile(r"[^\W_]+")
# Han, Hiragana, Katakana, Hangul syllables and jamo: one term per character.
_CJK_RE = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_STEMMER = Stemmer.Stemmer("english")

# Words that carry no subject in tenders or profiles; kept short on purpose (BM25's idf already
# discounts common words, this only keeps them out of explanations and candidate lists).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "not",
        "of",
        "on",
        "or",
        "our",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "will",
        "with",
        "within",
        "without",
        "you",
        "your",
        "who",
        "which",
        "what",
        "when",
        "where",
        "how",
        "all",
        "any",
        "each",
        "other",
        "per",
        "via",
        "also",
        "may",
        "must",
        "shall",
        "should",
        "would",
        "us",
        "i",
        "me",
        "my",
        "he",
        "she",
        "his",
        "her",
        "them",
        "than",
        "so",
        "do",
        "does",
        "did",
    ]
)


def words(text: str | None) -> list[str]:
    """Case-folded words of `text` in order; CJK characters one each. `None` gives []."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for word in _WORD_RE.findall(folded):
        if _CJK_RE.search(word):
            out.extend(_split_cjk(word))
        else:
            out.append(word)
    return out


def _split_cjk(word: str) -> list[str]:
    parts: list[str] = []
    buffer: list[str] = []
    for char in word:
        if _CJK_RE.match(char):
            if buffer:
                parts.append("".join(buffer))
                buffer = []
            parts.append(char)
        else:
            buffer.append(char)
    if buffer:
        parts.append("".join(buffer))
    return parts


def stems(tokens: list[str]) -> list[str]:
    """English Snowball stems of `tokens`, same order and length."""
    return [_stem(token) for token in tokens]


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return str(_STEMMER.stemWord(token))


def terms(text: str | None) -> list[str]:
    """Stems of the words of `text` in order, stopwords and single Latin letters dropped.

    The order is kept so that multi-word keywords can be found as adjacent terms."""
    return [_stem(word) for word in words(text) if _kept(word)]


def terms_with_words(text: str | None) -> list[tuple[str, str]]:
    """`terms(text)` paired with the word each came from, for explanations."""
    return [(_stem(word), word) for word in words(text) if _kept(word)]


def _kept(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or bool(_CJK_RE.match(word)))
