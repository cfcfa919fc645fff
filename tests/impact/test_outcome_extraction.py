"""Outcomes read from OCDS releases and eForms result notices: what is published is kept,
what is missing is named as unknown, nothing is guessed and nothing crashes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_fixtures import FIXTURES, award, bid, party, release

from scanner.ingest.eforms import parse_eforms_notice
from scanner.ingest.ocds_outcomes import outcome_of_release
from scanner.ingest.outcome import Outcome
from scanner.ingest.ted_api import normalise_ted_xml
from scanner.ingest.tender_outcome import outcome_of_tender
from scanner.ingest.xml_eforms_outcomes import method_of_procedure_code

SUPPLIER = party("GB-COH-0101", "Quay Digital", roles=["supplier"], ident="0101", scale="sme")
RIVAL = party("GB-COH-0202", "Estuary Systems", roles=["tenderer"], ident="0202", scale="large")


def test_awards_bids_and_suppliers_are_read_through_parties() -> None:
    outcome = outcome_of_release(
        release(
            1,
            parties=[SUPPLIER, RIVAL],
            awards=[award("A1", [("GB-COH-0101", "Quay Digital")], amount=95_000)],
            bids=[
                bid("B1", "valid", [("GB-COH-0101", "Quay Digital")]),
                bid("B2", "disqualified", [("GB-COH-0202", "Estuary Systems")], amount=80_000),
            ],
        )
    )
    assert outcome.method == "open"
    assert outcome.method_details == "Open procedure"
    assert (outcome.bid_count, outcome.bid_count_field) == (1, "bids.details[].status")
    (won,) = outcome.awards
    assert (won.status, won.value_amount, won.currency) == ("active", Decimal("95000"), "GBP")
    (supplier,) = won.suppliers
    assert (supplier.key, supplier.name, supplier.scale) == ("GB-COH:0101", "Quay Digital", "sme")
    assert [b.status for b in outcome.bids] == ["valid", "disqualified"]
    assert outcome.bids[1].tenderers[0].key == "GB-COH:0202"
    assert outcome.period_start is not None and outcome.period_end is not None
    assert outcome.unknowns == ()


def test_bid_count_falls_back_from_unfinished_bids_to_number_of_tenderers() -> None:
    pending = release(2, bids=[bid("B1", "pending", [])], tenderers=3)
    outcome = outcome_of_release(pending)
    assert (outcome.bid_count, outcome.bid_count_field) == (3, "tender.numberOfTenderers")


def test_bid_statistics_give_per_lot_counts_and_a_tender_count_only_for_one_lot() -> None:
    stats = [
        {"id": "1", "measure": "bids", "value": 15, "relatedLot": "1"},
        {"id": "2", "measure": "finalStageBids", "value": 13, "relatedLot": "1"},
        {"id": "3", "measure": "bids", "value": 4, "relatedLot": "2"},
    ]
    two_lots = outcome_of_release(release(3, statistics=stats, lots=2))
    assert two_lots.lot_bid_counts == (("1", 15), ("2", 4))
    assert two_lots.bid_count is None  # several lots and no tender-wide figure
    one_lot = outcome_of_release(release(4, statistics=stats[:2], lots=1))
    assert (one_lot.bid_count, one_lot.bid_count_field) == (15, "bids.statistics[relatedLot]")
    valid = [*stats, {"id": "4", "measure": "validBids", "value": 2, "relatedLot": "2"}]
    assert dict(outcome_of_release(release(5, statistics=valid, lots=2)).lot_bid_counts)["2"] == 2


def test_partial_award_data_is_kept_and_named_as_unknown() -> None:
    nameless = party("GB-CFS-9", "Westmade Ltd", roles=["supplier"], ident=None, scale="large")
    outcome = outcome_of_release(
        release(
            6,
            parties=[nameless],
            awards=[
                award("A1", [], amount=None),  # no supplier, no value
                award("A2", [("GB-CFS-9", "Westmade Ltd")], amount=50_000),
            ],
            bids=[bid("B1", "valid", [], amount=None)],  # a bid without value
        )
    )
    assert len(outcome.awards) == 2
    assert outcome.awards[0].suppliers == () and outcome.awards[0].value_amount is None
    kept = outcome.awards[1].suppliers[0]
    assert (kept.key, kept.ref, kept.name, kept.scale) == (
        None,
        "GB-CFS-9",
        "Westmade Ltd",
        "large",
    )
    assert "award A1: no supplier" in outcome.unknowns
    assert "award A1: no value" in outcome.unknowns
    assert "award A2: supplier 'Westmade Ltd' has no identifier" in outcome.unknowns
    assert "bid B1: no value" in outcome.unknowns
    assert outcome.bids[0].value_amount is None  # never filled in from the award or estimate


def test_unknown_method_and_junk_fields_cost_only_themselves() -> None:
    junk: dict[str, Any] = release(7, method="tender by lottery")
    junk["awards"] = ["not an award", {"id": 3, "status": 5, "value": "lots", "suppliers": "x"}]
    junk["bids"] = {"details": {"id": "B", "status": "valid"}, "statistics": "none"}
    junk["tender"]["numberOfTenderers"] = "two"
    outcome = outcome_of_release(junk)
    assert outcome.method is None
    assert any("not in the OCDS codelist" in u for u in outcome.unknowns)
    assert outcome.awards[0].award_id == "3" and outcome.awards[0].status is None
    assert outcome.bid_count == 1  # the one bid object written for a list, status valid


def test_identifiers_agree_whatever_spacing_the_publisher_used() -> None:
    spaced = party("NO-1", "Securitas", roles=["supplier"], scheme="no-brc", ident=" 920 144 950 ")
    outcome = outcome_of_release(release(8, parties=[spaced], awards=[award("A", [("NO-1", "S")])]))
    assert outcome.awards[0].suppliers[0].key == "NO-BRC:920144950"


def test_outcome_json_round_trips_exactly() -> None:
    outcome = outcome_of_release(
        release(
            9,
            parties=[SUPPLIER],
            awards=[award("A1", [("GB-COH-0101", "Quay Digital")])],
            bids=[bid("B1", "valid", [("GB-COH-0101", "Quay Digital")])],
        )
    )
    again = Outcome.from_json(outcome.to_json())
    assert again == outcome
    assert again.content_hash() == outcome.content_hash()


def test_eforms_result_notice_gives_lot_results_winners_and_counts() -> None:
    tender = parse_eforms_notice((FIXTURES / "eforms_can_2lots_result.xml").read_bytes())
    outcome = outcome_of_tender(tender)
    assert outcome.method == "open"
    assert outcome.method_field == "cac:TenderingProcess/cbc:ProcedureCode"
    assert outcome.lot_bid_counts == (("LOT-0001", 2),)  # `tenders`, not `t-sme`
    assert outcome.bid_count is None  # two lots
    won = [a for a in outcome.awards if a.status == "active"]
    assert [(a.lot_ids, a.value_amount) for a in won] == [(("LOT-0001",), Decimal("45000"))]
    supplier = won[0].suppliers[0]
    assert (supplier.name, supplier.key, supplier.scale) == (
        "Quay Digital Ltd",
        "EFORMS-IRL:IE634512",
        "small",
    )
    assert [a.status for a in outcome.awards if a.lot_ids == ("LOT-0002",)] == ["unsuccessful"]
    assert outcome.contracts[0].award_id == "TEN-0001"
    # A count of unstated type is kept as unknown, never read as the number of tenders.
    assert any("unstated type" in u for u in outcome.unknowns)
    loser = next(b for b in outcome.bids if b.bid_id == "TEN-0002")
    assert loser.tenderers[0].key is None and loser.tenderers[0].name == "Estuary Systems"


def test_an_eforms_notice_fetched_by_the_ted_api_keeps_its_outcome() -> None:
    xml = (FIXTURES / "eforms_can_2lots_result.xml").read_bytes()
    tender = normalise_ted_xml({"publication-number": "00123456-2025"}, xml)
    assert tender.raw["format"] == "ted-api+eforms"
    outcome = outcome_of_tender(tender)
    assert outcome.method == "open" and outcome.lot_bid_counts == (("LOT-0001", 2),)


def test_eforms_procedure_codes_map_to_ocds_methods() -> None:
    assert method_of_procedure_code("restricted") == "selective"
    assert method_of_procedure_code("neg-wo-call") == "limited"
    assert method_of_procedure_code("oth-single") is None


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_fields = st.sampled_from(["tender", "awards", "bids", "parties", "contracts"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_fields, _json, max_size=5))
def test_any_json_gives_an_outcome_never_an_exception(data: dict[str, Any]) -> None:
    outcome = outcome_of_release({"ocid": "ocds-x", **data})
    assert Outcome.from_json(outcome.to_json()).content_hash() == outcome.content_hash()
