"""A division the buyer states in the notice's own words, when the lots themselves were not read.

"(4 lots)", "en 3 lots", "suddiviso in 2 lotti", "dividido en 3 lotes", "über 4 Lose", "w
podziale na 3 części", "в 3 обособени позиции", or two lot headings ("Lot 1: ..., Lot 2: ...",
"Zadanie nr 1 ..., Zadanie nr 2 ...") say the buyer has already divided the requirement. That is
real information about lots, not a suggestion of Lotwise's: the assessment reports it as the
buyer's division and does not tell the buyer to divide what it has divided (nor that it failed
to consider lots).

Only counts of two or more are read, and a count belongs to the lot word right after it, so a
single lot ("lot unique", "1 Los", "Lot 1" alone) or a negation ("not divided into lots",
"nicht in Lose aufgeteilt", "no se divide en lotes") is never read as a division.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.splitter.prose import clip

# Number words from two to twelve in the languages of the notices read (English, French,
# Italian, Spanish, German, Polish, Bulgarian, Dutch, Portuguese).
_NUMBER_WORDS: dict[str, int] = {}
for _words in (
    "two three four five six seven eight nine ten eleven twelve",
    "deux trois quatre cinq six sept huit neuf dix onze douze",
    "due tre quattro cinque sei sette otto nove dieci undici dodici",
    "dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "dwie trzy cztery pięć sześć siedem osiem dziewięć dziesięć jedenaście dwanaście",
    "две три четири пет шест седем осем девет десет единадесет дванадесет",
    "twee drie vier vijf zes zeven acht negen tien elf twaalf",
    "dois três quatro cinco seis sete oito nove dez onze doze",
):
    for _k, _word in enumerate(_words.split(), start=2):
        _NUMBER_WORDS.setdefault(_word, _k)
_NUMBER_WORDS.update({"dwa": 2, "dwóch": 2, "trzech": 3, "czterech": 4, "два": 2, "due": 2})
_NUMBER = rf"(?:\d{{1,3}}|{'|'.join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))})"
# Plural lot words: the count must be followed by one of them.
_LOTS = (
    r"(?:lots|lotti|lotes|lose[n]?|teillose[n]?|fachlose[n]?|percelen|"
    r"обособени[ \t]+позиции|loturi|delkontrakt)"
)
_COUNT = re.compile(
    rf"(?<![\w.,])(?P<n>{_NUMBER})[ \t]*(?:\(\s*\d{{1,3}}\s*\)[ \t]*)?"
    # one word may come between: "3 separate lots", "3 samodzielne części"
    rf"(?:[^\W\d_]{{3,15}}[ \t]+)?{_LOTS}\b",
    re.IGNORECASE,
)
# Polish "część" (also a spare part), "zadanie" and "pakiet" are lots in "(divided) into N
# parts / tasks / packages".
_POLISH_COUNT = re.compile(
    rf"\bna[ \t]+(?P<n>{_NUMBER})[ \t]+(?:[^\W\d_]{{3,15}}[ \t]+)?"
    r"(?:części|czesci|zadania|zadań|zadan|pakiety|pakietów|pakietow)\b",
    re.IGNORECASE,
)
# A stated division without a count: "en plusieurs lots", "mehrere Lose", "each lot".
_SEVERAL = re.compile(
    r"\b(?:several lots|multiple lots|(?:divided|split) into lots|each(?: of the)? lots?\b|"
    r"plusieurs lots|(?:divisé|divisée|répartie?s?|alloti|allotie)[ \t]+en[ \t]+lots|chacun des lots|chaque lot|"
    r"più lotti|(?:suddivis[oa]|articolat[oa]) in lotti|ciascun lotto|"
    r"varios lotes|(?:dividido|dividida)[ \t]+en[ \t]+lotes|cada(?: uno de los)? lotes?\b|"
    r"mehrere(?:n)? (?:Teil|Fach)?lose[n]?|(?:jede[sn]?|je) (?:Teil|Fach)?Los\b|"
    r"in (?:Teil|Fach)?lose[n]? (?:auf)?geteilt|"
    r"w podziale na części|podzielon[ye] na części|(?:każdej|każdą|poszczególnych) częś|"
    r"всяка обособена позиция|по обособени позиции|няколко обособени позиции|"
    r"(?:die|den|der|alle[n]?|einzelnen|jeweiligen|entsprechenden|genannten|beiden)[ \t]+"
    r"(?:[^\W\d_]+[ \t]+)?(?-i:(?:Teil|Fach)?Lose[n]?)\b)",
    re.IGNORECASE,
)
# Negations that a lot word or a count may sit inside.
_NEGATED = re.compile(
    r"(?:\bnot\b|\bno (?:se|es|está|ha|hay)\b|\bnon\b|\bn'est pas\b|\bne\b|\bnicht\b|"
    r"\bkeine?\b|\bnie\b|\bне\b|\bsin\b|\bnessun[oa]?\b)[^.;\n]{0,30}$",
    re.IGNORECASE,
)
# Lot headings: a lot word and a number, twice or more with different numbers.
_LOT_HEADING = re.compile(
    r"(?:\b(?:lot|lote|lotto|lotul|perceel|część|czesc|zadanie|zad\.|pakiet)|"
    r"(?-i:\b(?:Teil|Fach)?Los)|обособена[ \t]+позиция|\bОП)"
    r"[ \t]*(?:n(?:r|o|°|º)\.?[ \t]*|№[ \t]*)?(?P<n>\d{1,3}|(?-i:[IVX]{1,4}))\b(?![.,]\d)",
    re.IGNORECASE,
)
_ROMAN = {"I": 1, "V": 5, "X": 10}
MAX_COUNT = 500


@dataclass(frozen=True, slots=True)
class StatedLots:
    """The buyer's division as the text states it: how many lots (None when not said) and
    the words that say so."""

    count: int | None
    quote: str
    headings: int = 0  # lot headings found ("Lot 1", "Los 2"), when no count is stated

    @property
    def described(self) -> str:
        if self.count:
            return f"{self.count} lots"
        if self.headings:
            return f"lots (headings {self.quote})"
        return "lots"


def stated_lots(text: str) -> StatedLots | None:
    """The division the text states, or None. A count wins over headings, headings over a
    plural mention without a count."""
    head = text[:20000]
    for match in (*_COUNT.finditer(head), *_POLISH_COUNT.finditer(head)):
        count = _number(match.group("n"))
        if count is None or not 2 <= count <= MAX_COUNT or _negated(head, match.start()):
            continue
        return StatedLots(count, _quote(head, match.start(), match.end()))
    numbers: dict[int, re.Match[str]] = {}
    for match in _LOT_HEADING.finditer(head):
        number = _heading_number(match.group("n"))
        if 0 < number <= MAX_COUNT and not _negated(head, match.start()):
            numbers.setdefault(number, match)
    if len(numbers) >= 2:
        shown = [" ".join(numbers[n].group(0).split()) for n in sorted(numbers)[:4]]
        more = ", ..." if len(numbers) > 4 else ""
        return StatedLots(None, f"{', '.join(shown)}{more}", len(numbers))
    for match in _SEVERAL.finditer(head):
        if not _negated(head, match.start()):
            return StatedLots(None, _quote(head, match.start(), match.end()))
    return None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.casefold())


def _heading_number(text: str) -> int:
    """A heading's number, in digits or Roman numerals ("Zadanie II")."""
    if text.isdigit():
        return int(text)
    values = [_ROMAN[c] for c in text]
    return sum(-v if k + 1 < len(values) and v < values[k + 1] else v for k, v in enumerate(values))


def _negated(text: str, start: int) -> bool:
    return _NEGATED.search(text[max(0, start - 60) : start]) is not None


def _quote(text: str, start: int, end: int) -> str:
    """The words that state the division, with a little context, cut between words."""
    left = text.rfind(" ", 0, max(0, start - 20)) + 1 if start > 20 else 0
    right = text.find(" ", end + 15)
    piece = " ".join(text[left : right if right > 0 else len(text)].split())
    return clip(piece, 120)
