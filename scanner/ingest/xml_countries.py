"""Country codes of TED notices turned into the ISO 3166-1 alpha-2 codes Lotwise stores.

eForms writes countries as alpha-3 (`BEL`, `ITA`, and `1A0` for Kosovo, from the EU
"country" authority table); legacy TED XML writes alpha-2 but with EU quirks (`UK`, `EL`).
Covered: Europe and the countries that publish or buy on TED most; anything else is dropped
rather than guessed (the NUTS code, when present, still gives the country).
"""

from __future__ import annotations

__all__ = ["country_code"]

_EU = (
    "AUT:AT BEL:BE BGR:BG HRV:HR CYP:CY CZE:CZ DNK:DK EST:EE FIN:FI FRA:FR DEU:DE GRC:GR "
    "HUN:HU IRL:IE ITA:IT LVA:LV LTU:LT LUX:LU MLT:MT NLD:NL POL:PL PRT:PT ROU:RO SVK:SK "
    "SVN:SI ESP:ES SWE:SE"
)
_REST_OF_EUROPE = (
    "ISL:IS LIE:LI NOR:NO CHE:CH GBR:GB ALB:AL AND:AD ARM:AM AZE:AZ BLR:BY BIH:BA GEO:GE "
    "MDA:MD MCO:MC MNE:ME MKD:MK RUS:RU SMR:SM SRB:RS TUR:TR UKR:UA VAT:VA 1A0:XK XKX:XK "
    "GIB:GI FRO:FO GRL:GL IMN:IM JEY:JE GGY:GG"
)
_ELSEWHERE = (
    "USA:US CAN:CA MEX:MX BRA:BR ARG:AR CHL:CL COL:CO PER:PE AUS:AU NZL:NZ JPN:JP CHN:CN "
    "KOR:KR IND:IN ISR:IL EGY:EG MAR:MA DZA:DZ TUN:TN ZAF:ZA NGA:NG KEN:KE ETH:ET SAU:SA "
    "ARE:AE QAT:QA SGP:SG IDN:ID THA:TH VNM:VN PHL:PH MYS:MY PAK:PK BGD:BD JOR:JO LBN:LB "
    "SEN:SN CIV:CI GHA:GH UGA:UG TZA:TZ RWA:RW MLI:ML NER:NE BFA:BF TCD:TD CMR:CM COD:CD "
    "KAZ:KZ UZB:UZ KGZ:KG TJK:TJ MNG:MN AFG:AF IRQ:IQ SYR:SY LBY:LY PSE:PS YEM:YE HTI:HT "
    "MOZ:MZ ZMB:ZM ZWE:ZW MWI:MW SDN:SD SSD:SS SOM:SO"
)
_ALPHA3 = dict(
    pair.split(":", 1) for table in (_EU, _REST_OF_EUROPE, _ELSEWHERE) for pair in table.split()
)
# EU and TED spellings of alpha-2 that differ from ISO.
_ALPHA2_FIXES = {"UK": "GB", "EL": "GR"}


def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for an alpha-3 (`BEL`), an alpha-2 (`BE`) or an EU spelling (`UK`, `EL`)."""
    if value is None:
        return None
    code = value.strip().upper()
    if len(code) == 2 and code.isascii() and code.isalpha():
        return _ALPHA2_FIXES.get(code, code)
    return _ALPHA3.get(code)
