"""UK Contracts Finder: OCDS search by publication date, in windows of days.

Responses have been served as ISO-8859-1: bodies are decoded by their declared charset and
fall back to ISO-8859-1 when they are not UTF-8. Over-use is answered by HTTP 403 with an HTML
page: `BanBackoffMiddleware` waits `politeness.ban_backoff` seconds and retries, a bounded
number of times, before the page is recorded as an error.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.sources import DateWindow
from spiders.base import DateWindowSpider


class ContractsFinderSpider(DateWindowSpider):
    name = "contracts_finder"
    default_params: ClassVar[dict[str, str]] = {"limit": "100"}
    default_dates: ClassVar[DateWindow | None] = DateWindow(
        from_param="publishedFrom",
        to_param="publishedTo",
        format="%Y-%m-%dT%H:%M:%S",
        timezone="Europe/London",
        window_hours=72,
        overlap_hours=24,
        initial_days=14,
    )
    ban_statuses: ClassVar[frozenset[int]] = frozenset({403})
