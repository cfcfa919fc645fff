"""Any tender, however broken, gets an assessment: never an exception, always consistent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.splitter import assess, load_thresholds

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(max_size=60)
words = st.sampled_from(
    [
        "discovery",
        "alpha",
        "beta",
        "live",
        "Lot 1:",
        "Phase 2 -",
        "single supplier",
        "; ",
        "\n- ",
        "36 months",
        "open source",
        "Ներդրում",
        "调查",
        "agile",
    ]
)
prose = st.lists(st.one_of(texts, words), max_size=12).map(" ".join)
amounts = st.one_of(
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [Decimal("-1"), Decimal("0"), Decimal("1e300"), Decimal("135018"), Decimal("2e6")]
    ),
)
codes = st.one_of(st.from_regex(r"\A[0-9]{8}\Z"), texts)
classifications = st.builds(
    Classification, scheme=st.sampled_from(["CPV", "UNSPSC", ""]), code=codes
)
regions = st.lists(
    st.sampled_from(["UKM", "UKM8", "UKL12", "UKL", "", "FR101"]) | texts, max_size=3
)
items = st.builds(
    Item,
    id=st.text(min_size=1, max_size=5),
    description=st.none() | prose,
    classifications=st.lists(classifications, max_size=2).map(tuple),
    related_lot=st.none() | st.sampled_from(["1", "2"]),
    regions=regions.map(tuple),
)
lots = st.builds(
    Lot,
    lot_id=st.sampled_from(["1", "2", "3"]),
    title=st.none() | texts,
    value_amount=amounts,
    currency=st.none() | st.sampled_from(["GBP", "EUR"]),
    related_items=st.lists(st.text(max_size=3), max_size=2).map(tuple),
)
moments = st.none() | st.datetimes(timezones=st.none() | st.just(UTC))
periods: st.SearchStrategy[Any] = st.fixed_dictionaries(
    {},
    optional={
        "durationInDays": st.one_of(st.integers(-10, 10**6), st.floats(), st.text(max_size=3)),
        "startDate": st.sampled_from(["2026-01-01", "2026-01-01T00:00:00Z", "nonsense"]),
        "endDate": st.sampled_from(["2030-01-01", "2030-01-01T00:00:00+01:00", ""]),
    },
)
raws = st.one_of(
    st.just({}),
    st.builds(
        lambda p, lp: {"tender": {"contractPeriod": p, "lots": [{"contractPeriod": lp}]}},
        periods,
        periods,
    ),
    st.just({"tender": "not an object"}),
)
tenders = st.builds(
    NormalisedTender,
    source=st.just("prop"),
    source_key=st.just("k"),
    title=texts,
    description=st.none() | prose,
    value_amount=amounts,
    currency=st.none() | st.sampled_from(["GBP", "EUR", "USD", "PYG", "gbp"]) | texts,
    published_at=moments,
    deadline_at=moments,
    main_cpv=st.none() | codes,
    cpv_codes=st.lists(codes, max_size=3).map(tuple),
    regions=regions.map(tuple),
    countries=st.lists(st.sampled_from(["GB", "FR", "US", "PY"]), max_size=2).map(tuple),
    items=st.lists(items, max_size=6).map(tuple),
    lots=st.lists(lots, max_size=3).map(tuple),
    raw=raws,
)


@FAST
@given(tenders)
def test_any_tender_gets_a_consistent_assessment(tender: NormalisedTender) -> None:
    result = assess(tender, now=NOW, thresholds=THRESHOLDS)
    assert result.status in ("assessed", "insufficient data")
    assert 0.0 <= result.score <= 1.0
    assert 0.0 <= result.civic_friendliness <= 1.0
    assert result.rules_version == THRESHOLDS.rules_version
    assert all(s.reason and s.source for s in result.signals)
    assert all(p.reason and p.title and p.strategy for p in result.packages)
    assert result.should_split == any(not p.optional for p in result.packages)
    if result.should_split:
        assert result.status == "assessed" and len(result.packages) >= 2
    if result.status == "insufficient data":
        assert result.insufficient_reason
    values = [p.estimated_value for p in result.packages]
    if not tender.lots and result.aggregated_value is not None and values and None not in values:
        total = sum(v for v in values if v is not None)
        assert abs(total - result.aggregated_value) <= Decimal("0.01")
    else:
        assert all(v is None or v.is_finite() for v in values)
