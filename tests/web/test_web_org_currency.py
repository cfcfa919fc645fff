"""An organisation's pages show money in its own currency, converted with the matcher's dated
rates, with the notice's amount beside it (issue 12); an officer's view of a tender stays in
the notice's currency."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from conftest import Bare
from opportunity_fixtures import award_release, ingest, match_row, open_release, set_matches
from opportunity_fixtures import tender_id as find_tender
from sqlalchemy import update
from web_fixtures import NOW

from scanner.models import Award, Lot, Organisation, Tender
from scanner.money import format_money
from scanner.orgs import load_rates
from scanner.orgs.convert import to_reader


def _published(bare: Bare, tmp_path: Path, currency: str) -> int:
    ingest(
        bare.engine,
        tmp_path,
        [open_release(1, deadline=NOW + timedelta(days=30)), award_release(1, "Access Co 1")],
        NOW,
    )
    tender = find_tender(bare.engine, "ocds-opp-1")
    own, _ = bare.slugs
    set_matches(
        bare.engine,
        own,
        [
            match_row(tender, f"tender:{tender}", "tender", "Website", NOW),
            match_row(tender, f"lot:{tender}:2", "buyer_lot", "User research", NOW),
        ],
    )
    with bare.engine.begin() as conn:
        conn.execute(update(Organisation).where(Organisation.slug == own).values(currency=currency))
    return tender


def _euros(bare: Bare, amount: int) -> str:
    """GBP `amount` in euros by the app's own rates of the clock's day."""
    rates = load_rates(bare.settings.rates_file)
    euros = to_reader(Decimal(amount), "GBP", "EUR", rates, on=NOW.date())
    assert euros is not None and Decimal(amount) < euros < Decimal(amount) * Decimal("1.3")
    return format_money(euros, "EUR")


def test_eur_organisation_reads_gbp_notices_in_euros_with_pounds_beside(
    bare: Bare, tmp_path: Path
) -> None:
    tender = _published(bare, tmp_path, "EUR")
    own, _ = bare.slugs
    client = bare.client("org_a")
    dashboard = html.unescape(client.get(f"/orgs/{own}").text)
    assert f"{_euros(bare, 120_000)} (£120,000 in the notice)" in dashboard
    page = html.unescape(client.get(f"/orgs/{own}/opportunities/lot:{tender}:2").text)
    assert f"{_euros(bare, 70_000)} (£70,000 in the notice)" in page  # the lot's own value
    # a past award, by the rates of its date
    assert "(£38,000 in the notice)" in page and "€" in page.split("(£38,000")[0][-12:]
    api = client.get(f"/api/v1/organisations/{own}/matches").json()["items"]
    whole = next(row for row in api if row["kind"] == "tender")
    assert (whole["value_amount"], whole["currency"]) == ("120000.00", "GBP")
    assert whole["reader_currency"] == "EUR"
    assert format_money(whole["reader_value"], "EUR") == _euros(bare, 120_000)


def test_organisation_in_the_notice_currency_sees_one_amount(bare: Bare, tmp_path: Path) -> None:
    tender = _published(bare, tmp_path, "GBP")
    own, _ = bare.slugs
    page = html.unescape(bare.client("org_a").get(f"/orgs/{own}/opportunities/lot:{tender}:2").text)
    assert "£70,000" in page and "in the notice" not in page and "€" not in page


def test_a_currency_without_a_rate_is_shown_as_published_and_says_so(
    bare: Bare, tmp_path: Path
) -> None:
    tender = _published(bare, tmp_path, "EUR")
    with bare.engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == tender).values(currency="XAF"))
        conn.execute(update(Lot).where(Lot.tender_id == tender).values(currency="XAF"))
        conn.execute(update(Award).values(currency="XAF"))
    own, _ = bare.slugs
    client = bare.client("org_a")
    dashboard = html.unescape(client.get(f"/orgs/{own}").text)
    assert "FCFA\u00a0120,000 (not converted to EUR: no rate for XAF)" in dashboard
    page = html.unescape(client.get(f"/orgs/{own}/opportunities/lot:{tender}:2").text)
    assert "FCFA\u00a070,000 (not converted to EUR: no rate for XAF)" in page
    assert "FCFA\u00a038,000 (not converted to EUR: no rate for XAF)" in page
    api = client.get(f"/api/v1/organisations/{own}/matches").json()["items"]
    assert {(row["currency"], row["reader_value"]) for row in api} == {("XAF", None)}


def test_officer_sees_the_tender_in_the_notice_currency(bare: Bare, tmp_path: Path) -> None:
    tender = _published(bare, tmp_path, "EUR")
    page = html.unescape(bare.client("officer").get(f"/tenders/{tender}").text)
    assert "£120,000" in page and "in the notice" not in page
