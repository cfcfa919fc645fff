"""The buyer's type read from its name (scanner.splitter.buyers)."""

from __future__ import annotations

import pytest

from scanner.splitter.buyers import buyer_of
from tests.splitter.test_splitter_signals import tender


def _type_of(name: str, country: str) -> str | None:
    return buyer_of(tender(buyer_name=name, countries=(country,)), "", country).type


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Comune di Modena", "IT"),
        ("COMUNE DI MERATE", "IT"),
        ("Stazione appaltante: Comune di Cernusco sul Naviglio", "IT"),
        ("Commune de Pornic", "FR"),
        ("commune de Brignoles", "FR"),
        ("Commune d'Angers", "FR"),
        ("ept Plaine Commune", "FR"),
    ],
)
def test_a_municipality_named_comune_or_commune_is_sub_central(name: str, country: str) -> None:
    assert _type_of(name, country) == "sub-central"


@pytest.mark.parametrize(
    "name",
    ["Centro Comune di Ricerca", "Centro Commune di Ricerca", "Fondo comune di investimento"],
)
def test_comune_as_the_adjective_common_is_no_municipality(name: str) -> None:
    # The EU's Joint Research Centre (Ispra) is no local authority.
    assert _type_of(name, "IT") is None
