"""Normalised titles and buyer names, so the same notice typed by two portals compares equal:
entities, accents, case, punctuation, `&`, legal suffixes and portal prefixes removed."""

from __future__ import annotations

import html
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_STOP = frozenset(["the", "of", "and", "for", "a", "an", "to", "in", "on", "at", "by", "with"])
_BUYER_NOISE = frozenset(["ltd", "limited", "plc", "llp", "inc", "co", "company"])
# Words most buyers share: useless to tell buyers apart, so never a blocking key.
_BUYER_GENERIC = frozenset(
    [
        "council",
        "city",
        "county",
        "borough",
        "district",
        "metropolitan",
        "district",
        "nhs",
        "trust",
        "foundation",
        "department",
        "ministry",
        "authority",
        "agency",
        "services",
        "service",
        "government",
        "office",
        "royal",
        "national",
        "university",
        "college",
        "school",
        "group",
        "partnership",
        "health",
        "care",
        "uk",
    ]
)
# "UK-Leeds: Software package" (TED) and "Contract notice: ..." prefixes.
_PREFIX = re.compile(
    r"^\s*(?:[a-z]{2}-[^:]{1,60}|contract notice|tender notice|notice)\s*:\s*", re.I
)
_LOT = re.compile(r"\blot\s+([a-z0-9]{1,4})\b")
_NUMBER = re.compile(r"\b\d+\b")


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", html.unescape(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def normal_title(title: str | None) -> str:
    """The title's words without stop words or a portal prefix."""
    bare = _PREFIX.sub("", html.unescape(title or ""), count=1)
    words = fold(bare).split()
    # "lot a" keeps its "a": a lot's name is no stop word
    return " ".join(
        w for i, w in enumerate(words) if w not in _STOP or (i and words[i - 1] == "lot")
    )


def normal_buyer(name: str | None) -> str:
    """The buyer's words without stop words or company suffixes."""
    return " ".join(w for w in fold(name).split() if w not in _STOP and w not in _BUYER_NOISE)


def title_marks(normal: str) -> frozenset[str]:
    """Numbers and lot names in a normalised title: two notices naming different ones (lot 1 /
    lot 2, 2025 / 2026) are different opportunities however alike the rest reads."""
    lots = {f"lot {m}" for m in _LOT.findall(normal)}
    return frozenset(lots | set(_NUMBER.findall(normal)))


def distinctive_word(normal: str, generic: frozenset[str] = _BUYER_GENERIC) -> str:
    """The longest word that is not generic (ties: alphabetical), or "" when none."""
    words = [w for w in normal.split() if w not in generic and not w.isdigit() and len(w) > 2]
    if not words:
        return ""
    return min(words, key=lambda w: (-len(w), w))


def buyer_core(normal: str) -> str:
    """A normalised buyer without the words most buyers share ("york county council" ->
    "york"): what tells two buyers apart."""
    return " ".join(w for w in normal.split() if w not in _BUYER_GENERIC)


def title_key(normal: str) -> str:
    """The title's two longest words (ties: alphabetical), sorted: a blocking key that survives
    retyping (case, punctuation, word order, prefixes) yet splits a busy day into small blocks."""
    words = sorted(
        {w for w in normal.split() if not w.isdigit() and len(w) > 2}, key=lambda w: (-len(w), w)
    )
    return " ".join(sorted(words[:2]))
