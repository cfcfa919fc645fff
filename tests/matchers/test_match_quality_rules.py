"""The general matching rules found by failure analysis on the tuning half of the labelled set
(benchmarks/match_labels): each rule is checked on hand-made profiles and opportunities, and the
index must still give exactly what exhaustive scoring gives."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_match_rank import NOW, worlds

from matchers.consortia import GENERIC_WORDS, needs_of, propose_consortia
from matchers.gates import area_gate, demotions, exclusion_gate, size_gate
from matchers.geography import IN_NATION, REMOTE, SERVED, geography
from matchers.index import OpportunityIndex
from matchers.ranking import exhaustive_top, top_matches
from matchers.score import score
from matchers.value import money, value_fit
from matchers.weights import load_weights


def test_in_person_work_outside_the_area_is_ruled_out_for_an_org_that_is_not_remote(
    make_org, make_opp, now, weights
) -> None:
    local = make_org(regions=("UKM",), remote=False)
    far = make_opp(regions=("UKI3",))
    match = score(far, local, now=now, weights=weights)
    assert match.gate is not None and match.gate.name == "area"
    assert "do not deliver remotely" in match.explanation
    assert score(far, replace(local, remote=True), now=now, weights=weights).passed
    assert area_gate(local, geography(local, make_opp(regions=("UKM8",)), weights)) is None


def test_on_site_work_in_your_nation_outside_your_regions_is_shown_below_your_regions(
    make_org, make_opp, now, weights
) -> None:
    # A Lille firm that works on site: work in Tours is far, but a firm does take it (people
    # grade it borderline), so it is shown, below its own region; work abroad stays ruled out.
    org = make_org(regions=("FRE1",), countries=("FR",), remote=False)
    inside = make_opp(id="tender:1", regions=("FRE11",), countries=("FR",))
    outside = make_opp(id="tender:2", regions=("FRB04",), countries=("FR",))
    abroad = make_opp(id="tender:3", regions=("BE100",), countries=("BE",))
    assert geography(org, outside, weights).score == IN_NATION < REMOTE
    near = score(inside, org, now=now, weights=weights)
    far = score(outside, org, now=now, weights=weights)
    assert far.passed and far.score < near.score
    tiers = weights.weight("geography") * (SERVED - IN_NATION) / weights.total
    assert far.score == pytest.approx((near.score - tiers) * weights.in_nation_factor)
    assert "outside your regions, on site" in far.explanation
    assert f"ranked below work in your regions (x{weights.in_nation_factor:g})" in far.explanation
    assert score(abroad, org, now=now, weights=weights).gate.name == "area"
    # the UK's nations run their own procurement: Scotland is not a Welsh firm's nation
    welsh = make_org(regions=("UKL",), remote=False)
    assert score(make_opp(regions=("UKM8",)), welsh, now=now, weights=weights).gate.name == "area"
    assert score(make_opp(regions=("UKL18",)), welsh, now=now, weights=weights).passed


def test_remote_work_outside_your_regions_ranks_below_the_same_work_inside_them(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(regions=("UKI",), remote=True)
    inside = make_opp(id="tender:1", regions=("UKI3",))
    outside = make_opp(id="tender:2", regions=("UKD3",))
    assert geography(org, outside, weights).score == REMOTE < SERVED
    near = score(inside, org, now=now, weights=weights).score
    far = score(outside, org, now=now, weights=weights).score
    # The geography tiers, then `remote_factor` on the whole score.
    tiers = weights.weight("geography") * (SERVED - REMOTE) / weights.total
    assert far == pytest.approx((near - tiers) * weights.remote_factor)
    assert near - far > 0.05  # enough to order equal work, not a rounding difference


def test_a_contract_far_over_the_maximum_is_ruled_out_but_its_fitting_lot_is_not(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(value_max=Decimal(100000))
    whole = make_opp(value=Decimal(900000))
    lot = make_opp(id="lot:1:1", kind="lot", value=Decimal(60000), parent_title="Big programme")
    gate = size_gate(org, whole, weights)
    assert gate is not None and gate.reason == "£900k is over 2.5x your maximum £100k"
    assert score(whole, org, now=now, weights=weights).gate == gate
    assert score(lot, org, now=now, weights=weights).passed
    # 2.5x is the line: just under it only costs value fit
    assert size_gate(org, make_opp(value=Decimal(240000)), weights) is None
    assert size_gate(org, whole, replace(weights, max_value_ratio=0)) is None
    # A total over lots that publish no value of their own: a lot may be small, so no gate.
    assert size_gate(org, make_opp(value=Decimal(900000), value_kind="ceiling"), weights) is None


def test_an_excluded_term_in_a_title_gates_but_one_in_the_description_only_demotes(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(exclusions=("British Sign Language",))
    subject = make_opp(title="British Sign Language interpreting")
    mention = make_opp(title="Welsh translation", text="Translation, and British Sign Language.")
    assert exclusion_gate(subject, org.exclusions) is not None
    assert exclusion_gate(mention, org.exclusions) is None
    plain = replace(mention, text="Translation.")
    demoted = score(mention, org, now=now, weights=weights)
    assert demoted.passed and "which you exclude (x0.8)" in demoted.explanation
    assert demoted.score < score(plain, org, now=now, weights=weights).score


def test_not_suitable_for_smes_is_no_gate_and_says_so(make_org, make_opp, now, weights):
    org = make_org()
    flagged = make_opp(suitable_sme=False)
    assert demotions(flagged, (), weights) == (1.0, ("the buyer marked it not suitable for SMEs",))
    found = score(flagged, org, now=now, weights=weights)
    plain = score(make_opp(suitable_sme=None), org, now=now, weights=weights)
    assert found.passed and found.score == plain.score
    assert found.explanation.endswith("the buyer marked it not suitable for SMEs")
    stricter = replace(weights, not_sme_factor=0.9)
    factor, reasons = demotions(flagged, (), stricter)
    assert factor == pytest.approx(0.9) and reasons[0].endswith("(x0.9)")
    demoted = score(flagged, org, now=now, weights=stricter).score
    assert demoted == pytest.approx(
        round(score(make_opp(), org, now=now, weights=stricter).score * 0.9, 9)
    )
    assert demotions(make_opp(suitable_sme=True), (), weights) == (1.0, ())


def test_a_code_match_no_keyword_backs_up_counts_half(make_org, make_opp, now, weights) -> None:
    org = make_org(keywords=("penetration testing",), cpv=("7281",))
    coded = make_opp(
        title="Accessibility testing", text="Audit of online forms.", cpv=("72810000",)
    )
    found = score(coded, org, now=now, weights=weights)
    codes = found.criteria[2]
    assert codes.score == pytest.approx(0.5) and "no keyword of yours found" in codes.detail
    backed = score(
        replace(coded, text="Penetration testing of forms."), org, now=now, weights=weights
    )
    assert backed.criteria[2].score == 1.0
    # without keywords in the profile there is nothing to back a code up with
    bare = score(coded, replace(org, keywords=()), now=now, weights=weights)
    assert bare.criteria[2].score == 1.0


def test_money_in_explanations_carries_the_reporting_currency(make_org, make_opp, weights):
    detail = value_fit(make_org(), make_opp(value=Decimal(40000)), weights).detail
    assert detail == "£40k inside your range £10k-£100k"
    assert money(1250000) == "£1.25m" and money(40000, symbol="") == "40k"


def test_consortium_needs_skip_generic_procurement_words_and_names(make_opp) -> None:
    opp = make_opp(
        title="Single supplier for the Kilbride Moss digital transformation services provision",
        regions=("UKM8",),
    )
    labels = [n.label for n in needs_of(opp) if n.kind == "subject"]
    assert labels == ["'digital'", "'transformation'"]
    assert {"single", "supplier", "services", "provision"} <= set(GENERIC_WORDS)


def test_capitalised_words_are_subjects_only_when_an_organisation_knows_them(make_opp) -> None:
    opp = make_opp(title="Westmere Mapping and BSL support", text="")
    without = [n.key for n in needs_of(opp, vocabulary={"bsl"}) if n.kind == "subject"]
    assert without == ["bsl", "support"]  # the place and an unknown capitalised word are names
    known = [n.key for n in needs_of(opp, vocabulary={"map", "bsl"}) if n.kind == "subject"]
    assert known == ["map", "bsl", "support"]


def test_consortium_members_ruled_out_alone_by_area_or_size_may_join(
    make_org, make_opp, now, weights
) -> None:
    opp = make_opp(
        title="User research and GIS mapping", cpv=("79311000",), regions=("UKM8",),
        value=Decimal(250000), text="",
    )  # fmt: skip
    orgs = [
        make_org(id="a", name="Research", capabilities="user research", keywords=(), cpv=("793",),
                 regions=("UKI",), remote=False, value_max=Decimal(60000),
                 turnover=Decimal(300000)),
        make_org(id="b", name="Maps", capabilities="GIS mapping", keywords=(), cpv=("72",),
                 regions=("UKM",), value_max=Decimal(60000), turnover=Decimal(300000)),
    ]  # fmt: skip
    result = propose_consortia(opp, orgs, now=now, weights=weights)
    assert set(result.members) == {"a", "b"} and result.complete


def test_index_applies_the_new_gates_and_demotions_exactly(make_org, make_opp, now) -> None:
    weights = replace(load_weights(), not_sme_factor=0.9)  # the demotion on, to test it
    opps = [
        make_opp(id="tender:1", value=Decimal(900000)),
        make_opp(id="tender:2", regions=("UKM8",)),  # another nation of the UK
        make_opp(id="tender:3", suitable_sme=False),
        make_opp(id="tender:4", text="User research, and catering."),
        make_opp(id="tender:5", title="Catering for the user research lab"),
        make_opp(id="tender:6"),
        make_opp(id="tender:7", regions=("UKD3",)),  # in its nation, outside its regions
    ]
    index = OpportunityIndex(opps, weights=weights, now=now)
    for org in (
        make_org(exclusions=("catering",), remote=False),
        make_org(exclusions=("catering",), remote=True, value_max=None),
    ):
        found, _checked = top_matches(index, org, 10)
        assert [(m.opportunity_id, m.score) for m in found] == [
            (m.opportunity_id, m.score) for m in exhaustive_top(index, org, 10)
        ]
    local = make_org(exclusions=("catering",), remote=False)
    found = {m.opportunity_id: m for m in top_matches(index, local, 10)[0]}
    # size, area, title exclusion; in its nation outside its regions shown, below
    assert sorted(found) == ["tender:3", "tender:4", "tender:6", "tender:7"]
    assert found["tender:6"].score > found["tender:7"].score
    assert found["tender:6"].score > found["tender:3"].score  # not for SMEs: demoted
    assert found["tender:6"].score > found["tender:4"].score  # excluded term in the text


@given(worlds(), st.sampled_from([0.0, 1.5, 2.5]), st.sampled_from([0.5, 0.9, 1.0]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_index_equals_exhaustive_with_every_rule_on(world, ratio, factor) -> None:
    opps, orgs, k, drawn = world
    weights = replace(
        drawn, max_value_ratio=ratio, not_sme_factor=factor,
        excluded_mention_factor=factor, uncorroborated_code_factor=factor,
    )  # fmt: skip
    index = OpportunityIndex(opps, weights=weights, now=NOW)
    for org in orgs:
        got, _checked = top_matches(index, org, k)
        reference = exhaustive_top(index, org, k)
        assert [(m.opportunity_id, m.score) for m in got] == [
            (m.opportunity_id, m.score) for m in reference
        ]
