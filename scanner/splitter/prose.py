"""Text the officer reads: cut only between words, and grammatical.

A scope cut at "...built to the GOV." loses the meaning and looks broken; "names a alpha phase"
reads as careless. These helpers keep every title, scope and reason whole-worded and correct.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
# A sentence ends at . ! ? ; followed by a space or the end: "GOV.UK" and "£2.4m" stay whole.
SENTENCE = re.compile(r"\S(?:[^\n]*?)(?:[.!?;](?=\s|$)|$)", re.MULTILINE)
_VOWEL_SOUND = re.compile(r"^(?:[aeio]|u(?![nrs]i|se|ni|ti)|hour|honou?r|[fhlmnrsx]\b|MOT)", re.I)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at the last space before it, with an ellipsis: never
    inside a word, a number or a name such as "GOV.UK"."""
    if len(text) <= limit:
        return text.strip()
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—(") + ELLIPSIS


def article(word: str) -> str:
    """ "a" or "an" for the word that follows: "an alpha phase", "a beta phase"."""
    return "an" if _VOWEL_SOUND.match(word.strip()) else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def sentences(text: str) -> list[str]:
    """The sentences of a text, split where a sentence really ends."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def join_words(words: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
