"""The language a notice declares for the text Lotwise keeps of it, read from its raw payload.

Matching detects each text's language from its words (`matchers.detect`), but a short title
says little: on the real Prozorro sample 65 Ukrainian notices ("Бензин", "Принтери", "Шини")
were read as Russian or Bulgarian, and short English titles as Danish. The publisher's own
statement is the better guess whenever the words do not rule it out, so matching passes it to
the detector as a prior. What each format declares:

- OCDS: the release's `language` ("uk", "en-GB"), as the publisher states it;
- TED XML (R2.0.8/R2.0.9): the `LG` of the form read (English when the export has it, else
  the original);
- eForms: English when the notice has it (the parser keeps English), else the notice language
  (ISO 639-2/B codes, "DEU");
- the TED search API: the language of the title kept;
- SAM.gov: English;
- RSS and HTML listings: nothing (a page's language is not a notice's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["EFORMS_LANGUAGES", "declared_language"]

# eForms language codes (ISO 639-2/B, the EU's Authority table) -> ISO 639-1.
EFORMS_LANGUAGES = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et",
    "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv",
    "LIT": "lt", "MLT": "mt", "NLD": "nl", "NNO": "nn", "NOB": "nb", "NOR": "no", "POL": "pl",
    "POR": "pt", "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv", "ISL": "is",
}  # fmt: skip
_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")


def declared_language(raw: Mapping[str, Any]) -> str | None:
    """The ISO 639-1 code the notice declares for its kept text, or None (not declared, or not
    a language code)."""
    kind = raw.get("format")
    if kind in ("eforms", "ted-api+eforms"):
        codes = [str(code).upper() for code in raw.get("languages") or []]
        return EFORMS_LANGUAGES.get("ENG" if "ENG" in codes else (codes[0] if codes else ""))
    if kind == "ted-xml":
        return _code(raw.get("language"))
    if kind == "ted-api":
        return _code(raw.get("title_language"))
    if kind == "sam-opportunities-v2":
        return "en"
    if kind is None:  # an OCDS release
        return _code(raw.get("language"))
    return None


def _code(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _CODE.match(value.strip())
    return match.group(1).lower() if match else None
