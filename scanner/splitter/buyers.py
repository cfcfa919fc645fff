"""Who buys: the buyer's name and type, which decide the threshold that applies.

The type is read as an officer would: stated in the notice ("Buyer type: sub-central"), coded
in the buyer's details (TED_CA_TYPE, UK_CA_TYPE, eForms buyer legal type), else from the name
("Riverside Borough Council" is a local authority). Never guessed from the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.ingest.tender import NormalisedTender

_BUYER_LINE = re.compile(
    r"^[ \t#*>-]*(?:buyer|contracting (?:authority|entity)|procuring entity|purchaser|client|"
    r"commissioned by|awarding body|agency|auftraggeber\w*|vergabestelle|öffentlicher auftraggeber|"
    r"pouvoir adjudicateur|acheteur|maître d'ouvrage|stazione appaltante|amministrazione "
    r"aggiudicatrice|ente appaltante|zamawiający|замовник|entidad contratante|convocante|"
    r"comprador|oppdragsgiver)(?: name)?[ \t]*[:=][ \t]*(?P<name>[^\n]{3,200})$",
    re.IGNORECASE | re.MULTILINE,
)
_TYPE_LINE = re.compile(
    r"^[ \t#*>-]*(?:buyer|authority|contracting authority|organisation|organization)[ \t]+type"
    r"[ \t]*[:=][ \t]*(?P<type>[^\n]{3,120})$|^[ \t#*>-]*type of (?:buyer|(?:contracting )?"
    r"authority)[ \t]*[:=][ \t]*(?P<type2>[^\n]{3,120})$",
    re.IGNORECASE | re.MULTILINE,
)
# Words of a stated type, in the order they are tried.
_STATED = (
    ("NHS", re.compile(r"\bNHS\b|national health service|health board", re.I)),
    ("utility", re.compile(r"utilit|public undertaking", re.I)),
    ("devolved government", re.compile(r"devolved", re.I)),
    ("federal agency", re.compile(r"\bfederal\b", re.I)),
    ("sub-central", re.compile(r"sub[- ]?central|local|regional|municipal|body governed", re.I)),
    ("central government", re.compile(r"central|ministry|national (?:agency|authority)", re.I)),
)
_CODES = {
    "publicauthoritycentralgovernment": "central government",
    "publicauthoritysubcentralgovernment": "sub-central",
    "publicundertaking": "utility",
    "privateutility": "utility",
    "ministry": "central government",
    "national_agency": "central government",
    "regional_authority": "sub-central",
    "regional_agency": "sub-central",
    "body_public": "sub-central",
    "utilities": "utility",
    "cga": "central government",
    "ra": "sub-central",
    "la": "sub-central",
    "body-pl": "sub-central",
    "body-pl-cga": "sub-central",
    "body-pl-ra": "sub-central",
    "body-pl-la": "sub-central",
    "pub-undert": "utility",
    "pub-undert-cga": "utility",
    "pub-undert-ra": "utility",
    "pub-undert-la": "utility",
    "spec-rights-entity": "utility",
}
# Codes for a public undertaking: a utility under Directive 2014/25 only where it carries out a
# utilities activity (water, energy, transport, ports, post). A hospital trust or a council's
# company coded so is not one, so a name that says what the buyer is decides over such a code.
_PUBLIC_UNDERTAKING = frozenset(
    {"publicundertaking", "pub-undert", "pub-undert-cga", "pub-undert-ra", "pub-undert-la"}
)
# TED XML's coded type of buyer (CODIF_DATA/AA_AUTHORITY_TYPE/@CODE). 5 (an EU institution),
# 8 (other), 9 (not applicable) and Z (not specified) name no type of the directives.
_TED_AUTHORITY_CODES = {
    "1": "central government",  # Ministry or any other national or federal authority
    "N": "central government",  # National or federal agency/office
    "3": "sub-central",  # Regional or local authority
    "R": "sub-central",  # Regional or local agency/office
    "6": "sub-central",  # Body governed by public law
    "4": "utility",  # Utilities entity
}
_CODE_WORDS = (
    ("central government", re.compile(r"ministry|national or federal", re.I)),
    ("utility", re.compile(r"utilit|trust port|public undertaking", re.I)),
    (
        "sub-central",
        re.compile(
            r"regional or local|body governed|housing|higher education|social landlord|\brsl\b|"
            r"non-departmental",
            re.I,
        ),
    ),
)
# From the name, most specific first. Devolved governments before "government"; councils
# before "department" ("Highways Department, Riverside Council" is a council).
_NAMED = (
    (
        "sub-central",
        re.compile(
            r"\b(?:sponsored body|arm'?s[- ]length body|non-departmental public body|NDPB)\b",
            re.I,
        ),
    ),
    (
        "devolved government",
        re.compile(
            r"\b(?:Scottish Government|Scottish Ministers|Welsh Government|Welsh Ministers|"
            r"Llywodraeth Cymru|Northern Ireland Executive|Department of Finance \(?NI|"
            r"Department (?:for|of) [A-Za-z ,]+ \(?Northern Ireland\)?)\b",
            re.I,
        ),
    ),
    (
        "NHS",
        re.compile(
            r"\bNHS\b|National Health Service|Health Board|Integrated Care Board|"
            r"Clinical Commissioning|Foundation Trust|Hospitals? (?:NHS )?Trust",
            re.I,
        ),
    ),
    (
        "utility",
        re.compile(
            r"\b(?:Water|Network Rail|Electricity|Energy Networks|Gas Networks|Airports?|"
            r"Harbour|Port Authority|Trust Port)\b",
            re.I,
        ),
    ),
    (
        "state or local",
        re.compile(
            r"^(?:State of|City of|County of|Town of|Village of|Commonwealth of)\b|"
            r"\b(?:School District|Township|Parish of)\b",
            re.I,
        ),
    ),
    (
        # The municipality is "Comune di X" / "Commune de X" at the start of the name or of
        # one of its parts ("... amministrazione aggiudicatrice: Comune di Cernusco"), or
        # a name ending in it ("Plaine Commune"); elsewhere the word is the adjective
        # "common" ("Centro Comune di Ricerca", the EU's Joint Research Centre).
        "sub-central",
        re.compile(r"(?:^|(?<=[:;,(—–-])|(?<=[:;,(—–-] ))Comm?une\b|\bComm?une\s*$", re.I),
    ),
    (
        "sub-central",
        re.compile(
            r"\b(?:Council|Borough|County|District|Metropolitan|City of|Combined Authority|"
            r"Communauté|communes|Métropole|Agglomération|Syndicat|Landeshauptstadt|Kommune|"
            r"kommune|fylkeskommune|Municipalidad|Gobernación|Junta|селищн\w*|сільськ\w*|міськ\w*|"
            r"обласн\w*|районн\w*|заклад\w*|комунальн\w*|Gmina|gmina|Fire Authority|"
            r"Greater London Authority|Police|Fire and Rescue|Fire & Rescue|Universit(?:y|ies)|"
            r"College|School|Academy|Academies|Housing|Mayor|Parish|Municipality|Region|"
            r"Ville de|Mairie|Département|Gemeinde|Stadt|Landkreis|Kreis|Ayuntamiento|"
            r"Diputación|Provincia|Regione|Gmina|Miasto|Powiat|Województwo|Gemeente|"
            r"Provincie|kommun|kunta|kaupunki|Kommune|Krankenhaus|Hôpital|Hospital|Universidad|"
            r"Università|Universität|Université)\b",
            re.I,
        ),
    ),
    (
        "central government",
        re.compile(
            r"\b(?:Ministry|Minist[eè]re|Ministerium|Bundesministerium|Bundesamt|Bundesanstalt|"
            r"Bundesagentur|Bundesoberbehörde|Ministerio|Ministero|Міністерств\w*|"
            r"Ministerstwo|Ministerie|ministeriet|Department (?:for|of)|HM |His Majesty|"
            r"Cabinet Office|Home Office|Treasury|Crown Commercial Service|Government Digital "
            r"Service|HMRC|DVLA|Office for National Statistics|Government)\b",
            re.I,
        ),
    ),
)
_US_FEDERAL = re.compile(
    r"\b(?:Department of (?:Defense|the Army|the Navy|the Air Force|Veterans Affairs|Health and "
    r"Human Services|Homeland Security|Energy|State|the Interior|Agriculture|Commerce|Labor|"
    r"Transportation|Justice|Education|the Treasury|Housing and Urban Development)|General "
    r"Services Administration|Federal|U\.?S\.?|United States|National (?:Park|Aeronautics|"
    r"Institutes)|Defense Logistics|Army|Navy|Air Force|Marine Corps|Coast Guard)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer's name, its type (one of `thresholds.BUYER_TYPES`, or `state or local` for
    a US non-federal buyer), and how the type was found (None: not found)."""

    name: str | None
    type: str | None
    basis: str | None


def buyer_in_text(text: str) -> str | None:
    """The buyer named on a line such as "Buyer: Riverside Borough Council"."""
    match = _BUYER_LINE.search(text[:20000])
    return match.group("name").strip(" .*_") if match else None


def buyer_of(tender: NormalisedTender, text: str, country: str | None) -> Buyer:
    """The buyer's name and type: stated, coded, else read from the name."""
    name = tender.buyer_name or buyer_in_text(text)
    stated = _TYPE_LINE.search(text[:20000])
    if stated:
        words = stated.group("type") or stated.group("type2") or ""
        for kind, pattern in _STATED:
            if pattern.search(words):
                return Buyer(name, kind, f'stated in the notice ("{words.strip()[:60]}")')
    coded = _coded_type(tender.raw)
    if coded:
        kind, scheme, code = coded
        named = _named_type(name, country) if code in _PUBLIC_UNDERTAKING else None
        if named and named.type != "utility":
            return Buyer(
                name,
                named.type,
                f"{named.basis}; its {scheme} code says public undertaking, which is a utility "
                "only for a utilities activity",
            )
        return Buyer(name, kind, f"the buyer's {scheme} classification")
    if tender.source == "sam":
        return Buyer(name, "federal agency", "published on SAM.gov (federal)")
    if not name:
        return Buyer(None, None, None)
    return _named_type(name, country) or Buyer(name, None, None)


def _named_type(name: str | None, country: str | None) -> Buyer | None:
    """The type the buyer's name says ("Riverside Borough Council": sub-central), if any."""
    if not name:
        return None
    if country == "US" and _US_FEDERAL.search(name):
        return Buyer(name, "federal agency", f'the buyer\'s name ("{_short(name)}")')
    for kind, pattern in _NAMED:
        match = pattern.search(name)
        if match:
            if kind == "state or local" and country not in (None, "US"):
                continue
            if country == "US" and kind == "sub-central":
                kind = "state or local"
            return Buyer(name, kind, f'the buyer\'s name ("{match.group(0).strip()}")')
    return None


def _coded_type(raw: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(type, scheme, code as found, lower case) of the buyer's coded type."""
    if not isinstance(raw, Mapping):
        return None
    ted_code = str(raw.get("authority_type") or "").strip().upper()
    ted = _TED_AUTHORITY_CODES.get(ted_code)
    if ted:
        return ted, "TED authority type", ted_code.lower()
    legal = str(raw.get("buyer_legal_type") or "").strip().lower()
    if legal in _CODES:
        return _CODES[legal], "eForms buyer legal type", legal
    parties = raw.get("parties")
    if not isinstance(parties, list):
        return None
    for party in parties[:50]:
        if not isinstance(party, Mapping) or "buyer" not in (party.get("roles") or ()):
            continue
        details = party.get("details")
        found = details.get("classifications") if isinstance(details, Mapping) else None
        for item in found if isinstance(found, list) else []:
            if not isinstance(item, Mapping):
                continue
            scheme = str(item.get("scheme") or "")
            if scheme.upper() not in ("TED_CA_TYPE", "UK_CA_TYPE", "EU-BUYER-LEGAL-TYPE"):
                continue
            code = str(item.get("id") or "").strip()
            if code.lower() in _CODES:
                return _CODES[code.lower()], scheme, code.lower()
            words = f"{code} {item.get('description') or ''}"
            for kind, pattern in _CODE_WORDS:
                if pattern.search(words):
                    public_undertaking = kind == "utility" and "undertaking" in words.lower()
                    return kind, scheme, "publicundertaking" if public_undertaking else code.lower()
    return None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57].rsplit(" ", 1)[0] + "…"
