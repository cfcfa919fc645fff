"""Bytes to text to JSON, surviving what real sources send.

Contracts Finder has served UTF-8 labelled ISO-8859-1; Find a Tender has published `1e9999`
and numbers with leading zeros; Python-made fixtures hold `Infinity`. Strict parsers reject all
of these, and one bad number must not cost a whole page of releases, so invalid number tokens
outside strings are rewritten (to `null`, or to the number they obviously mean) and parsing is
retried. Anything else (truncation, an HTML error page) is an `InvalidJSON` with a short reason.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Protocol

import orjson

from scanner.ingest.limits import DEFAULT_LIMITS, InputLimitError, JsonLimits, check_json_bytes

__all__ = [
    "InvalidJSON",
    "RepairingReader",
    "decode_body",
    "parse_json_lenient",
    "repair_json_numbers",
]

_LATIN_FAMILY = frozenset({"latin_1", "iso8859_1", "cp1252", "ascii"})
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# A JSON string (skipped as a whole, so nothing inside strings is touched), or a number-like
# token outside strings: Infinity / NaN, or a number (checked for leading zeros and overflow).
_TOKEN_RE = re.compile(
    rb'"(?:[^"\\]|\\.)*(?P<close>"|\Z)'
    rb"|(?P<number>-?Infinity|NaN|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)",
    re.DOTALL,
)
# Streaming: the rest of a string the previous chunk ended inside; escapes (to count quotes);
# chunks that may hold something to repair (ijson itself accepts `1e9999`); a chunk's tail that
# may continue in the next chunk (a token or a backslash escape).
_STRING_REST_RE = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)
_ESCAPE_RE = re.compile(rb"\\.", re.DOTALL)
_TRIGGER_RE = re.compile(rb"Infinity|NaN|(?:^|[\[:,])\s*-?0\d")
_OPEN_TAIL_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+-\\")
_LEADING_ZERO_RE = re.compile(rb"-?0\d")
_MAX_CARRY = 4096
_MAX_DOUBLE = Decimal("1.7976931348623157e308")


class InvalidJSON(ValueError):  # noqa: N818 - the name the rest of Lotwise uses
    """The text is not JSON, even after repairing invalid numbers.

    `reason` is short and human-readable; `pos` is the character offset, when known.
    """

    def __init__(self, reason: str, pos: int | None = None) -> None:
        self.reason = reason
        self.pos = pos
        super().__init__(reason if pos is None else f"{reason} (at char {pos})")


def decode_body(body: bytes, declared_encoding: str | None = None) -> str:
    """Decode an HTTP body: declared charset, then UTF-8, then Windows-1252, then Latin-1.

    A declared Latin-1 family charset is tried after UTF-8, because strict UTF-8 decoding
    succeeding on non-ASCII bytes is far stronger evidence than a header. Never raises.
    """
    if body.startswith(codecs.BOM_UTF8):
        return _try(body[3:], "utf-8") or body[3:].decode("latin-1")
    if body.startswith(_UTF16_BOMS):
        text = _try(body, "utf-16")
        if text is not None:
            return text
    declared = _codec_name(declared_encoding)
    order: list[str] = []
    if declared is not None and declared not in _LATIN_FAMILY:
        order.append(declared)
    order += ["utf-8", "cp1252"]
    for encoding in order:
        text = _try(body, encoding)
        if text is not None:
            return text
    return body.decode("latin-1")  # maps every byte: cannot fail


def _codec_name(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding.strip().strip("\"'")).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def _try(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def parse_json_lenient(text: str | bytes, limits: JsonLimits = DEFAULT_LIMITS) -> object:
    """Parse JSON with orjson; if that fails, read invalid numbers as null.

    The fallback is the standard library's C parser with hooks that turn `Infinity`, `NaN`
    and numbers beyond double range (`1e9999`, which FTS has published) into `None`: one
    string-aware pass, no re-tokenising. Only what even that refuses (leading zeros such as
    `000`) goes through the token repair. Raises `InvalidJSON` (and nothing else) when the
    input is not JSON even after repair, or is over `limits` (the message names the limit).
    """
    encoded = text if isinstance(text, bytes) else _as_bytes(text)  # once: guard, then parse
    try:
        check_json_bytes(encoded, limits, "")
    except InputLimitError as exc:
        raise InvalidJSON(str(exc)) from None
    try:
        return orjson.loads(encoded)  # orjson validates UTF-8 itself
    except orjson.JSONDecodeError as exc:
        # without its traceback: kept, it would hold this frame, whose locals then hold the
        # parsed page, in a cycle only the garbage collector frees
        first = exc.with_traceback(None)
    data = _as_bytes(text) if isinstance(text, bytes) else encoded
    stripped = data.lstrip()
    if not stripped:
        raise InvalidJSON("empty document")
    if stripped[:1] == b"<":
        raise InvalidJSON("an HTML or XML page, not JSON", 0)
    repaired_at_errors = _repair_at_errors(data, first)
    if repaired_at_errors is not _UNREPAIRED:
        return repaired_at_errors
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        pass
    repaired = repair_json_numbers(data)
    if repaired == data:
        raise InvalidJSON(first.msg, first.pos) from None
    try:
        return orjson.loads(repaired)
    except orjson.JSONDecodeError as exc:
        raise InvalidJSON(exc.msg, exc.pos) from None


_UNREPAIRED = object()
_NUMBER_AT = re.compile(rb"-?Infinity|NaN|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_ESCAPE_BYTES_RE = re.compile(rb"\\.", re.DOTALL)
_DISTINCT_TOKENS = 8  # kinds of invalid token repaired this way on one page


def _repair_at_errors(data: bytes, error: orjson.JSONDecodeError) -> object:
    """Rewrite the invalid number tokens of a page orjson refused, and parse again.

    orjson stops at a value, outside every string: the token there (`1e9999`) is what the
    page gets wrong. Every other occurrence of that token that starts a value (after `:`,
    `[` or `,`) and lies outside strings (an even number of quotes before it, once escapes
    are blanked out) is rewritten as `fix_number_token` says, and orjson parses again; a
    page with several kinds of bad token takes a round each. Same answer as
    `repair_json_numbers`, at C speed: a literal search, quote counts and a parse per round.
    `_UNREPAIRED` (not such a token, or too many kinds) sends the caller to the slow path."""
    for _ in range(_DISTINCT_TOKENS):
        if error.pos is None:
            return _UNREPAIRED
        at = len(error.doc[: error.pos].encode("utf-8", "surrogatepass"))  # char -> byte
        match = _NUMBER_AT.match(data, at)
        if match is None:
            return _UNREPAIRED
        token = match.group(0)
        fixed = fix_number_token(token)
        if fixed == token:  # valid to us, not to orjson (an integer beyond 64 bits)
            return _UNREPAIRED
        data = _replace_values(data, token, fixed)
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            error = exc.with_traceback(None)  # no cycle through this frame, as above
    return _UNREPAIRED


def _replace_values(data: bytes, token: bytes, fixed: bytes) -> bytes:
    """`data` with `token` replaced by `fixed` wherever it is a whole value outside strings."""
    blanked = _ESCAPE_BYTES_RE.sub(b"__", data)  # same length: positions hold
    pieces: list[bytes] = []
    done = counted = quotes = 0
    for found in re.finditer(re.escape(token) + rb"(?=[\s,\]}])", data):
        start = found.start()
        quotes += blanked.count(b'"', counted, start)
        counted = start
        before = data[max(0, start - 64) : start].rstrip()
        if quotes % 2 or not before.endswith((b":", b",", b"[")):
            continue
        pieces += (data[done:start], fixed)
        done = found.end()
    pieces.append(data[done:])
    return b"".join(pieces)


def _no_constant(_name: str) -> None:
    return None


def _finite_float(token: str) -> float | None:
    value = float(token)
    return value if math.isfinite(value) else None


def _as_bytes(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return decode_body(text).encode("utf-8")
        return text
    return text.encode("utf-8", "surrogatepass")


def repair_json_numbers(data: bytes) -> bytes:
    """Rewrite invalid number tokens outside strings.

    `Infinity`, `-Infinity`, `NaN` and numbers beyond double range (`1e9999`) become `null`;
    numbers with leading zeros (`000`, `007.5`) become the number they spell.
    """
    return _TOKEN_RE.sub(_fix_token, data)


def _fix_token(match: re.Match[bytes]) -> bytes:
    token = match.group("number")
    if token is None:  # a string
        return match.group(0)
    return fix_number_token(token)


def fix_number_token(token: bytes) -> bytes:
    """The valid JSON for one number-like token (see `repair_json_numbers`)."""
    if token in (b"Infinity", b"-Infinity", b"NaN"):
        return b"null"
    leading_zero = _LEADING_ZERO_RE.match(token) is not None
    has_exponent = b"e" in token or b"E" in token
    if not leading_zero and not has_exponent and not token.endswith(b"."):
        return token
    try:
        number = Decimal(token.decode("ascii"))
    except (InvalidOperation, ValueError):
        return b"null"
    if not number.is_finite() or abs(number) > _MAX_DOUBLE:
        return b"null"
    if not leading_zero and not token.endswith(b"."):
        return token
    if number == number.to_integral_value():
        return str(int(number)).encode("ascii")
    return repr(float(number)).encode("ascii")


class Readable(Protocol):
    """Anything with a binary `read(size)`: files, gzip streams."""

    def read(self, size: int = -1, /) -> bytes: ...


class RepairingReader:
    """A binary file wrapper applying `repair_json_numbers` to a stream, chunk by chunk.

    For streaming parsers (ijson) over files too large to load. It tracks whether a chunk ends
    inside a string and never splits a token or an escape between chunks. Chunks with nothing
    to repair (almost all) pass through after a C-speed quote count.
    """

    def __init__(self, raw: Readable, chunk_size: int = 1 << 16) -> None:
        self._raw = raw
        self._chunk_size = chunk_size
        self._carry = b""
        self._out = b""
        self._in_string = False
        self._eof = False

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` repaired bytes (all remaining if `size` < 0); b"" at the end."""
        while not self._eof and (size < 0 or len(self._out) < size):
            self._fill()
        if size < 0 or size >= len(self._out):
            out, self._out = self._out, b""
        else:
            out, self._out = self._out[:size], self._out[size:]
        return out

    def _fill(self) -> None:
        chunk = self._raw.read(self._chunk_size)
        if not chunk:
            self._eof = True
            self._out += self._process(self._carry)
            self._carry = b""
            return
        buf = self._carry + chunk
        cut = len(buf)
        # a token split between chunks is carried over; a run longer than any number is no
        # token (and was rescanned with every chunk: quadratic in a long string of letters)
        floor = max(0, cut - _MAX_CARRY)
        while cut > floor and buf[cut - 1] in _OPEN_TAIL_BYTES:
            cut -= 1
        self._carry = buf[cut:]
        self._out += self._process(buf[:cut])

    def _process(self, segment: bytes) -> bytes:
        head = b""
        if self._in_string:
            match = _STRING_REST_RE.match(segment)
            if match is None:
                return segment  # still inside the same string
            head, segment = segment[: match.end()], segment[match.end() :]
            self._in_string = False
        if _TRIGGER_RE.search(segment):
            return head + _TOKEN_RE.sub(self._fix, segment)
        self._in_string = _ESCAPE_RE.sub(b"", segment).count(b'"') % 2 == 1
        return head + segment

    def _fix(self, match: re.Match[bytes]) -> bytes:
        if match.group("number") is None and match.group("close") == b"":
            self._in_string = True  # an unterminated string ends the segment
        return _fix_token(match)
