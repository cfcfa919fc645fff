"""Impact figures and case studies on records built here: each definition checked on a case
small enough to compute by hand, including the unknowns that must not be guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from scanner.integrity import (
    AwardRecord,
    IntegrityConfig,
    SupplierRecord,
    TenderRecord,
    case_studies,
    cases_markdown,
    detect,
    figures,
    impact_report,
)
from scanner.integrity.impact import divided_vs_undivided, period_of

DAY = datetime(2026, 10, 1, tzinfo=UTC)
A = SupplierRecord(key="GB-COH:1", name="Alpha", scale="micro")
B = SupplierRecord(key="GB-COH:2", name="Beta", scale="large")
NO_ID = SupplierRecord(key=None, name="Gamma", scale=None, ref="GB-CFS-3")


def t(n: int, **fields: object) -> TenderRecord:
    base: dict[str, object] = {
        "tender_id": n,
        "source": "test",
        "title": f"Tender {n}",
        "buyer_id": "B1",
        "buyer_name": "Riverside",
        "published_at": DAY,
        "currency": "GBP",
        "value": Decimal("1000"),
        "main_cpv": "72200000",
        "has_outcome": True,
        "method": "open",
    }
    base.update(fields)
    return TenderRecord(**base)  # type: ignore[arg-type]


def won(value: str | None, *suppliers: SupplierRecord, currency: str = "GBP") -> AwardRecord:
    amount = Decimal(value) if value is not None else None
    return AwardRecord("active", DAY, amount, currency, tuple(suppliers))


def test_rates_follow_the_checked_definitions() -> None:
    records = [
        t(1, bid_count=1),
        t(2, bid_count=3),
        t(3, method="selective", bid_count=None),  # competitive, count unknown: not in the rate
        t(4, method="direct"),
        t(5, method="limited"),
        t(6, method=None),  # unknown method: neither competitive nor direct
        t(7, lot_count=3, bid_count=2),
    ]
    f = figures(records)
    assert f["tenders"] == 7
    assert f["competitive_tenders"] == 4
    assert (f["bid_count_known"], f["single_bid_tenders"]) == (3, 1)
    assert f["single_bid_rate"] == pytest.approx(1 / 3, abs=1e-6)
    assert f["direct_award_share"] == pytest.approx(2 / 7, abs=1e-6)
    assert f["lotted_share"] == pytest.approx(1 / 7, abs=1e-6)
    assert f["lotted_value_share"] == pytest.approx(1 / 7, abs=1e-6)
    assert f["method_unknown"] == 1


def test_concentration_and_small_suppliers_by_awarded_value() -> None:
    records = [
        t(1, awards=(won("600", A),)),
        t(2, awards=(won("300", B),)),
        t(3, awards=(won("100", NO_ID),)),  # unidentified: in the total, never a supplier
        t(4, awards=(won(None, A),)),  # no value: counted, not summed
        t(5, awards=(won("999", A, currency="EUR"),)),  # another currency: counted, not summed
    ]
    f = figures(records)
    assert f["awarded_value"] == "1000.00" and f["award_currency"] == "GBP"
    assert (f["top_supplier_id"], f["top_supplier_share"]) == ("GB-COH:1", 0.6)
    assert f["hhi"] == pytest.approx(0.6**2 + 0.3**2)
    assert f["unidentified_value_share"] == pytest.approx(0.1)
    assert (f["awards_without_value"], f["awards_other_currency"]) == (1, 1)
    assert f["size_known_value_share"] == pytest.approx(0.9)
    assert f["small_supplier_share"] == pytest.approx(600 / 900)


def test_a_joint_award_is_one_winner_and_size_needs_every_member() -> None:
    f = figures([t(1, awards=(won("100", A, B),)), t(2, awards=(won("100", A),))])
    assert f["suppliers"] == 2 and f["top_supplier_share"] == 0.5
    assert f["small_supplier_share"] == 0.5  # the joint award has a large member


def test_every_rate_is_unknown_without_a_denominator() -> None:
    f = figures([t(1, method="direct", value=None)])
    assert f["single_bid_rate"] is None and f["top_supplier_share"] is None
    assert f["small_supplier_share"] is None and f["hhi"] is None
    assert f["lotted_value_share"] is None


def test_periods_and_divided_vs_undivided_bids() -> None:
    assert period_of(t(1), "month") == "2026-10"
    assert period_of(t(1), "quarter") == "2026-Q4" and period_of(t(1), "year") == "2026"
    assert period_of(t(1, published_at=None), "month") == "unknown"
    rows = divided_vs_undivided(
        [
            t(1, lot_count=2, lot_bid_counts=(("1", 4), ("2", 2))),
            t(2, bid_count=1),
            t(3, bid_count=2),
            t(4, main_cpv="45000000", bid_count=5),
        ]
    )
    by_division = {r["cpv_division"]: r for r in rows}
    assert by_division["72"]["divided_mean_bids_per_lot"] == 3.0
    assert by_division["72"]["undivided_mean_bids"] == 1.5
    assert by_division["72"]["comparable"] and not by_division["45"]["comparable"]


def test_report_keeps_the_checked_buyer_fields_and_peers_over_all_buyers() -> None:
    records = [t(n, buyer_id=f"B{n % 3}", bid_count=1 + n % 2) for n in range(15)]
    config = IntegrityConfig()
    flags = detect(records, config)
    report = impact_report(records, flags, config, buyer_keys={"B1"})
    assert [b["id"] for b in report["buyers"]] == ["B1"]
    assert set(report["buyers"][0]) == {
        "id", "name", "tenders", "competitive_tenders", "single_bid_rate",
        "direct_award_share", "lotted_share", "top_supplier_share",
    }  # fmt: skip
    assert report["peers"]["buyers"] == 3  # the peers are every buyer, not the one shown
    assert report["overall"]["tenders"] == 5


def test_case_studies_pair_divided_and_undivided_work_of_the_same_kind() -> None:
    divided = t(1, lot_count=3, value=Decimal("90000"), lot_bid_counts=(("1", 4), ("2", 3)),
                awards=(won("30000", A), won("28000", A)))  # fmt: skip
    alike = t(2, value=Decimal("80000"), bid_count=1, awards=(won("79000", B),))
    other_buyer = t(3, buyer_id="B9", value=Decimal("85000"), bid_count=2)
    far_work = t(4, main_cpv="45000000", value=Decimal("90000"))
    cases = case_studies([divided, alike, other_buyer, far_work], {})
    assert len(cases) == 1
    case = cases[0]
    assert (case["divided"]["tender_id"], case["undivided"]["tender_id"]) == (1, 2)
    assert "same buyer: Riverside" in case["why_comparable"]
    assert case["divided"]["bids_per_lot"] == 3.5 and case["undivided"]["bid_count"] == 1
    assert case["divided"]["small_supplier_awards"] == 2
    assert case["undivided"]["small_supplier_awards"] == 0
    markdown = cases_markdown(cases, "A flag is a reason to look.", "Cases")
    assert "| bids per lot | 3.5 | unknown |" in markdown
    assert "A flag is a reason to look." in markdown
    assert "No comparable pair" in cases_markdown([], "n", "Cases")
