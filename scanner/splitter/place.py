"""Where the buyer is: the country (and, in the UK, the nation) whose procurement law applies.

The law follows the buyer, not the currency: a Scottish council buys under Scottish regulations,
a Polish one in zloty under the EU directives. Read in order of trust: country codes of the
notice, the buyer's address, the publisher (ocid prefix), region codes, the text, the currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.ingest.tender import NormalisedTender

COUNTRY_NAMES = {
    "GB": "the United Kingdom", "US": "the United States", "UA": "Ukraine", "PY": "Paraguay",
    "AM": "Armenia", "MX": "Mexico", "NO": "Norway", "CH": "Switzerland", "IS": "Iceland",
    "CA": "Canada", "AU": "Australia", "NZ": "New Zealand", "MK": "North Macedonia",
    "RS": "Serbia", "TR": "Turkey", "LI": "Liechtenstein", "MD": "Moldova", "GE": "Georgia", "AL": "Albania",
    "BA": "Bosnia and Herzegovina", "ME": "Montenegro", "XK": "Kosovo", "BR": "Brazil",
    "CO": "Colombia", "CL": "Chile", "AR": "Argentina", "PE": "Peru", "EC": "Ecuador",
    "IN": "India", "ZA": "South Africa", "KE": "Kenya", "NG": "Nigeria", "JP": "Japan",
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "the Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia",
    "ES": "Spain", "SE": "Sweden",
}  # fmt: skip
# Country names as publishers write them in `countryName` (English and their own language).
_NAMED = {
    "україна": "UA", "ukraine": "UA", "paraguay": "PY", "armenia": "AM", "հայաստան": "AM",
    "méxico": "MX", "mexico": "MX", "united states": "US", "usa": "US", "polska": "PL",
    "poland": "PL", "deutschland": "DE", "germany": "DE", "france": "FR", "españa": "ES",
    "spain": "ES", "italia": "IT", "italy": "IT", "nederland": "NL", "ireland": "IE",
    "norge": "NO", "norway": "NO", "sverige": "SE", "sweden": "SE",
}  # fmt: skip
# Publishers whose ocid prefix fixes the country (and UK nation) of every notice.
_PUBLISHERS = {
    "ocds-r6ebe6-": "GB-SCT",  # Public Contracts Scotland
    "ocds-kuma6s-": "GB-WLS",  # Sell2Wales
    "ocds-b5fd17-": "GB",  # Contracts Finder
    "ocds-h6vhtk-": "GB",  # Find a Tender
    "ocds-be6bcu-": "UA",  # Prozorro
    "ocds-03ad3f-": "PY",  # DNCP Paraguay
    "ocds-07smqs-": "MX",  # Mexico APF
    "am-pps-": "AM",  # Armenia PPS
}
# Currencies used by one country only: the last resort.
_CURRENCIES = {
    "GBP": "GB", "UAH": "UA", "PYG": "PY", "AMD": "AM", "MXN": "MX", "PLN": "PL", "CZK": "CZ",
    "HUF": "HU", "RON": "RO", "SEK": "SE", "DKK": "DK", "NOK": "NO", "CHF": "CH", "ISK": "IS",
    "CAD": "CA", "AUD": "AU", "NZD": "NZ", "JPY": "JP", "INR": "IN", "BRL": "BR", "COP": "CO",
    "CLP": "CL", "ARS": "AR", "ZAR": "ZA", "KES": "KE", "NGN": "NG", "GEL": "GE", "MDL": "MD",
    "RSD": "RS", "MKD": "MK", "ALL": "AL", "BAM": "BA", "TRY": "TR", "USD": "US",
}  # fmt: skip
NATIONS = {
    "GB-SCT": "Scotland",
    "GB-WLS": "Wales",
    "GB-NIR": "Northern Ireland",
    "GB-ENG": "England",
}
_NUTS_NATIONS = {"UKM": "GB-SCT", "TLM": "GB-SCT", "UKL": "GB-WLS", "TLL": "GB-WLS",
                 "UKN": "GB-NIR", "TLN": "GB-NIR"}  # fmt: skip
# Places that show the UK nation when the notice names no country: council areas, towns and
# landmarks of Scotland, Wales and Northern Ireland (a small gazetteer, capitalised names).
_SCOTLAND = re.compile(
    r"\b(?:Scotland|Scottish|Edinburgh|Glasgow|Aberdeen(?:shire)?|Dundee|Inverness|Perth|"
    r"Stirling|Paisley|East Kilbride|Livingston|Cumbernauld|Kirkcaldy|Dunfermline|Kilmarnock|"
    r"Greenock|Coatbridge|Glenrothes|Airdrie|Falkirk|Motherwell|Dumfries|Clydebank|Clyde|"
    r"Dumbarton|Helensburgh|Lomond|Bearsden|Elgin|Oban|Fort William|Stornoway|Kirkwall|"
    r"Lerwick|Peterhead|Fraserburgh|Arbroath|Montrose|Forfar|St Andrews|Galashiels|Hawick|"
    r"Stranraer|Campbeltown|Rothesay|Bute|Cowal|Arran|Islay|Skye|Hebrides|Highlands?|"
    r"Highland Council|Fife|Lothian|Lanarkshire|Ayrshire|Renfrewshire|Dunbartonshire|"
    r"Inverclyde|Moray|Angus|Argyll|Orkney|Shetland|Caithness|Eilean Siar|Comhairle|"
    r"Galloway|Scottish Borders|Clackmannanshire|Tayside|Grampian|Strathclyde|Police Scotland|"
    r"NHS (?:Lothian|Greater Glasgow|Tayside|Grampian|Highland|Fife|Lanarkshire|Ayrshire|"
    r"Borders|Forth Valley))\b"
)
_WALES = re.compile(
    r"\b(?:Wales|Welsh|Cymru|Cymraeg|Cardiff|Caerdydd|Swansea|Abertawe|Wrexham|Cwmbran|"
    r"Llanelli|Pontypridd|Aberystwyth|Carmarthen|Caernarfon|Llandudno|Rhyl|Colwyn Bay|"
    r"Haverfordwest|Brecon|Abergavenny|Monmouth|Chepstow|Eryri|Snowdonia|Gwynedd|Conwy|"
    r"Powys|Ceredigion|Pembrokeshire|Carmarthenshire|Rhondda|Caerphilly|Torfaen|"
    r"Monmouthshire|Denbighshire|Flintshire|Anglesey|Ynys Môn|Bridgend|Neath Port Talbot|"
    r"Merthyr Tydfil|Blaenau Gwent|Vale of Glamorgan|Llywodraeth|Cyngor|Senedd)\b"
)
_NORTHERN_IRELAND = re.compile(
    r"\b(?:Northern Ireland|Belfast|Derry|Londonderry|Armagh|Antrim|Fermanagh|Enniskillen|"
    r"Omagh|Mid Ulster|Causeway Coast|Coleraine|Ballymena|Lisburn|Ards and North Down|"
    r"Newry|Craigavon|Portadown|Larne|Carrickfergus|Newtownabbey|Stormont)\b"
)
_STATED_COUNTRY = re.compile(r"^\s*(?:country|jurisdiction)\s*[:=]\s*(.+)$", re.I | re.M)


@dataclass(frozen=True, slots=True)
class Place:
    """The buyer's country (ISO 3166-1 alpha-2) and UK nation code (`GB-SCT`...), and how they
    were found."""

    country: str | None
    nation: str | None
    basis: str

    @property
    def key(self) -> str | None:
        """What regimes are looked up by: the nation in the UK, else the country."""
        return self.nation or self.country

    @property
    def name(self) -> str:
        if self.nation in NATIONS:
            return NATIONS[self.nation]
        return COUNTRY_NAMES.get(self.country or "", self.country or "a country not named")


def place_of(tender: NormalisedTender, text: str, buyer_name: str | None) -> Place:
    """The buyer's country and UK nation, with the evidence used."""
    country, basis = _country(tender, text)
    if country not in (None, "GB", "UK"):
        return Place(country, None, basis)
    nation, nation_basis = _nation(tender, text, buyer_name)
    if nation is not None:
        return Place("GB", nation, nation_basis if country is None else f"{basis}; {nation_basis}")
    return Place(country, None, basis)


def _country(tender: NormalisedTender, text: str) -> tuple[str | None, str]:
    for code in tender.countries:
        if isinstance(code, str) and len(code) == 2:
            return code.upper().replace("UK", "GB"), "the notice's country code"
    stated = _STATED_COUNTRY.search(text[:5000])
    if stated:
        named = _named_country(stated.group(1).strip(" ."))
        if named:
            return named, "the country stated in the text"
    address = _buyer_address(tender.raw)
    named = _named_country(str(address.get("countryName") or address.get("country") or ""))
    if named:
        return named, "the buyer's address"
    ocid = (tender.ocid or tender.source_key or "").lower()
    for prefix, code in _PUBLISHERS.items():
        if ocid.startswith(prefix):
            return code.split("-")[0], "the publisher"
    if tender.source == "sam":
        return "US", "the publisher (SAM.gov)"
    currency = (tender.currency or "").upper()
    if currency in _CURRENCIES:
        return _CURRENCIES[currency], f"the currency ({currency})"
    if currency == "EUR":
        guessed = _language_country(text)
        if guessed:
            code, language = guessed
            return code, (
                f"the language ({language}) and the currency (EUR); state the country if it "
                "is another"
            )
    return None, "no country in the notice"


# Function words of the euro area's main languages, and the country most notices in each come
# from: a last resort for a euro draft that names no country.
_LANGUAGES = {
    "fr": ("FR", "French", "le la les des du et pour une dans sur par avec"),
    "de": ("DE", "German", "der die das und für mit von den dem ein eine zur zum nach"),
    "it": ("IT", "Italian", "il di della delle dei per con del nel gli una che alla"),
    "es": ("ES", "Spanish", "el los las del para con por una que"),
    "nl": ("NL", "Dutch", "het een van voor met zijn worden wordt door"),
    "pt": ("PT", "Portuguese", "os da do das dos para com uma pelo pela"),
}
_LANGUAGE_WORDS = {lang: frozenset(words.split()) for lang, (_, _, words) in _LANGUAGES.items()}
_TOKEN = re.compile(r"[^\W\d_]+")


def _language_country(text: str) -> tuple[str, str] | None:
    words = [w.casefold() for w in _TOKEN.findall(text[:4000])]
    if len(words) < 20:
        return None
    counts = sorted(
        ((sum(w in vocab for w in words), lang) for lang, vocab in _LANGUAGE_WORDS.items()),
        reverse=True,
    )
    (best, lang), (second, _) = counts[0], counts[1]
    if best < 8 or best < 2 * second:
        return None
    code, name, _ = _LANGUAGES[lang]
    return code, name


def _named_country(value: str) -> str | None:
    value = value.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper().replace("UK", "GB")
    folded = " ".join(value.casefold().split())
    if folded in _NAMED:
        return _NAMED[folded]
    if folded in ("united kingdom", "uk", "great britain", "england", "scotland", "wales"):
        return "GB"
    return next((c for c, n in COUNTRY_NAMES.items() if n.removeprefix("the ") == value), None)


def _nation(tender: NormalisedTender, text: str, buyer_name: str | None) -> tuple[str | None, str]:
    ocid = (tender.ocid or tender.source_key or "").lower()
    for prefix, code in _PUBLISHERS.items():
        if ocid.startswith(prefix) and code.startswith("GB-"):
            return code, "the publisher"
    for name, pattern in (
        ("GB-SCT", _SCOTLAND),
        ("GB-WLS", _WALES),
        ("GB-NIR", _NORTHERN_IRELAND),
    ):
        if buyer_name and pattern.search(buyer_name):
            return name, "the buyer's name"
    regions = {_NUTS_NATIONS.get(r[:3]) for r in tender.regions if isinstance(r, str)}
    regions.discard(None)
    if len(regions) == 1:
        return regions.pop(), "the delivery region"
    head = text[:5000]
    found = [
        code
        for code, p in (("GB-SCT", _SCOTLAND), ("GB-WLS", _WALES), ("GB-NIR", _NORTHERN_IRELAND))
        if p.search(head)
    ]
    if len(found) == 1:
        return found[0], "places named in the text"
    return None, ""


def _buyer_address(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """The buyer party's address in a raw OCDS release, if any."""
    parties = raw.get("parties") if isinstance(raw, Mapping) else None
    if not isinstance(parties, list):
        return {}
    for party in parties[:50]:
        if isinstance(party, Mapping) and "buyer" in (party.get("roles") or ()):
            address = party.get("address")
            return address if isinstance(address, Mapping) else {}
    return {}
