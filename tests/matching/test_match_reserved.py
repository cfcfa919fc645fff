"""Reserved contracts (Directive 2014/24/EU Art. 20 and 77): read from real TED XML, eForms and
OCDS notices, carried onto the opportunity (per lot where the format says so), and matched
against what a profile says it is."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from required import SHARED_DIR, require_shared

from matchers.score import score
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights
from scanner.ingest.eforms import parse_eforms_notice
from scanner.ingest.normalise import normalise_release
from scanner.ingest.ted_xml import parse_ted_notice
from scanner.matching.opportunities import Languages, opportunities_of
from scanner.matching.reserved import reserved_of
from scanner.orgs.schema import OrganisationProfile

SAMPLES = SHARED_DIR / "samples"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _same(amount: Decimal | None, _currency: str | None) -> Decimal | None:
    return amount


def test_an_eforms_notice_reserves_two_of_its_four_lots_for_sheltered_workshops() -> None:
    path = require_shared(SAMPLES / "multi-lot-eforms" / "ted_262891-2023_SPA_pin10_4lots.xml")
    notice = parse_eforms_notice(path.read_bytes(), source="ted")
    assert notice.raw["reserved_lots"] == {
        "LOT-0003": ["sheltered_workshop"],
        "LOT-0004": ["sheltered_workshop"],
    }
    assert "reserved" not in notice.raw  # two lots are open to all: the whole is not reserved
    assert [reserved_of(notice, lot) for lot in notice.lots] == [
        (), (), ("sheltered_workshop",), ("sheltered_workshop",)
    ]  # fmt: skip
    found = opportunities_of(notice, 1, to_reporting=_same, languages=Languages("es", "es"))
    assert [o.reserved for o in found] == [
        (), (), (), ("sheltered_workshop",), ("sheltered_workshop",)
    ]  # fmt: skip


def test_an_eforms_notice_with_no_reserved_lot_says_nothing() -> None:
    path = require_shared(SAMPLES / "multi-lot-eforms" / "ted_565069-2023_NLD_cn21_2lots.xml")
    notice = parse_eforms_notice(path.read_bytes(), source="ted")
    assert "reserved_lots" not in notice.raw and reserved_of(notice) == ()


def test_an_ocds_release_reserves_participation_for_sheltered_workshops() -> None:
    path = require_shared(
        SAMPLES / "open-tenders-en" / "sell2wales_2025_tender_releases_all90.json"
    )
    releases = json.loads(path.read_text())["releases"]
    reserved = [r for r in releases if "reservedParticipation" in json.dumps(r.get("tender", {}))]
    assert [r["ocid"] for r in reserved] == ["ocds-kuma6s-148223"]
    tender = normalise_release(reserved[0], source="sell2wales")
    assert reserved_of(tender) == ("sheltered_workshop",)
    others = [normalise_release(r, source="sell2wales") for r in releases[:20] if r not in reserved]
    assert all(reserved_of(t) == () for t in others)


def test_a_slovak_dps_reserved_in_full_to_social_enterprises() -> None:
    folder = SAMPLES / "gathered-sk"
    if not folder.exists():
        pytest.skip(f"{folder} absent: the gathered Slovak notices (GATHERED-SK.md) are not here")
    data = gzip.decompress((folder / "ted-xml" / "2021-S-189-491121.xml.gz").read_bytes())
    notice = parse_ted_notice(data, source="ted")
    assert notice.raw["reserved"] == ["sheltered_workshop"]
    assert all(reserved_of(notice, lot) == ("sheltered_workshop",) for lot in notice.lots)


def test_a_french_social_services_notice_is_reserved_under_article_77() -> None:
    folder = SAMPLES / "gathered-fr"
    if not folder.exists():
        pytest.skip(f"{folder} absent: the gathered French notices (GATHERED-FR.md) are not here")
    data = gzip.decompress((folder / "ted-xml" / "2018-S-130-297487.xml.gz").read_bytes())
    assert parse_ted_notice(data, source="ted").raw["reserved"] == ["public_service_mission"]


def test_a_plain_ted_notice_is_not_reserved() -> None:
    path = require_shared(SAMPLES / "multi-lot-ted-xml" / "ted_20-213571_EN_F02_2lots.xml")
    assert "reserved" not in parse_ted_notice(path.read_bytes(), source="ted").raw


def _pair() -> tuple[Opportunity, OrgProfile]:
    opportunity = Opportunity(
        id="tender:1",
        kind="tender",
        tender_id="1",
        title="Fresh food deliveries to schools",
        text="fruit vegetables dairy",
        cpv=("15300000",),
        value=Decimal(50000),
        deadline=NOW + timedelta(days=30),
        reserved=("sheltered_workshop",),
    )
    org = OrgProfile(
        id="wholesaler",
        name="Food wholesaler",
        capabilities="fresh food fruit vegetables dairy",
        keywords=("fresh food",),
        cpv=("153",),
        value_max=Decimal(200000),
    )
    return opportunity, org


def test_a_reserved_notice_ranks_lower_for_a_profile_that_has_not_said_it_qualifies() -> None:
    opportunity, org = _pair()
    weights = Weights(reserved_factor=0.5)
    open_match = score(replace(opportunity, reserved=()), org, now=NOW, weights=weights)
    demoted = score(opportunity, org, now=NOW, weights=weights)
    assert demoted.passed and demoted.score == pytest.approx(open_match.score * 0.5)
    assert (
        "reserved for sheltered workshops and social enterprises (Art. 20 of Directive "
        "2014/24/EU): you have not said you are one (x0.5)" in demoted.explanation
    )
    gated = score(opportunity, org, now=NOW, weights=Weights(reserved_factor=0.0))
    assert gated.gate is not None and gated.gate.name == "reserved"


def test_a_qualifying_profile_sees_the_reservation_as_a_plus() -> None:
    opportunity, org = _pair()
    weights = Weights(reserved_factor=0.5)
    eligible = replace(org, reserved_eligible=("social_enterprise",))
    match = score(opportunity, eligible, now=NOW, weights=weights)
    open_match = score(replace(opportunity, reserved=()), eligible, now=NOW, weights=weights)
    assert match.score == open_match.score
    assert match.explanation.endswith(
        "reserved for sheltered workshops and social enterprises (Art. 20 of Directive "
        "2014/24/EU): you qualify"
    )
    # qualifying under Art. 77 is not qualifying under Art. 20
    mission = replace(org, reserved_eligible=("public_service_mission",))
    assert score(opportunity, mission, now=NOW, weights=weights).score < open_match.score


def test_a_profile_says_what_it_qualifies_as_in_words_or_codes() -> None:
    base = {"id": "ab", "name": "A", "emails": ["a@example.org"]}
    profile = OrganisationProfile.model_validate(
        {**base, "reserved_eligible": "Sheltered workshop; social-enterprise"}
    )
    assert profile.reserved_eligible == ("sheltered_workshop", "social_enterprise")
    with pytest.raises(ValueError, match="reserved_eligible"):
        OrganisationProfile.model_validate({**base, "reserved_eligible": ["charity"]})


def test_by_default_a_reservation_is_said_and_the_score_kept() -> None:
    """The default `reserved_factor` is 1: the labels of the real set, written before the
    rubric named reservations, do not support a demotion (docs/matching.md), so the reader is
    told and decides."""
    opportunity, org = _pair()
    weights = Weights()
    open_match = score(replace(opportunity, reserved=()), org, now=NOW, weights=weights)
    match = score(opportunity, org, now=NOW, weights=weights)
    assert weights.reserved_factor == 1.0 and match.score == open_match.score
    assert (
        "reserved for sheltered workshops and social enterprises (Art. 20 of Directive "
        "2014/24/EU): you have not said you are one" in match.explanation
    )
    assert "(x1)" not in match.explanation
