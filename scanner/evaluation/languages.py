"""A rough language guess for evaluation reports: which language a notice's text is in.

Only for counting the real-data corpus by language (the matcher does its own analysis): a
script check (Greek, Armenian, Cyrillic with Bulgarian, Ukrainian or Russian letters; Czech's
"ě ř ů", Hungarian's "ő ű", Slovak's "ľ ĺ ŕ ý ť ď ň" without Czech's, Lithuanian's "ė į ų",
Latvian's "ā ē ī ģ ķ ļ ņ"), then the language whose commonest function words occur most often
(Finnish and Estonian, which share "ja" and "on", told apart by Estonian's "õ" and "ü"; Croatian
only in text with "č ć đ š ž"). Short or mixed texts may come out undecided (None); the report
says so rather than guessing.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["FUNCTION_WORDS", "LANGUAGE_NAMES", "detect_language", "language_name"]

_WORD_RE = re.compile(r"[^\W\d_]+")

# English names of the languages reports may show (ISO 639-1 codes), so "uk" reads as Ukrainian.
LANGUAGE_NAMES: dict[str, str] = {
    "bg": "Bulgarian",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fi": "Finnish",
    "fr": "French",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "it": "Italian",
    "lv": "Latvian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sv": "Swedish",
    "uk": "Ukrainian",
    "lt": "Lithuanian",
}


def language_name(code: str) -> str:
    """`"uk"` -> `"uk (Ukrainian)"`; an unknown code or a group name stays as it is."""
    name = LANGUAGE_NAMES.get(code)
    return f"{code} ({name})" if name else code


# The commonest function words of each language in notice text (articles, prepositions,
# conjunctions, pronouns), chosen to overlap as little as possible between languages.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of for to with in on by is are be will this that from which an or",
        "uk": "та і й на з до для у в що від за по як який яка які або це не",
        "ru": "и на с для по что от как или это не который которые при",
        "pl": "i w na do z dla oraz się jest przez od że lub nie w ramach zamówienia",
        # "de" too (shared with es, pt, ro, nl): without it French notices full of "de" read
        # as Spanish (28 of the gathered French calls did); the rest are French-only words.
        "fr": "le la les des et du de pour en dans une un au aux sur par est qui ou à avec "
        "sont ces cette dont leur être",
        "nl": "de het een en van voor in op met te zijn door aan bij als wordt",
        "de": "der die das und für mit von zu den im des auf ist eine ein dem sich",
        # with words of the notices' own phrasing ("Hankinnan kohteena on", "jonka", "mennessä"):
        # Finnish inflects its nouns, so few words recur unchanged
        "fi": "ja on tai että sekä ovat kanssa mukaan palvelut hankinta hankinnan kohteena "
        "jonka joka tämän myös mikäli kuin kautta mennessä",
        "no": "og av for til med som på er en et skal ved eller fra det",
        "sv": "och av för till med som på är en ett ska vid eller från det",
        "da": "og af for til med som på er en et skal ved eller fra det",
        # "şi" with the older cedilla letter and "si" as typed without diacritics (one gathered
        # Romanian call, all "si" and "a", read as Portuguese), and "cadrul" ("în cadrul",
        # within), Romanian notices' commonest phrase
        "ro": "și şi si de la în pentru cu din pe privind sau este care al ale cadrul",
        "es": "el la los las de y para en del con por que un una se al",
        "it": "il lo la gli le di e per in del della dei con che un una al",
        "pt": "o a os as de e para em do da dos das com que um uma",
        # with "vastavalt" (according to) and the notices' "hankija ostab"/"ostmine" (the
        # buyer buys, buying): "ja" and "on" are Finnish words too, and short Estonian calls
        # had no other word of this list
        "et": "ja on või mis kui ning koos alusel teenuse hange vastavalt hankija ostmine",
        "sl": "in za na v z je ki so ali pri od do",
        "cy": "a y yr ac i o ar yn gyda am ei eu",
        # not "a" nor "is" (Hungarian's article and "also", other languages' words too)
        "hu": "az és egy vagy valamint hogy nem meg szerint illetve továbbá alapján által "
        "között részére",
        # not "na", "v", "z", "je", "do" (Slovenian's and Czech's too)
        "sk": "pre alebo sa ako podľa ktoré ktorý ktorá ktorých sú bude tejto vrátane zo pri",
        # with the notices' "pirkimas"/"pirkimo" (procurement): one-line Lithuanian calls ("NAUJO
        # AUTOBUSO PIRKIMAS 1 vnt.") hold no other word of this list
        "lt": "ir su iš į pagal kad kurie kuris kurių bei arba yra nuo dėl prie pirkimas pirkimo",
        # not "za", "na", "je", "od", "do", "iz", "se", "te" (Slovenian's too): "i", "u", "ili"
        # where Slovenian writes "in", "v", "ali", and its relative pronouns and "sukladno"
        "hr": "i u ili kao koji koja koje kojima su prema sukladno što će biti putem",
    }.items()
}
_BULGARIAN_YER = re.compile("ъ[бвгджзйклмнпрстфхцчшщ]")
# Croatian text writes at least one of these in nearly every sentence ("č", "š", "ž" Slovenian's,
# Czech's and Slovak's too; "ć", "đ" its own)
_CROATIAN_LETTERS = "čćđšž"
_NORDIC_MARKERS = {"no": frozenset("øæ"), "da": frozenset("øæ"), "sv": frozenset("äö")}


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language `text` is most likely in, or None when undecided."""
    if not text.strip():
        return None
    letters = Counter(c for c in text.lower() if c.isalpha())
    by_script = _by_script(letters, text.lower())
    if by_script is not None:
        return None if by_script == "cyrillic" else by_script
    words = _WORD_RE.findall(text.lower())
    hits = Counter({lang: sum(w in vocab for w in words) for lang, vocab in FUNCTION_WORDS.items()})
    if not any(letters[c] for c in _CROATIAN_LETTERS):
        # "i" and "u" are also initials and abbreviations ("i. V. m.", "U25" in a German call)
        hits["hr"] = 0
    ranked = hits.most_common()
    if not ranked or ranked[0][1] < 2:
        return None
    best, score = ranked[0]
    tied = [lang for lang, found in ranked if found == score]
    if len(tied) > 1:
        return _break_tie(tied, letters)
    return best


# Letters only one language of the Latin script writes, with how many a text must hold (at least
# `least`, and `share` of its letters) and letters that rule it out; tried in this order:
# - Czech alone writes "ě", "ř" and "ů" (Slovak has none of them), one letter in 30 or so of
#   Czech text; a Czech name in another language's text ("Dvořák") is one or two of them.
# - Hungarian alone writes "ő" and "ű" (the double acute; German has "ö ü" only), one letter in
#   100 or so of Hungarian text, whose articles "a", "az" are other languages' words too.
# - Slovak writes "ľ ĺ ŕ" (its own) and "ý ť ď ň" (Czech's too, but Czech text also writes
#   "ě ř ů", Slovak never): its function words are Slovenian's and Czech's ("na", "v", "je"),
#   so it was counted Slovenian, Portuguese or undecided.
# - Lithuanian alone writes "ė", "į" and "ų" (Latvian has "ē ī ū", Polish "ę ą"), one letter in
#   40 or so of Lithuanian text; its function words ("ir", "su", "iš") are few and short, so
#   the gathered Lithuanian calls were counted undecided, English or Welsh.
# - Latvian alone writes the long vowels "ā ē ī" and the cedilla consonants "ģ ķ ļ ņ"
#   (Lithuanian has "ū" but none of these), one letter in 25 or so of Latvian text; its
#   function words "un" and "no" are French's and Spanish's too, so the letters decide.
_OWN_LETTERS: tuple[tuple[str, str, int, float, str], ...] = (
    ("cs", "ěřů", 3, 0.01, ""),
    ("hu", "őű", 3, 0.005, ""),
    ("sk", "ľĺŕýťďň", 2, 0.005, "ěřů"),
    ("lt", "ėįų", 2, 0.005, ""),
    ("lv", "āēīģķļņ", 3, 0.01, ""),
)


def _by_script(letters: Counter[str], text: str) -> str | None:
    total = sum(letters.values()) or 1
    greek = sum(n for c, n in letters.items() if "\u0370" <= c <= "\u03ff")
    armenian = sum(n for c, n in letters.items() if "\u0530" <= c <= "\u058f")
    cyrillic = sum(n for c, n in letters.items() if "\u0400" <= c <= "\u04ff")
    if greek / total > 0.5:
        return "el"
    if armenian / total > 0.5:
        return "hy"
    if cyrillic / total > 0.5:
        # Bulgarian writes "ъ" as a vowel, before consonants ("съгласно", "държавна"; Russian
        # only before е ё ю я: "объявление") and has none of Ukrainian's "ї є ґ" nor Russian's
        # "ы э ё"; its "і" is a Roman numeral typed in Cyrillic ("от І до VІІ клас"), so the
        # Ukrainian marker alone does not decide it
        if _BULGARIAN_YER.search(text) and not any(letters[c] for c in "їєґыэё"):
            return "bg"
        if any(letters[c] for c in "іїєґ"):
            return "uk"
        if any(letters[c] for c in "ыэъё"):
            return "ru"
        return "cyrillic"  # no marker: undecided between them, no word count either
    for language, own, least, share, unless in _OWN_LETTERS:
        found = sum(letters[c] for c in own)
        if found >= least and found / total >= share and not any(letters[c] for c in unless):
            return language
    return None


def _break_tie(tied: list[str], letters: Counter[str]) -> str | None:
    if "fi" in tied and "et" in tied:
        # "ja" and "on" are Finnish and Estonian words alike; Estonian writes "õ", Finnish never
        if letters["õ"]:
            return "et"
        # Estonian writes "ü" ("tööruumide", "hüdraat") and never "y" in its own words, which
        # Finnish writes in nearly every sentence; both write "ä" and "ö"
        if letters["ü"] > letters["y"]:
            return "et"
        if letters["ä"] or letters["ö"]:
            return "fi"
    for lang in tied:
        if any(letters[c] for c in _NORDIC_MARKERS.get(lang, ())):
            return lang
    return None
