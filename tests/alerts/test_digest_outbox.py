"""Which matches a digest holds, one digest per organisation and period, preferences and
claims: on SQLite and PostgreSQL, with a real SMTP server where mail is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from digest_fixtures import NOW, Seeder, SmtpServer, config_for
from sqlalchemy import Engine, func, select, update

from scanner.alerts.content import DigestContent
from scanner.alerts.links import LinkError
from scanner.alerts.message import POLICY
from scanner.alerts.render import DigestLinks, DigestRenderer, RenderedDigest
from scanner.models import Base, Digest
from scanner.services import digests as service
from scanner.storage import digests as store


def rows(engine: Engine) -> list[Digest]:
    with engine.connect() as conn:
        return [Digest(**r._asdict()) for r in conn.execute(select(Digest.__table__))]


def test_first_digest_holds_open_matches_best_first_with_the_fitting_part(seed: Seeder) -> None:
    org = seed.org("open-data-works")
    good = seed.tender("Open data portal")
    better = seed.tender("Research framework", lots=(("Lot 1: surveys", "30000"),) * 2)
    closed = seed.tender("Finished work", status="complete")
    past = seed.tender("Deadline passed", deadline=NOW - timedelta(days=1))
    seed.match(org, good, score=0.6)
    seed.match(org, better, score=0.9, opportunity=f"lot:{better}:2", title="Lot 2: interviews")
    seed.match(org, closed, score=0.99)
    seed.match(org, past, score=0.98)
    seed.match(org, seed.tender("Future"), score=0.7, found_at=NOW + timedelta(hours=1))
    built = service.preview_digest(seed.engine, config_for(1), "open-data-works", now=NOW)
    assert built is not None
    new = built.content.new
    assert [(i.title, i.part_title) for i in new] == [
        ("Research framework", "Lot 2: interviews"),
        ("Open data portal", None),
    ]
    assert str(new[0].value) == "30000.00" and new[0].page_url.endswith(
        f"/orgs/open-data-works/opportunities/lot:{better}:2"
    )
    assert built.content.closing == ()


def test_nothing_new_means_nothing_recorded_or_sent(seed: Seeder, smtp: SmtpServer) -> None:
    seed.org("quiet-org")
    report = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert report.nothing_new == ["quiet-org/2026-W48"] and report.recorded == []
    assert rows(seed.engine) == [] and smtp.handler.messages == []


def test_one_digest_per_period_whatever_arrives_later(seed: Seeder, smtp: SmtpServer) -> None:
    org = seed.org("daily-org", digest="daily")
    seed.match(org, seed.tender("First"))
    first = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert first.recorded == ["daily-org/2026-11-27"] and len(first.sent) == 1
    seed.match(org, seed.tender("Second"), found_at=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=3)
    again = service.send_digests(seed.engine, config_for(smtp.port), now=later)
    assert again.already_recorded == ["daily-org/2026-11-27"] and again.sent == []
    assert len(smtp.handler.messages) == 1
    # The next day's digest holds only what is new since the first one.
    tomorrow = service.send_digests(seed.engine, config_for(smtp.port), now=NOW + timedelta(1))
    assert tomorrow.recorded == ["daily-org/2026-11-28"]
    assert len(smtp.handler.messages) == 2
    text = message_from_bytes(smtp.handler.messages[1].content, policy=POLICY)
    body = text.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert "Second" in body and "First" not in body


def test_later_digest_has_new_matches_and_closing_soon_ones_sent_before(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("weekly-org")
    closing = seed.tender("Closing next week", deadline=NOW + timedelta(days=9))
    later = seed.tender("Closing later", deadline=NOW + timedelta(days=40))
    seed.match(org, closing)
    seed.match(org, later)
    service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    seed.match(org, seed.tender("Brand new"), found_at=NOW + timedelta(days=3))
    built = service.preview_digest(
        seed.engine, config_for(smtp.port), "weekly-org", now=NOW + timedelta(days=7)
    )
    assert built is not None and built.period == "2026-W49"
    assert [i.title for i in built.content.new] == ["Brand new"]
    assert [i.title for i in built.content.closing] == ["Closing next week"]


def test_never_inactive_and_email_less_organisations_get_nothing(
    seed: Seeder, smtp: SmtpServer
) -> None:
    for slug, kwargs in (
        ("never-org", {"digest": "never"}),
        ("inactive-org", {"active": False}),
        ("no-email-org", {"emails": ()}),
    ):
        seed.match(seed.org(slug, **kwargs), seed.tender(slug))  # type: ignore[arg-type]
    report = service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    assert report.recorded == [] and smtp.handler.messages == []


def test_dry_run_writes_eml_files_and_records_nothing(seed: Seeder, tmp_path: Path) -> None:
    seed.match(seed.org("dry-org"), seed.tender("Something"))
    report = service.send_digests(
        seed.engine, config_for(1), now=NOW, dry_run=True, outbox_dir=tmp_path
    )
    assert report.written == [str(tmp_path / "dry-org-2026-W48.eml")]
    parsed = message_from_bytes((tmp_path / "dry-org-2026-W48.eml").read_bytes(), policy=POLICY)
    assert parsed["To"] == "bids@example.org" and "Something" in str(parsed)
    assert rows(seed.engine) == []


def test_unsubscribe_link_stops_digests_and_revocation_kills_old_links(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("leaving-org")
    seed.match(org, seed.tender("Anything"))
    config = config_for(smtp.port)
    built = service.preview_digest(seed.engine, config, "leaving-org", now=NOW)
    assert built is not None
    message = message_from_bytes(built.message.encode(), policy=POLICY)
    url = str(message["List-Unsubscribe"]).strip("<>")
    token = parse_qs(urlparse(url).query)["token"][0]
    with pytest.raises(LinkError, match="not a preferences link"):
        service.apply_link(seed.engine, config, token, "preferences", now=NOW, frequency="daily")
    assert service.apply_link(seed.engine, config, token, "unsubscribe", now=NOW) == "leaving-org"
    report = service.send_digests(seed.engine, config, now=NOW)
    assert report.recorded == [] and smtp.handler.messages == []
    assert service.revoke_links(seed.engine, "leaving-org", now=NOW) == 2
    with pytest.raises(LinkError, match="revoked"):
        service.apply_link(seed.engine, config, token, "unsubscribe", now=NOW)
    # A new preference link (version 2) re-subscribes.
    fresh = service.DigestBuilder(config).signer.token("leaving-org", 2, "preferences")
    service.apply_link(seed.engine, config, fresh, "preferences", now=NOW, frequency="daily")
    assert len(service.send_digests(seed.engine, config, now=NOW).sent) == 1


def test_racing_records_for_one_period_keep_one(seed: Seeder) -> None:
    org = seed.org("race-org")
    seed.match(org, seed.tender("T"))
    builder = service.DigestBuilder(config_for(1))
    with seed.engine.begin() as conn:
        recipient = store.recipients(conn, "race-org")[0]
        first = builder.build(conn, recipient, None, NOW)
        second = builder.build(conn, recipient, None, NOW)
        assert first is not None and second is not None
        assert first.message_id != second.message_id
        assert store.record_digests(conn, [service.digest_row(first, NOW)]) == [True]
        assert store.record_digests(conn, [service.digest_row(second, NOW)]) == [False]
        assert conn.execute(select(func.count()).select_from(Digest)).scalar() == 1


def test_claims_of_a_dead_sender_are_requeued_before_data_and_unknown_after(
    seed: Seeder,
) -> None:
    for slug in ("a-org", "b-org", "c-org"):
        seed.match(seed.org(slug), seed.tender(slug))
    with seed.engine.begin() as conn:
        builder = service.DigestBuilder(config_for(1))
        for recipient in store.recipients(conn):
            built = builder.build(conn, recipient, None, NOW)
            assert built is not None
            store.record_digests(conn, [service.digest_row(built, NOW)])
    ids = sorted(d.id for d in rows(seed.engine))
    with seed.engine.begin() as conn:
        conn.execute(
            update(Digest).where(Digest.id == ids[0]).values(status="sending", claimed_by="dead")
        )
        conn.execute(
            update(Digest).where(Digest.id == ids[1]).values(status="in_data", claimed_by="dead")
        )
        conn.execute(
            update(Digest).where(Digest.id == ids[2]).values(status="in_data", claimed_by="live")
        )
        conn.execute(update(Digest).values(claimed_at=NOW))
        assert store.recover_stale_claims(conn, NOW, lambda who: who == "dead") == (1, 1)
        # A live sender's claim is left alone until its lease runs out.
        assert store.recover_stale_claims(conn, NOW + timedelta(hours=1), lambda _: False) == (0, 1)
    assert [d.status for d in sorted(rows(seed.engine), key=lambda d: d.id)] == [
        "pending",
        "unknown",
        "unknown",
    ]


def test_model_and_migration_agree_on_the_digest_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert [d for d in differences if "digest" in repr(d)] == []


def test_a_match_committed_after_the_last_digest_but_stamped_before_is_not_lost(
    seed: Seeder, smtp: SmtpServer
) -> None:
    org = seed.org("late-org", digest="daily")
    seed.match(org, seed.tender("Sent yesterday"))
    service.send_digests(seed.engine, config_for(smtp.port), now=NOW)
    # The matcher stamped this pair before that digest ran, but committed it afterwards.
    seed.match(org, seed.tender("Committed late"), found_at=NOW - timedelta(minutes=5))
    built = service.preview_digest(
        seed.engine, config_for(smtp.port), "late-org", now=NOW + timedelta(days=1)
    )
    assert built is not None
    assert [i.title for i in built.content.new] == ["Committed late"]


class FailingFor(DigestRenderer):
    """The real renderer, except for one organisation (stands in for data it cannot render)."""

    def render(self, content: DigestContent, links: DigestLinks, now: datetime) -> RenderedDigest:
        if content.organisation_slug == "bad-org":
            raise ValueError("cannot render this one")
        return super().render(content, links, now)


def test_one_organisation_that_cannot_be_built_never_stops_the_others(
    seed: Seeder, smtp: SmtpServer
) -> None:
    for slug in ("a-org", "bad-org", "c-org"):
        seed.match(seed.org(slug), seed.tender(slug))
    config = config_for(smtp.port)
    builder = service.DigestBuilder(config, renderer=FailingFor())
    report = service.send_digests(seed.engine, config, now=NOW, builder=builder)
    assert report.errors == [
        {"organisation": "bad-org", "error": "ValueError: cannot render this one"}
    ]
    assert sorted(report.recorded) == ["a-org/2026-W48", "c-org/2026-W48"]
    assert len(smtp.handler.messages) == 2
