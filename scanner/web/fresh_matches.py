"""Matches found right after a sign-up or a profile change, for that organisation alone, so
its first page shows them instead of waiting for the next crawl (issue 18)."""

from __future__ import annotations

import logging

from fastapi import Request

from scanner.orgs import RatesError
from scanner.services.matching import MatchingConfig, refresh_matches

log = logging.getLogger(__name__)


def find_matches(request: Request, slug: str) -> str:
    """Rank the open tenders for `slug` now and store its matches; the sentence to show.
    A failure is said, not raised: the profile is saved either way, and the next matching
    run after a crawl finds the matches."""
    state = request.app.state
    settings = state.settings
    try:
        config = MatchingConfig.load(
            settings.matching_file, settings.rates_file, top=settings.match_top
        )
        run = refresh_matches(state.engine, config, now=state.now(), only=[slug])
    except (OSError, ValueError, RatesError):
        log.exception("matches for %s not computed", slug)
        return "Your matches could not be computed just now; they will be after the next crawl."
    if not run.organisations:
        return "Your profile does not receive matches (it is not active)."
    if not run.stored:
        return (
            f"No open tender matches your profile yet (we looked at {run.tenders}); "
            "new tenders are checked every day."
        )
    found = "1 match" if run.stored == 1 else f"{run.stored} matches"
    return (
        f"Computed {found} for your profile among {run.tenders} open tenders "
        f"in {run.seconds:.1f} s."
    )
