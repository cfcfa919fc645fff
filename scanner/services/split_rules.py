"""The splitter's configuration as one use case: thresholds (with the dated reference rates that
compare values in other currencies) and the contract clause library, loaded from settings.

The CLI, the web pages and the scheduler all load them here, so they agree on what a file
problem means: one line naming the file and the fault.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from scanner.orgs.rates import RatesError, load_rates
from scanner.settings import Settings
from scanner.splitter import Thresholds, ThresholdsError, load_thresholds
from scanner.splitter.advice import ClauseError, ClauseLibrary, Note, advise, load_clauses

__all__ = ["ClauseError", "ThresholdsError", "advised", "clause_library", "split_rules"]


def split_rules(settings: Settings) -> Thresholds:
    """The thresholds file, with the rates file's tables when it reads (without them, values
    in other currencies are reported as not comparable). Raises `ThresholdsError`."""
    path = settings.thresholds_file
    try:
        thresholds = load_thresholds(path)
    except FileNotFoundError:
        raise ThresholdsError(f"{path}: thresholds file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"{path}: {exc}") from None
    try:
        rates = load_rates(settings.rates_file)
    except (RatesError, OSError, tomllib.TOMLDecodeError):
        return thresholds
    return replace(thresholds, rates=rates)


def clause_library(settings: Settings) -> ClauseLibrary:
    """The clause templates of `clauses_dir`, read again only when a file changes (web pages
    ask for them on every request). Raises `ClauseError`."""
    folder = settings.clauses_dir
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml")))
    except OSError:
        stamp = ()
    key = (str(folder), stamp)
    with _LOCK:
        cached = _CACHE.get(key[0])
        if cached is not None and cached[0] == key:
            return cached[1]
    library = load_clauses(folder)
    with _LOCK:
        _CACHE[key[0]] = (key, library)
    return library


_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple[str, tuple[tuple[str, int], ...]], ClauseLibrary]] = {}


def advised(
    entry: Mapping[str, Any], tender: Mapping[str, Any], library: ClauseLibrary
) -> tuple[dict[str, Any], Note]:
    """An assessment (stored or just made) with its clauses and lotting note; an assessment
    that failed (`status` error) is returned unchanged with an empty note."""
    if entry.get("status") == "error":
        return dict(entry), Note(())
    return advise(entry, tender, library)
