"""Reading structure out of free text: service phases, enumerated deliverables, wording.

Plain regular expressions rather than a language model: every match can be quoted back to the
buyer as the reason for a package, and the same text always gives the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scanner.splitter.prose import clip, sentences

# GOV.UK Service Manual phases, in delivery order, with the share of effort each usually takes
# (discovery short, beta the largest build), used only to apportion an estimated value.
PHASES: tuple[tuple[str, float], ...] = (
    ("discovery", 0.1),
    ("alpha", 0.2),
    ("beta", 0.4),
    ("live", 0.3),
)
_PHASE_WORD = {name: re.compile(rf"\b{name}\b", re.IGNORECASE) for name, _ in PHASES}
# One pass over the text for all four names (the text can be a long notice).
_ANY_PHASE = re.compile(r"\b(discovery|alpha|beta|live)\b", re.IGNORECASE)
# A marker, then a space or, after "1." / "a)", a word glued to it ("1.Edinburgh").
_BULLET = re.compile(
    r"^[ \t]*(?:[-*•·▪◦–—]|\(?\d{1,2}[.)]|\(?[a-h][.)]|\(?(?:i|ii|iii|iv|v|vi|vii|viii)[.)])"
    r"(?:[ \t]+|(?<=[.)])(?=[^\W\d_]{2}))(\S.{2,200})$",
    re.MULTILINE | re.IGNORECASE,
)
# "Lot" in the languages of EU notices (lote, lotto, lotul, perceel, część, zadanie, pakiet,
# delkontrakt, osa, partie, обособена позиция), with an optional "nr" / "no." / "n°" before the number. German
# "Los" (and Fachlos, Teillos) is capitalised and followed by a colon or dash ("Los 1: ...",
# "Fachlos 2 – ..."): Spanish and Portuguese "los" is an article. A lot named by a capital
# letter ("Lotto A —", "Lot B:") needs the same separator, so that "lot a" is no heading, and
# counts only where no lot is numbered: beside numbered lots, letters are sub-lots.
_HEADING = re.compile(
    r"\b(?:(?:phase|workstream|work stream|work package|stage|lot|lote|lotto|lotul|perceel|"
    r"część|czesc|zadanie|pakiet|delkontrakt|osa|partie|обособена[ \t]+позиция)[ \t]*"
    r"(?:n(?:r|o|°|º)\.?[ \t]*|№[ \t]*)?"
    r"(?:\d{1,2}[a-z]?|one|two|three|four|five|six)\b|"
    r"(?-i:(?:Fach|Teil)los|Los)[ \t]*(?:Nr\.?[ \t]*)?\d{1,2}[a-z]?\b(?=[ \t]*[:–—-]))",
    re.IGNORECASE,
)
_LETTER_HEADING = re.compile(
    r"(?<!sub )(?<!sub-)(?<!sub)\b(?:lot|lote|lotto|partie|(?-i:Los))[ \t]+(?-i:[A-H])\b"
    r"(?=[ \t]*[:–—-])",
    re.IGNORECASE,
)
_ENTRY_END = re.compile(r"[.;\n]|\s[-–—]\s")
# Some sources lose the backslashes of "\r\n", leaving "rn" glued to the end of a line.
_GLUED_END = re.compile(r"[.;\n]|rn(?=\s|$)|\s[-–—]\s")
MAX_DELIVERABLES = 20
# "and" lists are looked for near the start only: that is where a notice states its scope, and
# it bounds the regular expression's work on long texts.
AND_LIST_CHARS = 3000


@dataclass(frozen=True, slots=True)
class Cue:
    """A wording to find, with plain substrings one of which any match contains: most texts
    hold none of them, and `in` on the lower-cased text is far cheaper than the pattern."""

    pattern: re.Pattern[str]
    needles: tuple[str, ...]

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        low = text.lower() if lowered is None else lowered
        if not any(needle in low for needle in self.needles):
            return None
        return self.pattern.search(text)


CONSOLIDATION_PATTERN = re.compile(
    r"\b(single supplier|sole supplier|one supplier|single provider|single contractor|end[- ]to[- ]end|"
    r"managed service|prime contractor|lead contractor|turnkey|fully integrated|one[- ]stop)\b",
    re.IGNORECASE,
)
CONSOLIDATION = Cue(
    CONSOLIDATION_PATTERN,
    ("single ", "sole supplier", "one supplier", "end-to-end", "end to end", "managed service",
     "prime contractor",
     "lead contractor", "turnkey", "fully integrated", "one-stop", "one stop"),
)  # fmt: skip
# Parts that must work as one: the interfaces between lots would be the risk.
ONE_SYSTEM = Cue(
    re.compile(
        r"\b(?:work as one system|one (?:integrated|single) system|single integrated system|"
        r"safety[- ]critical|one party responsible|single point of "
        r"(?:responsibility|accountability))\b",
        re.IGNORECASE,
    ),
    ("system", "safety", "one party", "single point"),
)
NOT_DIVIDED_REASON = Cue(
    re.compile(
        r"\b(not (?:been )?(?:divided|split) into lots|no lots because|reasons? for not dividing|"
        r"lots? (?:is|are|would be) not (?:appropriate|practical|possible))",
        re.IGNORECASE,
    ),
    ("not divided", "not been", "not split", "no lots", "not dividing", " not "),
)
OPENNESS: dict[str, tuple[str, re.Pattern[str]]] = {
    "open_source": (
        "asks for an open-source licence",
        re.compile(
            r"open[- ]source|open licen[cs]e|\b(?:MIT|GPL|AGPL|Apache|OGL)\b[ -]?(?:licen[cs]e|v?\d)",
            re.IGNORECASE,
        ),
    ),
    "user_research": (
        "includes user research",
        re.compile(r"user research|user[- ]cent(?:red|ered)|usability testing", re.IGNORECASE),
    ),
    "agile": (
        "works in an agile, iterative way",
        re.compile(r"\bagile\b|\bscrum\b|\bsprints?\b|\biterative(?:ly)?\b", re.IGNORECASE),
    ),
    "published_code": (
        "publishes code in the open",
        re.compile(
            r"github|gitlab|code in the open|publish(?:ed|ing)? (?:the )?(?:source )?code|"
            r"public (?:code )?repositor",
            re.IGNORECASE,
        ),
    ),
}


def phases_in(text: str) -> list[tuple[str, float, str]]:
    """The service phases named in the text, in delivery order: (phase, share, sentences).

    `live` alone is an everyday word, so phases count only when alpha or beta is named too."""
    names = {word.lower() for word in _ANY_PHASE.findall(text)}
    found = [(name, share) for name, share in PHASES if name in names]
    if len(found) < 2 or not names & {"alpha", "beta"}:
        return []
    found_sentences = sentences(text[: AND_LIST_CHARS * 4])
    return [
        (
            name,
            share,
            clip(" ".join(s for s in found_sentences if _PHASE_WORD[name].search(s)), 500),
        )
        for name, share in found
    ]


def unglue(text: str) -> str:
    """Restore line breaks where a source lost the backslashes of "\\r\\n" ("Lots:rnLot 1",
    "productsrnLot 2"): first where "rn" cannot be part of a word, before a capital, digit or
    bullet, or after punctuation. Once that shows the text is glued, also a word's trailing
    "rn" before a space and a capital, digit or bullet ("Groundworksrn Lot 2", "Windowsrn II.
    Gutters"), unless the word really ends in "rn" ("Modern Slavery", "Northern Ireland")."""
    if "\n" in text or "rn" not in text:
        return text
    text = _GLUED.sub("\n", text)
    if "\n" not in text:  # no certain break: a trailing "rn" may be the word's own
        return text
    return _GLUED_WORD.sub(_word_break, text)


_GLUED = re.compile(r"(?:rn)+(?=[A-Z0-9•·▪◦–—-])|(?<=[.:;)])(?:rn)+(?=\s)")
_GLUED_WORD = re.compile(r"\b([^\W\d_]+?)rn(?=[ \t]+[A-Z0-9•·▪◦–—*(-])")
# English words (and the common place-name ending "burn") that end in "rn" themselves.
_RN_ENDINGS = (
    "modern northern southern eastern western pattern return concern govern turn learn "
    "intern stern barn born corn horn worn torn sworn burn churn fern yarn adorn acorn "
    "lantern cavern tavern cistern saturn auburn stubborn unborn newborn reborn overturn "
    "upturn downturn discern lectern postern cairn bairn kern quern"
)
_RN_WORDS = frozenset(_RN_ENDINGS.split())


def _word_break(match: re.Match[str]) -> str:
    word = match.group(1) + "rn"
    if word.casefold() in _RN_WORDS or word.casefold().endswith(("burn", "bourn")):
        return match.group(0)
    return match.group(1) + "\n"


def deliverables_in(text: str) -> list[str]:
    """Work packages enumerated in the text: "Phase 1: ...", "Workstream 2 - ...", bullets,
    numbered lists, short lines after a colon, a semicolon list, an "and" list after
    "including", "such as", "covers"..., or a list of capitalised names after "supply of";
    fewer than two means none."""
    _, sections = deliverable_sections(text)
    return [title for title, _ in sections]


# Finders whose lists are the buyer's own enumeration of the work: they win over phase words.
STRONG_FINDERS = frozenset({"headed", "numbered", "bulleted", "lines"})


def deliverable_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The finder that matched and, per work package, its title (whole words, at most 200
    characters) and its full text (where a value or a duration written for it is read)."""
    text = unglue(text)
    kind, listed = _bullets(text)
    finders: tuple[tuple[str, Callable[[str], list[str] | list[tuple[str, str]]]], ...] = (
        ("headed", _headed),
        (kind, lambda _: listed),
        ("lines", _line_list),
        ("semicolons", _semicolon_list),
        ("and-list", _and_list),
        ("named-list", _named_list),
    )
    for name, finder in finders:
        sections = _unique_sections(finder(text))
        if len(sections) >= 2:
            return name, sections[:MAX_DELIVERABLES]
    return "", []


_OPENNESS_NEEDLES = {
    "open_source": ("open", "mit", "gpl", "apache", "ogl"),
    "user_research": ("user", "usability"),
    "agile": ("agile", "scrum", "sprint", "iterativ"),
    "published_code": ("github", "gitlab", "code", "repositor"),
}


def openness_in(text: str, lowered: str | None = None) -> list[tuple[str, str, str]]:
    """Openness signals present: (code, plain-language label, the words matched)."""
    low = text.lower() if lowered is None else lowered
    found = []
    for code, (label, pattern) in OPENNESS.items():
        if not any(needle in low for needle in _OPENNESS_NEEDLES[code]):
            continue
        match = pattern.search(text)
        if match:
            found.append((code, label, match.group(0)))
    return found


def _headed(text: str) -> list[tuple[str, str]]:
    """Text from each heading to the end of its sentence (the title) or to the next heading
    (the whole section), once per heading."""
    matches = list(_HEADING.finditer(text))
    if len(matches) < 2:
        matches = list(_LETTER_HEADING.finditer(text))
    ends = _GLUED_END if "\n" not in text and "rn " in text else _ENTRY_END
    entries, seen = [], set()
    for k, match in enumerate(matches):
        key = " ".join(match.group(0).casefold().split())
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        rest = text[match.end() : end].lstrip(" \t:-–—.)")
        body = _TRAILING_AND.sub("", ends.split(rest, maxsplit=1)[0]).strip(" \t,")
        if key in seen or len(body) < 3:
            continue
        seen.add(key)
        entries.append((f"{match.group(0)}: {clip(body, 160)}", f"{match.group(0)}: {rest}"))
    return entries


# "Lot 1: roofing and Lot 2: windows": the conjunction before the next heading is no part of
# the first lot's name, in the languages of the notices read.
_TRAILING_AND = re.compile(
    r"[ \t,]+(?:and|&|et|und|sowie|e|ed|y|i|oraz|и|en|og|och|ja)[ \t]*$", re.IGNORECASE
)


def _bullets(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The buyer's list of work: a numbered list first, else the first bulleted block that
    is not a list of facts ("Budget: £2m", "Duration: 36 months"). Each entry with the lines
    that continue it."""
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] = []
    kind = ""
    previous_end = -1
    for match in _BULLET.finditer(text):
        marker = match.group(0).lstrip()[:1]
        this = "numbered" if marker.isdigit() or marker == "(" else "bulleted"
        gap = text[previous_end : match.start()] if previous_end >= 0 else ""
        if kind == "numbered" and this == "bulleted" and _continues(match, gap):
            continue  # "   – importo stimato € 24.000." goes on the numbered entry above
        if current and (this != kind or "\n\n\n" in gap or _heading_between(gap)):
            blocks.append((kind, current))
            current = []
        if current:  # lines between two entries continue the previous one
            title, full = current[-1]
            current[-1] = (title, f"{full} {' '.join(gap.split())}".strip())
        kind = this
        current.append((match.group(1).strip(), match.group(1).strip()))
        previous_end = match.end()
    if current:
        tail = text[previous_end:].split("\n\n", 1)[0]
        title, full = current[-1]
        current[-1] = (title, f"{full} {' '.join(tail.split())}".strip())
        blocks.append((kind, current))
    blocks = [(k, b) for k, b in blocks if len(b) >= 2 and not _facts_list(b)]
    numbered = [b for b in blocks if b[0] == "numbered"]
    return (numbered or blocks or [("bulleted", [])])[0]


def _continues(match: re.Match[str], gap: str) -> bool:
    """An indented dash line right under a numbered entry continues it."""
    return "\n\n" not in gap and match.group(0)[:1] in " \t" and match.group(1)[:1].islower()


def _heading_between(gap: str) -> bool:
    """A line ending in a colon between two bullets starts another list."""
    return any(line.strip().endswith(":") for line in gap.split("\n")[1:])


_FACT_KEYS = re.compile(
    r"^(?:budget|value|estimated value|total|duration|term|contract (?:length|period|term)|"
    r"deadline|closing date|start(?: date)?|end(?: date)?|buyer|contact|location|reference|"
    r"cpv|type|procedure|lots?|buyer type|email|phone|address|published)\s*:",
    re.IGNORECASE,
)


def _facts_list(entries: list[tuple[str, str]]) -> bool:
    return sum(bool(_FACT_KEYS.match(title)) for title, _ in entries) * 2 >= len(entries)


def _semicolon_list(text: str) -> list[str]:
    for sentence in re.split(r"[.\n]", text):
        parts = [p.strip(" ,:") for p in sentence.split(";")]
        parts = [p for p in parts if 1 <= len(p.split()) <= 20]
        if len(parts) >= 3:
            return parts
    return []


def _line_list(text: str) -> list[str]:
    """Short lines after a line ending in a colon ("a programme of:" then one line each)."""
    lines = [line.strip() for line in text.split("\n")]
    for k, line in enumerate(lines):
        if not line.endswith(":"):
            continue
        entries = []
        for entry in lines[k + 1 :]:
            if not entry or len(entry) > 100 or len(entry.split()) > 12 or entry.endswith("."):
                break
            entries.append(entry.strip(" ,;"))
        if len(entries) >= 2:
            return entries
    return []


def _and_list(text: str) -> list[str]:
    """Subjects listed as "A, B, C and D" after a word that introduces a list, each a few
    words long: three at least, or two after "covers" / "comprises" (a statement of scope)."""
    for match in _AND_LIST.finditer(text[:AND_LIST_CHARS]):
        parts = _list_entries(match.group("list"))
        if parts:  # "a range of services including A, B and C": the list starts after the last cue
            parts[0] = _CUE.split(parts[0])[-1].strip(" ,:")
        parts = [p for p in parts if p]
        strong = match.group("cue").casefold().startswith(("cover", "compris", "consist"))
        if len(parts) >= (2 if strong else 3) and all(len(p.split()) <= 5 for p in parts):
            return [p[:1].upper() + p[1:] for p in parts]
    return []


def _named_list(text: str) -> list[str]:
    """Products or services named, each capitalised, after "supply of" / "provision of"
    ("Supply of Hot Rolled Asphalt, Dense Bitumen Macadam, Ready Mix Concrete"): three at
    least, up to eight words each. Capitals show the buyer naming things, where a lower-case
    list is prose (and the "and" list above reads prose only after a list cue)."""
    for match in _NAMED_LIST.finditer(text[:AND_LIST_CHARS]):
        parts = _list_entries(match.group("list"))
        if len(parts) >= 3 and all(_NAMED_ENTRY.match(p) and len(p.split()) <= 8 for p in parts):
            return parts
    return []


_NAMED_LIST = re.compile(
    r"\b(?:supply|provision|delivery|purchase|hire)(?:[ \t]+and[ \t]+(?:delivery|installation|"
    r"supply|maintenance))?[ \t]+of[ \t]+(?:the[ \t]+)?(?P<list>[^.;:\n]{10,600})",
    re.IGNORECASE,
)
_NAMED_ENTRY = re.compile(r"[A-Z0-9][\w'’/&+-]*(?:[ \t]+\S+)*$")


_CUES = (
    r"including|includes|include|such as|comprising|comprises|comprise|consisting of|"
    r"consists of|covers|covering|namely|range of|programme of|delivery of|lots for|lots of"
)
_CUE = re.compile(rf"\b(?:{_CUES})\b[ \t:]*", re.IGNORECASE)
_STOPS = r"across|in|for|to|within|at|throughout|on|with|from"
_PHRASE = r"[^\W\d_][\w'’/-]*(?:[ \t]+[\w'’/&+-]+){0,4}"
# The last entry ends before a preposition: "and grounds maintenance across the county".
_WORD = rf"(?!(?:{_STOPS})\b)[\w'’/&+-]+"
_LAST = rf"(?!(?:{_STOPS})\b)[^\W\d_][\w'’/-]*(?:[ \t]+{_WORD}){{0,4}}"
_AND_LIST = re.compile(
    rf"\b(?P<cue>{_CUES})[ \t:]+"
    rf"(?:the[ \t]+)?(?P<list>{_PHRASE}(?:[ \t]*,[ \t]*{_PHRASE}){{0,20}},?[ \t]+(?:and|&)[ \t]+{_LAST})"
    rf"(?=[ \t]*(?:[.;:\n(]|$)|[ \t]+(?:{_STOPS})\b)",
    re.IGNORECASE,
)
_COMMA = re.compile(r"[ \t]*,[ \t]*")
_CONJUNCTION = re.compile(r"^(?:and|&)[ \t]+|[ \t]+(?:and|&)[ \t]+", re.IGNORECASE)


def _list_entries(text: str) -> list[str]:
    """Entries of "A, B & C, D and E": commas separate; only the last "and" / "&" does, so
    "Gas & electrical, roofing and drainage" keeps its first entry whole."""
    parts = _COMMA.split(text)
    last = parts.pop()
    cuts = list(_CONJUNCTION.finditer(last))
    if cuts:
        parts.extend([last[: cuts[-1].start()], last[cuts[-1].end() :]])
    else:
        parts.append(last)
    return [p.strip(" ,") for p in parts if p.strip(" ,")]


def _unique_sections(entries: list[str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Entries without repeats (case-blind), as (title, full text); a plain string is both."""
    seen: set[str] = set()
    result = []
    for entry in entries:
        title, full = (entry, entry) if isinstance(entry, str) else entry
        key = title.casefold()
        if title and key not in seen:
            seen.add(key)
            result.append((clip(title, 200), clip(full, 1200)))
    return result
