"""CPV (Common Procurement Vocabulary) codes in the one form matching needs: 8 digits.

Publishers write `72200000-7`, `722000007`, `72200000`, `CPV: 72200000` or a JSON number; the
check digit carries no meaning for matching, so codes are stored without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["CPV_SCHEMES", "cpv_codes_of", "is_cpv_scheme", "normalise_cpv"]

# Scheme names meaning the main CPV vocabulary (case-insensitive). "CPVS" (supplementary
# vocabulary) and national variants such as "CPV-AM" are different code lists.
CPV_SCHEMES = frozenset({"cpv", "cpv2008", "eu-cpv", "cpv 2008"})

_CPV_RE = re.compile(
    r"(?:CPV(?:\s*CODE)?\s*[:#]?\s*)?"  # optional "CPV:" / "CPV code" prefix
    r"(\d{8})(?:-?\d)?"  # the code, with an optional check digit (glued or after "-")
    r"(?:\s+(?:-\s+)?\D.*)?",  # optional trailing label: "72200000-7 Software programming"
    re.IGNORECASE | re.DOTALL,
)


def normalise_cpv(value: object) -> str | None:
    """Return the 8-digit CPV code in `value`, or None when it does not hold exactly one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # A JSON number lost its leading zero (03000000 -> 3000000).
        text = str(value).zfill(8) if 0 < value < 10**9 else ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if len(text) == 8 and text.isdigit() and text.isascii():  # the usual case, fast
        return None if text == "00000000" else text
    if len(text) > 200:
        return None
    match = _CPV_RE.fullmatch(text)
    if match is None:
        return None
    code = match.group(1)
    return None if code == "00000000" else code


def is_cpv_scheme(scheme: object) -> bool:
    """True for the CPV vocabulary's scheme names (not CPVS or national variants)."""
    return isinstance(scheme, str) and scheme.strip().casefold() in CPV_SCHEMES


def cpv_codes_of(classifications: object) -> list[str]:
    """The CPV codes among OCDS classification objects, unique, in order.

    A classification counts when its scheme is CPV (any case) or, with no scheme at all, when its
    id is a CPV-shaped code. Accepts one classification object or an iterable of them.
    """
    if isinstance(classifications, dict):
        classifications = [classifications]
    if not isinstance(classifications, Iterable) or isinstance(classifications, str | bytes):
        return []
    codes: list[str] = []
    for item in classifications:
        code = cpv_of(item)
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def cpv_of(classification: object) -> str | None:
    """The CPV code of one OCDS classification object, or None if it is not a CPV one."""
    if not isinstance(classification, dict):
        return None
    scheme = classification.get("scheme")
    if scheme is None or (isinstance(scheme, str) and not scheme.strip()):
        return normalise_cpv(classification.get("id"))
    if is_cpv_scheme(scheme):
        return normalise_cpv(classification.get("id"))
    return None
