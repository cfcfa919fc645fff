"""Rendering and links, pure: no database, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage

import pytest

from scanner.alerts.content import DigestContent, DigestItem, days_left, period_key
from scanner.alerts.links import LinkError, LinkSigner, opportunity_url
from scanner.alerts.message import POLICY, build_message
from scanner.alerts.render import DigestLinks, DigestRenderer
from scanner.money import ReaderAmount

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script><b>Bold</b> & "quotes"'


def item(**changes: object) -> DigestItem:
    values: dict[str, object] = {
        "match_id": 1,
        "opportunity_id": "tender:7",
        "kind": "tender",
        "title": "Website accessibility audit",
        "part_title": None,
        "buyer": "Borough Council",
        "value": Decimal("120000"),
        "currency": "GBP",
        "reader_value": ReaderAmount(Decimal("120000"), "GBP", Decimal("120000"), "GBP"),
        "deadline": NOW + timedelta(days=3, hours=5),
        "score": 0.9,
        "explanation": "CPV 72 matches your services",
        "notice_url": "https://notices.example/n/7",
        "page_url": "https://lotwise.test/tenders/7",
    }
    values.update(changes)
    return DigestItem(**values)  # type: ignore[arg-type]


def content(*items: DigestItem, closing: tuple[DigestItem, ...] = ()) -> DigestContent:
    return DigestContent(
        organisation_slug="open-data-works",
        organisation_name="Open Data Works",
        frequency="weekly",
        period="2026-W48",
        new=items,
        closing=closing,
    )


LINKS = DigestLinks(
    unsubscribe="https://lotwise.test/digest/unsubscribe?token=u",
    preferences="https://lotwise.test/digest/preferences?token=p",
)


@pytest.fixture(scope="module")
def renderer() -> DigestRenderer:
    return DigestRenderer()


def test_tender_text_with_markup_or_script_shows_as_text(renderer: DigestRenderer) -> None:
    rendered = renderer.render(
        content(item(title=EVIL, explanation=EVIL, buyer=EVIL, part_title=EVIL, kind="buyer_lot")),
        LINKS,
        NOW,
    )
    assert "<script>" not in rendered.html and "<b>Bold</b>" not in rendered.html
    assert "&lt;script&gt;alert(" in rendered.html and "&lt;b&gt;Bold&lt;/b&gt;" in rendered.html
    assert "&amp;" in rendered.html
    # The plain-text part is not HTML: it carries the title as written.
    assert EVIL in rendered.text


def test_css_is_inlined_and_the_style_block_dropped(renderer: DigestRenderer) -> None:
    html = renderer.render(content(item()), LINKS, NOW).html
    assert "<style" not in html
    assert 'class="item" style="' in html and "border:" in html


def test_digest_shows_the_facts_a_reader_needs(renderer: DigestRenderer) -> None:
    lot = item(
        match_id=2,
        opportunity_id="lot:7:2",
        kind="buyer_lot",
        part_title="Lot 2: user research",
        value=Decimal("40000"),
        reader_value=ReaderAmount(Decimal("40000"), "GBP", Decimal("40000"), "GBP"),
        page_url="https://lotwise.test/tenders/7#lot-7-2",
    )
    soon = item(match_id=3, title="Old but closing", deadline=NOW + timedelta(hours=3))
    rendered = renderer.render(content(item(), lot, closing=(soon,)), LINKS, NOW)
    for part in (rendered.text, rendered.html):
        assert "Website accessibility audit" in part
        assert "Borough Council" in part
        assert "£120,000" in part and "£40,000" in part
        assert "3 days left" in part
        assert "CPV 72 matches your services" in part
        assert "Lot 2: user research" in part
        assert "https://notices.example/n/7" in part
        assert "https://lotwise.test/tenders/7#lot-7-2" in part
        assert "Closing soon" in part and "Old but closing" in part and "closes today" in part
        assert "digest/unsubscribe?token=u" in part and "digest/preferences?token=p" in part
    assert rendered.subject == "2 new opportunities for Open Data Works (week 48 of 2026)"
    assert rendered.text.index("Website accessibility") < rendered.text.index("Lot 2: user")


def test_subject_is_one_line_even_when_a_name_holds_line_breaks(
    renderer: DigestRenderer,
) -> None:
    named = DigestContent("x", "Evil\r\nBcc: victim@example.org", "daily", "2026-11-27", (item(),))
    subject = renderer.render(named, LINKS, NOW).subject
    assert "\n" not in subject and "\r" not in subject
    assert subject == "1 new opportunity for Evil Bcc: victim@example.org (27 November 2026)"


def test_message_is_multipart_alternative_with_unsubscribe_headers(
    renderer: DigestRenderer,
) -> None:
    rendered = renderer.render(content(item(title="Café €5 survey")), LINKS, NOW)
    message = build_message(
        rendered,
        sender="Lotwise <digests@lotwise.test>",
        recipients=["a@example.org", "b@example.org"],
        message_id="<digest.x.2026-W48.1@lotwise.test>",
        date=NOW,
        unsubscribe_url=LINKS.unsubscribe,
    )
    raw = message.as_bytes(policy=POLICY)
    raw.decode("ascii")  # 7-bit safe on the wire; non-ASCII is transfer-encoded
    parsed = message_from_bytes(raw, policy=POLICY)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in parsed.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert parsed["List-Unsubscribe"] == f"<{LINKS.unsubscribe}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == "<digest.x.2026-W48.1@lotwise.test>"
    assert parsed["Date"] == "Fri, 27 Nov 2026 07:00:00 +0000"
    body = parsed.get_body(("plain",))
    assert body is not None and "Café €5 survey" in body.get_content()


def test_periods_and_days_left() -> None:
    assert period_key("daily", NOW) == "2026-11-27"
    assert period_key("weekly", NOW) == "2026-W48"
    assert period_key("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
    with pytest.raises(ValueError, match="never"):
        period_key("never", NOW)
    assert days_left(NOW + timedelta(hours=20), NOW) == 1  # tomorrow morning
    assert days_left(NOW + timedelta(hours=2), NOW) == 0
    assert days_left(None, NOW) is None


def test_signed_links_expire_are_revocable_and_bound_to_purpose() -> None:
    signer = LinkSigner("secret one", "https://lotwise.test/")
    token = signer.token("open-data-works", 3, "unsubscribe")
    claim = signer.check(token, "unsubscribe", current_version=3)
    assert (claim.organisation_slug, claim.token_version) == ("open-data-works", 3)
    with pytest.raises(LinkError, match="revoked"):
        signer.check(token, "unsubscribe", current_version=4)
    with pytest.raises(LinkError, match="expired"):
        signer.check(token, "unsubscribe", max_age=-1)
    with pytest.raises(LinkError, match="not a preferences link"):
        signer.check(token, "preferences")
    with pytest.raises(LinkError, match="not valid"):
        signer.check(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "unsubscribe")
    with pytest.raises(LinkError, match="not valid"):
        LinkSigner("another secret", "https://x").check(token, "unsubscribe")
    assert signer.url("o", 1, "preferences").startswith(
        "https://lotwise.test/digest/preferences?token="
    )


def test_opportunity_links_point_at_the_organisations_page_of_the_part() -> None:
    assert opportunity_url("https://l.test/", "coop", "tender:7") == (
        "https://l.test/orgs/coop/opportunities/tender:7"
    )
    assert opportunity_url("https://l.test", "coop", "package:7:1") == (
        "https://l.test/orgs/coop/opportunities/package:7:1"
    )
