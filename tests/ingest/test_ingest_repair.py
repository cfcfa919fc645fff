"""decode_body / parse_json_lenient / RepairingReader: what sources really send."""

from __future__ import annotations

import gc
import io

import orjson
import pytest

from scanner.ingest.repair import (
    InvalidJSON,
    RepairingReader,
    decode_body,
    parse_json_lenient,
    repair_json_numbers,
)


def test_decode_declared_and_fallbacks() -> None:
    text = "Café £5"
    assert decode_body(text.encode("utf-8"), "utf-8") == text
    # Contracts Finder: UTF-8 bytes labelled ISO-8859-1 must not become mojibake
    assert decode_body(text.encode("utf-8"), "ISO-8859-1") == text
    # real Latin-1 / Windows-1252 bytes
    assert decode_body(text.encode("cp1252"), "iso-8859-1") == text
    assert decode_body(text.encode("cp1252"), None) == text
    assert decode_body("“quoted”".encode("cp1252"), None) == "“quoted”"
    assert decode_body(text.encode("utf-16"), None) == text
    assert decode_body(b"\xef\xbb\xbf{}", "utf-8") == "{}"
    assert decode_body("Zürich".encode(), "bogus-charset") == "Zürich"
    assert decode_body(b"\x81\x8d\x8f\x90\x9d", "utf-8") == "\x81\x8d\x8f\x90\x9d"  # latin-1 last


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        ('{"a": "é"}', {"a": "é"}),
        (b'{"max": Infinity, "min": -Infinity, "x": NaN}', {"max": None, "min": None, "x": None}),
        (
            b'{"amount": 1e9999, "neg": -1e9999, "ok": 1e3}',
            {"amount": None, "neg": None, "ok": 1000.0},
        ),
        (b'{"amount": 000, "b": 007.5, "c": -01}', {"amount": 0, "b": 7.5, "c": -1}),
        # tokens inside strings are text, never touched
        (
            b'{"name": "Infinity Pools NaN 1e9999 000", "v": Infinity}',
            {"name": "Infinity Pools NaN 1e9999 000", "v": None},
        ),
        (b'{"q": "say \\"Infinity\\"", "v": NaN}', {"q": 'say "Infinity"', "v": None}),
        ('{"t": "caf\u00e9", "v": Infinity}'.encode("cp1252"), {"t": "café", "v": None}),
    ],
)
def test_parse_json_lenient(text: str | bytes, expected: object) -> None:
    assert parse_json_lenient(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"releases": [{"ocid": "x"', "unexpected end"),  # truncated
        (b"<html><body>403 Forbidden</body></html>", "HTML"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b'{"a": tru}', ""),
        (b'{"a": 1} trailing', ""),
    ],
)
def test_invalid_json(text: bytes, reason: str) -> None:
    with pytest.raises(InvalidJSON) as caught:
        parse_json_lenient(text)
    assert reason.lower() in caught.value.reason.lower()
    assert isinstance(caught.value, ValueError)


def test_invalid_json_has_position() -> None:
    with pytest.raises(InvalidJSON) as caught:
        parse_json_lenient(b'{"a": [1, 2,, 3]}')
    assert caught.value.pos == 12
    assert "char 12" in str(caught.value)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 16])
def test_repairing_reader_across_chunk_boundaries(chunk_size: int) -> None:
    source = (
        b'{"releases": [{"a": Infinity, "s": "Infinity \\"NaN\\" \\\\", "n": 000,'
        b' "t": "x\\u00e9y", "m": -Infinity, "k": [NaN, 1.5e3, 0, 0.5, 012]}, '
        b'{"q": "NaN", "e": "\\\\\\"", "z": NaN}]}'
    )
    expected = parse_json_lenient(source)
    reader = RepairingReader(io.BytesIO(source), chunk_size=chunk_size)
    out = b""
    while block := reader.read(5):
        out += block
    assert orjson.loads(out) == expected
    assert expected == {
        "releases": [
            {
                "a": None, "s": 'Infinity "NaN" \\', "n": 0, "t": "xéy", "m": None,
                "k": [None, 1500.0, 0, 0.5, 12],
            },
            {"q": "NaN", "e": '\\"', "z": None},
        ]
    }  # fmt: skip


def test_repairing_reader_passes_clean_json_unchanged() -> None:
    source = orjson.dumps({"a": [1, 2.5, 'x"y', {"b": None}], "c": "Ünïcode"}) * 3
    reader = RepairingReader(io.BytesIO(source), chunk_size=4)
    assert reader.read() == source


@pytest.mark.parametrize("count", [1, 3, 16, 17, 40])
def test_invalid_numbers_repaired_where_orjson_stops_equal_the_full_repair(count: int) -> None:
    """Pages with one or many `1e9999` (past the number of in-place repairs the fast path
    tries) read the same as through the string-aware token repair, and text that looks like
    an invalid number inside strings is left alone."""
    tokens = ["1e9999", "-1e9999", "NaN", "Infinity", "-Infinity", "007", "1.5e400", "2.5"]
    items = ",".join(
        f'{{"id":"{n}","note":"value 1e9999, NaN, 007","v":{tokens[n % len(tokens)]}}}'
        for n in range(count)
    )
    page = f'{{"uri":"x","releases":[{items}]}}'.encode()
    expected = orjson.loads(repair_json_numbers(page))
    assert parse_json_lenient(page) == expected
    assert parse_json_lenient(page.decode()) == expected
    assert all(r["note"] == "value 1e9999, NaN, 007" for r in expected["releases"])


@pytest.mark.parametrize(
    "page",
    [
        b'{"releases": [{"ocid": "a", "value": {"amount": 1e9999}}]}',  # repaired where refused
        b'{"a": 1e9999, "b": 1e400, "c": [{"d": 1}]}',  # two kinds of token: two rounds
        b'{"a": 007, "b": [{"c": 1}]}',  # the token repair
    ],
)
def test_a_repaired_page_is_freed_without_the_garbage_collector(page: bytes) -> None:
    """The refused parse's exception is kept without its traceback: with it, the frame (and the
    parsed page in its locals) stayed in a cycle until the collector ran, which made every
    repaired page of an ingest or crawl cyclic garbage."""
    gc.collect()
    gc.disable()
    try:
        parsed = parse_json_lenient(page)
        assert isinstance(parsed, dict)
        del parsed
        assert gc.collect() == 0  # nothing unreachable: all freed by reference counting
    finally:
        gc.enable()
