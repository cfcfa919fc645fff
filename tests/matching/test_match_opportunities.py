"""A tender becomes opportunities: itself, each lot, each proposed package, with money in the
reporting currency and each part's own codes and places where it has them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from matchers import Match, OrgProfile
from matchers.value import value_note
from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.matching.opportunities import code_labels, only_labels, opportunities_of
from scanner.services.matching import RankedMatch, TenderFacts
from scanner.splitter import Package


def euro_to_pound(amount: Decimal | None, currency: str | None) -> Decimal | None:
    if amount is None or currency is None:
        return None
    return {"GBP": amount, "EUR": amount * Decimal("0.5")}.get(currency)


TENDER = NormalisedTender(
    source="fts",
    source_key="ocds-x-1",
    title="Digital services for the county",
    description="Open source case management, user research and hosting.",
    value_amount=Decimal("2000000"),
    currency="EUR",
    deadline_at=datetime(2027, 1, 10, tzinfo=UTC),
    status="active",
    cpv_codes=("72000000",),
    classifications=(Classification("NAICS", "541511"),),
    regions=("UKC", "UKD"),
    countries=("GB",),
    items=(
        Item("1", "Research", related_lot="L1", regions=("UKC1",)),
        Item("2", "Hosting", related_lot="L2"),
    ),
    lots=(
        Lot("L1", "User research", "Research with residents", Decimal("100000"), "EUR",
            classifications=(Classification("CPV", "79311000"),)),
        Lot("L2", None, None, None, None),
    ),
)  # fmt: skip


def test_whole_lots_and_packages_in_order_with_their_own_facts() -> None:
    package = Package(
        title="Discovery",
        scope="Discovery of user needs",
        item_ids=("1",),
        cpv="79311000",
        estimated_value=Decimal("60000"),
        value_method="share of items",
        duration_months=3,
        region="UKC1",
        depends_on=(),
        strategy="by_phase",
        reason="phases can be bought apart",
    )
    build = replace(package, title="Build", item_ids=("2",), estimated_value=Decimal("900000"))
    found = opportunities_of(TENDER, 7, [package, build], to_reporting=euro_to_pound)
    assert [o.id for o in found] == [
        "tender:7", "lot:7:1", "lot:7:2", "package:7:1", "package:7:2"
    ]  # fmt: skip
    assert [o.kind for o in found][:4] == ["tender", "buyer_lot", "buyer_lot", "suggested_package"]
    whole, research, hosting, discovery, _build = found
    assert whole.value == Decimal("1000000") and whole.naics == ("541511",)
    assert whole.open_source and not whole.closed
    assert research.value == Decimal("50000") and research.cpv == ("79311000",)
    assert research.regions == ("UKC1",) and research.parent_title == TENDER.title
    # A lot without its own title, codes, value or places falls back on the tender's.
    assert hosting.title == "Lot L2" and hosting.cpv == ("72000000",)
    assert hosting.value is None and hosting.regions == ("UKC", "UKD")
    # Lotwise's own division of the total is context, never a value to judge size on: a
    # suggested part is judged on the whole the buyer awards.
    assert (discovery.value_kind, discovery.value) == ("part", whole.value)
    assert discovery.regions == ("UKC1",)
    assert discovery.value_note == "Lotwise's estimate of this part €60k, not published"
    assert discovery.text == "Discovery of user needs"
    assert {o.tender_id for o in found} == {"7"} and {o.deadline for o in found} == {
        TENDER.deadline_at
    }


def test_closed_status_and_unconvertible_money() -> None:
    from dataclasses import replace

    closed = replace(TENDER, status="cancelled", currency="XYZ", lots=(), description=None)
    (only,) = opportunities_of(closed, 1, to_reporting=euro_to_pound)
    assert only.closed and only.value is None and not only.open_source and only.text == ""


FRAMEWORK = NormalisedTender(
    source="fts",
    source_key="ocds-x-2",
    title="Framework agreement for printing",
    description="Framework agreement shared by up to 4 suppliers for printing services.",
    value_amount=Decimal("1000000"),
    currency="EUR",
    cpv_codes=("79800000",),
    countries=("RO",),
)


def test_value_notes_keep_their_amounts_for_the_reader() -> None:
    # Issue 12: how a value was read is said before its reader is known; its amounts stay
    # money, shown in the notice's currency to nobody in particular and in the reader's own
    # (the notice's beside) in a match and in the API.
    whole = opportunities_of(FRAMEWORK, 9, to_reporting=euro_to_pound)[0]
    assert whole.value_kind == "ceiling"
    assert whole.value_note.startswith("framework ceiling €1m")
    reader = OrgProfile(id="ro", name="Tipografia", currency="RON", currency_rate=10.0)
    assert value_note(reader, whole).startswith("framework ceiling RON 5m (notice: €1m)")
    ranked = RankedMatch(
        "ro", 1, Match("ro", whole.id, 0.5, (), "fits"), whole,
        TenderFacts(9, 1, "ocds-x-2", FRAMEWORK.title, None, Decimal(1000000), "EUR", None, None),
        currency="RON", currency_rate=10.0,
    )  # fmt: skip
    assert ranked.as_dict()["value_note"] == value_note(reader, whole)


def test_the_splitters_one_package_is_the_whole_not_a_suggested_part() -> None:
    # STB's single-lot guarding call read as "part of a tender of RON 121m ... estimate of
    # this part RON 121m": the splitter's only package of an undivided requirement is the
    # requirement itself, so no part was cut and there is no "package 1" to suggest.
    single = Package(
        title=FRAMEWORK.title, scope="Printing", item_ids=(), cpv="79800000",
        estimated_value=Decimal("1000000"), value_method="tender value as published",
        duration_months=None, region=None, depends_on=(), strategy="", reason="",
    )  # fmt: skip
    found = opportunities_of(FRAMEWORK, 9, [single], to_reporting=euro_to_pound)
    assert [o.kind for o in found] == ["tender"]


def test_a_package_named_only_by_its_codes_carries_no_words_of_the_buyers() -> None:
    german = replace(
        TENDER,
        title="Next-Incubator",
        description="Wir suchen innovative Geschäftsmodelle.",
        cpv_codes=("72000000", "48000000"),
        classifications=(Classification("CPV", "79311000", "Research services (published)"),),
        items=(),
        lots=(),
    )
    labels = code_labels(german)
    # the vocabulary's labels in every language, its ancestors', and the published words
    assert "it-dienste: beratung, software-entwicklung, internet und hilfestellung" in labels
    assert "software package and information systems" in labels
    assert "research services (published)" in labels
    assert only_labels("Softwarepaket und Informationssysteme", labels)
    assert only_labels("IT-Dienste: Beratung, Software-Entwicklung, Internet und …", labels)
    assert only_labels("IT services: consulting, software development, Internet and support; "
                       "Software package and information systems", labels)  # fmt: skip
    assert only_labels("CPV group 723", labels)
    assert not only_labels("Hosting of the citizens' portal", labels)
    assert not only_labels("Softwarepaket und Informationssysteme; Hosting des Portals", labels)
    assert not only_labels("", labels)
    # a code the tender does not list is not its label
    assert not only_labels("Bauarbeiten", labels)

    def package(title: str, scope: str) -> Package:
        return Package(title=title, scope=scope, item_ids=(), cpv="72000000",
                       estimated_value=None, value_method="", duration_months=None,
                       region=None, depends_on=(), strategy="by CPV", reason="")  # fmt: skip

    named = package(
        "IT-Dienste: Beratung, Software-Entwicklung, Internet und Hilfestellung",
        "IT-Dienste: Beratung, Software-Entwicklung, Internet und Hilfestellung",
    )
    worded = package("Softwarepaket und Informationssysteme", "Lizenzen für das Portal; Schulung")
    found = opportunities_of(german, 3, [named, worded], to_reporting=euro_to_pound)
    by_code, by_words = found[-2:]
    assert (by_code.title_from_codes, by_code.text) == (True, "")
    assert by_code.title == named.title  # still shown as it is
    assert (by_words.title_from_codes, by_words.text) == (True, worded.scope)
    assert not found[0].title_from_codes  # the buyer's own title
    title, parent, text = by_code.read_texts()
    assert title == (None, by_code.title_language) and parent[0] == "Next-Incubator"
    assert text == ("", by_code.language)
