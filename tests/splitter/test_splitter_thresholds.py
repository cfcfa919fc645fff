"""The thresholds file loads into plain data and recognises a tender's jurisdiction."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scanner.ingest.tender import NormalisedTender
from scanner.splitter import ThresholdsError, load_thresholds

CONFIG = Path(__file__).resolve().parents[2] / "config" / "thresholds.toml"


def tender(**fields: Any) -> NormalisedTender:
    return NormalisedTender(source="test", source_key="k", title="t", **fields)


def test_thresholds_file_holds_the_figures_of_domain_notes() -> None:
    thresholds = load_thresholds(CONFIG)
    amounts = {(j.code, t.key): t.amount for j in thresholds.jurisdictions for t in j.thresholds}
    assert amounts[("UK", "central")] == Decimal("135018")
    assert amounts[("UK", "sub_central")] == Decimal("207720")
    assert amounts[("UK", "works")] == Decimal("5193000")
    assert amounts[("UK", "light_touch")] == Decimal("663540")
    assert amounts[("UK", "below_threshold_central")] == Decimal("12000")
    assert amounts[("UK", "below_threshold_other")] == Decimal("30000")
    assert amounts[("EU", "central")] == Decimal("140000")
    assert amounts[("EU", "sub_central")] == Decimal("216000")
    assert amounts[("EU", "works")] == Decimal("5404000")
    assert amounts[("EU", "social")] == Decimal("750000")
    assert amounts[("US", "micro_purchase")] == Decimal("15000")
    assert amounts[("US", "simplified_acquisition")] == Decimal("350000")
    assert thresholds.rules_version
    assert all(t.source and t.procedure for j in thresholds.jurisdictions for t in j.thresholds)


def test_jurisdiction_is_found_by_country_then_currency() -> None:
    thresholds = load_thresholds(CONFIG)
    assert thresholds.jurisdiction_of(tender(currency="gbp")).code == "UK"
    # The law follows the buyer's country, not the currency it prices in.
    assert thresholds.jurisdiction_of(tender(currency="EUR", countries=("GB",))).code == "UK"
    assert thresholds.jurisdiction_of(tender(currency="PLN", countries=("PL",))).code == "EU"
    assert thresholds.jurisdiction_of(tender(countries=("FR",))).code == "EU"
    assert thresholds.jurisdiction_of(tender(currency="USD")).code == "US"
    assert thresholds.jurisdiction_of(tender(currency="PYG")) is None


def test_procedure_follows_the_highest_threshold_reached() -> None:
    uk = load_thresholds(CONFIG).jurisdiction_of(tender(currency="GBP"))
    assert uk is not None
    below, text = uk.procedure_for(Decimal("5000"), "supplies_services")
    assert below is None and text == uk.below_procedure
    reached, _ = uk.procedure_for(Decimal("150000"), "supplies_services")
    assert reached is not None and reached.key == "central"
    works, _ = uk.procedure_for(Decimal("150000"), "works")
    assert works is not None and works.key == "below_threshold_other"
    assert uk.regulated_threshold("social").key == "light_touch"


def test_a_threshold_file_with_a_bad_amount_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.toml"
    bad.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            'micro_ceiling = "135018"', 'micro_ceiling = "x"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ThresholdsError, match="micro_ceiling"):
        load_thresholds(bad)


def test_utilities_have_their_own_social_and_works_thresholds() -> None:
    eu = load_thresholds(CONFIG).by_code("EU")
    assert eu is not None
    social = eu.regulated_threshold("social", "utility")
    assert social is not None and social.amount == Decimal("1000000")
    works = eu.regulated_threshold("works", "utility")
    assert works is not None and works.amount == Decimal("5404000") and "2014/25" in works.source
    supplies = eu.regulated_threshold("supplies_services", "utility")
    assert supplies is not None and supplies.amount == Decimal("432000")


def test_a_buyer_rule_that_is_not_required_must_say_why(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.toml"
    text = CONFIG.read_text(encoding="utf-8")
    start = text.index("[jurisdictions.EU.buyers.utility]")
    end = text.index("[jurisdictions.EU.buyers.utility.citations]")
    bad.write_text(
        text[:start] + '[jurisdictions.EU.buyers.utility]\nreasons = "check"\n\n' + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(ThresholdsError, match="needs a note"):
        load_thresholds(bad)
