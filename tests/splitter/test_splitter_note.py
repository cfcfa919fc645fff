"""The lotting note: lots with scope, value and duration, the statement on lots to publish (or
the draft reasons for not dividing), market-engagement questions, clauses; Markdown and text."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from scanner.ingest.tender import Classification, Item, NormalisedTender
from scanner.services.split_export import assessment_dict, tender_context
from scanner.splitter import assess, load_thresholds
from scanner.splitter.advice import Note, advise, load_clauses

REPO = Path(__file__).resolve().parents[2]
THRESHOLDS = load_thresholds(REPO / "config" / "thresholds.toml")
LIBRARY = load_clauses(REPO / "config" / "clauses")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def note_of(tender: NormalisedTender) -> tuple[dict[str, object], Note]:
    entry = assessment_dict(assess(tender, now=NOW, thresholds=THRESHOLDS))
    return advise(entry, tender_context(tender), LIBRARY)


def divided() -> NormalisedTender:
    return NormalisedTender(
        source="draft",
        source_key="d",
        title="Online housing repairs",
        buyer_name="Riverside Borough Council",
        currency="GBP",
        countries=("GB",),
        value_amount=Decimal("900000"),
        description=(
            "We need:\n1. User research and discovery (months 1-3), £60,000\n"
            "2. Accessibility audit of the website, £30,000\n"
            "3. Build and run the new service for 24 months\n"
            "A single supplier is expected."
        ),
    )


def test_a_divided_requirement_gets_lots_a_statement_questions_and_clauses() -> None:
    entry, note = note_of(divided())
    markdown = note.markdown
    assert markdown.startswith("# Lotting note: Online housing repairs")
    assert "Buyer: Riverside Borough Council (sub-central" in markdown
    assert "## Proposed lots" in markdown and "1. **User research and discovery**" in markdown
    assert "GBP 60,000 (stated in the text)" in markdown and "months 1-3" in markdown
    assert "## Statement on lots (Procurement Act 2023 s.18)" in markdown
    assert "The requirement is divided into" in markdown
    assert "Procurement Act 2023 s.16 (preliminary market engagement)" in markdown
    assert "Would your organisation bid for lot 2 (Accessibility audit of the website)" in markdown
    assert "## Suggested contract clauses" in markdown and "Exit without lock-in" in markdown
    assert "micro-contract ceiling" not in markdown  # Lotwise's internal wording stays inside
    assert entry["note"] == markdown


def test_the_plain_text_note_has_no_markdown() -> None:
    _, note = note_of(divided())
    text = note.text
    assert text.startswith("Lotting note: Online housing repairs\n=")
    assert "**" not in text and "## " not in text and "_Note" not in text
    assert "Statement on lots" in text


def test_an_undivided_requirement_above_the_threshold_gets_draft_reasons_not_to_divide() -> None:
    tender = NormalisedTender(
        source="draft",
        source_key="d",
        title="Office cleaning",
        buyer_name="Department for Transport",
        currency="GBP",
        value_amount=Decimal("400000"),
        description="Cleaning of one office building.",
        items=(Item("1", "Office cleaning", (Classification("CPV", "90911200"),)),),
    )
    _, note = note_of(tender)
    assert "Draft reasons for not dividing into lots" in note.markdown
    assert "The contract is not divided into lots because no separable part" in note.markdown
    assert "[Replace or complete" in note.markdown


def test_below_the_threshold_no_statement_is_required() -> None:
    tender = NormalisedTender(
        source="draft",
        source_key="d",
        title="Small survey",
        buyer_name="Riverside Borough Council",
        currency="GBP",
        value_amount=Decimal("20000"),
        description="A resident survey.",
    )
    _, note = note_of(tender)
    assert "no statement is required" in note.markdown


def test_a_country_without_rules_says_so_in_the_note() -> None:
    tender = NormalisedTender(
        source="draft",
        source_key="d",
        title="Паливо",
        ocid="ocds-be6bcu-UA-2026-1",
        currency="UAH",
        value_amount=Decimal("900000"),
        items=(
            Item("1", "Бензин А-95", (Classification("CPV", "09132100"),)),
            Item("2", "Дизельне паливо", (Classification("CPV", "09134200"),)),
        ),
    )
    _, note = note_of(tender)
    assert "No threshold rules for Ukraine" in note.markdown
    assert "by analogy" in note.markdown


def test_a_utilitys_statement_says_what_its_own_law_asks_and_what_to_check() -> None:
    # Directive 2014/25/EU Art. 65 asks a utility for no reasons for not dividing: the note
    # must not tell an Italian water company it has to publish them under Art. 46.
    tender = NormalisedTender(
        source="draft",
        source_key="u",
        title="Manutenzione della rete idrica",
        buyer_name="Acquedotto Esempio SpA",
        currency="EUR",
        countries=("IT",),
        value_amount=Decimal("900000"),
        description="Manutenzione ordinaria della rete idrica per 36 mesi.",
        raw={"format": "ted-xml", "authority_type": "4"},
    )
    _, note = note_of(tender)
    assert "Directive 2014/25/EU Art. 65" in note.markdown
    assert "Where: Italy (Directive 2014/25/EU)" in note.markdown
    public_sector = [line for line in note.markdown.splitlines() if "2014/24/EU Art. 46" in line]
    assert all("by analogy" in line for line in public_sector)  # the clauses' own sources
    assert "Directive 2014/25/EU Art. 58 (preliminary market consultations)" in note.markdown
    assert "to publish with the tender" not in note.markdown
    assert "check Book III" in note.markdown
