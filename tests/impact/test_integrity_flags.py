"""Each integrity flag: fires on its pattern, stays quiet just outside its threshold, and its
evidence names the fields it read. Pure: records in, flags out."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from scanner.integrity import (
    RULES,
    AwardRecord,
    BidRecord,
    Flag,
    IntegrityConfig,
    IntegrityConfigError,
    SupplierRecord,
    TenderRecord,
    Threshold,
    detect,
    flag_json,
    load_integrity_config,
    peer_rates,
    rules,
)
from scanner.settings import PROJECT_ROOT

DAY = datetime(2026, 10, 1, tzinfo=UTC)
QUAY = SupplierRecord(key="GB-COH:0101", name="Quay Digital", scale="sme", ref="GB-COH-0101")
ESTUARY = SupplierRecord(key="GB-COH:0202", name="Estuary", scale="large", ref="GB-COH-0202")
CONFIG = IntegrityConfig(
    thresholds=(Threshold("GBP", Decimal("30000"), "UK below-threshold band", "PA 2023 s.86"),)
)


def tender(n: int, **fields: object) -> TenderRecord:
    base: dict[str, object] = {
        "tender_id": n,
        "source": "test",
        "title": f"Tender {n}",
        "buyer_id": "GB-B-1",
        "buyer_name": "Riverside Council",
        "published_at": DAY,
        "value": Decimal("100000"),
        "currency": "GBP",
        "main_cpv": "72200000",
        "has_outcome": True,
        "method": "open",
        "method_field": "tender.procurementMethod",
    }
    base.update(fields)
    return TenderRecord(**base)  # type: ignore[arg-type]


def won(value: str | None, supplier: SupplierRecord = QUAY, day: datetime = DAY) -> AwardRecord:
    return AwardRecord(
        status="active",
        date=day,
        value=Decimal(value) if value else None,
        currency="GBP",
        suppliers=(supplier,),
    )


def codes(records: list[TenderRecord], config: IntegrityConfig = CONFIG) -> dict[int, set[str]]:
    return {tid: {f.code for f in flags} for tid, flags in detect(records, config).items()}


def test_single_bid_only_in_competitive_procedures_with_one_bid() -> None:
    found = codes([
        tender(1, bid_count=1, bid_count_field="tender.numberOfTenderers"),
        tender(2, bid_count=2, bid_count_field="tender.numberOfTenderers"),
        tender(3, method="direct", bid_count=1),
        tender(4, bid_count=None),
        tender(5, method="selective", lot_count=2, lot_bid_counts=(("1", 3), ("2", 1))),
    ])  # fmt: skip
    assert {tid for tid, c in found.items() if "single_bid" in c} == {1, 5}
    evidence = detect([tender(1, bid_count=1, bid_count_field="tender.numberOfTenderers")], CONFIG)
    assert "tender.numberOfTenderers" in evidence[1][0].evidence
    assert "tender.procurementMethod" in evidence[1][0].evidence


def test_short_submission_period_in_whole_days_with_per_procedure_thresholds() -> None:
    def period(n: int, days: float, details: str | None = None) -> TenderRecord:
        return tender(n, period_start=DAY, deadline_at=DAY + timedelta(days=days),
                      method_details=details)  # fmt: skip

    found = codes([period(1, 14.9), period(2, 15), period(3, 5, "quick")])
    assert "short_submission_period" in found[1] and 2 not in found
    assert "short_submission_period" in found[3]
    local = replace(CONFIG, short_period_by_details=(("quick", 3),))
    assert 3 not in codes([period(3, 5, "quick")], local)
    # Without tenderPeriod.startDate the publication date is the start, and the evidence says so.
    (flag,) = detect([tender(9, deadline_at=DAY + timedelta(days=2))], CONFIG)[9]
    assert "publication date (no tenderPeriod.startDate)" in flag.evidence


def test_non_open_procedure_above_the_lowest_threshold_only() -> None:
    found = codes([
        tender(1, method="direct", value=Decimal("29999")),
        tender(2, method="direct", value=Decimal("30000")),
        tender(3, method="limited", value=None),
        tender(4, method="direct", currency="XTS"),  # no threshold known for the currency
        tender(5, method="open"),
    ])  # fmt: skip
    flagged = {tid for tid, c in found.items() if "non_open_procedure" in c}
    assert flagged == {2, 3, 4}
    (flag,) = detect([tender(4, method="direct", currency="XTS")], CONFIG)[4]
    assert "no threshold known for XTS" in flag.evidence


def test_close_to_estimate_compares_the_awarded_total_with_the_estimate() -> None:
    found = codes([
        tender(1, awards=(won("95000"),)),
        tender(2, awards=(won("94999"),)),
        tender(3, awards=(won("120000"),)),  # above the estimate
        tender(4, method="direct", awards=(won("100000"),)),  # not competitive
        tender(5, awards=(won(None),)),  # a value unknown: not compared
    ])  # fmt: skip
    flagged = {tid for tid, c in found.items() if "close_to_estimate" in c}
    assert flagged == {1, 3}
    (flag,) = detect([tender(1, awards=(won("95000"),))], CONFIG)[1]
    assert "awards[].value.amount" in flag.evidence and "tender.value.amount" in flag.evidence


def test_all_but_winner_disqualified_follows_cardinal_r035() -> None:
    def bids(*pairs: tuple[str, SupplierRecord | None]) -> tuple[BidRecord, ...]:
        return tuple(
            BidRecord(status, Decimal("1"), "GBP", (who,) if who else ()) for status, who in pairs
        )

    flagged = tender(1, bids=bids(("valid", QUAY), ("disqualified", ESTUARY)), awards=(won("1"),))
    competed = tender(2, bids=bids(("valid", QUAY), ("valid", ESTUARY)), awards=(won("1"),))
    unnamed = tender(3, bids=bids(("valid", QUAY), ("disqualified", None)), awards=(won("1"),))
    pending = replace(flagged, tender_id=4, awards=(replace(won("1"), status="pending"),))
    found = codes([flagged, competed, unnamed, pending])
    assert {t for t, c in found.items() if "all_but_winner_disqualified" in c} == {1}


def test_repeat_winner_needs_count_and_share_within_the_window() -> None:
    quay = [tender(n, awards=(won("1000", day=DAY + timedelta(days=n)),)) for n in range(3)]
    other = tender(10, awards=(won("1000", ESTUARY),))
    found = codes([*quay, other])
    assert all("repeat_winner" in found[n] for n in range(3))
    assert "repeat_winner" not in found.get(10, set())
    # Three of seven awards is under half: not flagged (nobody else has three).
    third = SupplierRecord(key="GB-COH:0303", name="Harbour", ref="GB-COH-0303")
    winners = [QUAY, ESTUARY, third, QUAY, ESTUARY, third, QUAY]
    crowd = [tender(20 + n, awards=(won("1", who),)) for n, who in enumerate(winners)]
    assert not any("repeat_winner" in c for c in codes(crowd).values() if c)
    # Spread over more than the window: not flagged.
    spread = [tender(n, awards=(won("1", day=DAY + timedelta(days=200 * n)),)) for n in range(3)]
    assert not any("repeat_winner" in c for c in codes(spread).values())
    (flag,) = detect(quay, CONFIG)[0]
    assert "awards[].suppliers[].identifier" in flag.evidence and "awards[].date" in flag.evidence


def test_split_below_threshold_needs_a_cluster_that_reaches_the_threshold() -> None:
    def near(n: int, value: str, days: int = 0, cpv: str = "72200000") -> TenderRecord:
        return tender(n, method="direct", value=Decimal(value), main_cpv=cpv,
                      published_at=DAY + timedelta(days=days))  # fmt: skip

    cluster = [near(1, "29000"), near(2, "27000", 10), near(3, "28500", 20)]
    found = codes(cluster)
    assert all("split_below_threshold" in found[n] for n in (1, 2, 3))
    assert not _split(codes([near(1, "29000"), near(2, "27000", 10)]))  # two are not many
    assert not _split(codes([near(1, "29000"), near(2, "27000", 10), near(3, "28500", 200)]))
    assert not _split(codes([near(1, "29000"), near(2, "24000", 10), near(3, "28500", 20)]))
    other_work = [near(1, "29000"), near(2, "27000", 10), near(3, "28500", 20, cpv="45000000")]
    assert not _split(codes(other_work))
    (flag,) = [f for f in detect(cluster, CONFIG)[1] if f.code == "split_below_threshold"]
    assert "PA 2023 s.86" in flag.evidence and "tender.value.amount" in flag.evidence
    assert "tender.items[].classification" in flag.evidence


def _split(found: dict[int, set[str]]) -> bool:
    return any("split_below_threshold" in c for c in found.values())


def test_patterns_are_per_buyer() -> None:
    a = [tender(n, awards=(won("1000", day=DAY + timedelta(days=n)),)) for n in range(2)]
    b = [tender(9, buyer_id="GB-B-2", awards=(won("1000"),))]
    assert not any("repeat_winner" in c for c in codes([*a, *b]).values())


def test_every_flag_has_a_definition_a_source_and_exactly_the_checked_json_fields() -> None:
    for rule in RULES:
        described = rule.describe(CONFIG)
        assert described["definition"] and described["threshold"] and described["source"]
    (flag,) = detect([tender(1, bid_count=1, bid_count_field="x")], CONFIG)[1]
    assert set(flag_json(flag)) == {"code", "title", "evidence", "source"}
    assert "R018" in flag_json(flag)["source"]


def test_each_buyer_rate_is_given_beside_its_peers() -> None:
    records = [tender(n, buyer_id=f"B{n % 2}", bid_count=1 if n < 5 else 2) for n in range(10)]
    rates = peer_rates(records, detect(records, CONFIG), CONFIG)
    assert rates["buyers"]["B0"]["single_bid"] == pytest.approx(0.6)
    assert rates["buyers"]["B1"]["single_bid"] == pytest.approx(0.4)
    assert rates["peer_median"]["single_bid"] == pytest.approx(0.5)
    assert rates["pooled"]["single_bid"] == pytest.approx(0.5)


def test_shipped_configuration_loads_and_bad_ones_name_the_key(tmp_path: Path) -> None:
    shipped = load_integrity_config(PROJECT_ROOT / "config" / "integrity.toml")
    assert shipped.short_period_days == 15 and shipped.thresholds_for("UAH", "44000000")
    bad = tmp_path / "integrity.toml"
    bad.write_text("[repeat_winner]\nmin_share = 2\n")
    with pytest.raises(IntegrityConfigError, match="min_share"):
        load_integrity_config(bad)
    bad.write_text('[[thresholds]]\ncurrency = "GBP"\namount = "-1"\nlabel = "x"\nsource = "y"\n')
    with pytest.raises(IntegrityConfigError, match=r"thresholds\[0\].amount"):
        load_integrity_config(bad)
    with pytest.raises(IntegrityConfigError, match="not found"):
        load_integrity_config(tmp_path / "missing.toml")


def _split_reference(tenders: list[TenderRecord], config: IntegrityConfig) -> list[Flag]:
    """`split_below_threshold` as it was before it skipped clusters already flagged (issue
    16): every start of every cluster, each member flagged by its first cluster."""
    window = timedelta(days=config.split_window_days)
    groups: dict[tuple[str, Threshold], list[tuple[datetime, TenderRecord, Decimal, str]]]
    groups = defaultdict(list)
    for t in tenders:
        kind = (t.main_cpv or "")[: config.split_cpv_digits]
        value, field = rules._value(t)
        date = min((a.date for a in t.active_awards if a.date), default=None) or t.published_at
        if len(kind) < config.split_cpv_digits or value is None or field is None or date is None:
            continue
        for threshold in config.thresholds_for(t.currency, t.main_cpv):
            floor = threshold.amount * (1 - Decimal(str(config.split_margin)))
            if floor <= value < threshold.amount:
                groups[(kind, threshold)].append((date, t, value, field))
    found: dict[int, Flag] = {}
    for (kind, threshold), items in groups.items():
        items.sort(key=lambda item: item[0])
        dates = [item[0] for item in items]
        for first, start in enumerate(dates):
            last = bisect_right(dates, start + window) - 1
            cluster = items[first : last + 1]
            total = sum((value for _, _, value, _ in cluster), Decimal(0))
            if len(cluster) < config.split_min_awards or total < threshold.amount:
                continue
            fields = tuple(sorted({field for *_, field in cluster}))
            floor = threshold.amount * (1 - Decimal(str(config.split_margin)))
            evidence = (
                f"{len(cluster)} tenders for the same kind of work (CPV {kind}*, "
                f"tender.items[].classification) from {dates[first]:%Y-%m-%d} to "
                f"{dates[last]:%Y-%m-%d}, each between "
                f"{rules._money(floor, threshold.currency)}"
                f" and {rules._money(threshold.amount, threshold.currency)} ({threshold.label}; "
                f"{threshold.source}); together {rules._money(total, threshold.currency)} "
                f"({', '.join(fields)}); window {config.split_window_days} days"
            )
            for _, t, _, _ in cluster:
                found.setdefault(
                    t.tender_id,
                    Flag(
                        "split_below_threshold",
                        t.tender_id,
                        evidence,
                        (*fields, "tender.items[].classification"),
                    ),
                )
    return list(found.values())


def test_split_below_threshold_flags_each_tender_from_its_first_cluster() -> None:
    """Skipping a cluster whose members an earlier cluster of the same group already flagged
    (issue 16: hundreds of tenders on one day made the rule quadratic) changes no flag: random
    buyers' records, many on the same day, beside the rule as it was."""
    config = IntegrityConfig(
        thresholds=(
            Threshold("GBP", Decimal("30000"), "UK band", "PA 2023"),
            Threshold("GBP", Decimal("139688"), "UK central", "PCR 2015"),
            Threshold("EUR", Decimal("140000"), "EU central", "2014/24/EU"),
        )
    )
    rng = random.Random(16)
    flagged = 0
    for _ in range(80):
        records = [
            tender(
                n + 1,
                value=Decimal(rng.choice(("26000", "28500", "29999", "30000", "125000", "5000"))),
                currency=rng.choice(("GBP", "GBP", "EUR")),
                main_cpv=rng.choice(("72200000", "72500000", "79530000", "45000000")),
                published_at=DAY + timedelta(days=rng.choice((0, 0, 0, 10, 45, 89, 90, 91, 200))),
                awards=(won("29000", day=DAY + timedelta(days=rng.randint(0, 120))),)
                if rng.random() < 0.1
                else (),
            )
            for n in range(rng.randint(1, 120))
        ]
        expected = sorted(_split_reference(records, config), key=lambda f: f.tender_id)
        assert sorted(rules.split_below_threshold(records, config), key=lambda f: f.tender_id) == (
            expected
        )
        flagged += len(expected)
    assert flagged > 100  # the clusters were there to find
