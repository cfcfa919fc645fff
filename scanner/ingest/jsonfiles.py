"""Reading big, possibly compressed, possibly dirty JSON files in bounded memory.

Bulk OCDS downloads run to gigabytes: they are streamed with ijson (its C backend) rather than
loaded. Files holding invalid numbers (`Infinity`, leading zeros) are re-read through the
number-repairing reader, continuing after the items already produced. Nothing here knows OCDS.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import re
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import ijson

from scanner.ingest.limits import DEFAULT_LIMITS, GuardedReader, JsonLimits
from scanner.ingest.repair import InvalidJSON, RepairingReader, parse_json_lenient

__all__ = [
    "Shape",
    "iter_json_lines",
    "open_decompressed",
    "plain_numbers",
    "read_json",
    "read_up_to",
    "sniff",
    "stream_items",
    "top_level_keys",
]

Shape = Literal["object", "array", "lines"]

_HEAD_SIZE = 1 << 18
_NON_SPACE_RE = re.compile(rb"[^ \t\r\n]")
_DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError)
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1  # the integers orjson reads and writes as integers


def open_decompressed(path: Path, limits: JsonLimits | None = DEFAULT_LIMITS) -> Any:
    """Open `path` for binary reading, decompressing gzip, bzip2 or xz (by magic bytes),
    through a `GuardedReader` that enforces JSON `limits` (an `InputLimitError` names the one
    exceeded; None for text that is not JSON). A missing or unreadable file is an
    `InvalidJSON` saying so in words."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InvalidJSON(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidJSON(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InvalidJSON(f"{path}: permission denied") from None
    magic = raw.read(6)
    raw.seek(0)
    stream: Any
    if magic[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
    elif magic[:3] == b"BZh":
        stream = bz2.BZ2File(raw, "rb")
    elif magic == b"\xfd7zXZ\x00":
        stream = lzma.LZMAFile(raw, "rb")  # noqa: SIM115 - closed by _Closing
    else:
        stream = raw
    consumed = None if stream is raw else raw
    stream = _Closing(stream, raw)
    if limits is not None:
        stream = _Utf16AsUtf8.wrap(stream)  # as HTTP bodies with a BOM are read
        stream = GuardedReader(stream, limits, str(path), consumed=consumed)
    return stream


class _Utf16AsUtf8:
    """A UTF-16 text with byte order mark, read as UTF-8 bytes (ijson reads UTF-8 only)."""

    def __init__(self, stream: Any, head: bytes) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-16")()
        self._pending = self._decoder.decode(head).encode("utf-8")
        self._lines: Any = None

    @classmethod
    def wrap(cls, stream: Any) -> Any:
        head = stream.read(2)
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return cls(stream, head)
        return _Prefixed(head, stream)

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._pending) < size:
            chunk = self._stream.read(1 << 16)
            self._pending += self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            if not chunk:
                break
        if size < 0:
            size = len(self._pending)
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def readline(self, size: int = -1, /) -> bytes:
        while b"\n" not in self._pending and (size < 0 or len(self._pending) < size):
            chunk = self._stream.read(1 << 16)
            self._pending += self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            if not chunk:
                break
        end = self._pending.find(b"\n") + 1 or len(self._pending)
        if size >= 0:
            end = min(end, size)
        line, self._pending = self._pending[:end], self._pending[end:]
        return line

    def close(self) -> None:
        self._stream.close()


class _Prefixed:
    """A stream with bytes already read put back in front."""

    def __init__(self, head: bytes, stream: Any) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            data: bytes = self._stream.read(size)
            return data
        head, self._head = self._head, b""
        if size < 0:
            rest: bytes = self._stream.read()
            return head + rest
        return head + self._stream.read(max(0, size - len(head))) if size > len(head) else head

    def readline(self, size: int = -1, /) -> bytes:
        if not self._head:
            line: bytes = self._stream.readline(size)
            return line
        head, self._head = self._head, b""
        if b"\n" in head:
            cut = head.index(b"\n") + 1
            self._head = head[cut:]
            return head[:cut]
        rest: bytes = self._stream.readline(-1 if size < 0 else max(0, size - len(head)))
        return head + rest

    def close(self) -> None:
        self._stream.close()


class _Closing:
    """A decompressing stream that also closes the file under it."""

    def __init__(self, stream: Any, raw: Any) -> None:
        self._stream, self._raw = stream, raw

    def read(self, size: int = -1, /) -> bytes:
        data: bytes = self._stream.read(size)
        return data

    def readline(self, size: int = -1, /) -> bytes:
        line: bytes = self._stream.readline(size)
        return line

    def close(self) -> None:
        self._stream.close()
        self._raw.close()

    def __enter__(self) -> _Closing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sniff(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> tuple[Shape | None, bytes]:
    """The file's shape from its first bytes, and those bytes (for error messages).

    "lines" when the first line is a complete JSON object followed by another value; None when
    the file does not start like JSON at all.
    """
    try:
        with open_decompressed(path, limits) as stream:
            head = read_up_to(stream, _HEAD_SIZE)
    except _DECOMPRESSION_ERRORS as exc:
        raise InvalidJSON(f"{path}: unreadable or corrupt compressed file: {exc}") from None
    skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    start = _NON_SPACE_RE.search(head, skip)
    if start is None:
        return None, b""
    first = head[start.start() : start.start() + 1]
    if first == b"[":
        return "array", head[:40]
    if first != b"{":
        return None, head[start.start() : start.start() + 40]
    newline = head.find(b"\n", start.start())
    following = _NON_SPACE_RE.search(head, newline) if newline != -1 else None
    if (
        following is not None
        and head[following.start()] in b"{["
        and first_line_is_object(head[skip:])
    ):
        return "lines", head[:40]
    return "object", head[:40]


def first_line_is_object(data: bytes) -> bool:
    """True when the text up to the first newline is one complete JSON object."""
    newline = data.find(b"\n")
    if newline == -1:
        return False
    try:
        return isinstance(parse_json_lenient(data[:newline]), dict)
    except InvalidJSON:
        return False


def top_level_keys(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> Iterator[str]:
    """The keys of the file's top-level JSON object, in file order, streamed (stop any time)."""
    try:
        with open_decompressed(path, limits) as stream:
            for prefix, event, value in ijson.parse(RepairingReader(stream)):
                if prefix == "" and event == "map_key":
                    yield str(value)
                elif prefix == "" and event == "end_map":
                    return
    except ijson.JSONError as exc:
        raise InvalidJSON(f"{path}: {_first_line(exc)}") from None
    except _DECOMPRESSION_ERRORS as exc:
        raise InvalidJSON(f"{path}: unreadable or corrupt compressed file: {exc}") from None


def read_json(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> object:
    """The whole file as one JSON value (for files known to be small, like a single record)."""
    try:
        with open_decompressed(path, limits) as stream:
            data = b"".join(iter(lambda: stream.read(1 << 20), b""))
    except _DECOMPRESSION_ERRORS as exc:
        raise InvalidJSON(f"{path}: unreadable or corrupt compressed file: {exc}") from None
    try:
        return parse_json_lenient(data)
    except InvalidJSON as exc:
        raise InvalidJSON(f"{path}: {exc}") from None


def stream_items(path: Path, prefix: str, limits: JsonLimits = DEFAULT_LIMITS) -> Iterator[Any]:
    """ijson items at `prefix` (e.g. "releases.item"), with JSON-native numbers.

    On a syntax error the file is read again through `RepairingReader`, skipping the items
    already yielded; a second error raises `InvalidJSON` naming the file.
    """
    done = 0
    repair = False
    while True:
        try:
            with open_decompressed(path, limits) as raw:
                source: Any = RepairingReader(raw) if repair else raw
                for index, item in enumerate(ijson.items(source, prefix)):
                    if index < done:
                        continue  # yielded before the restart
                    done += 1
                    yield plain_numbers(item)
            return
        except ijson.JSONError as exc:
            if repair:
                raise InvalidJSON(f"{path}: {_first_line(exc)} (after {done} items)") from None
            repair = True
        except _DECOMPRESSION_ERRORS as exc:
            message = f"{path}: truncated or corrupt file after {done} items: {exc}"
            raise InvalidJSON(message) from None


def iter_json_lines(
    path: Path, limits: JsonLimits = DEFAULT_LIMITS
) -> Iterator[tuple[int, object]]:
    """(line number, value) for each non-blank line; the value is an `InvalidJSON` if broken."""
    try:
        with open_decompressed(path, limits) as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    yield number, parse_json_lenient(line)
                except InvalidJSON as exc:
                    yield number, exc
    except _DECOMPRESSION_ERRORS as exc:
        raise InvalidJSON(f"{path}: unreadable or corrupt compressed file: {exc}") from None


def plain_numbers(obj: Any) -> Any:
    """Make ijson's numbers what orjson would have produced, in place.

    Decimals become int when integral, else float; integers outside 64 bits become float (as
    orjson parses them, and orjson cannot serialise them); non-finite values become None.
    Streamed values then serialise with orjson. Iterative: deep nesting cannot exhaust the stack.
    """
    kind = type(obj)
    if kind is Decimal or kind is int:
        return _number(obj)
    stack = [obj]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key, value in node.items():
                kind = type(value)
                if kind is Decimal or (kind is int and not _INT_MIN <= value <= _INT_MAX):
                    node[key] = _number(value)
                elif kind is dict or kind is list:
                    stack.append(value)
        elif type(node) is list:
            for index, value in enumerate(node):
                kind = type(value)
                if kind is Decimal or (kind is int and not _INT_MIN <= value <= _INT_MAX):
                    node[index] = _number(value)
                elif kind is dict or kind is list:
                    stack.append(value)
    return obj


def _number(value: Decimal | int) -> int | float | None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value() and abs(value) < 10**18:
            return int(value)
    elif _INT_MIN <= value <= _INT_MAX:
        return value
    try:
        number = float(value)
    except OverflowError:
        return None
    return None if number in (float("inf"), float("-inf")) else number


def read_up_to(stream: Any, size: int) -> bytes:
    """The first `size` bytes of `stream` (fewer at its end), over as many reads as needed."""
    pieces, total = [], 0
    while total < size:
        piece = stream.read(size - total)
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


def _first_line(exc: BaseException) -> str:
    """The parser's message in words: its first line, decoded (the C lexer's are bytes)."""
    arg = exc.args[0] if exc.args else ""
    text = (arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(exc)).strip()
    if "invalid bytes in UTF8" in text:
        return "not valid UTF-8 text (save it as UTF-8, or as UTF-16 with a byte order mark)"
    return text.splitlines()[0] if text else type(exc).__name__
