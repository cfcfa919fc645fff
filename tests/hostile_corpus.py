"""The hostile-input corpus of issue 19, shared by the tests of every entry point (ingest,
`orgs import`, `split check`, the web upload): each input generated in a line or two, never
stored, with the words its refusal must contain."""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable

GOOD = {"ocid": "ocds-g-1", "id": "g1", "date": "2026-10-01T09:00:00Z", "tag": ["tender"],
        "tender": {"id": "1", "title": "Audit", "status": "active"}}  # fmt: skip


def package_with(value: bytes) -> bytes:
    return b'{"releases": [' + json.dumps(GOOD).encode() + b", " + value + b"]}"


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "deep nesting": (lambda: b"[" * 20_000 + b"]" * 20_000, "LOTWISE_JSON_MAX_DEPTH"),
    "deep objects in a package": (
        lambda: package_with(b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
        "nested deeper than 100 levels",
    ),
    "a long string": (
        lambda: package_with(b'{"ocid": "' + b"a" * (5 << 20) + b'"}'),
        "a string longer than 4194304 bytes (limit LOTWISE_JSON_MAX_STRING)",
    ),
    "a long string of escapes": (
        lambda: package_with(b'{"ocid": "' + b"\\\\" * (3 << 20) + b'"}'),
        "LOTWISE_JSON_MAX_STRING",
    ),
    "a long number": (lambda: package_with(b"1" * 100_000), "LOTWISE_JSON_MAX_TOKEN"),
    "a gzip bomb": (
        lambda: gzip.compress(b"[" + b" " * (80 << 20) + b"]", 9),
        "expands more than 200 times when decompressed (limit LOTWISE_INPUT_MAX_RATIO)",
    ),
}

# each input made once per test process, however many entry points it is sent to
HOSTILE = {case: (functools.cache(make), message) for case, (make, message) in HOSTILE.items()}
