"""Geography: does the organisation serve where the work is delivered?

Regions are NUTS/ITL codes, matched by prefix (a profile's "UKI" serves "UKI3"); a profile's
two-letter region is a whole country. Scores follow the published recipe (DOMAIN.md section 3):
1.0 served (region under one of yours, or you are national in that country), 0.7 plausible (the
notice names only a country you work in, or a wider region holding one of yours (UKM for a
profile in UKM6), names no place, or your profile names no area), 0.2
elsewhere; work in another region of a country you work in, deliverable remotely, scores
`REMOTE` (0.5): worth seeing but below work in your own regions, which a buyer will favour.
On-site work outside the regions of an organisation that does not deliver remotely scores
`IN_NATION` (0.3) when it is in the organisation's own nation (`nation_of`: the country, or
for the UK the constituent nation, whose procurement is devolved): a long way to travel, but
a firm does take such work (graded "borderline" by people), so it is shown, below its own
regions (`matchers.gates.demotions`), instead of ruled out as work abroad is.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from matchers.result import Criterion
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights
from scanner.reference.regions import current_region, nuts_name, region_words

__all__ = [
    "ELSEWHERE",
    "IN_NATION",
    "PLAUSIBLE",
    "REMOTE",
    "SERVED",
    "country_of",
    "geography",
    "language_names",
    "nation_of",
    "org_area",
    "org_nations",
    "region_key",
]

SERVED = 1.0
PLAUSIBLE = 0.7
REMOTE = 0.5
IN_NATION = 0.3
ELSEWHERE = 0.2
_NUTS_TO_ISO = {"UK": "GB", "EL": "GR", "TL": "GB"}


def country_of(code: str) -> str:
    """ISO country of a NUTS/ITL code or country code ("UKI3" -> "GB", "EL30" -> "GR")."""
    prefix = code.strip().upper()[:2]
    return _NUTS_TO_ISO.get(prefix, prefix)


# Official languages of the countries profiles serve (ISO 639-1), for telling which notices a
# profile can expect in another language than its own (`served_languages`).
OFFICIAL_LANGUAGES: dict[str, tuple[str, ...]] = {
    "AT": ("de",), "BE": ("nl", "fr", "de"), "BG": ("bg",), "CY": ("el",), "CZ": ("cs",),
    "DE": ("de",), "DK": ("da",), "EE": ("et",), "ES": ("es", "ca", "eu", "gl"), "FI": ("fi", "sv"),
    "FR": ("fr",), "GR": ("el",), "HR": ("hr",), "HU": ("hu",), "IE": ("en", "ga"),
    "IT": ("it",), "LT": ("lt",), "LU": ("fr", "de"), "LV": ("lv",), "MT": ("mt", "en"),
    "NL": ("nl",), "PL": ("pl",), "PT": ("pt",), "RO": ("ro",), "SE": ("sv",), "SI": ("sl",),
    "SK": ("sk",), "NO": ("no", "nb", "nn"), "IS": ("is",), "CH": ("de", "fr", "it"),
    "GB": ("en", "cy", "gd"), "UA": ("uk",), "US": ("en",), "AL": ("sq",), "TR": ("tr",),
    "MD": ("ro",),
}  # fmt: skip


# English names of the languages notices are written in (ISO 639-1), for explanations.
LANGUAGE_NAMES: dict[str, str] = {
    "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "eu": "Basque", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "hr": "Croatian", "hu": "Hungarian", "it": "Italian", "lb": "Luxembourgish",
    "lt": "Lithuanian", "lv": "Latvian", "mt": "Maltese", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sv": "Swedish", "uk": "Ukrainian",
}  # fmt: skip


def language_names(languages: Iterable[str | None]) -> str:
    """The known languages among `languages` as words ("Dutch and French"; an unnamed code
    as it is), "another language" when none is known."""
    names = sorted(LANGUAGE_NAMES.get(lang, lang) for lang in languages if lang)
    if not names:
        return "another language"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def served_languages(org: OrgProfile) -> frozenset[str]:
    """The official languages of the countries a profile works in (none for unknown ones)."""
    _prefixes, _whole, countries = org_area(org)
    return frozenset(lang for c in countries for lang in OFFICIAL_LANGUAGES.get(c, ()))


# The UK's constituent nations by NUTS 1 / ITL 1 letter: Wales, Scotland and Northern Ireland
# run their own procurement (Sell2Wales, Public Contracts Scotland, eTendersNI); the rest of
# the UK letters (UKC-UKK) are England.
_UK_NATIONS = {"L": "GB-WLS", "M": "GB-SCT", "N": "GB-NIR"}


@lru_cache(maxsize=4096)
def nation_of(code: str) -> str:
    """The nation of a region code: its ISO country, or for a UK region its constituent
    nation ("UKM8" -> "GB-SCT", "UKI3" -> "GB-ENG"); a country code is its country ("GB")."""
    key = region_key(code)
    country = country_of(key)
    if country == "GB" and len(key) > 2 and key[:2] == "UK":
        return _UK_NATIONS.get(key[2], "GB-ENG")
    return country


def org_nations(org: OrgProfile) -> frozenset[str]:
    """The nations an organisation works in: those of its regions, and the countries it names
    without a region inside them (`nation_of`)."""
    return _nations(tuple(org.regions), tuple(org.countries))


@lru_cache(maxsize=4096)
def _nations(regions: tuple[str, ...], countries: tuple[str, ...]) -> frozenset[str]:
    codes = _codes(regions)
    found = {nation_of(c) for c in codes}
    covered = {country_of(c) for c in codes}
    found |= {country_of(c) for c in _codes(countries) if country_of(c) not in covered}
    return frozenset(found)


def in_nation(region: str, nations: frozenset[str]) -> bool:
    """Whether a region lies in one of `nations` (a whole country holds its UK nations)."""
    return nation_of(region) in nations or country_of(region) in nations


def region_key(code: str) -> str:
    """A region code as compared: upper case, and UK ITL codes ("TLD3") read as the NUTS
    codes they were derived from ("UKD3"; ITL 1 letters are the NUTS 1 letters)."""
    key = code.strip().upper()
    return "UK" + key[2:] if key.startswith("TL") and len(key) > 2 else key


def _codes(values: Iterable[str]) -> list[str]:
    return [region_key(v) for v in values if v and len(v.strip()) >= 2]


def org_area(org: OrgProfile) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """(region prefixes, countries served whole, countries worked in) of a profile."""
    return _area(tuple(org.regions), tuple(org.countries), org.national)


@lru_cache(maxsize=4096)
def _area(
    regions: tuple[str, ...], countries_given: tuple[str, ...], national: bool
) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    codes = _codes(regions)
    prefixes = tuple(c for c in codes if len(c) > 2)
    whole = {country_of(c) for c in codes if len(c) == 2}
    countries = {country_of(c) for c in _codes(countries_given)} | whole
    countries |= {country_of(c) for c in prefixes}
    if national:
        whole |= countries
    return prefixes, frozenset(whole), frozenset(countries)


def opportunity_place(opportunity: Opportunity) -> tuple[list[str], set[str]]:
    """(regions longer than a country, all countries) of an opportunity."""
    codes = _codes(opportunity.regions)
    regions = [c for c in codes if len(c) > 2]
    countries = {country_of(c) for c in codes} | {
        country_of(c) for c in _codes(opportunity.countries)
    }
    return regions, countries


def geography(org: OrgProfile, opportunity: Opportunity, weights: Weights) -> Criterion:
    """Served, plausible or elsewhere, naming the region or country that decided it (a region
    read from the notice's title says so: "Wrocław named in the title (PL514)")."""
    weight = weights.weight("geography")
    said = dict(opportunity.regions_named) if opportunity.regions_named else _NOTHING_SAID
    prefixes, whole, countries = org_area(org)
    regions, opp_countries = opportunity_place(opportunity)
    if any(current_region(region) for region in regions):
        regions, said = _current(regions, said)
    for region in regions:
        for prefix in prefixes:
            if region.startswith(prefix):
                shown = (
                    f"in your region {_words(prefix, said)}"
                    if prefix == region
                    else f"{_words(region, said)}, in your region {region_words(prefix)}"
                )
                return Criterion("geography", SERVED, weight, shown)
    served = sorted(opp_countries & whole)
    if served:
        return Criterion("geography", SERVED, weight, f"you serve all of {_words(served[0], said)}")
    for region in regions:
        for prefix in prefixes:
            if prefix.startswith(region):  # the notice names a wider area holding yours
                return Criterion(
                    "geography",
                    PLAUSIBLE,
                    weight,
                    f"somewhere in {_words(region, said)}, which holds your {region_words(prefix)}",
                )
    unread = _unread(opportunity)
    if not regions and not opp_countries:
        if unread:
            return Criterion("geography", PLAUSIBLE, weight, f"place {unread} not recognised")
        return Criterion("geography", PLAUSIBLE, weight, "no place of delivery given")
    if not prefixes and not countries:
        return Criterion("geography", PLAUSIBLE, weight, "profile names no area")
    shared = sorted(opp_countries & countries)
    if shared and not regions:
        where = (
            f"somewhere in {_words(shared[0], said)} ({unread} not recognised)"
            if unread
            else (f"anywhere in {_words(shared[0], said)}")
        )
        return Criterion("geography", PLAUSIBLE, weight, where)
    if shared and org.remote:
        where = regions[0] if regions else shared[0]
        return Criterion(
            "geography", REMOTE, weight, f"{_words(where, said)}: outside your regions, remote"
        )
    nations = org_nations(org)
    near = [region for region in regions if in_nation(region, nations)]
    if shared and near:
        return Criterion(
            "geography",
            IN_NATION,
            weight,
            f"{_words(near[0], said)}: outside your regions, on site",
        )
    where = regions[0] if regions else sorted(opp_countries)[0]
    return Criterion("geography", ELSEWHERE, weight, f"{_words(where, said)} is outside your area")


_NOTHING_SAID: dict[str, str] = {}


def _current(regions: list[str], said: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Codes of an older NUTS version read as the current region holding them, said so:
    "HU101, an older code, in Közép-Magyarország (HU1)"."""
    said = dict(said)
    read = []
    for region in regions:
        wider = current_region(region)
        if wider:
            said.setdefault(wider, f"{region}, an older code, in {nuts_name(wider) or wider}")
        read.append(wider or region)
    return read, said


def _words(code: str, said: dict[str, str]) -> str:
    """A region in words; one read from the notice's text says where ("Wrocław named in the
    title (PL514)")."""
    return f"{said[code]} ({code})" if code in said else region_words(code)


def _unread(opportunity: Opportunity) -> str:
    """The place names the notice gave that no table resolves, quoted, for the reader."""
    return ", ".join(f"'{name}'" for name in opportunity.place_names[:2])
