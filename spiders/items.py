"""What spiders hand to the pipeline: a page of releases, or a page that failed.

Both are plain data. A failed page is an item (not a log line) so the pipeline stores it in
the error log, where the operator sees it and the next run retries its URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.ingest.tender import NormalisedTender


@dataclass
class PackageItem:
    """The releases of one fetched page. `url` is the page as requested (the key its earlier
    errors are resolved by); `total` is the number of releases the source announced for the
    whole listing, set on the listing's first page only so it is counted once."""

    source: str
    url: str
    releases: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    entries: int = 0  # records or releases on the page: the unit `total` counts


@dataclass
class TenderItem:
    """The records of one page of a non-OCDS source (TED API, SAM.gov). The pipeline turns
    each into a tender with `normalise` (a pure function from `scanner.ingest`, raising
    `NormaliseError` for a record it cannot use) and stores them with `store_tenders`;
    `keys` names each record in the error log. `total` and `entries` as for `PackageItem`."""

    source: str
    url: str
    records: list[Any]
    normalise: Callable[[Any], NormalisedTender]
    keys: list[str | None] = field(default_factory=list)
    total: int | None = None
    entries: int = 0


@dataclass
class PageErrorItem:
    """A page that could not be used. `kind`: http, timeout, connection, truncated, parse or
    schema; `excerpt` is the start of the body when there was one."""

    source: str
    kind: str
    url: str
    reason: str
    status: int | None = None
    excerpt: str | None = None
