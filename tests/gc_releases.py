"""Small OCDS tender releases for the batch garbage-collection tests of the crawl
(tests/spiders/test_pipeline_gc.py) and of `lotwise ingest` (tests/cli/test_ingest_gc.py): one
shape for both, so the two stores are tested on the same records. A plain module at the top of
tests/, like `schema_template.py`, so any folder can import it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def gc_release(number: int) -> dict[str, Any]:
    """Release `number`: one tender, a buyer with a contact point (stripped when stored)."""
    return {
        "ocid": f"ocds-gc-{number}",
        "id": f"r{number}",
        "date": "2026-12-01T10:00:00Z",
        "tag": ["tender"],
        "parties": [{"id": "B", "name": "Council", "contactPoint": {"email": "a@b.c"}}],
        "tender": {"id": str(number), "title": f"Tender {number}"},
    }
