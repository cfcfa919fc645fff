"""Geography: NUTS/ITL prefixes, national profiles, remote delivery, elsewhere."""

from __future__ import annotations

import pytest

from matchers.geography import country_of, geography, nation_of, org_nations
from scanner.reference.regions import current_region


@pytest.mark.parametrize(
    ("org", "opp", "score", "words"),
    [
        (
            {"regions": ("UKI",)},
            {"regions": ("UKI3",)},
            1.0,
            "Inner London - West (UKI3), in your region London (UKI)",
        ),
        (
            {"regions": ("ukm8",)},
            {"regions": ("UKM8",)},
            1.0,
            "in your region West Central Scotland (UKM8)",
        ),
        (
            {"regions": ("UKM",), "national": True},
            {"regions": ("UKI3",)},
            1.0,
            "you serve all of United Kingdom (GB)",
        ),
        ({"regions": ("GB",)}, {"regions": ("TLI3",)}, 1.0, "you serve all of United Kingdom (GB)"),
        ({"regions": ("UKM",), "remote": True}, {"regions": ("UKI3",)}, 0.5, "remote"),
        ({"regions": ("UKM",), "remote": False}, {"regions": ("UKI3",)}, 0.2, "outside your area"),
        (
            {"regions": ("UKI",), "remote": False},
            {"regions": ("UKD3",)},
            0.3,
            "Greater Manchester (UKD3): outside your regions, on site",
        ),
        (
            {"regions": ("FRE1",), "countries": ("FR",), "remote": False},
            {"regions": ("FRK26",), "countries": ("FR",)},
            0.3,
            "outside your regions, on site",
        ),
        (
            {"regions": ("UKM",)},
            {"regions": (), "countries": ("GB",)},
            0.7,
            "anywhere in United Kingdom (GB)",
        ),
        ({"regions": ("UKM",)}, {"regions": (), "countries": ()}, 0.7, "no place of delivery"),
        (
            {"regions": ("UKM",)},
            {"regions": ("DE1",), "countries": ()},
            0.2,
            "Baden-Württemberg (DE1) is outside",
        ),
        ({"regions": (), "countries": ()}, {"regions": ("DE1",)}, 0.7, "profile names no area"),
        (  # Budapest in NUTS 2013 (HU101; HU110 since): read as the region it is now
            {"regions": ("HU11",), "remote": False},
            {"regions": ("HU101",), "countries": ("HU",)},
            1.0,
            "HU101, an older code, in Budapest (HU110), in your region Budapest (HU11)",
        ),
        (  # an older code split between two regions: the one holding both, a wider area
            {"regions": ("HU11",), "remote": False},
            {"regions": ("HU10",), "countries": ("HU",)},
            0.7,
            "somewhere in HU10, an older code, in Közép-Magyarország (HU1), which holds your "
            "Budapest (HU11)",
        ),
        (  # an older code outside the profile's regions stays outside, said the same way
            {"regions": ("HU32",), "remote": False},
            {"regions": ("HU101",), "countries": ("HU",)},
            0.3,
            "HU101, an older code, in Budapest (HU110): outside your regions, on site",
        ),
        (  # no prefix of a French NUTS 2013 code survives; the JRC's tables place it (Cher)
            {"regions": ("FRB",), "remote": False},
            {"regions": ("FR241",), "countries": ("FR",)},
            1.0,
            "FR241, an older code, in Cher (FRB01), in your region",
        ),
    ],
)
def test_geography_tiers(make_org, make_opp, weights, org, opp, score, words) -> None:
    result = geography(make_org(**org), make_opp(**opp), weights)
    assert result.score == score
    assert words in result.detail


def test_nuts_itl_and_greek_prefixes_map_to_iso_countries() -> None:
    assert [country_of("UKI3"), country_of("TLC"), country_of("EL30"), country_of("de1")] == [
        "GB",
        "GB",
        "GR",
        "DE",
    ]


def test_nations_are_countries_and_the_uks_four_nations(make_org) -> None:
    assert [nation_of(c) for c in ("FRE11", "UKM82", "TLM8", "UKL", "UKI3", "UKN0", "GB")] == [
        "FR", "GB-SCT", "GB-SCT", "GB-WLS", "GB-ENG", "GB-NIR", "GB",
    ]  # fmt: skip
    # a country named without a region inside it is a nation of its own
    org = make_org(regions=("UKM6",), countries=("GB", "IE"))
    assert org_nations(org) == {"GB-SCT", "IE"}


def test_older_nuts_codes_read_as_the_current_region_holding_them() -> None:
    assert current_region("HU101") == "HU110"  # NUTS 2013 Budapest, all of it Budapest now
    assert current_region("FR241") == "FRB01"  # NUTS 2013 Cher: no prefix of it survives
    assert current_region("PL127") == "PL911"  # NUTS 2013 Miasto Warszawa
    assert current_region("UKI11") == "UKI3"  # NUTS 2010 Inner London - West, four parts now
    # split between Border (IE041) and the Midlands (IE062): the region holding both
    assert current_region("IE011") == "IE0"
    assert current_region("HU10") == "HU1"
    # a code the tables do not know, of a country they cover: its longest known prefix
    assert current_region("HU1ZZ") == "HU1"
    # current codes, countries, codes of countries without NUTS and unknowable ones: unchanged
    assert [current_region(c) for c in ("HU110", "HU", "US-CA", "UA", "XX123")] == [
        None, None, None, None, None,
    ]  # fmt: skip
