"""parse_datetime / format_window: the date formats sources really use, in the right zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scanner.ingest.dates import format_window, parse_datetime


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-11-05T12:00:00+00:00", "UTC", utc(2026, 11, 5, 12)),
        ("2026-10-06T17:59:32+01:00", "UTC", utc(2026, 10, 6, 16, 59, 32)),
        ("2025-01-23T16:33:12Z", "UTC", utc(2025, 1, 23, 16, 33, 12)),
        ("2025-01-23T16:33:12.123z", "UTC", utc(2025, 1, 23, 16, 33, 12, 123000)),
        ("2016-03-15T07:30:00-04:00", "UTC", utc(2016, 3, 15, 11, 30)),
        # naive: read in the source's zone, DST-correct
        ("2026-07-13T10:00:00", "Europe/London", utc(2026, 7, 13, 9)),  # BST
        ("2026-01-13T10:00:00", "Europe/London", utc(2026, 1, 13, 10)),  # GMT
        ("2026-03-29T00:30:00", "Europe/London", utc(2026, 3, 29, 0, 30)),  # before the change
        ("2026-07-13 10:00", "UTC", utc(2026, 7, 13, 10)),
        ("2026-07-13", "UTC", utc(2026, 7, 13)),
        ("2026-07-13", "Europe/Paris", utc(2026, 7, 12, 22)),
        ("20260713", "UTC", utc(2026, 7, 13)),
        ("2026-07-13+02:00", "UTC", utc(2026, 7, 12, 22)),  # TED: date with offset
        ("2026-07-13Z", "UTC", utc(2026, 7, 13)),
        # AusTender portal format; the suffix names the zone (AEST in May)
        ("11-May-2026 10:00 am (ACT Local Time)", "UTC", utc(2026, 5, 11, 0)),
        ("11-May-2026 2:30 PM", "Australia/Perth", utc(2026, 5, 11, 6, 30)),
        ("11-May-2026", "UTC", utc(2026, 5, 11)),
        ("2026-05-11 10:00 (ACT Local Time)", "UTC", utc(2026, 5, 11, 0)),
        ("2026-05-11T10:00:00 GMT", "Europe/Paris", utc(2026, 5, 11, 10)),
        ("20/02/2026 14:05 (UK Local Time)", "UTC", utc(2026, 2, 20, 14, 5)),
        ("5 March 2026", "UTC", utc(2026, 3, 5)),
        # SAM.gov MM/dd/yyyy and UK dd/MM/yyyy when unambiguous
        ("02/20/2026", "UTC", utc(2026, 2, 20)),
        ("20/02/2026", "UTC", utc(2026, 2, 20)),
        ("20/02/2026 14:05", "Europe/London", utc(2026, 2, 20, 14, 5)),
        ("07/07/2026", "UTC", utc(2026, 7, 7)),
        # RSS (RFC 2822)
        ("Mon, 11 May 2026 10:00:00 +1000", "UTC", utc(2026, 5, 11, 0)),
        ("Mon, 11 May 2026 10:00:00 GMT", "UTC", utc(2026, 5, 11, 10)),
    ],
)
def test_parse_datetime(value: str, tz: str, expected: datetime) -> None:
    result = parse_datetime(value, tz=tz)
    assert result == expected
    assert result is not None and result.tzinfo is UTC


def test_ambiguous_slashed_dates_need_dayfirst() -> None:
    assert parse_datetime("05/06/2026") is None
    assert parse_datetime("05/06/2026", dayfirst=True) == utc(2026, 6, 5)
    assert parse_datetime("05/06/2026", dayfirst=False) == utc(2026, 5, 6)


def test_end_of_day_for_bare_dates() -> None:
    # FTS published a deadline as "2029-02-23": open all that day
    assert parse_datetime("2029-02-23", end_of_day=True) == utc(2029, 2, 23, 23, 59, 59)
    assert parse_datetime("2026-07-13+02:00", end_of_day=True) == utc(2026, 7, 13, 21, 59, 59)
    assert parse_datetime("2029-02-23T12:00:00Z", end_of_day=True) == utc(2029, 2, 23, 12)


def test_datetime_objects() -> None:
    naive = datetime(2026, 7, 13, 10)
    assert parse_datetime(naive, tz="Europe/London") == utc(2026, 7, 13, 9)
    aware = datetime(2026, 7, 13, 10, tzinfo=timezone(timedelta(hours=2)))
    assert parse_datetime(aware) == utc(2026, 7, 13, 8)
    assert parse_datetime(date(2026, 7, 13)) == utc(2026, 7, 13)


@pytest.mark.parametrize(
    "value",
    [
        None, "", "   ", "garbage", "N/A", "2026-13-01", "2026-02-30", "31/31/2026",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59", "2026-07-13T25:00", 1700000000,
        1.5, True, ["2026-07-13"], {"date": "2026-07-13"}, "11-Foo-2026", "13:00 pm 11-May-2026",
        "2026-07-13T10:00:00+99:00", "x" * 500,
    ],
)  # fmt: skip
def test_garbage_is_none(value: object) -> None:
    assert parse_datetime(value) is None


def test_unknown_zone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_datetime("2026-07-13", tz="Mars/Olympus")


def test_format_window() -> None:
    moment = utc(2026, 7, 13, 9, 30)
    # FTS reads updatedFrom as London time
    assert format_window(moment, "%Y-%m-%dT%H:%M:%S", "Europe/London") == "2026-07-13T10:30:00"
    assert format_window(moment, "%m/%d/%Y", "America/New_York") == "07/13/2026"
    assert format_window(datetime(2026, 1, 2, 3, 4, 5), "%Y%m%d%H%M%S", "UTC") == "20260102030405"
