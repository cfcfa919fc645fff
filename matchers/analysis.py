"""Turning free text into the terms every matcher compares: words, then stems of the text's
own language, stop words left out.

Words are Unicode `\\w` runs with underscores dropped; Han, kana and Hangul have no spaces
between words, so each of those characters is its own term. Each language is analysed its own
way (`strategy`), named by its ISO 639-1 code:

- a Snowball stemmer where PyStemmer has one (the Snowball project's own C binding, ~1M
  words/s): English, Italian, French, German, Spanish, Polish, Greek, Romanian... Croatian
  and Serbian share the Serbian stemmer;
- Ukrainian, which has no Snowball stemmer: the Russian one. Measured on the Prozorro sample
  (benchmarks/bench_language_strategies.py: 114 CPV groups, their Ukrainian labels as queries)
  it ranks as well as pymorphy3's dictionary lemmas (MAP 0.492 against 0.491; P@10 0.732
  against 0.707; words as they are 0.451 / 0.725, first 5 letters 0.471 / 0.699, character
  4-grams 0.471 / 0.717) at 8 times the speed and with no dictionary to ship; and the short
  Ukrainian texts the detector reads as Russian are analysed the same way either way;
- other languages without a stemmer (Bulgarian, Latvian, Slovak, Slovenian, Maltese...): the
  first `PREFIX_LENGTH` letters of each word, a known stand-in for stemming in inflected
  languages (McNamee & Mayfield 2004);
- an unknown language (None): words as they are, and the stop words of every list.

Stop words come from scanner.reference.stopwords (the Snowball lists, else spaCy's, with the
function words of Universal Dependencies treebanks), so "di", "dei", "del", "для" or "samt"
are never evidence. Any script passes through without error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from functools import cache, lru_cache

import Stemmer

from scanner.reference.cpv import cpv_vocabulary
from scanner.reference.stopwords import stopwords

__all__ = [
    "COMPOUNDING",
    "DEFAULT_LANGUAGE",
    "PREFIX_LENGTH",
    "STOPWORDS",
    "compounds",
    "display_word",
    "expand_coordination",
    "head_stems",
    "is_stopword",
    "shared_head",
    "stems",
    "strategy",
    "terms",
    "terms_with_words",
    "without_addresses",
    "words",
]

DEFAULT_LANGUAGE = "en"
PREFIX_LENGTH = 5
# ISO 639-1 -> PyStemmer algorithm (`Stemmer.algorithms()`).
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hr": "serbian", "hu": "hungarian",
    "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "tr": "turkish",
    "uk": "russian",
}  # fmt: skip
_WORD_RE = re.compile(r"[^\W_]+")
# Languages writing compounds as one word whose last part is the head ("Schul|mittagessen",
# "Grund|reinigung"), with a Snowball stemmer: a keyword word may be found as such a head
# (`matchers.keywords`). Icelandic also compounds, but its prefix terms cannot show a head.
COMPOUNDING = frozenset({"da", "de", "fi", "nb", "nl", "nn", "no", "sv"})
# Han, Hiragana, Katakana, Hangul syllables and jamo: one term per character.
_CJK_RE = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)

# ASCII bytes: letters lower-cased, digits kept, everything else a space (`words`).
_ASCII_WORDS = bytes(
    (byte | 0x20) if chr(byte).isalpha() else byte if chr(byte).isdigit() else 0x20
    for byte in range(128)
) + bytes(range(128, 256))

STOPWORDS = stopwords(DEFAULT_LANGUAGE)
"""English stop words (kept for callers that only read English)."""


def strategy(language: str | None) -> str:
    """How `language` is analysed: "snowball:<algorithm>", "prefix:<n>" or "none" (unknown
    language)."""
    if language is None:
        return "none"
    code = language.lower()
    if code in SNOWBALL:
        return f"snowball:{SNOWBALL[code]}"
    return f"prefix:{PREFIX_LENGTH}"


def compounds(language: str | None) -> bool:
    """True when `language` writes closed compounds and is stemmed (`COMPOUNDING`)."""
    return language is not None and language.lower() in COMPOUNDING


# A modifier put before a word to stem it as the head of a compound: Snowball removes a suffix
# only inside the word's R1 / R2 regions, which a long compound reaches sooner, so the head of
# "Grundreinigung" is stemmed `rein` where "Reinigung" alone is `reinig`.
_MODIFIER = "abab"


def head_stems(word: str, language: str | None) -> tuple[str, ...]:
    """The stems a compound of `language` ending in (case-folded) `word` may end with: its own
    stem and its stem as a head ("reinigung": `reinig`, `rein`)."""
    own = _stemmer(language)(word)
    inner = _stemmer(language)(_MODIFIER + word)
    if inner.startswith(_MODIFIER) and inner[len(_MODIFIER) :] != own:
        return (own, inner[len(_MODIFIER) :])
    return (own,)


# Web and e-mail addresses name a host, not the work: "www.deutschebahn.com/portal" made
# "portal" evidence. A URL (scheme or "www."), an e-mail address and a bare domain under a
# common top-level domain written in lower case ("evergabe-online.de"; "ASP.NET" and "Node.js"
# stay words) are no words (`words`).
_TLDS = frozenset(
    re.findall(
        r"\w+",
        "com org net edu gov int info biz eu io app online "
        "ad al at ba be bg by ch cy cz de dk ee es fi fr gr hr hu ie is it li lt lu lv mc md me "
        "mk mt nl no pl pt ro rs ru se si sk sm tr ua uk us ca au nz",
    )
)
_DOT_LETTER_RE = re.compile(r"\.[a-z]")  # in any address but an upper-case one: quick test
_URL_RE = re.compile(r"(?i:(?:https?|ftps?)://|www\.)\S+")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN_END_RE = re.compile(r"\.([a-z]{2,6})(?![^\W_]|-|\.[^\W_])(?:/\S*)?")
_HOST_CHARS = frozenset("-.")


def without_addresses(text: str) -> str:
    """`text` with its URLs, e-mail addresses and domain names blanked out."""
    if _DOT_LETTER_RE.search(text) is None:
        return text
    if "://" in text or "www." in text or "WWW." in text or "Www." in text:
        text = _URL_RE.sub(" ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(" ", text)
    ends = _DOMAIN_END_RE.finditer(text)
    out: list[str] = []
    done = 0
    for found in ends:
        if found.group(1) not in _TLDS:
            continue
        start = found.start()
        while start > done and (text[start - 1].isalnum() or text[start - 1] in _HOST_CHARS):
            start -= 1
        if start == found.start() or not text[start].isalnum():
            continue  # ".de" alone, or after a hyphen or dot: no host name
        out.append(text[done:start])
        out.append(" ")
        done = found.end()
    out.append(text[done:])
    return "".join(out)


def words(text: str | None) -> list[str]:
    """Case-folded words of `text` in order, addresses left out (`without_addresses`); CJK
    characters one each. `None` gives []."""
    if not text:
        return []
    text = without_addresses(text)
    if text.isascii():  # the same words, several times faster: NFKC and casefold change
        # nothing in ASCII but A-Z, and `_WORD_RE` finds runs of [A-Za-z0-9] there
        return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    folded = unicodedata.normalize("NFKC", text).casefold()
    found = _WORD_RE.findall(folded)
    if _CJK_RE.search(folded) is None:  # no word to split: one search, not one per word
        return found
    out: list[str] = []
    for word in found:
        if _CJK_RE.search(word):
            out.extend(_split_cjk(word))
        else:
            out.append(word)
    return out


# Case folding writes the Greek final sigma "ς" as "σ" ("ύδρευσης" -> "ύδρευσησ"), which the
# Greek stemmer reads alike; a word shown to a person gets its final form back.
_FINAL_SIGMA_RE = re.compile(r"(?<=[\u0370-\u03ff\u1f00-\u1fff])σ\b")


def display_word(word: str) -> str:
    """A case-folded word as a person writes it: a Greek word's final "σ" is "ς" again
    ("ύδρευσησ" -> "ύδρευσης"); any other word unchanged."""
    return _FINAL_SIGMA_RE.sub("ς", word) if "σ" in word else word


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


@cache
def _stemmer(language: str | None) -> Callable[[str], str]:
    """The word -> term function of a language (memoised per word)."""
    kind = strategy(language)
    if kind.startswith("snowball:"):
        stemmer = Stemmer.Stemmer(kind.split(":", 1)[1])
        return lru_cache(maxsize=200_000)(lambda word: str(stemmer.stemWord(word)))
    if kind.startswith("prefix:"):
        return lambda word: word[:PREFIX_LENGTH]
    return lambda word: word


@cache
def _stops(language: str | None) -> frozenset[str]:
    return stopwords(language.lower() if language else None)


def is_stopword(word: str, language: str | None = DEFAULT_LANGUAGE) -> bool:
    """True when the (case-folded) word is a stop word of `language`."""
    return word in _stops(language)


def stems(tokens: list[str], language: str | None = DEFAULT_LANGUAGE) -> list[str]:
    """Terms of `tokens` in `language`, same order and length."""
    stem = _stemmer(language)
    return [stem(token) for token in tokens]


# A coordinated compound shares its head between words whose hyphen stands for it
# ("Unterhalts-, Sonder- und Grundreinigung", "onderhouds- en herstelwerken"). Tokens: a word
# with or without a closing hyphen, or a separator.
_COORDINATION_RE = re.compile(r"[^\W_]+-?|[,/&]")
_SEPARATORS = frozenset(",/&")
_MIN_PART = 3  # letters of the modifier left before a head, and of a head


@cache
def _vocabulary(language: str) -> frozenset[str]:
    """Case-folded words of the CPV labels of `language` (empty without labels): the words a
    shared head may be, when a coordinated compound is read (`expand_coordination`)."""
    vocabulary = cpv_vocabulary()
    if language not in vocabulary.languages:
        return frozenset()
    found: set[str] = set()
    for code in vocabulary.codes():
        found.update(words(vocabulary.label(code, language)))
    return frozenset(found)


def shared_head(word: str, known: Collection[str]) -> str | None:
    """The head of compound `word` (case-folded) another word of its coordination shares:
    its longest ending that is a word of `known`, after a modifier of 3 letters or more
    ("grundreinigung": "reinigung"; "tiefbauarbeiten": "bauarbeiten"). None when no ending
    is known."""
    for start in range(_MIN_PART, len(word) - _MIN_PART + 1):
        if word[start:] in known:
            return word[start:]
    return None


def expand_coordination(text: str, language: str | None) -> str:
    """`text` with each word of a coordinated compound in a compounding language written out
    whole: "Unterhalts-, Sonder- und Grundreinigung" reads "Unterhaltsreinigung,
    Sonderreinigung und Grundreinigung". The shared head is the longest ending of the last
    word that is a word of the language's CPV labels or of the text (`shared_head`); a word
    cut by a hyphen at the end of a line ("Reini- gung") is no coordination (a comma, "/",
    "&" or a stop word must stand between the parts). Other languages: `text` unchanged."""
    if not compounds(language) or ("- " not in text and "-," not in text and "-\n" not in text):
        return text
    code = (language or "").lower()
    stops = _stops(code)
    tokens = list(_COORDINATION_RE.finditer(text))
    edits: list[tuple[int, int, str]] = []
    pending: list[re.Match[str]] = []  # suspended words of the coordination being read
    separated = False
    for token in tokens:
        value = token.group()
        end = token.end()
        if value.endswith("-") and (end >= len(text) or not text[end].isalnum()):
            if len(value) > _MIN_PART:
                pending.append(token)
            separated = False
            continue
        if value in _SEPARATORS or value.casefold() in stops:
            separated = bool(pending)
            continue
        if pending and separated:
            last = value.casefold()
            known = _vocabulary(code) | {w for w in words(text) if len(w) > _MIN_PART}
            head = shared_head(last, known)
            if head is not None:
                edits.extend((p.start(), p.end(), p.group()[:-1] + head) for p in pending)
        pending = []
        separated = False
    if not edits:
        return text
    out: list[str] = []
    done = 0
    for start, stop, word in edits:
        out.append(text[done:start])
        out.append(word)
        done = stop
    out.append(text[done:])
    return "".join(out)


def terms(text: str | None, language: str | None = DEFAULT_LANGUAGE) -> list[str]:
    """Terms of the words of `text` in order, stop words and single Latin letters dropped.

    The order is kept so that multi-word keywords can be found as adjacent terms."""
    if text and language in COMPOUNDING:
        text = expand_coordination(text, language)
    stem = _stemmer(language)
    stops = _stops(language)
    # `_kept`, inlined: this runs for every word of every notice when an index is built.
    return [
        stem(word)
        for word in words(text)
        if word not in stops and (len(word) > 1 or _CJK_RE.match(word))
    ]


def terms_with_words(
    text: str | None, language: str | None = DEFAULT_LANGUAGE
) -> list[tuple[str, str]]:
    """`terms(text)` paired with the word each came from, for explanations."""
    if text and language in COMPOUNDING:
        text = expand_coordination(text, language)
    stem = _stemmer(language)
    stops = _stops(language)
    return [(stem(word), word) for word in words(text) if _kept(word, stops)]


def _kept(word: str, stops: frozenset[str]) -> bool:
    return word not in stops and (len(word) > 1 or bool(_CJK_RE.match(word)))
