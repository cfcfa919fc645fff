"""What a notice is for, and which of its values one supplier would be awarded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.ingest.purpose import purpose_of
from scanner.ingest.tender import Lot, NormalisedTender
from scanner.matching.value_basis import amounts_in, value_basis


def tender(title: str, description: str = "", **fields: object) -> NormalisedTender:
    base: dict[str, object] = {
        "source": "test", "source_key": "k", "title": title, "description": description,
        "value_amount": Decimal(1_000_000), "currency": "EUR",
    }  # fmt: skip
    base.update(fields)
    return NormalisedTender(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "fields", "kind"),
    [
        ("Contributo a fondo perduto per le imprese del commercio", {}, "grant"),
        ("Bando: contributi per la digitalizzazione delle PMI", {}, "grant"),
        ("Call for proposals: community energy fund", {}, "grant"),
        ("Förderprogramm Digitalisierung", {"cpv_codes": ("79000000",)}, "grant"),
        ("Грант на розвиток малого бізнесу", {}, "grant"),
        ("Vendita di un'autovettura di servizio", {}, "sale"),
        ("Concessione di posteggi nel mercato settimanale", {}, "concession"),
        ("Grant management system", {"cpv_codes": ("72000000",)}, "procurement"),
        (
            "Grant management system",
            {"raw": {"tender": {"procurementMethod": "open"}}},
            "procurement",
        ),
        ("Contributo", {"raw": {"format": "eforms"}}, "procurement"),
        ("Servizio di manutenzione del verde", {"cpv_codes": ("77310000",)}, "procurement"),
        ("Fornitura di arredi", {}, "procurement"),
        # A grant word as the subject of a purchase, with no field to say so: words of buying.
        (
            "Statement of Objectives: Community Grants Management Modernization",
            {"description": "The contractor delivers a new grants portal."},
            "procurement",
        ),
    ],
)
def test_purpose_with_its_evidence(title: str, fields: dict[str, object], kind: str) -> None:
    found = purpose_of(tender(title, **fields))
    assert found.kind == kind and found.evidence
    assert found.procurement == (kind == "procurement")


def test_amounts_as_publishers_write_them() -> None:
    text = "da € 150.000 a € 5.000.000 per operatore; £82.9m fund; 2,5 milioni di euro; 40k GBP"
    assert [a for _p, a in amounts_in(text)] == [
        Decimal(150000), Decimal(5000000), Decimal("82900000.0"), Decimal("2500000.0"),
        Decimal(40000),
    ]  # fmt: skip


def test_contract_framework_dps_fund_and_range() -> None:
    plain = value_basis(tender("Website redesign"))
    assert (plain.kind, plain.per_award) == ("contract", Decimal(1_000_000))
    framework = value_basis(
        tender("Digital services", raw={"tender": {"techniques": {
            "hasFrameworkAgreement": True, "frameworkAgreement": {"maximumParticipants": 6}}}})
    )  # fmt: skip
    # Shared by a known number of suppliers: an even share to the whole ceiling.
    assert framework.kind == "ceiling" and framework.per_award == Decimal(1_000_000)
    assert framework.per_award_low == Decimal(1_000_000) / 6
    assert framework.note == "framework ceiling 1m, shared by up to 6 suppliers: 167k-1m each"
    alone = value_basis(tender("Digital services", raw={"framework": True}))
    assert alone.kind == "framework" and alone.per_award is None
    worded = value_basis(tender("Accordo quadro per servizi di pulizia"))
    assert worded.kind == "framework" and worded.per_award is None
    dps = value_basis(tender("Dynamic purchasing system for home care"))
    assert dps.kind == "dps" and dps.per_award is None
    grant = value_basis(tender("Contributo a fondo perduto per le imprese"))
    assert grant.kind == "fund" and grant.per_award is None and grant.total == Decimal(1_000_000)
    ranged = value_basis(
        tender("Framework for research", "Call-offs from £150,000 to £5,000,000 per supplier.")
    )
    assert ranged.kind == "range"
    assert (ranged.per_award_low, ranged.per_award) == (Decimal(150000), Decimal(5000000))
    capped = value_basis(tender("Bando", "Contributo fino a € 50.000 per impresa"))
    assert capped.per_award == Decimal(50000) and "per impresa" in capped.note
    lot = Lot("1", "Lot 1", None, Decimal(60000), "EUR")
    assert value_basis(tender("Works", lots=(lot,)), lot).per_award == Decimal(60000)
    assert value_basis(tender("Works", value_amount=None)).kind == "unknown"
    cf = value_basis(tender("Support", raw={"tender": {"minValue": {"amount": 100000}}}))
    assert (cf.kind, cf.per_award_low, cf.per_award) == (
        "range",
        Decimal(100000),
        Decimal(1_000_000),
    )


def test_framework_facts_of_real_eforms_and_ted_notices() -> None:
    from required import SHARED_DIR, require_shared

    from scanner.ingest.eforms import parse_eforms_notice
    from scanner.ingest.ted_xml import parse_ted_notice

    eforms = require_shared(
        SHARED_DIR / "samples" / "multi-lot-eforms" / "ted_565069-2023_NLD_cn21_2lots.xml"
    )
    notice = parse_eforms_notice(eforms.read_bytes(), source="ted")
    assert notice.raw["framework"] is True and notice.raw["framework_max"] == 11_200_000
    basis = value_basis(notice)
    assert basis.kind == "framework" and basis.per_award is None
    ted = require_shared(
        SHARED_DIR / "samples" / "multi-lot-ted-xml" / "ted_20-259392_EN_F02_4lots.xml"
    )
    old = parse_ted_notice(ted.read_bytes(), source="ted")
    assert (old.raw["framework"], old.raw["max_participants"]) == (True, 30)
    # Four lots, each a framework of up to 30 suppliers: the whole runs from a share of
    # its smallest lot to its largest lot.
    whole = value_basis(old)
    assert whole.kind == "ceiling" and whole.evidence == ("lot values",)
    shares = [value_basis(old, lot).per_award_low for lot in old.lots]
    assert whole.per_award_low == min(s for s in shares if s is not None)
    assert whole.per_award == max(lot.value_amount or 0 for lot in old.lots)
    plain = require_shared(
        SHARED_DIR / "samples" / "multi-lot-ted-xml" / "ted_20-213571_EN_F02_2lots.xml"
    )
    assert "framework" not in parse_ted_notice(plain.read_bytes(), source="ted").raw


def lots(*values: int | None) -> tuple[Lot, ...]:
    return tuple(
        Lot(str(n), f"Lot {n}", None, None if v is None else Decimal(v), "EUR")
        for n, v in enumerate(values, start=1)
    )


def test_divided_tender_runs_from_its_smallest_lot_to_its_largest() -> None:
    divided = tender("Application maintenance", lots=lots(3_000_000, 119_000_000, 41_000_000))
    whole = value_basis(divided)
    assert (whole.kind, whole.per_award_low, whole.per_award) == (
        "range", Decimal(3_000_000), Decimal(119_000_000)
    )  # fmt: skip
    assert whole.total == Decimal(1_000_000)  # the published total stays beside it
    assert whole.note.startswith("3 lots of 3m-119m; the smallest, the least one supplier")
    # Each lot is still read on its own value.
    assert value_basis(divided, divided.lots[0]).per_award == Decimal(3_000_000)
    # Framework lots shared by 4: the smallest lot's even share is the least.
    shared = tender("TMA", lots=lots(3_000_000, 19_000_000), raw={"framework": True,
                                                                  "max_participants": 4})  # fmt: skip
    assert value_basis(shared).per_award_low == Decimal(750_000)
    assert value_basis(shared).kind == "ceiling"
    assert "framework ceiling 3m, shared by up to 4 suppliers" in value_basis(shared).note


def test_lots_without_values_are_some_part_of_the_total() -> None:
    divided = tender("MyGuichet", lots=lots(None, None, None), value_amount=Decimal(1_188_000))
    whole = value_basis(divided)
    one = value_basis(divided, divided.lots[1])
    # The whole and each lot read the same: up to the total, never exactly it.
    assert (whole.kind, whole.per_award, whole.per_award_low) == (
        "ceiling",
        Decimal(1_188_000),
        None,
    )
    assert (one.kind, one.per_award) == ("ceiling", Decimal(1_188_000))
    assert one.note == "1.19m for all 3 lots, none valued: this lot is some part of it"
    # Some lots valued, some not: each read on its own, the whole as published.
    mixed = tender("Works", lots=lots(60_000, None))
    assert value_basis(mixed).kind == "contract"
    assert value_basis(mixed, mixed.lots[1]).kind == "unknown"
    # One lot is no division; a grant's lots are not read as awards.
    assert value_basis(tender("Works", lots=lots(None))).kind == "contract"
    assert value_basis(tender("Contributo a fondo perduto", lots=lots(5, 6))).kind == "fund"
