"""The real-data corpus: built from the shared samples with Lotwise's own parsers, only calls a
supplier could bid for, each open on the evaluation day, under stable keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.evaluation.real_corpus import (
    EVALUATION_NOW,
    NO_CALL,
    RealCorpus,
    left_out_reason,
    opened_at,
    shifted_to,
    source_of,
)
from scanner.ingest.tender import NormalisedTender

BRIEFED_FOLDERS = (
    "open-tenders-en",
    "multi-lot-ocds",
    "multi-lot-eforms",
    "multi-lot-ted-xml",
    "ted",
    "find-a-tender",
    "sam-gov",
    "prozorro",
)


def test_every_briefed_folder_contributes_and_prozorro_dominates(real_corpus: RealCorpus) -> None:
    folders = {key.split("/", 1)[0] for key in real_corpus.items}
    assert set(BRIEFED_FOLDERS) <= folders
    sources = real_corpus.counts("source")
    assert sources["Prozorro (OCDS)"] > 1000
    for source in ("Public Contracts Scotland (OCDS)", "Sell2Wales (OCDS)", "SAM.gov"):
        assert sources[source] > 0
    assert sum(sources.values()) == len(real_corpus.items)


def test_keys_are_file_and_notice_id_and_point_at_real_files(
    real_corpus: RealCorpus, samples: Path
) -> None:
    for key, item in real_corpus.items.items():
        file, _, notice = key.partition("#")
        assert notice == item.tender.source_key
        assert file == item.file and (samples / file).is_file()
        assert item.source == source_of(file) or item.source == item.tender.source


def test_only_calls_for_competition_are_kept_and_the_rest_is_counted(
    real_corpus: RealCorpus,
) -> None:
    for item in real_corpus.items.values():
        assert item.tender.status == "active"
        assert item.tender.procedure_type not in NO_CALL
    reasons = {reason for _, reason in real_corpus.left_out}
    assert "direct award report (no call for competition)" in reasons
    assert "award notice, or complete as published" in reasons
    assert "duplicate of a procedure in an earlier sample file" in reasons
    prozorro = sum(
        n for (source, _), n in real_corpus.left_out.items() if source == "Prozorro (OCDS)"
    )
    prozorro += real_corpus.counts("source")["Prozorro (OCDS)"]
    # every procedure accounted for: the 5,446 of the Lviv snapshot and the one of ocds/
    assert prozorro == 5446 + 1


def test_every_item_opens_on_the_evaluation_day_and_is_open_then(
    real_corpus: RealCorpus,
) -> None:
    assert real_corpus.now == EVALUATION_NOW
    for item in real_corpus.items.values():
        assert item.tender.published_at == EVALUATION_NOW
        assert item.tender.is_open(EVALUATION_NOW)
        assert item.published.year >= 2014  # the original publication date is kept


def test_languages_are_declared_and_detected(real_corpus: RealCorpus) -> None:
    declared = real_corpus.counts("declared_language")
    assert declared["uk"] > 1000 and declared["en"] > 200 and declared["pl"] >= 1
    detected = real_corpus.counts("detected_language")
    assert detected["uk"] > 1000 and detected["en"] > 200


def _tender(**changes: object) -> NormalisedTender:
    return replace(
        NormalisedTender(
            source="test",
            source_key="t-1",
            title="Firewood",
            status="active",
            published_at=datetime(2024, 3, 10, tzinfo=UTC),
            deadline_at=datetime(2024, 3, 20, tzinfo=UTC),
            raw={"tender": {"tenderPeriod": {"startDate": "2024-03-08T00:00:00+00:00"}}},
        ),
        **changes,
    )


def test_a_notice_is_moved_by_one_amount_from_the_day_its_call_opened() -> None:
    tender = _tender()
    assert opened_at(tender) == datetime(2024, 3, 8, tzinfo=UTC)  # the tender period's start
    now = datetime(2026, 10, 12, 9, tzinfo=UTC)
    moved = shifted_to(tender, now)
    assert moved.published_at == now
    assert moved.deadline_at == now + timedelta(days=12)  # the whole window, from its start
    assert (moved.title, moved.status, moved.raw) == (tender.title, tender.status, tender.raw)


def test_a_call_published_after_its_own_deadline_is_left_out() -> None:
    assert left_out_reason(_tender()) is None
    late = _tender(raw={}, deadline_at=datetime(2024, 3, 9, tzinfo=UTC))  # published on the 10th
    assert left_out_reason(late) == "deadline before publication as published"
    # the call opened with its tender period (the 8th), before that deadline: kept
    assert left_out_reason(_tender(deadline_at=datetime(2024, 3, 9, tzinfo=UTC))) is None
    assert left_out_reason(_tender(status="complete")) == "award notice, or complete as published"


def test_the_shared_corpus_is_a_fresh_build(real_corpus: RealCorpus, samples: Path) -> None:
    """The corpus the other tests get (tests/corpus_cache.py: built once, read by the other
    test processes and runs with the same inputs) equals `load_real_corpus` run here, now:
    the loader still reads every sample on every run, and a faulty shared build fails here."""
    from scanner.evaluation.real_corpus import load_real_corpus

    fresh = load_real_corpus(samples)
    assert len(fresh.items) >= 1546  # the samples' own calls; more with the gathered folders
    assert list(fresh.items) == list(real_corpus.items)  # same keys, same order
    assert fresh == real_corpus
