"""The law follows the buyer: its country (and UK nation) picks the regime, its type the one
threshold that applies, and every citation comes from that regime or says "by analogy"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scanner.ingest.tender import Classification, Item, NormalisedTender
from scanner.orgs.rates import load_rates
from scanner.splitter import Assessment, assess, load_thresholds

REPO = Path(__file__).resolve().parents[2]
THRESHOLDS = load_thresholds(REPO / "config" / "thresholds.toml")
WITH_RATES = replace(THRESHOLDS, rates=load_rates(REPO / "config" / "rates.toml"))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OTHER_REGIMES = {
    "UK": ("Directive", "FAR ", "OMB", "Scotland"),
    "UK-SCT": ("Procurement Act", "Directive", "FAR ", "OMB"),
    "EU": ("Procurement Act", "FAR ", "OMB", "Scotland"),
    "US": ("Procurement Act", "Directive", "Scotland"),
}


def run(thresholds: Any = THRESHOLDS, **fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "k",
        "title": "Digital services",
        "description": "Support for online services.",
    }
    return assess(NormalisedTender(**{**defaults, **fields}), now=NOW, thresholds=thresholds)


def foreign_citations(result: Assessment) -> list[str]:
    """Sources that name another regime's law without saying "by analogy"."""
    banned = OTHER_REGIMES[result.jurisdiction or ""]
    return [
        s.source
        for s in result.signals
        if any(
            b in part for part in s.source.split(";") if "by analogy" not in part for b in banned
        )
    ]


def test_a_borough_council_gets_the_sub_central_threshold_alone() -> None:
    result = run(
        buyer_name="Riverside Borough Council",
        currency="GBP",
        countries=("GB",),
        value_amount=Decimal("2000000"),
    )
    assert result.regime is not None
    assert result.regime.buyer_type == "sub-central"
    assert result.regime.threshold == "UK sub-central threshold"
    assert result.regime.threshold_amount == Decimal("207720")
    assert "sub-central threshold" in result.procedure
    text = " ".join(s.reason for s in result.signals) + result.procedure
    assert "central government threshold" not in text.replace("sub-central", "")
    assert not foreign_citations(result)


def test_an_nhs_trust_and_a_ministry_use_the_central_government_threshold() -> None:
    for buyer in ("Riverside Hospitals NHS Foundation Trust", "Department for Education"):
        result = run(buyer_name=buyer, currency="GBP", value_amount=Decimal("150000"))
        assert result.regime is not None and result.regime.threshold_amount == Decimal("135018")
        assert result.regime.above_threshold is True


def test_a_stated_buyer_type_wins_over_the_name() -> None:
    text = "Buyer: Riverside Borough Council\nBuyer type: central government\nScope of work."
    result = run(description=text, currency="GBP", value_amount=Decimal("150000"))
    assert result.regime is not None and result.regime.buyer_type == "central government"
    assert "stated in the notice" in result.regime.buyer_type_basis


def test_an_unknown_buyer_type_is_assumed_and_said_so() -> None:
    result = run(currency="GBP", value_amount=Decimal("150000"))
    assert result.regime is not None and result.regime.buyer_type == "central government"
    assert "assumed" in result.regime.buyer_type_basis


def test_a_scottish_council_is_under_scottish_regulations() -> None:
    result = run(
        buyer_name="The City of Edinburgh Council",
        currency="GBP",
        countries=("GB",),
        value_amount=Decimal("400000"),
    )
    assert result.jurisdiction == "UK-SCT"
    assert result.regime is not None and result.regime.place == "Scotland"
    lots = next(s for s in result.signals if s.code == "no_lots_above_threshold")
    assert lots.fired and lots.source == "Public Contracts (Scotland) Regulations 2015 reg. 47"
    assert not foreign_citations(result)


def test_public_contracts_scotland_notices_are_scottish_by_publisher() -> None:
    result = run(ocid="ocds-r6ebe6-0000123456", currency="GBP", value_amount=Decimal("60000"))
    assert result.jurisdiction == "UK-SCT"


def test_a_welsh_council_stays_under_the_procurement_act() -> None:
    result = run(buyer_name="Cyngor Gwynedd", currency="GBP", value_amount=Decimal("400000"))
    assert result.jurisdiction == "UK" and result.regime is not None
    assert result.regime.place == "Wales"


def test_a_polish_buyer_in_zloty_is_compared_at_the_published_rate() -> None:
    result = run(
        buyer_name="Gmina Miasto Kraków",
        currency="PLN",
        countries=("PL",),
        value_amount=Decimal("1000000"),
    )
    assert result.jurisdiction == "EU" and result.regime is not None
    assert result.regime.buyer_type == "sub-central"
    # PLN 1,000,000 at PLN 4.31 per EUR is about EUR 232,019: above EUR 216,000.
    assert result.regime.value_in_threshold_currency == Decimal("232018.56")
    assert result.regime.above_threshold is True
    assert result.regime.value_note and "4.31" in result.regime.value_note
    lots = next(s for s in result.signals if s.code == "no_lots_above_threshold")
    assert lots.source.startswith("Prawo zamówień publicznych")


def test_a_member_state_currency_without_a_published_rate_is_approximate_or_not_comparable() -> (
    None
):
    swedish = {"currency": "SEK", "countries": ("SE",), "value_amount": Decimal("5000000")}
    without = run(**swedish)
    assert without.regime is not None and without.regime.above_threshold is None
    assert without.regime.value_note and "value not comparable" in without.regime.value_note
    assert without.insufficient_reason and "SEK" in without.insufficient_reason
    approximate = run(WITH_RATES, **swedish)
    assert approximate.regime is not None and approximate.regime.above_threshold is True
    assert "approximately" in (approximate.regime.value_note or "")


def test_a_country_without_rules_still_gets_a_structural_proposal() -> None:
    items = (
        Item("1", "Бензин А-95", (Classification("CPV", "09132100"),)),
        Item("2", "Дизельне паливо", (Classification("CPV", "09134200"),)),
    )
    result = run(
        currency="UAH", items=items, value_amount=Decimal("900000"), ocid="ocds-be6bcu-UA-1"
    )
    assert result.jurisdiction is None and result.regime is not None
    assert result.regime.no_rules == "no threshold rules for Ukraine"
    assert len(result.packages) == 2
    assert "no threshold rules for Ukraine" in (result.insufficient_reason or "")
    assert all(
        "by analogy" in s.source or s.source.startswith("no threshold rules")
        for s in result.signals
    )


def test_a_currency_without_a_rate_says_value_not_comparable() -> None:
    missing = next(c for c in ("AMD", "PYG", "MXN", "XOF") if c not in WITH_RATES.rates.currencies)
    result = run(WITH_RATES, currency=missing, value_amount=Decimal("900000"))
    assert "value not comparable" in (result.insufficient_reason or "")
    assert missing in (result.insufficient_reason or "")
    with_rate = run(WITH_RATES, currency="UAH", value_amount=Decimal("900000"))
    assert "value not comparable" not in (with_rate.insufficient_reason or "")
    assert with_rate.regime is not None and with_rate.regime.value_note is not None
    assert with_rate.regime.value_note.startswith("about EUR ")  # a sense of size, said so


def test_us_federal_rules_cover_federal_agencies_only() -> None:
    federal = run(
        buyer_name="Department of Veterans Affairs",
        currency="USD",
        countries=("US",),
        value_amount=Decimal("500000"),
    )
    assert federal.jurisdiction == "US" and federal.regime is not None
    assert federal.regime.buyer_type == "federal agency"
    city = run(
        buyer_name="City of Austin", currency="USD", countries=("US",), value_amount=Decimal("5e5")
    )
    assert city.jurisdiction is None and city.regime is not None
    assert city.regime.no_rules and "state and local" in city.regime.no_rules


@pytest.mark.parametrize(
    ("country", "currency"), [("GB", "GBP"), ("FR", "EUR"), ("US", "USD"), ("DE", "EUR")]
)
def test_no_signal_cites_another_regime_as_if_it_were_law_here(country: str, currency: str) -> None:
    text = (
        "A single supplier to run an end-to-end service: discovery, alpha and beta, with "
        "open source code and user research, over 36 months."
    )
    items = (
        Item("1", "Software", (Classification("CPV", "72212000"),), regions=("UKC1",)),
        Item("2", "Training", (Classification("CPV", "80533100"),), regions=("UKD1",)),
    )
    result = run(
        description=text,
        currency=currency,
        countries=(country,),
        value_amount=Decimal("3000000"),
        items=items,
    )
    assert result.jurisdiction is not None
    assert not foreign_citations(result), foreign_citations(result)


def test_eea_states_apply_the_directive_under_their_own_name() -> None:
    result = run(
        WITH_RATES,
        buyer_name="Fjordvik kommune",
        currency="NOK",
        countries=("NO",),
        value_amount=Decimal("9600000"),
    )
    assert result.jurisdiction == "EU" and result.regime is not None
    assert result.regime.threshold == "EEA threshold for sub-central authorities"
    lots = next(s for s in result.signals if s.code == "no_lots_above_threshold")
    assert lots.fired and "EEA Agreement" in lots.source
    assert "EUR" not in lots.reason  # Norway sets its figures in NOK


def test_france_lets_every_contract_in_lots_whatever_its_value() -> None:
    text = "1. Menuiseries extérieures\n2. Peinture et revêtements de sols\n3. Électricité"
    result = run(
        buyer_name="Commune de Saint-Aubin",
        currency="EUR",
        countries=("FR",),
        value_amount=Decimal("150000"),  # below the EU sub-central threshold
        description=text,
    )
    lots = next(s for s in result.signals if s.code == "no_lots_above_threshold")
    assert lots.fired and "L2113-10" in lots.reason


def test_a_euro_draft_in_french_is_read_as_french_and_says_how() -> None:
    text = (
        "La commune souhaite rénover les menuiseries et la toiture de l'école. Les travaux "
        "seront réalisés pendant les vacances pour une durée de deux mois, dans le respect des "
        "normes et avec une attention particulière pour les élèves et le personnel de l'école."
    )
    result = run(currency="EUR", value_amount=Decimal("900000"), description=text)
    assert result.regime is not None and result.regime.country == "FR"
    assert "language (French)" in result.regime.place_basis
    assert result.regime.threshold == "EU works threshold"  # "travaux": a works contract


def test_a_welsh_body_is_cited_its_own_standards() -> None:
    result = run(
        buyer_name="Cadwraeth Cymru, a Welsh Government sponsored body",
        currency="GBP",
        value_amount=Decimal("420000"),
        description="A new website, built in the open with user research.",
    )
    assert result.regime is not None and result.regime.buyer_type == "sub-central"
    assert result.regime.place == "Wales" and result.regime.code == "UK-WLS"
    research = next(s for s in result.signals if s.code == "user_research")
    assert "Digital Service Standards for Wales" in research.source
    assert "GOV.UK" not in research.source


def test_scottish_places_show_a_scottish_buyer() -> None:
    text = "Condition surveys of buildings in Helensburgh, Dumbarton and Clydebank."
    result = run(
        buyer_name="Lomond and Clyde Council", currency="GBP", value_amount=Decimal("480000"),
        description=text,
    )  # fmt: skip
    assert result.jurisdiction == "UK-SCT"


def test_parts_that_must_work_as_one_system_are_a_reason_not_to_divide() -> None:
    items = (
        Item("1", "Alerting equipment", (Classification("CPV", "35120000"),)),
        Item("2", "Maintenance", (Classification("CPV", "50300000"),)),
    )
    result = run(
        buyer_name="Eastmoor Fire and Rescue Authority",
        currency="GBP",
        value_amount=Decimal("350000"),
        items=items,
        description="The equipment must work as one system across all stations.",
    )
    one = next(s for s in result.signals if s.code == "one_system")
    assert one.fired and one.weight < 0 and not result.should_split


def test_a_requirement_small_enough_for_one_supplier_is_not_divided() -> None:
    items = (
        Item("1", "Survey", (Classification("CPV", "79311000"),)),
        Item("2", "Website", (Classification("CPV", "72413000"),)),
    )
    small = run(currency="GBP", value_amount=Decimal("40000"), items=items)
    assert next(s for s in small.signals if s.code == "small_enough").fired
    assert not small.should_split


def test_dk021_codes_with_check_digits_are_read_as_cpv() -> None:
    items = (
        Item("1", "Молоко", (Classification("ДК021", "15511000-3"),)),
        Item("2", "Хліб", (Classification("ДК021", "15811100-7"),)),
        Item("3", "Олія", (Classification("ДК021", "15411200-3"),)),
    )
    result = run(currency="UAH", items=items, value_amount=Decimal("900000"))
    assert next(s for s in result.signals if s.code == "several_cpv_classes").fired
    assert result.should_split and len(result.packages) == 3


@pytest.mark.parametrize(
    ("raw", "buyer_type", "threshold"),
    [
        ({"format": "ted-xml", "authority_type": "3"}, "sub-central", Decimal("216000")),
        ({"format": "ted-xml", "authority_type": "6"}, "sub-central", Decimal("216000")),
        ({"format": "ted-xml", "authority_type": "4"}, "utility", Decimal("432000")),
        ({"format": "ted-xml", "authority_type": "1"}, "central government", Decimal("140000")),
        ({"format": "eforms", "buyer_legal_type": "la"}, "sub-central", Decimal("216000")),
        ({"format": "eforms", "buyer_legal_type": "pub-undert"}, "utility", Decimal("432000")),
    ],
)
def test_a_ted_notices_coded_buyer_type_decides_the_threshold(
    raw: dict[str, Any], buyer_type: str, threshold: Decimal
) -> None:
    # A German utility or a "Hansestadt" is no central government: the notice's code says so.
    result = run(
        buyer_name="Hansestadt Beispiel Bauamt",
        currency="EUR",
        countries=("DE",),
        value_amount=Decimal("300000"),
        raw=raw,
    )
    assert result.regime is not None
    assert result.regime.buyer_type == buyer_type
    assert result.regime.threshold_amount == threshold
    assert "assumed" not in result.regime.buyer_type_basis
    assert "classification" in result.regime.buyer_type_basis


def test_a_public_undertaking_code_yields_to_a_name_that_says_what_the_buyer_is() -> None:
    # "Public undertaking" is a utility only for a utilities activity: a hospital trust coded so
    # keeps the NHS threshold, and says why; a buyer whose name says nothing stays a utility.
    parties = [
        {
            "roles": ["buyer"],
            "details": {"classifications": [{"scheme": "UK_CA_TYPE", "id": "publicUndertaking"}]},
        }
    ]
    trust = run(
        buyer_name="Riverside Teaching Hospitals NHS Foundation Trust",
        currency="GBP",
        value_amount=Decimal("150000"),
        raw={"parties": parties},
    )
    assert trust.regime is not None and trust.regime.buyer_type == "NHS"
    assert "public undertaking" in trust.regime.buyer_type_basis
    assert "NHS" in trust.regime.buyer_type_basis
    unnamed = run(
        buyer_name="Beispiel Versorgung GmbH",
        currency="EUR",
        countries=("DE",),
        value_amount=Decimal("300000"),
        raw={"format": "eforms", "buyer_legal_type": "pub-undert"},
    )
    assert unnamed.regime is not None and unnamed.regime.buyer_type == "utility"
    water = run(
        buyer_name="Riverside Water Services",
        currency="GBP",
        value_amount=Decimal("150000"),
        raw={"parties": parties},
    )
    assert water.regime is not None and water.regime.buyer_type == "utility"


def test_a_ted_code_naming_no_buyer_type_leaves_the_assumption() -> None:
    result = run(
        buyer_name="Beispiel GmbH",
        currency="EUR",
        countries=("DE",),
        value_amount=Decimal("300000"),
        raw={"format": "ted-xml", "authority_type": "8"},
    )
    assert result.regime is not None and "assumed" in result.regime.buyer_type_basis


def test_a_value_of_one_is_a_placeholder_not_a_small_contract() -> None:
    # TED notices publish EUR 1 when the buyer keeps the estimate to itself: it is no size.
    result = run(currency="EUR", countries=("DE",), value_amount=Decimal("1"))
    assert not any(s.code == "small_enough" and s.fired for s in result.signals)
    assert result.aggregated_value is None
    assert "placeholder" in (result.insufficient_reason or "")


# Utilities (Directive 2014/25/EU) have a lots rule of their own: Art. 65 allows lots but asks
# for no reasons for not dividing; only national law may (sources in config/thresholds.toml).
UTILITY = {"format": "ted-xml", "authority_type": "4"}


def utility(country: str, **fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "buyer_name": "Azienda Servizi Idrici",
        "currency": "EUR",
        "countries": (country,),
        "value_amount": Decimal("900000"),
        "raw": UTILITY,
    }
    return run(**{**defaults, **fields})


def signal(result: Assessment, code: str) -> Any:
    return next(s for s in result.signals if s.code == code)


@pytest.mark.parametrize("country", ["IT", "ES", "PL", "AT", "NL", "SE"])
def test_a_utility_is_never_cited_article_46_nor_told_it_must_give_reasons(country: str) -> None:
    result = utility(country)
    assert result.regime is not None and result.regime.buyer_type == "utility"
    assert "2014/25/EU Art. 65" in result.regime.lots_duty
    assert "2014/24" not in result.regime.lots_duty
    reasons = signal(result, "no_reasons_for_not_dividing")
    assert not reasons.fired and "check" in reasons.reason
    lots = signal(result, "no_lots_above_threshold")
    assert lots.fired and "must consider" not in lots.reason and "check" in lots.reason
    assert "applies to a utility buyer" in lots.reason
    assert not any("2014/24/EU Art. 46" in s.source for s in result.signals)
    assert result.regime.lots_reasons and "check" in result.regime.lots_reasons


def test_an_italian_utility_is_told_article_58_does_not_reach_the_special_sectors() -> None:
    result = utility("IT")
    assert result.regime is not None and "art. 141(3)" in result.regime.lots_duty
    assert "art. 58" in signal(result, "no_reasons_for_not_dividing").reason


def test_french_and_german_utilities_keep_their_national_duty() -> None:
    french = utility("FR", buyer_name="Régie des eaux")
    assert french.regime is not None
    assert "L2113-11" in french.regime.lots_duty and "2014/24" not in french.regime.lots_duty
    assert signal(french, "no_reasons_for_not_dividing").fired
    assert "R2113-3" in (french.regime.lots_reasons or "")
    german = utility("DE", buyer_name="Stadtwerke Beispiel GmbH")
    assert german.regime is not None
    assert "§ 97(4)" in german.regime.lots_duty and "2014/24" not in german.regime.lots_duty
    assert signal(german, "no_reasons_for_not_dividing").fired
    # A public authority keeps the Directive 2014/24/EU citation and the duty it brings.
    council = run(
        buyer_name="Comune di Esempio",
        currency="EUR",
        countries=("IT",),
        value_amount=Decimal("900000"),
    )
    assert council.regime is not None and "Directive 2014/24/EU Art. 46" in council.regime.lots_duty
    assert council.regime.lots_reasons is None
    assert signal(council, "no_reasons_for_not_dividing").fired


def test_a_utilitys_social_services_meet_the_utilities_threshold_of_one_million() -> None:
    items = (Item("1", "Servizi sociali", (Classification("CPV", "85310000"),)),)
    below = utility("IT", items=items, value_amount=Decimal("900000"))
    assert below.regime is not None
    assert below.regime.threshold_amount == Decimal("1000000")
    assert below.regime.above_threshold is False
    above = utility("IT", items=items, value_amount=Decimal("1200000"))
    assert above.regime is not None and above.regime.above_threshold is True
    assert "2014/25/EU Art. 15(c)" in (above.regime.threshold_source or "")


def test_a_utilitys_works_are_under_the_utilities_directive() -> None:
    items = (Item("1", "Lavori", (Classification("CPV", "45232150"),)),)
    result = utility("IT", items=items, value_amount=Decimal("6000000"))
    assert result.regime is not None and result.regime.threshold_amount == Decimal("5404000")
    assert "2014/25/EU" in (result.regime.threshold_source or "")
    assert "2014/25/EU" in result.procedure and "2014/24" not in result.procedure


@pytest.mark.parametrize(
    ("country", "buyer", "duty"),
    [
        ("AT", "Gemeinde Beispielsdorf", "Bundesvergabegesetz 2018 § 28"),
        ("BE", "Commune de Exemple", "Loi du 17 juin 2016 relative aux marchés publics art. 58"),
        ("LU", "Ville de Exemple", "loi du 8 avril 2018"),
    ],
)
def test_austria_belgium_and_luxembourg_cite_their_own_transposition(
    country: str, buyer: str, duty: str
) -> None:
    result = run(
        buyer_name=buyer, currency="EUR", countries=(country,), value_amount=Decimal("900000")
    )
    assert result.regime is not None and duty in result.regime.lots_duty
    assert signal(result, "no_reasons_for_not_dividing").fired


def test_switzerland_is_left_unconfigured_and_says_why() -> None:
    result = run(
        buyer_name="Stadt Zürich", currency="CHF", countries=("CH",), value_amount=Decimal("900000")
    )
    assert result.jurisdiction is None and result.regime is not None
    assert (result.regime.no_rules or "").startswith("no threshold rules for Switzerland: ")
    assert "neither in the EU nor in the EEA" in (result.regime.no_rules or "")
    assert "BöB" in (result.regime.no_rules or "")
