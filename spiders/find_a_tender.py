"""UK Find a Tender (FTS): OCDS release packages by update time.

Long windows have silently returned far fewer releases than exist, so the run is cut into
short overlapping windows (read as Europe/London time), each paged by its `links.next` cursor.
429/503 with Retry-After are honoured by `RetryAfterMiddleware`; invalid numbers such as
`1e9999` are repaired when the page is read.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.sources import DateWindow
from spiders.base import DateWindowSpider


class FindATenderSpider(DateWindowSpider):
    name = "find_a_tender"
    # 100 is the API's maximum page size; an unknown parameter gives HTTP 400.
    default_params: ClassVar[dict[str, str]] = {"limit": "100"}
    default_dates: ClassVar[DateWindow | None] = DateWindow(
        from_param="updatedFrom",
        to_param="updatedTo",
        format="%Y-%m-%dT%H:%M:%S",
        timezone="Europe/London",
        window_hours=6,
        overlap_hours=1,
    )
