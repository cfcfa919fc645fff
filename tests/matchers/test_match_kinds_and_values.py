"""Honest kinds, value per award, in-region before remote, money in the reader's currency."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from matchers.index import OpportunityIndex
from matchers.ranking import top_matches
from matchers.score import score


def test_a_suggested_package_never_outranks_a_tender_of_equal_fit(make_org, make_opp, now, weights):
    org = make_org()
    tender = make_opp(id="tender:9", kind="tender")
    package = replace(tender, id="package:1:1", kind="suggested_package", tender_id="1")
    whole = score(tender, org, now=now, weights=weights)
    part = score(package, org, now=now, weights=weights)
    assert part.score == round(whole.score * weights.package_factor, 9) < whole.score
    index = OpportunityIndex([package, tender], weights=weights, now=now)
    ranked = [m.opportunity_id for m in top_matches(index, org, 2)[0]]
    assert ranked == ["tender:9", "package:1:1"]  # although "package:1" sorts first by id


def test_in_region_work_ranks_above_remote_work_of_equal_fit(make_org, make_opp, now, weights):
    weights = replace(weights, remote_factor=0.8)
    org = make_org(regions=("UKI",), countries=("GB",), remote=True)
    inside = make_opp(id="tender:2", regions=("UKI3",))
    outside = make_opp(id="tender:1", regions=("UKM8",))
    near, far = (score(o, org, now=now, weights=weights) for o in (inside, outside))
    assert far.passed and far.score < near.score
    assert "ranked below work in your regions (x0.8)" in far.explanation
    index = OpportunityIndex([outside, inside], weights=weights, now=now)
    assert [m.opportunity_id for m in top_matches(index, org, 2)[0]] == ["tender:2", "tender:1"]
    # Without regions nothing is "remote": no demotion.
    national = score(outside, make_org(regions=(), countries=("GB",)), now=now, weights=weights)
    assert "(x0.8)" not in national.explanation


def test_a_ceiling_or_fund_is_never_a_gate_and_says_which_value(make_org, make_opp, now, weights):
    org = make_org(value_min=Decimal(10000), value_max=Decimal(100000))
    fund = make_opp(
        value=None,
        value_kind="fund",
        value_note="grant or subsidy fund total, not one award",
        published_value=(Decimal(82_900_000), "GBP"),
    )
    match = score(fund, org, now=now, weights=weights)
    value = match.criterion("value")
    assert match.passed and value.score == 0.5
    assert value.detail == "value per award not known: grant or subsidy fund total, not one award"
    framework = replace(fund, value_kind="framework", value_note="framework ceiling 5m")
    assert score(framework, org, now=now, weights=weights).passed


def test_a_per_supplier_range_is_a_range(make_org, make_opp, now, weights):
    org = make_org(value_min=Decimal(10000), value_max=Decimal(200000))
    ranged = make_opp(
        value=Decimal(5_000_000),
        value_low=Decimal(150_000),
        value_kind="range",
        value_note="150k-5m per supplier",
    )
    match = score(ranged, org, now=now, weights=weights)
    assert match.passed and match.criterion("value").score == 1.0
    assert "£150k-£5m (150k-5m per supplier)" in match.criterion("value").detail
    # The size gate reads the smallest award: a range starting far above the maximum gates.
    high = replace(ranged, value_low=Decimal(2_000_000))
    gated = score(high, org, now=now, weights=weights)
    assert gated.gate is not None and gated.gate.name == "size"
    assert "£2m (150k-5m per supplier) is over 2.5x your maximum £200k" in gated.gate.reason


def test_money_is_shown_in_the_readers_currency_beside_the_notices_own(
    make_org, make_opp, now, weights
):
    org = make_org(currency="EUR", currency_rate=1.2, value_min=None, value_max=Decimal(100000))
    opp = make_opp(value=Decimal(40000), published_value=(Decimal(40000), "GBP"))
    detail = score(opp, org, now=now, weights=weights).criterion("value").detail
    assert detail == "€48k (notice: £40k) within your maximum €120k"
    same = replace(opp, published_value=(Decimal(48000), "EUR"))
    assert score(same, org, now=now, weights=weights).criterion("value").detail.startswith("€48k ")
    unconverted = make_opp(value=None, published_value=(Decimal(24300), "UAH"))
    text = score(unconverted, org, now=now, weights=weights).criterion("value").detail
    assert text == "₴24.3k published, no rate to convert it"


def test_an_unread_place_name_is_reported(make_org, make_opp, now, weights):
    opp = make_opp(regions=(), countries=(), place_names=("Atlantide",))
    detail = score(opp, make_org(), now=now, weights=weights).criterion("geography").detail
    assert detail == "place 'Atlantide' not recognised"


def test_a_package_titled_by_its_codes_is_not_read_as_the_buyers_words(
    make_org, make_opp, now, weights
):
    # Lotwise named this German package after its code's label: an IT firm's own CPV labels,
    # carried into German, would meet every word of it.
    label = "IT-Dienste: Beratung, Software-Entwicklung, Internet und Hilfestellung"
    org = make_org(language="fr", capabilities="développement de logiciels", keywords=())
    named = make_opp(
        id="package:5:1",
        kind="suggested_package",
        tender_id="5",
        title=label,
        text="",
        parent_title="Next-Incubator",
        cpv=("72000000",),
        language="de",
        title_language="de",
        parent_language="de",
    )
    flagged = replace(named, id="package:5:2", title_from_codes=True)
    read, unread = (score(o, org, now=now, weights=weights) for o in (named, flagged))
    assert read.criterion("text").score > 0.5  # the label's words, read as the buyer's
    assert unread.criterion("text").score == 0.0
    assert "hilfestellung" not in unread.explanation.casefold()
    # the code still speaks, through the classification criterion, in both
    assert unread.criterion("classification").score == read.criterion("classification").score > 0
    index = OpportunityIndex([named, flagged], weights=weights, now=now)
    by_id = {m.opportunity_id: m.score for m in top_matches(index, org, 2)[0]}
    # the index reads the same fields (its BM25 has corpus statistics, so only the unread
    # one's score is the same as alone)
    assert by_id[flagged.id] == unread.score < by_id[named.id]
