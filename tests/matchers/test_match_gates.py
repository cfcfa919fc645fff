"""Gates: exclusions (whole words, case-insensitive), suitability, relevance; and that a gated
match says which gate ruled it out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matchers.gates import exclusion_gate, suitability_gate
from matchers.score import score


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("Support for the Ministry of DEFENCE", True),
        ("defence-related research", True),
        ("A defenceless hedgehog survey", False),
        ("Self-defenceless", False),
    ],
)
def test_exclusions_match_whole_words_only(make_opp, text, excluded) -> None:
    gate = exclusion_gate(make_opp(title=text), ("defence",))
    assert (gate is not None) == excluded


def test_exclusion_phrases_and_parent_titles(make_opp) -> None:
    opp = make_opp(text="", parent_title="Nuclear   Power framework")
    gate = exclusion_gate(opp, ("nuclear power",))
    assert gate is not None and "'nuclear power'" in gate.reason
    assert exclusion_gate(opp, ("", "  ")) is None


def test_strict_suitability_gate_still_available(make_opp) -> None:
    assert suitability_gate(make_opp(suitable_sme=False)).name == "suitability"
    assert suitability_gate(make_opp(suitable_sme=None)) is None


@pytest.mark.parametrize(
    ("fields", "org_fields", "gate"),
    [
        ({"closed": True}, {}, "closed"),
        ({"deadline_offset": -1}, {}, "closed"),
        ({}, {"exclusions": ("benefits",)}, "exclusion"),
        (
            {"title": "Road resurfacing", "text": "Tarmac and kerbs", "cpv": ("45233000",)},
            {},
            "relevance",
        ),
    ],
)
def test_gated_match_scores_zero_and_names_the_gate(
    make_opp, make_org, now, weights, fields, org_fields, gate
) -> None:
    if "deadline_offset" in fields:
        fields = {"deadline": now + timedelta(days=fields.pop("deadline_offset"))}
    match = score(make_opp(**fields), make_org(**org_fields), now=now, weights=weights)
    assert not match.passed and match.score == 0.0
    assert match.gate is not None and match.gate.name == gate
    assert match.explanation.startswith(f"Ruled out ({gate}): ")
    assert len(match.criteria) == 6  # the breakdown is still there to inspect
