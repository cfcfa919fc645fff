"""Classification closeness: CPV and NAICS codes compared by shared significant digits.

CPV is hierarchical: division (2 digits), group (3), class (4), category (5), then finer digits;
trailing zeros pad the code and are not significant ("72200000" is group 722). NAICS runs from
sector (2 digits) to national industry (6) with no padding. A code of the opportunity inside one
of the profile's prefixes is a full match (you said you do all of "72"); otherwise the score is
shared digits / 5 for CPV (the published recipe, DOMAIN.md section 3) or / 6 for NAICS, capped
at 0.9, and nothing below a shared division/sector (2 digits).

A notice published without codes is compared through the codes its text suggests
(`matchers.bridge.infer_codes`), each counting its confidence times `inferred_code_factor`.
CPV codes are shown as words in the reader's language: "IT services (72)", never "CPV 72".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from matchers.bridge import InferredCode, code_words
from matchers.result import Criterion
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights

__all__ = ["classification", "closeness", "cpv_significant", "naics_significant"]

_NOT_DIGIT = re.compile(r"\D")
CPV_DENOMINATOR = 5
NAICS_DENOMINATOR = 6
PARTIAL_CAP = 0.9
WITHIN_BONUS = 1  # a code inside your prefix of d digits counts as d + this shared digits


@lru_cache(maxsize=65_536)
def cpv_significant(code: str) -> str | None:
    """The significant digits of a CPV code ("72200000-7" -> "722"), at least the division."""
    digits = _NOT_DIGIT.sub("", code.split("-", 1)[0])[:8]
    if len(digits) < 2:
        return None
    significant = digits.rstrip("0")
    return significant if len(significant) >= 2 else digits[:2]


@lru_cache(maxsize=65_536)
def naics_significant(code: str) -> str | None:
    """A NAICS code's digits (2-6); None when shorter than a sector."""
    digits = _NOT_DIGIT.sub("", code)[:6]
    return digits if len(digits) >= 2 else None


def closeness(mine: str, theirs: str, denominator: int, *, by_depth: bool = False) -> float:
    """How close an opportunity code `theirs` is to a profile prefix `mine` (both significant).

    A code inside the prefix is a full match; with `by_depth` it counts what the prefix's depth
    is worth instead (`within_score`): a division alone ("72") says less than a class ("7222")."""
    shared = 0
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            break
        shared += 1
    if shared < 2:
        return 0.0
    if shared == len(mine):
        return within_score(shared, denominator) if by_depth else 1.0
    return min(PARTIAL_CAP, shared / denominator)


def within_score(depth: int, denominator: int) -> float:
    """What a code inside a profile prefix of `depth` digits is worth: 1 from `FULL_DEPTH`
    digits below the scheme's full depth (CPV class, NAICS industry group), less for shorter
    prefixes, by the same digits-over-denominator rule as a partial match."""
    return min(1.0, (depth + WITHIN_BONUS) / denominator)


def _named(scheme: str, code: str, language: str | None) -> str:
    return code_words(code, language) if scheme == "CPV" else f"NAICS {code}"


def _best(
    mine: Iterable[str], theirs: Iterable[str], scheme: str, denominator: int, language: str | None
) -> tuple[float, str]:
    significant = cpv_significant if scheme == "CPV" else naics_significant
    org_codes = [(c, s) for c in mine if (s := significant(c))]
    opp_codes = [(c, s) for c in theirs if (s := significant(c))]
    best, detail = 0.0, ""
    for _org_code, org_sig in org_codes:
        for _opp_code, opp_sig in opp_codes:
            value = closeness(org_sig, opp_sig, denominator, by_depth=True)
            if value > best:
                best = value
                shared = len(_common(org_sig, opp_sig))
                theirs_named = _named(scheme, opp_sig, language)
                mine_named = _named(scheme, org_sig, language)
                if shared == len(org_sig):
                    detail = (
                        theirs_named
                        if opp_sig == org_sig
                        else f"{theirs_named}, within your {mine_named}"
                    )
                    if value < 1.0:
                        detail += f" (only {shared} digits deep: counts {value:.2g})"
                else:
                    detail = f"{theirs_named}, near your {mine_named} ({shared} digits shared)"
    return best, detail


def _common(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def classification(org: OrgProfile, opportunity: Opportunity, weights: Weights) -> Criterion:
    """The closer of CPV and NAICS closeness, with the codes that earned it (in words)."""
    score, detail = _classify(
        tuple(org.cpv),
        tuple(org.naics),
        tuple(opportunity.cpv),
        tuple(opportunity.naics),
        tuple(opportunity.cpv_inferred),
        weights.inferred_code_factor,
        org.language,
    )
    return Criterion("classification", score, weights.weight("classification"), detail)


@lru_cache(maxsize=65_536)
def _classify(
    org_cpv: tuple[str, ...],
    org_naics: tuple[str, ...],
    opp_cpv: tuple[str, ...],
    opp_naics: tuple[str, ...],
    inferred: tuple[InferredCode, ...] = (),
    inferred_factor: float = 0.0,
    language: str | None = "en",
) -> tuple[float, str]:
    cpv, cpv_detail = _best(org_cpv, opp_cpv, "CPV", CPV_DENOMINATOR, language)
    naics, naics_detail = _best(org_naics, opp_naics, "NAICS", NAICS_DENOMINATOR, language)
    if not opp_cpv and inferred and inferred_factor > 0:
        for guess in inferred:
            value, detail = _best(org_cpv, (guess.code,), "CPV", CPV_DENOMINATOR, language)
            value *= guess.confidence * inferred_factor
            if value > cpv:
                shown = ", ".join(f"'{w}'" for w in guess.evidence[:3])
                cpv = value
                cpv_detail = (
                    f"no code published; likely {detail} from {shown} "
                    f"(confidence {guess.confidence:.2f})"
                )
    if cpv == 0 and naics == 0:
        if not opp_cpv and not opp_naics:
            return 0.0, "opportunity has no CPV or NAICS code"
        if not org_cpv and not org_naics:
            return 0.0, "profile has no CPV or NAICS code"
        return 0.0, "no CPV or NAICS division in common"
    if naics > cpv:
        return naics, naics_detail
    return cpv, cpv_detail
