"""iter_file_releases: streaming in bounded memory, every container shape, clear errors."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

from scanner.ingest.ocds import OCDSFormatError, iter_file_releases
from scanner.ingest.repair import InvalidJSON


def release(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "ocid": f"ocds-abc-{n}",
        "id": f"{n}-r",
        "date": "2026-01-01T00:00:00Z",
        "tag": ["tender"],
        "tender": {
            "id": str(n),
            "title": f"Tender {n}",
            "description": "Supply and maintenance of equipment. " * 8,
            "value": {"amount": 1234.5, "currency": "GBP"},
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "72000000"}}],
        },
        **extra,
    }


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_gzipped_package_streams_in_bounded_memory(tmp_path: Path) -> None:
    count = 20_000
    package = {"uri": "https://example.org", "version": "1.1",
               "releases": [release(n) for n in range(count)]}  # fmt: skip
    raw = orjson.dumps(package)
    path = write(tmp_path / "bulk.json", gzip.compress(raw))  # gzip detected by magic bytes
    del package
    tracemalloc.start()
    try:
        seen = 0
        for item in iter_file_releases(path):
            assert item["ocid"] == f"ocds-abc-{seen}"
            seen += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert len(raw) > 10_000_000
    assert peak < len(raw) / 4, f"peak {peak:,} bytes for {len(raw):,} bytes of JSON"


def test_numbers_come_out_as_orjson_would_parse_them(tmp_path: Path) -> None:
    text = (
        b'{"releases": [{"ocid": "o", "a": 1.5, "b": 3, "c": 1e3, "d": 1e9999, "e": -1e9999,'
        b' "f": 18446744073709551616, "g": 1e400, "h": [0.1, 2]}]}'
    )
    [item] = iter_file_releases(write(tmp_path / "n.json", text))
    assert item == {"ocid": "o", "a": 1.5, "b": 3, "c": 1000, "d": None, "e": None,
                    "f": 1.8446744073709552e19, "g": None, "h": [0.1, 2]}  # fmt: skip
    assert isinstance(item["a"], float) and isinstance(item["b"], int)
    orjson.dumps(item)


def test_invalid_numbers_mid_stream_are_repaired_without_duplicates(tmp_path: Path) -> None:
    releases = [release(n) for n in range(600)]  # ~400 KB: several ijson buffers before the fault
    text = orjson.dumps({"releases": releases}).replace(
        b'"ocid":"ocds-abc-500"', b'"ocid":"ocds-abc-500","max":Infinity,"n":007,"s":"NaN"'
    )
    items = list(iter_file_releases(write(tmp_path / "dirty.json", text)))
    assert [item["ocid"] for item in items] == [f"ocds-abc-{n}" for n in range(600)]
    assert (items[500]["max"], items[500]["n"], items[500]["s"]) == (None, 7, "NaN")


def test_json_lines(tmp_path: Path) -> None:
    lines = [
        orjson.dumps(release(1)),
        b"",
        orjson.dumps({"uri": "u", "releases": [release(2), release(3)]}),
        orjson.dumps({"ocid": "ocds-abc-4", "releases": [release(4)], "compiledRelease": {}}),
        b"   ",
    ]
    path = write(tmp_path / "feed.jsonl", b"\n".join(lines) + b"\n")
    assert [r["ocid"] for r in iter_file_releases(path)] == [f"ocds-abc-{n}" for n in (1, 2, 3, 4)]


def test_json_lines_bad_line(tmp_path: Path) -> None:
    lines = [
        orjson.dumps(release(1)),
        b'{"ocid": "broken"',
        b'{"hello": 1}',
        orjson.dumps(release(2)),
    ]
    path = write(tmp_path / "feed.jsonl", b"\n".join(lines))
    with pytest.raises(InvalidJSON, match=r"feed\.jsonl: line 2: "):
        list(iter_file_releases(path))
    errors: list[tuple[int, Exception]] = []
    found = list(iter_file_releases(path, on_error=lambda n, e: errors.append((n, e))))
    assert [r["ocid"] for r in found] == ["ocds-abc-1", "ocds-abc-2"]
    assert [(n, type(e)) for n, e in errors] == [(2, InvalidJSON), (3, OCDSFormatError)]
    assert "keys hello" in str(errors[1][1])


def test_json_lines_with_a_first_line_longer_than_the_probe(tmp_path: Path) -> None:
    big = release(1)
    big["tender"]["description"] = "x" * 600_000
    path = write(tmp_path / "big.jsonl", orjson.dumps(big) + b"\n" + orjson.dumps(release(2)))
    assert [r["ocid"] for r in iter_file_releases(path)] == ["ocds-abc-1", "ocds-abc-2"]


def test_record_package(tmp_path: Path) -> None:
    linked = [{"url": "https://x/1.json", "date": "2026-01-01T00:00:00Z", "tag": ["tender"]}]
    package = {
        "uri": "u",
        "records": [
            {"ocid": "ocds-abc-1", "releases": [release(1), release(1, id="1-b")]},
            {
                "ocid": "ocds-abc-2",
                "releases": linked,
                "compiledRelease": release(2, tag=["compiled"]),
            },
            {"ocid": "ocds-abc-3", "releases": linked},  # nothing usable: skipped
        ],
    }
    path = write(tmp_path / "records.json.bz2", bz2.compress(orjson.dumps(package)))
    found = list(iter_file_releases(path))
    assert [(r["ocid"], r["id"]) for r in found] == [
        ("ocds-abc-1", "1-r"), ("ocds-abc-1", "1-b"), ("ocds-abc-2", "2-r")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (release(7), ["7-r"]),
        ({"ocid": "ocds-abc-7", "releases": [release(7)], "compiledRelease": release(8)}, ["7-r"]),
        # a record whose linked `releases` come before anything else: its compiled release
        (
            {
                "releases": [{"url": "u", "date": "d", "tag": ["t"]}],
                "ocid": "o",
                "compiledRelease": release(9),
            },
            ["9-r"],
        ),
        ([release(1), {"releases": [release(2)]}], ["1-r", "2-r"]),  # a JSON array
        ({"publisher": {"name": "p"}, "extensions": ["e"] * 50, "releases": [release(3)]}, ["3-r"]),
    ],
)
def test_single_documents_and_arrays(tmp_path: Path, document: Any, expected: list[str]) -> None:
    path = write(
        tmp_path / "doc.json.xz", lzma.compress(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    )
    assert [r["id"] for r in iter_file_releases(path)] == expected


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            b'{"notices": [], "totalNoticeCount": 0}',
            "found a JSON object with keys notices, totalNoticeCount",
        ),
        (
            b'{"totalRecords": 1, "opportunitiesData": [{"title": "x"}]}',
            "opportunitiesData, totalRecords",
        ),
        (b"<?xml version='1.0'?><ContractNotice/>", "found text starting"),
        (b"ocid,title\nocds-1,Thing\n", "found text starting"),
        (b"", "found an empty file"),
        (b"  \n ", "found an empty file"),
    ],
)
def test_non_ocds_files_are_rejected_naming_the_file(
    tmp_path: Path, content: bytes, found: str
) -> None:
    path = write(tmp_path / "input.json", content)
    with pytest.raises(OCDSFormatError) as caught:
        next(iter_file_releases(path))
    message = str(caught.value)
    assert message.startswith(
        f"{path}: expected an OCDS release package, record package or release"
    )
    assert found in message


def test_nothing_is_yielded_before_the_format_is_known(tmp_path: Path) -> None:
    path = write(tmp_path / "x.json", b'{"items": [1, 2, 3], "data": {"releases": []}}')
    iterator = iter_file_releases(path)
    with pytest.raises(OCDSFormatError):
        next(iterator)


@pytest.mark.parametrize(
    "content",
    [
        gzip.compress(orjson.dumps({"releases": [release(n) for n in range(50)]}))[
            :-40
        ],  # cut gzip
        orjson.dumps({"releases": [release(n) for n in range(50)]})[:-30],  # cut JSON
        b'{"releases": [{"ocid": "o"}, {"ocid": }]}',
        b'{"ocid": "o", "tender": {',
    ],
)
def test_broken_files_raise_invalid_json_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path / "broken.json", content)
    with pytest.raises(InvalidJSON) as caught:
        list(iter_file_releases(path))
    assert str(path) in str(caught.value)


def test_the_infinity_sample_streams(samples_dir: Path) -> None:
    path = samples_dir / "multi-lot-ocds/find_a_tender_2026-09-11_multilot_tender_releases.json"
    releases = list(iter_file_releases(path))
    assert len(releases) == 9
    assert releases[0]["tender"]["lotDetails"] == {
        "maximumLotsAwardedPerSupplier": 2,
        "maximumLotsBidPerSupplier": None,
    }
