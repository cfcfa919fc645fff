"""Consortia: a group of up to three organisations covering what no single one does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from matchers.analysis import terms
from matchers.consortia import needs_of, propose_consortia
from matchers.text import CorpusStats


@pytest.fixture
def lot(make_opp, now):
    return make_opp(
        id="lot:9:1",
        kind="lot",
        title="User research and GIS mapping",
        text="Discovery user research, then GIS mapping of assets in Glasgow.",
        cpv=("72212000", "79311000"),
        regions=("UKM8",),
        value=Decimal(250000),
        deadline=now + timedelta(days=40),
    )


@pytest.fixture
def orgs(make_org):
    return [
        make_org(id="a", name="Research Co", capabilities="user research, surveys", keywords=(),
                 cpv=("793",), regions=("UKI",), turnover=Decimal(250000), remote=False),
        make_org(id="b", name="Maps Ltd", capabilities="GIS mapping, spatial data", keywords=(),
                 cpv=("722",), regions=("UKM",), turnover=Decimal(300000)),
        make_org(id="c", name="Meals", capabilities="school meals", keywords=(), cpv=("555",),
                 regions=("UKM",), turnover=Decimal(900000)),
    ]  # fmt: skip


def test_needs_are_subject_codes_regions_and_capacity(lot) -> None:
    labels = [n.label for n in needs_of(lot)]
    assert labels == ["'user'", "'research'", "'gis'", "'mapping'", "CPV 72212", "CPV 79311",
                      "region UKM8", "turnover of £500k (2x value)"]  # fmt: skip


def test_two_organisations_together_cover_what_neither_does_alone(lot, orgs, now, weights):
    result = propose_consortia(lot, orgs, now=now, weights=weights)
    assert result.single is None and result.complete
    assert set(result.members) == {"a", "b"}  # the caterer brings no part of the work
    assert result.covers["b"] == ("'gis'", "'mapping'", "CPV 72212", "region UKM8")
    assert result.covers["a"] == ("'user'", "'research'", "CPV 79311")
    assert "Maps Ltd covers 'gis', 'mapping'" in result.explanation
    assert "joint turnover £550k meets turnover of £500k" in result.explanation


def test_a_single_organisation_that_covers_everything_needs_no_consortium(
    lot, orgs, make_org, now, weights
):
    big = make_org(id="d", name="Both Ltd", capabilities="user research and GIS mapping",
                   cpv=("72", "79"), regions=("UKM",), turnover=Decimal(2000000))  # fmt: skip
    result = propose_consortia(lot, [*orgs, big], now=now, weights=weights)
    assert result.single == "d" and result.members == ()


def test_what_nobody_covers_is_reported_missing(lot, orgs, now, weights) -> None:
    result = propose_consortia(lot, orgs[:1], now=now, weights=weights)
    assert result.members == ("a",) and not result.complete
    assert "region UKM8" in result.missing and "'gis'" in result.missing
    assert "still missing" in result.explanation


def test_excluded_or_closed_is_never_proposed(lot, orgs, now, weights) -> None:
    shy = [orgs[0], replace(orgs[1], exclusions=("mapping",))]
    result = propose_consortia(lot, shy, now=now, weights=weights)
    assert "b" not in result.members
    closed = propose_consortia(replace(lot, closed=True), orgs, now=now, weights=weights)
    assert closed.members == () and "no organisation" in closed.explanation


def test_common_words_are_not_needs_with_a_corpus(make_opp) -> None:
    corpus = CorpusStats.from_documents([terms("digital service")] * 10 + [terms("GIS")])
    needs = needs_of(
        make_opp(title="Digital service GIS", text="", value=None, regions=(), cpv=()),
        corpus=corpus,
    )
    assert [n.key for n in needs] == ["gis"]
