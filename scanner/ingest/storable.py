"""Can a release be stored on every database? The checks PostgreSQL would make, made first.

SQLite stores a NUL character, a lone surrogate or a 400-character ocid; PostgreSQL refuses
each one mid-transaction, which used to cost the whole file. Checking here, before any write,
makes that record an error row on both databases alike, and lets the rest of the file through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

import orjson

__all__ = ["IDENTIFIER_LIMIT", "release_problem", "text_problem"]

IDENTIFIER_LIMIT = 300  # the width of the ocid, release id and record key columns
_NUL_ESCAPED = b"\\u0000"


def release_problem(release: Mapping[str, Any], encoded: bytes | None = None) -> str | None:
    """Why `release` cannot be stored as it is (one line naming the field), or None.

    `encoded` is the release as orjson wrote it, when the caller has it (storage hashes that
    serialisation): orjson wrote it, so its text is valid Unicode, and only a NUL is left to
    look for, without a second serialisation."""
    for name in ("ocid", "id"):
        value = release.get(name)
        if isinstance(value, str) and len(value) > IDENTIFIER_LIMIT:
            return f"{name} is {len(value)} characters long, over the limit of {IDENTIFIER_LIMIT}"
    if encoded is not None and _NUL_ESCAPED not in encoded:
        return None
    return text_problem(release)


def text_problem(value: Any) -> str | None:
    """Why some string in `value` (nested dicts and lists, keys too) is not storable text.

    orjson escapes NUL as `\\u0000` and refuses lone surrogates, so one serialisation finds
    both quickly; the walk that names the field runs only on a hit.
    """
    try:
        encoded = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        where = _find(value, _bad_unicode)
        if where is None:  # not about text (an integer beyond 64 bits): not ours to judge
            return None
        return f"{where}: text is not valid Unicode (a lone surrogate)"
    if _NUL_ESCAPED not in encoded:
        return None
    where = _find(value, lambda text: "\x00" in text)
    if where is None:  # only a literal backslash-u0000 in some text: fine
        return None
    return f"{where}: text contains a NUL character (\\u0000), which PostgreSQL cannot store"


def _bad_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _find(value: Any, bad: Any) -> str | None:
    """The dotted path of the first string (key or value) for which `bad` is true."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if bad(node):
                return _printable(path or "value")
        elif isinstance(node, Mapping):
            for key, child in node.items():
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and bad(key):
                    return _printable(name)
                stack.append((name, child))
        elif isinstance(node, list | tuple):
            stack.extend((f"{path}[{index}]", child) for index, child in enumerate(node))
        elif is_dataclass(node) and not isinstance(node, type):  # as orjson writes one
            stack.append((path, {field.name: getattr(node, field.name) for field in fields(node)}))
    return None


def _printable(path: str) -> str:
    return path.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()
