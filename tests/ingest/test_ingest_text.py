"""clean_text: plain text out of HTML, escaped HTML, entities and mis-decoded UTF-8."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.ingest.text import clean_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Supply of   gloves ", "Supply of gloves"),
        (
            "<p>Lot 1: <b>IT</b> support</p><p>Lot 2: hosting</p>",
            "Lot 1: IT support\nLot 2: hosting",
        ),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<ul><li>alpha</li><li>beta</li></ul>", "alpha\nbeta"),
        # Contracts Finder v2 titles: entities, also double-escaped
        ("Thame Town Council&apos;s Christmas Lights", "Thame Town Council's Christmas Lights"),
        ("Roads &amp;amp; bridges", "Roads & bridges"),
        ("Fish &amp; chips", "Fish & chips"),
        # RSS: escaped HTML
        (
            "&lt;p&gt;Cleaning &amp;amp; waste&lt;/p&gt;&lt;p&gt;Second&lt;/p&gt;",
            "Cleaning & waste\nSecond",
        ),
        # text that merely contains < or & is not markup
        ("x<y and a < b & c", "x<y and a < b & c"),
        ("R&D services", "R&D services"),
        # paragraphs kept, Windows line ends and blank lines collapsed
        ("First para.\r\n\r\n  Second   para.\r\n", "First para.\nSecond para."),
        ("tab\tseparated\u00a0words", "tab separated words"),
        # UTF-8 read as Windows-1252, as in the Contracts Finder sample
        ("a maximum budget of \u00c2\u00a395,000", "a maximum budget of £95,000"),
        ("Caf\u00c3\u00a9 supplies", "Café supplies"),
        ("Ãngel is a name", "Ãngel is a name"),  # not mojibake: left alone
        ("nul\x00byte", "nulbyte"),
        ("<script>alert(1)</script>Visible", "Visible"),
    ],
)
def test_clean_text(value: str, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "\n\t", "N/A", "n/a", "NONE", "none", "null", "-", "<p> </p>", "&nbsp;"],
)
def test_empty_markers_are_none(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, "42"), (1.5, "1.5"), (Decimal("2.50"), "2.50"), (True, None), (float("nan"), None)],
)
def test_non_strings(value: object, expected: str | None) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize("value", [{"en": "x"}, ["a"], object(), b"bytes"])
def test_containers_are_none(value: object) -> None:
    assert clean_text(value) is None
