"""Limits on JSON input, checked at C speed before a parser sees the bytes.

A 200 KB file of 100,000 `[` made the streaming parser's memory grow with the square of the
depth (its prefix strings); a long unbroken run of letters made the number-repairing reader
re-scan its carry; a 3 MB gzip expands to gigabytes. `JsonGuard` sees every byte once, in
chunks, and refuses what is over a limit with an `InputLimitError` naming the limit and its
setting. It never changes the bytes, and has no Python loop per byte: escapes are blanked and
the text split at quotes (with the limit above the chunk size only the strings crossing a
chunk's edges are measured), bare tokens measured after one `translate`, and nesting bounded
by removing matched bracket pairs, one regex pass per level actually nested inside a chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "DEFAULT_LIMITS",
    "GuardedReader",
    "InputLimitError",
    "JsonGuard",
    "JsonLimits",
    "check_json_bytes",
]

_CHUNK = 1 << 16
_MIB = 1 << 20


class InputLimitError(ValueError):
    """The input is over one of the limits; the message names it and the setting."""


@dataclass(frozen=True)
class JsonLimits:
    """Bounds on one JSON input. `max_string` is at least one chunk (64 KiB): a string that
    fits in a chunk needs no counting, which keeps the check at C speed."""

    max_depth: int = 100
    max_string: int = 4 * _MIB
    max_token: int = 1000  # a number or literal outside strings
    max_bytes: int = 16 << 30  # after decompression
    max_ratio: int = 200  # decompressed / compressed, checked past `ratio_after` bytes
    ratio_after: int = 64 * _MIB


DEFAULT_LIMITS = JsonLimits()

_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_PAIR_RE = re.compile(rb"[\[{][\]}]")  # mismatched pairs are the parser's error to report
_TOKEN_BYTES = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-"
_TOKEN_MARKS = bytes(ord("a") if b in _TOKEN_BYTES else ord(" ") for b in range(256))


class JsonGuard:
    """Feed it a JSON text chunk by chunk; it raises `InputLimitError` at the first excess."""

    def __init__(self, limits: JsonLimits = DEFAULT_LIMITS, name: str = "input") -> None:
        self.limits = limits
        self.name = name
        self.total = 0
        self._depth = 0
        self._in_string = False
        self._escaped = False  # the previous chunk ended inside a string on a lone backslash
        self._string = 0
        self._token = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limits.max_bytes:
            self._refuse(f"larger than {self.limits.max_bytes} bytes", "INPUT_MAX_BYTES")
        for start in range(0, len(chunk), _CHUNK):
            self._scan(chunk[start : start + _CHUNK])

    def _scan(self, chunk: bytes) -> None:
        if self._escaped and chunk:  # that byte is escaped: part of the string
            chunk, self._escaped = b"_" + chunk[1:], False
        # Escapes blanked to the same length; then quotes split strings from the rest.
        if b"\\" in chunk:
            chunk = chunk.replace(b"\\\\", b"__").replace(b'\\"', b"__")
            if chunk.endswith(b"\\"):
                self._escaped = True
        parts = chunk.split(b'"')
        starts_in_string = self._in_string
        ends_in_string = starts_in_string != ((len(parts) - 1) % 2 == 1)
        if starts_in_string:
            self._token = 0  # a string ended the token before it
        limit = self.limits.max_string
        if len(chunk) > limit:  # a string within the chunk can be over the limit
            lengths = list(map(len, parts[0 if starts_in_string else 1 :: 2]))
            if starts_in_string:
                lengths[0] += self._string
            self._string = lengths.pop() if ends_in_string else 0
            too_long = bool(lengths) and max(lengths) > limit
        else:  # only the strings running over the chunk's edges can be
            carried = self._string + len(parts[0]) if starts_in_string else 0
            if not ends_in_string:
                self._string = 0
            elif len(parts) == 1:  # inside one string from end to end
                self._string = carried
            else:
                self._string = len(parts[-1])
            too_long = carried > limit
        if self._string > limit or too_long:
            self._refuse(f"a string longer than {limit} bytes", "JSON_MAX_STRING")
        self._in_string = ends_in_string
        outside = b" ".join(parts[1 if starts_in_string else 0 :: 2])
        self._check_tokens(outside)
        if ends_in_string:
            self._token = 0
        self._check_depth(outside.translate(None, _NOT_BRACKETS))

    def _check_tokens(self, outside: bytes) -> None:
        """Bound numbers and bare words (`1111...`): the parser buffers one whole."""
        limit = self.limits.max_token
        marked = outside.translate(_TOKEN_MARKS)  # token bytes as "a", the rest as " "
        if b" " not in marked:  # the chunk continues one token
            self._token += len(marked)
        else:
            leading = len(marked) - len(marked.lstrip(b"a"))
            if self._token + leading > limit or b"a" * (limit + 1) in marked:
                self._token = limit + 1
            else:
                self._token = len(marked) - len(marked.rstrip(b"a"))
        if self._token > limit:
            self._refuse(
                f"a number or word outside strings longer than {limit} characters",
                "JSON_MAX_TOKEN",
            )

    def _check_depth(self, brackets: bytes) -> None:
        limit = self.limits.max_depth
        original, passes = brackets, 0
        while passes <= limit:
            reduced = _PAIR_RE.sub(b"", brackets)  # one level of nesting per pass
            if len(reduced) == len(brackets):
                break
            brackets, passes = reduced, passes + 1
        closers = len(brackets) - len(brackets.lstrip(b"]}"))
        openers = len(brackets) - closers
        # the deepest point in the chunk is at most this (pairs removed nest `passes` deep)
        if self._depth + openers + passes > limit:
            self._exact_depth(original)
        self._depth = max(0, self._depth - closers) + openers

    def _exact_depth(self, brackets: bytes) -> None:
        """The cheap bound was exceeded: walk the chunk's brackets (suspect input only)."""
        depth = self._depth
        for byte in brackets:
            depth = depth + 1 if byte in b"[{" else max(0, depth - 1)
            if depth > self.limits.max_depth:
                self._refuse(f"nested deeper than {self.limits.max_depth} levels", "JSON_MAX_DEPTH")

    def _refuse(self, what: str, setting: str) -> None:
        where = f"{self.name}: " if self.name else ""
        raise InputLimitError(f"{where}{what} (limit LOTWISE_{setting})")


def check_json_bytes(data: bytes, limits: JsonLimits = DEFAULT_LIMITS, name: str = "input") -> None:
    """Raise `InputLimitError` if the JSON text `data` (a page, a body) is over a limit."""
    JsonGuard(limits, name).feed(data)


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class GuardedReader:
    """A binary stream passing through a `JsonGuard`; `consumed` (when given) tells how many
    compressed bytes were read so far, for the expansion ratio of a gzip bomb."""

    def __init__(
        self,
        raw: Readable,
        limits: JsonLimits,
        name: str,
        consumed: Readable | None = None,
    ) -> None:
        self._raw = raw
        self._guard = JsonGuard(limits, name)
        self._consumed = consumed

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size if size and size > 0 else _CHUNK)
        self._guard.feed(data)
        self._check_ratio()
        return data

    def __iter__(self) -> GuardedReader:
        return self

    def __next__(self) -> bytes:
        """The next line, read in pieces that each pass the guard (a gigabyte without a
        newline is refused at the limit, not read whole first)."""
        pieces = []
        while True:
            piece = _readline(self._raw, _CHUNK * 16)
            self._guard.feed(piece)
            self._check_ratio()
            pieces.append(piece)
            if not piece or piece.endswith(b"\n"):
                break
        line = b"".join(pieces)
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> GuardedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_ratio(self) -> None:
        guard = self._guard
        limits = guard.limits
        if self._consumed is None or guard.total <= limits.ratio_after:
            return
        tell = getattr(self._consumed, "tell", None)
        compressed = tell() if tell is not None else 0
        if compressed and guard.total > compressed * limits.max_ratio:
            raise InputLimitError(
                f"{guard.name}: expands more than {limits.max_ratio} times when decompressed "
                "(limit LOTWISE_INPUT_MAX_RATIO)"
            )


def _readline(raw: Readable, size: int) -> bytes:
    line: bytes = raw.readline(size)  # type: ignore[attr-defined]
    return line
