"""Hard gates: rules that take a pair out whatever its score (DOMAIN.md section 3: gates
first, then a weighted score). Each returns a `Gate` naming itself and the reason, or None.

Exclusions are whole words or phrases, case-insensitive ("defence" excludes "Defence works" but
not "defenceless"). An excluded term in the opportunity's title or its tender's title names the
subject and gates; one only mentioned in the description (a translation contract that also lists
BSL, a lot beside others on health and safety) demotes the score instead (`demotions`). So does
a buyer's "not suitable for SMEs": it is advice, not a bar, and small organisations still bid
(often for a lot or in a consortium).

Two gates follow from what a small organisation can actually bid for (DOMAIN.md section 3:
"geography, value range overlap"): an organisation that does not deliver remotely cannot take
in-person work outside its area, and nobody bids for a contract far over its size (more than
`max_value_ratio` times its maximum; its lots and packages are judged on their own values).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from matchers.analysis import terms
from matchers.deadline import as_utc, working_days
from matchers.geography import ELSEWHERE, IN_NATION, REMOTE
from matchers.result import Criterion, Gate
from matchers.types import Opportunity, OrgProfile
from matchers.value import award_range, org_range, reader_money, value_note, with_published
from matchers.weights import Weights

__all__ = [
    "area_gate",
    "closed_gate",
    "demotions",
    "exclusion_gate",
    "relevance_gate",
    "remote_demoted",
    "reservation",
    "reservation_gate",
    "size_gate",
    "suitability_gate",
]


def closed_gate(
    opportunity: Opportunity, now: datetime, weights: Weights, holidays: Sequence[date] = ()
) -> Gate | None:
    """Closed notices, past deadlines, and deadlines too close to bid for."""
    if opportunity.closed:
        return Gate("closed", "the notice is closed")
    if opportunity.deadline is None:
        return None
    if as_utc(opportunity.deadline) <= as_utc(now):
        return Gate("closed", f"deadline passed on {as_utc(opportunity.deadline).date()}")
    left = working_days(now, opportunity.deadline, holidays)
    if left < weights.min_working_days:
        return Gate(
            "deadline",
            f"only {left} working days left (under {weights.min_working_days})",
        )
    return None


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _apostrophes(term).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


_APOSTROPHES = re.compile("[\u2019\u02bc\u2018`\u2032]")


def _apostrophes(text: str) -> str:
    """Every apostrophe as "'": "кам'яне" and "кам’яне" are one word."""
    return _APOSTROPHES.sub("'", text)


def _excluded(
    text: str,
    exclusions: Sequence[str],
    language: str | None = None,
    same: bool = False,
    analysed: Sequence[Sequence[str]] | None = None,
) -> str | None:
    """The first excluded term in `text`: as whole words, or, when the text is in the
    profile's `language` (`same`), as adjacent terms of that language ("вугіллям кам'яним"
    is "вугілля кам'яне"); `analysed`: the text's fields as terms, when already known."""
    text = _apostrophes(text) if text else text
    for term in exclusions:
        if not term.strip():
            continue
        if _pattern(term.strip()).search(text):
            return term.strip()
        if same and text:
            wanted = _wanted(term, language)
            if analysed is None:
                analysed = [terms(text, language)]
            if wanted and any(_adjacent(wanted, field) for field in analysed):
                return term.strip()
    return None


@lru_cache(maxsize=4096)
def _wanted(term: str, language: str | None) -> tuple[str, ...]:
    return tuple(terms(_apostrophes(term), language))


def _adjacent(wanted: Sequence[str], document: Sequence[str]) -> bool:
    n = len(wanted)
    first = wanted[0]
    return any(
        document[i] == first and tuple(document[i : i + n]) == tuple(wanted)
        for i in range(len(document) - n + 1)
    )


def exclusion_gate(
    opportunity: Opportunity,
    exclusions: Sequence[str],
    language: str | None = None,
    analysed: Sequence[Sequence[str]] | None = None,
) -> Gate | None:
    """The first excluded term found in the title or the parent title (whole words, or terms
    of the profile's `language` when the title is in it; `analysed`: the title and parent
    title as terms, when already known)."""
    term = _excluded(
        "\n".join(filter(None, (opportunity.title, opportunity.parent_title))),
        exclusions,
        language,
        same=language is not None and opportunity.title_language == language,
        analysed=analysed,
    )
    if term is not None:
        return Gate("exclusion", f"its title names '{term}', which you exclude")
    return None


def suitability_gate(opportunity: Opportunity) -> Gate | None:
    """Kept for callers that want the strict rule; scoring uses `demotions` instead."""
    if opportunity.suitable_sme is False:
        return Gate("suitability", "the buyer marked it not suitable for SMEs")
    return None


def demotions(
    opportunity: Opportunity,
    exclusions: Sequence[str],
    weights: Weights,
    place: Criterion | None = None,
    org: OrgProfile | None = None,
    analysed: Sequence[Sequence[str]] | None = None,
) -> tuple[float, tuple[str, ...]]:
    """(factor the score is multiplied by, reasons): an excluded term mentioned only in the
    description, a buyer's "not suitable for SMEs", and work outside the regions of an
    organisation that names regions, taken only because it delivers remotely (`place`, its
    geography criterion, at the REMOTE tier) or on site in its own nation (the IN_NATION
    tier, `in_nation_factor`): in-region work of equal fit ranks above it.
    1.0 and no reasons when none applies."""
    factor = 1.0
    reasons: list[str] = []
    if place is not None and org is not None and remote_demoted(org, place.score, weights):
        factor *= weights.remote_factor
        reasons.append(f"ranked below work in your regions (x{weights.remote_factor:g})")
    if place is not None and place.score == IN_NATION and weights.in_nation_factor != 1.0:
        factor *= weights.in_nation_factor
        reasons.append(f"ranked below work in your regions (x{weights.in_nation_factor:g})")
    language = org.language if org is not None else None
    same = language is not None and opportunity.language == language
    term = _excluded(opportunity.text, exclusions, language, same, analysed) if exclusions else None
    if term is not None:
        factor *= weights.excluded_mention_factor
        reasons.append(
            f"mentions '{term}', which you exclude (x{weights.excluded_mention_factor:g})"
        )
    reserved = reservation(opportunity, org)
    if reserved is not None and not reserved[0] and weights.reserved_factor > 0:
        factor *= weights.reserved_factor
        shown = "" if weights.reserved_factor == 1 else f" (x{weights.reserved_factor:g})"
        reasons.append(f"{reserved[1]}{shown}")
    if opportunity.suitable_sme is False:
        factor *= weights.not_sme_factor
        shown = "" if weights.not_sme_factor == 1 else f" (x{weights.not_sme_factor:g})"
        reasons.append(f"the buyer marked it not suitable for SMEs{shown}")
    return factor, tuple(reasons)


_RESERVED_TO = {
    "sheltered_workshop": (
        "sheltered workshops and social enterprises (Art. 20 of Directive 2014/24/EU)",
        frozenset({"sheltered_workshop", "social_enterprise"}),
    ),
    "public_service_mission": (
        "organisations with a public service mission (Art. 77 of Directive 2014/24/EU)",
        frozenset({"public_service_mission"}),
    ),
}


def reservation(opportunity: Opportunity, org: OrgProfile | None) -> tuple[bool, str] | None:
    """None when the opportunity is open to all; else (whether the organisation qualifies,
    what to say): a contract reserved to sheltered workshops and social enterprises, or to
    organisations with a public service mission, can only be bid for by one (the profile's
    `reserved_eligible`)."""
    if not opportunity.reserved:
        return None
    eligible = frozenset(org.reserved_eligible) if org is not None else frozenset()
    known = [_RESERVED_TO[kind] for kind in opportunity.reserved if kind in _RESERVED_TO]
    if not known:
        return None
    words = " or ".join(said for said, _kinds in known)
    if any(kinds & eligible for _said, kinds in known):
        return True, f"reserved for {words}: you qualify"
    return False, f"reserved for {words}: you have not said you are one"


def reservation_gate(opportunity: Opportunity, org: OrgProfile, weights: Weights) -> Gate | None:
    """A reserved opportunity for an organisation that has not said it qualifies, when
    `reserved_factor` is 0 (else `demotions` lowers it instead)."""
    if weights.reserved_factor > 0:
        return None
    reserved = reservation(opportunity, org)
    if reserved is None or reserved[0]:
        return None
    return Gate("reserved", reserved[1])


def remote_demoted(org: OrgProfile, place_score: float, weights: Weights) -> bool:
    """True when `remote_factor` applies: an organisation with regions, work at the REMOTE
    tier (outside them, in a country it works in)."""
    return weights.remote_factor != 1.0 and bool(org.regions) and place_score == REMOTE


def relevance_gate(relevance: float, weights: Weights) -> Gate | None:
    """No evidence of relevance: text, keywords and codes all under `min_relevance`."""
    if relevance < weights.min_relevance:
        return Gate("relevance", "no matching words, keywords or codes")
    return None


def area_gate(org: OrgProfile, place: Criterion) -> Gate | None:
    """Work outside the area of an organisation that does not deliver remotely (`place` is
    its geography criterion: only the "elsewhere" tier gates)."""
    if not org.remote and place.score <= ELSEWHERE:
        return Gate("area", f"{place.detail}, and you do not deliver remotely")
    return None


def size_gate(org: OrgProfile, opportunity: Opportunity, weights: Weights) -> Gate | None:
    """The smallest award one supplier would get over `max_value_ratio` times the profile's
    maximum (0 turns the gate off); an unknown per-award value never gates."""
    ratio = weights.max_value_ratio
    award = award_range(opportunity)
    _low, high, _turnover = org_range(org)
    if ratio <= 0 or award is None or award[0] <= high * ratio:
        return None
    said = value_note(org, opportunity)
    used = f" ({said})" if said else ""
    return Gate(
        "size",
        f"{with_published(award[0], org, opportunity)}{used} is over {ratio:g}x "
        f"your maximum {reader_money(high, org)}",
    )
