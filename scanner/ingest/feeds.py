"""One RSS 2.0 / Atom entry (as feedparser reads it) -> one `NormalisedTender`.

`feed_entry_fields` maps an entry to the field names of HTML listings (`id` from the guid,
else the link; `description` from the summary, escaped HTML made plain later; `buyer` from the
author; `published` from the published, else updated date; `cpv` from category terms), so the
spider can tell which required fields the feed lacks and complete them from the item's detail
page, and both kinds of portal share one normaliser. Feed dates are RFC 822 or ISO 8601 and
read by the general parser; dates from detail pages by the source's `date_formats`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from scanner.ingest.html_listing import ListingRecordError, ParseRules, normalise_fields
from scanner.ingest.tender import NormalisedTender

__all__ = ["FEED_DATE_FIELDS", "feed_entry_fields", "normalise_feed_entry"]

#: Fields a feed itself can carry a date in (standard formats).
FEED_DATE_FIELDS = frozenset({"published"})


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def feed_entry_fields(entry: Mapping[str, Any]) -> dict[str, str | None]:
    """The listing fields a feed entry carries (None where it has none)."""
    tags = entry.get("tags")
    terms = [
        str(tag.get("term"))
        for tag in (tags if isinstance(tags, list) else [])
        if isinstance(tag, Mapping) and tag.get("term")
    ]
    link = _text(entry.get("link"))
    return {
        "id": _text(entry.get("id")) or link,
        "url": link,
        "title": _text(entry.get("title")),
        "description": _text(entry.get("summary")),
        "buyer": _text(entry.get("author")),
        "published": _text(entry.get("published")) or _text(entry.get("updated")),
        "cpv": " ".join(terms) or None,
    }


def normalise_feed_entry(
    record: Mapping[str, Any], *, source: str, rules: ParseRules
) -> NormalisedTender:
    """A record made by the feed spider: the entry's fields (`feed_entry_fields`) completed by
    its detail page's fields where the entry lacked them. Raises `ListingRecordError` only."""
    if not isinstance(record, Mapping):
        raise ListingRecordError(f"a feed entry must be a mapping, not {type(record).__name__}")
    feed_dated = {name for name in FEED_DATE_FIELDS if name not in record.get("_from_detail", ())}
    rules = replace(rules, standard_dates=frozenset(feed_dated))
    return normalise_fields(record, source=source, rules=rules, kind="feed")
