"""The password rule, one for every place a password is chosen (sign-up, change, reset, the
CLI) and one maximum for every place one is typed (sign-in too): OWASP ASVS 4.0 2.1.

At least 12 and at most 128 characters, any characters (spaces and Unicode included, nothing
trimmed or truncated), no composition rules; refused when it is a common or breached password
(the list in `data/common-passwords.txt.gz`, provenance and licence beside it), such a
password with digits or symbols added at either end, one short piece repeated, or built from
the person's own address or organisation id.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

MIN_PASSWORD = 12
MAX_PASSWORD = 128
MIN_DISTINCT = 5
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_CONTEXT_WORDS = ("lotwise",)


class PasswordRejectedError(ValueError):
    """The password breaks the rule; the message says how, and is safe to show."""


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lowercased (read once per process)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as stream:
        return frozenset(line.strip().lower() for line in stream if line.strip())


def check_password(password: str, *, context: tuple[str, ...] = ()) -> None:
    """Raise PasswordRejectedError unless `password` may be chosen. `context` holds the words
    personal to this account (the e-mail address, the organisation id)."""
    if len(password) < MIN_PASSWORD:
        raise PasswordRejectedError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordRejectedError(f"the password must have at most {MAX_PASSWORD} characters")
    lowered = password.lower()
    core = _EDGES.sub("", lowered)
    common = common_passwords()
    if lowered in common or (core and core in common):
        raise PasswordRejectedError(
            "this password is on a list of common or breached passwords; choose another "
            "(a few unrelated words make a strong one)"
        )
    if len(set(password)) < MIN_DISTINCT or _repeats(lowered):
        raise PasswordRejectedError(
            "the password repeats a few characters; choose a less regular one"
        )
    words = {*_CONTEXT_WORDS, *(_context_words(context))}
    if core in words or lowered in words:
        raise PasswordRejectedError(
            "the password must not be your address, your id or the site name"
        )


def _repeats(text: str) -> bool:
    """One piece written again and again ("abcabcabcabc", "passwordpassword")."""
    return re.fullmatch(r"(.+?)\1+", text) is not None


def _context_words(context: tuple[str, ...]) -> set[str]:
    words: set[str] = set()
    for item in context:
        item = item.strip().lower()
        if not item:
            continue
        words.add(item)
        local = item.split("@", 1)[0]
        words.add(local)
        words.add(_EDGES.sub("", local))
    return {w for w in words if len(w) >= 3}
