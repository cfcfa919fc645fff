"""Money in a digest is shown in the organisation's currency, converted with the matcher's dated
rates, with the notice's own amount beside it (issue 12); delivered through a real SMTP server."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.message import EmailMessage

from digest_fixtures import NOW, Seeder, SmtpServer, config_for

from scanner.alerts.message import POLICY
from scanner.orgs.rates import parse_rates
from scanner.services import digests as service

NBSP = "\u00a0"  # CLDR keeps a letter code apart from its digits: "PLN 5,000,000"
# Round figures, so the expected amounts can be worked out by hand: 1 EUR = 4 PLN = 0.8 GBP by
# the table in force at NOW; the later table (not yet in force) would give other figures.
RATES = parse_rates(
    {
        "base": "EUR",
        "reporting": "GBP",
        "rates": [
            {"date": date(2026, 1, 1), "EUR": "1", "GBP": "0.8", "PLN": "4"},
            {"date": date(2027, 1, 1), "EUR": "1", "GBP": "0.9", "PLN": "5"},
        ],
    }
)


def delivered(seed: Seeder, smtp: SmtpServer) -> tuple[str, str]:
    report = service.send_digests(seed.engine, config_for(smtp.port, RATES), now=NOW)
    assert report.errors == [] and len(report.sent) == 1
    message = message_from_bytes(smtp.handler.messages[0].content, policy=POLICY)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text.replace("\r\n", "\n"), html.replace("&nbsp;", NBSP).replace("&#39;", "'")


def test_eur_organisation_reads_a_pln_notice_in_euros_with_the_zloty_amount_beside(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("lodz-analytics", currency="EUR")
    seed.match(org, seed.tender("Data platform", value="5000000", currency="PLN"), score=0.9)
    text, html = delivered(seed, smtp)
    for part in (text, html):
        # 5,000,000 PLN / 4 = 1,250,000 EUR (through GBP: 1,000,000 GBP / 0.8)
        assert f"€1,250,000 (PLN{NBSP}5,000,000 in the notice)" in part
        assert "1,000,000" not in part  # never the reporting currency's figure


def test_reader_in_the_notice_currency_sees_one_amount(seed: Seeder, smtp: SmtpServer) -> None:
    org = seed.org("warsaw-works", currency="PLN")
    seed.match(org, seed.tender("Data platform", value="5000000", currency="PLN"))
    text, html = delivered(seed, smtp)
    assert f"Value: PLN{NBSP}5,000,000\n" in text
    assert f"Value: PLN{NBSP}5,000,000 &middot;" in html or f"Value: PLN{NBSP}5,000,000 ·" in html
    for part in (text, html):
        assert "in the notice" not in part and "not converted" not in part


def test_currency_without_a_rate_shows_the_notice_amount_and_says_so(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("lodz-analytics", currency="EUR")
    seed.match(org, seed.tender("Survey", value="7000000", currency="CHF"))
    text, html = delivered(seed, smtp)
    for part in (text, html):
        assert f"CHF{NBSP}7,000,000 (not converted to EUR: no rate for CHF)" in part
        assert "€" not in part


def test_lots_in_their_own_value_and_packages_as_lotwise_estimates(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("lodz-analytics", currency="EUR")
    lotted = seed.tender(
        "Roads", value="9000000", currency="PLN", lots=(("Design", "2000000"), ("Build", None))
    )
    seed.match(org, lotted, opportunity=f"lot:{lotted}:1", title="Design", score=0.9)
    seed.match(org, lotted, opportunity=f"lot:{lotted}:2", title="Build", score=0.8)
    split = seed.tender("Schools", value="8000000", currency="PLN", packages=("400000", None))
    seed.match(org, split, opportunity=f"package:{split}:1", title="Surveys", score=0.7)
    seed.match(org, split, opportunity=f"package:{split}:2", title="Audits", score=0.6)
    text, _html = delivered(seed, smtp)
    blocks = {block.split("\n")[0]: block for block in text.split("\n\n")}
    design, build, surveys, audits = (
        next(b for b in blocks.values() if name in b)
        for name in ("Design", "Build", "Surveys", "Audits")
    )
    assert f"Value: €500,000 (PLN{NBSP}2,000,000 in the notice)" in design
    assert "Value: not published" in build  # the lot's, not the whole tender's 9m
    assert f"Value: €100,000 (PLN{NBSP}400,000), Lotwise's estimate" in surveys
    assert "Value: no estimate" in audits
    assert "9,000,000" not in text and "8,000,000" not in text
