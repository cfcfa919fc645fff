"""Parsing untrusted notice XML safely, and the small reads both TED parsers share.

TED and national portals serve XML from outside: no entity expansion, no network, no DTD, no
"huge tree" mode, and every failure becomes the caller's own `ValueError` subclass naming what
is wrong (a raw lxml exception would leak parser internals into the error log).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree

from scanner.ingest.text import clean_text

__all__ = [
    "Element",
    "choose_language",
    "local_name",
    "namespace",
    "parse_untrusted_xml",
    "text_of",
    "title_from_text",
]

# lxml ships no type stubs: elements are `Any` to mypy; the alias says what is meant.
Element = Any

_MAX_BYTES = 50 * 1024 * 1024  # far above any real notice (the 652-lot export is 1.2 MB)
_ENGLISH = frozenset({"ENG", "EN"})
_TITLE_FALLBACK_LENGTH = 200


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted_xml(data: bytes | str, error: type[ValueError]) -> Element:
    """The root element of `data`, or `error` naming why it is not usable XML.

    A document type declaration is refused outright: notices never have one, and it is the
    vehicle of entity-expansion attacks.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise error(f"expected XML bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise error("empty document")
    if len(data) > _MAX_BYTES:
        raise error(f"document too large ({len(data)} bytes, limit {_MAX_BYTES})")
    if data.lstrip()[:1] not in (b"<", b"\xef", b"\xff", b"\xfe"):  # "<" or a byte-order mark
        raise error("not XML: the document does not start with '<'")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise error(f"not well-formed XML: {exc}") from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown declared encoding
        raise error(f"unreadable XML: {exc}") from None
    if root is None:
        raise error("no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise error("document type declarations (DTD) are not accepted in notices")
    return root


def local_name(element: Element) -> str:
    """The tag without its namespace (`{uri}ContractNotice` -> `ContractNotice`)."""
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rpartition("}")[2]


def namespace(element: Element) -> str | None:
    """The namespace URI of `element`'s tag, or None."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].partition("}")[0]
    return None


def choose_language(
    texts: Iterable[tuple[str | None, str | None]], original: Sequence[str] = ()
) -> tuple[str | None, str | None]:
    """The text to keep among translations, with its language: English, else the first of the
    notice's `original` languages, else the first text given.

    `texts` are (language code, raw text) pairs; empty texts are skipped. English first because
    matching and display work in English; otherwise the original wording beats a translation.
    """
    found: list[tuple[str | None, str]] = []
    for language, raw in texts:
        text = clean_text(raw)
        if text is not None:
            found.append((language.strip().upper() if language else None, text))
    if not found:
        return None, None
    for language, text in found:
        if language in _ENGLISH:
            return text, language
    for wanted in original:
        for language, text in found:
            if language == wanted.strip().upper():
                return text, language
    language, text = found[0]
    return text, language


def text_of(element: Element | None) -> str | None:
    """The whole text content of `element`, stripped, or None when empty or absent."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def title_from_text(text: str | None) -> str | None:
    """A title made from a description: its first line, cut to 200 characters.

    For notices (or lots) published without a title, so that every lot can be shown and
    matched by something readable."""
    if text is None:
        return None
    line = text.split("\n", 1)[0].strip()
    if len(line) > _TITLE_FALLBACK_LENGTH:
        line = line[: _TITLE_FALLBACK_LENGTH - 1].rstrip() + "…"
    return line or None
