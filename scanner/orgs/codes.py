"""Checks for the coded fields of a profile: CPV, NAICS, regions, countries, e-mail addresses.

Each check returns the normalised value or raises `ValueError` with a message a person can act
on; the schema turns those into errors that name the record and the field.

CPV check digits are checked for shape only. The Publications Office's documented algorithm
does not reproduce the check digits of the published CPV 2008 list (OP-TED/ePO discussion #589:
`03300000-2` fails it, and the Office says the 2008 revision got them wrong), so a computed
check would reject real codes; only the official list could verify them, and it is not shipped.
"""

from __future__ import annotations

import re

__all__ = [
    "CPV_DIVISIONS",
    "ISO_COUNTRIES",
    "NAICS_SECTORS",
    "NUTS_COUNTRIES",
    "UK_NUTS1_LETTERS",
    "check_cpv",
    "check_email",
    "check_naics",
    "check_region",
    "countries_of_regions",
    "cpv_prefix",
]

# The 45 divisions of the CPV 2008 main vocabulary (Regulation (EC) No 213/2008, Annex I).
CPV_DIVISIONS = frozenset({
    "03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35",
    "37", "38", "39", "41", "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64",
    "65", "66", "70", "71", "72", "73", "75", "76", "77", "79", "80", "85", "90", "92", "98",
})  # fmt: skip
# NAICS 2022 sectors (two-digit codes; 31-33, 44-45 and 48-49 are ranges of one sector).
NAICS_SECTORS = frozenset({
    "11", "21", "22", "23", "31", "32", "33", "42", "44", "45", "48", "49", "51", "52", "53",
    "54", "55", "56", "61", "62", "71", "72", "81", "92",
})  # fmt: skip
# ISO 3166-1 alpha-2, plus XK (Kosovo, user-assigned but used by the EU and the World Bank).
ISO_COUNTRIES = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
    "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
    "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
    "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
    "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
    "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
    "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
    "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW", "XK",
})  # fmt: skip
# Countries with NUTS codes (EU 27, EFTA, candidates with statistical regions, and the UK,
# whose NUTS codes start "UK" and ITL codes "TL"). NUTS writes Greece "EL", not "GR".
NUTS_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
    "CH", "AL", "ME", "MK", "RS", "TR", "UK", "TL",
})  # fmt: skip
# UK NUTS 1 / ITL 1 regions: C North East ... N Northern Ireland (UKZ / TLZ is extra-regio).
UK_NUTS1_LETTERS = frozenset("CDEFGHIJKLMN")
_NUTS_TO_ISO = {"UK": "GB", "TL": "GB", "EL": "GR"}
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}  # two-letter NUTS country codes written alone

_CPV_RE = re.compile(r"(\d{2,8})(?:-(\d))?")
_NAICS_RE = re.compile(r"\d{2,6}")
_REGION_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{1,3}")
_ISO_SUBDIVISION_RE = re.compile(r"([A-Z]{2})-[A-Z0-9]{1,3}")
# RFC 5322 addr-spec in its dot-atom form; quoted local parts and address literals are refused
# (no one receives tender digests at "john doe"@[127.0.0.1]), as are internationalised names.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}")


def check_cpv(value: str) -> str:
    """A CPV interest at any level: "72", "722", "72200000" or "72200000-7" (check digit only
    after all eight digits). Returned stripped; the division must exist."""
    text = value.strip()
    match = _CPV_RE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{value!r} is not a CPV code (2 to 8 digits, optionally '-' and a check digit "
            "after all 8, e.g. '72', '722', '72200000-7')"
        )
    digits, check = match.groups()
    if check is not None and len(digits) != 8:
        raise ValueError(f"{value!r}: a check digit follows all 8 digits of a CPV code")
    if digits[:2] not in CPV_DIVISIONS:
        raise ValueError(f"{value!r}: {digits[:2]} is not a CPV division")
    return text


def cpv_prefix(code: str) -> str:
    """The significant digits of a CPV code: check digit and the level's padding zeros removed,
    at least the two of the division ("72200000-7" -> "722", "03000000" -> "03")."""
    digits = code.split("-", 1)[0]
    significant = digits.rstrip("0")
    return significant if len(significant) >= 2 else digits[:2]


def check_naics(value: str) -> str:
    """A NAICS interest of 2 to 6 digits whose sector exists."""
    text = value.strip()
    if _NAICS_RE.fullmatch(text) is None:
        raise ValueError(f"{value!r} is not a NAICS code (2 to 6 digits, e.g. '5415', '541511')")
    if text[:2] not in NAICS_SECTORS:
        raise ValueError(f"{value!r}: {text[:2]} is not a NAICS sector")
    return text


def check_region(value: str) -> str:
    """A region served: an ISO 3166-1 alpha-2 country ("GB"), a NUTS country ("UK", "EL"), or a
    NUTS/ITL code of level 1 to 3 ("UKI", "UKI3", "TLC", "DE21", "FR101"). Returned upper case.

    Unknown means: a two-letter code that is no country; a longer code whose first two letters
    are no NUTS country (or "TL"); a UK/ITL code whose NUTS 1 letter is not C to N. For other
    countries the shape is checked, not the official list of regions.

    Countries without NUTS name their regions by ISO 3166-2 ("UA-46" Lviv oblast, "US-CA"):
    the country must exist and the subdivision code be 1 to 3 letters or digits."""
    text = value.strip().upper()
    iso = _ISO_SUBDIVISION_RE.fullmatch(text)
    if iso is not None and iso.group(1) in ISO_COUNTRIES:
        return text
    if len(text) == 2 and text.isalpha():
        if text in ISO_COUNTRIES or text in _COUNTRY_ALIASES:
            return text
        raise ValueError(f"{value!r} is not a known country code (ISO 3166-1 alpha-2)")
    if _REGION_RE.fullmatch(text) is None:
        raise ValueError(
            f"{value!r} is not a region code (a country such as 'GB', or a NUTS/ITL code of "
            "3 to 5 characters such as 'UKI', 'UKI3', 'TLC')"
        )
    prefix = text[:2]
    if prefix not in NUTS_COUNTRIES:
        raise ValueError(f"unknown region {value!r}: {prefix} is not a NUTS country")
    if prefix in ("UK", "TL") and text[2] not in UK_NUTS1_LETTERS:
        raise ValueError(
            f"unknown region {value!r}: UK NUTS 1 / ITL 1 regions are {prefix}C to {prefix}N"
        )
    return text


def countries_of_regions(regions: tuple[str, ...]) -> tuple[str, ...]:
    """ISO countries of checked region entries, unique, in order ("UKI3"/"TLC" -> "GB")."""
    found: dict[str, None] = {}
    for region in regions:
        if len(region) == 2:
            found[_COUNTRY_ALIASES.get(region, region)] = None
        else:
            found[_NUTS_TO_ISO.get(region[:2], region[:2])] = None
    return tuple(found)


def check_email(value: str) -> str:
    """An e-mail address (RFC 5322 addr-spec, dot-atom form), returned stripped."""
    text = value.strip()
    local = text.rpartition("@")[0]
    if len(text) > 254 or len(local) > 64 or _EMAIL_RE.fullmatch(text) is None:
        raise ValueError(f"{value!r} is not a valid e-mail address")
    return text
