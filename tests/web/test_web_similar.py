"""Near-identical notices from several buyers are one entry "and N similar" in an
organisation's match list and in its digest; each keeps its own page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import Bare
from opportunity_fixtures import ingest, match_row, open_release, set_matches, tender_id
from web_fixtures import NOW

from scanner.services import digests

TITLE = "WCAG 2.2 AA accessibility audit of the council website"
BUYERS = ("Hackney Council", "Camden Council", "Leeds City Council", "Bristol City Council")


def _matched(bare: Bare, tmp_path: Path) -> list[str]:
    releases = [
        open_release(n, deadline=NOW + timedelta(days=20 + n), title=TITLE, buyer=buyer)
        for n, buyer in enumerate(BUYERS, start=1)
    ]
    releases.append(open_release(9, deadline=NOW + timedelta(days=40), title="Data platform"))
    ingest(bare.engine, tmp_path, releases, NOW)
    ids = [tender_id(bare.engine, f"ocds-opp-{n}") for n in (1, 2, 3, 4, 9)]
    scores = (0.9, 0.7, 0.6, 0.5, 0.8)
    set_matches(
        bare.engine,
        bare.slugs[0],
        [
            match_row(t, f"tender:{t}", "tender", TITLE if n < 4 else "Data platform", NOW, s)
            for n, (t, s) in enumerate(zip(ids, scores, strict=True))
        ],
    )
    return [f"tender:{t}" for t in ids]


def test_dashboard_lists_near_identical_notices_once_with_and_n_similar(
    bare: Bare, tmp_path: Path
) -> None:
    first, second, third, fourth, other = _matched(bare, tmp_path)
    own = bare.slugs[0]
    page = bare.client("org_a").get(f"/orgs/{own}").text
    assert "Current matches (5)" in page
    assert page.count('<article class="match">') == 2 and "and 3 similar" in page
    for opportunity in (second, third, fourth):  # each still has its own page
        assert f'href="/orgs/{own}/opportunities/{opportunity}"' in page
    assert page.index(first) < page.index(second) < page.index(other)  # under the best copy


def test_digest_lists_near_identical_notices_once_and_counts_them_all(
    bare: Bare, tmp_path: Path
) -> None:
    first, second, third, fourth, other = _matched(bare, tmp_path)
    config = digests.DigestConfig.from_settings(bare.settings)
    built = digests.preview_digest(bare.engine, config, bare.slugs[0], now=NOW)
    assert built is not None
    new = built.content.new
    assert [i.opportunity_id for i in new] == [first, other]
    assert [i.opportunity_id for i in new[0].similar] == [second, third, fourth]
    assert [i.buyer for i in new[0].similar] == list(BUYERS[1:])
    assert built.subject.startswith("5 new opportunities")
    assert sorted(built.content.match_ids) == sorted(
        i.match_id for item in new for i in (item, *item.similar)
    )
    assert "And 3 similar notices:" in built.message.replace("=\n", "")
