"""Contract clause templates: every shipped file passes the schema, a broken one is refused with
the file, clause and fault named, and filling uses the package's facts and marks the gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.splitter.advice import (
    ClauseError,
    ClauseLibrary,
    advise,
    fill_clauses,
    load_clauses,
    package_kind,
)

CLAUSES = Path(__file__).resolve().parents[2] / "config" / "clauses"
REQUIRED_TOPICS = {
    "user-research-time",
    "agile-fixed-price-increments",
    "open-source-public-code",
    "impact-goals",
    "handover-interoperability",
    "data-and-ip",
    "exit-without-lock-in",
}
GOOD = """
[[clause]]
id = "a-clause"
title = "A clause"
applies_to = ["any"]
text = "For {title}, worth {value}."
needs = ["value"]
[clause.sources]
UK = "Procurement Act 2023 s.18"
default = "Directive 2014/24/EU Art. 46 (EU)"
"""


def library() -> ClauseLibrary:
    return load_clauses(CLAUSES)


def package(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Discovery",
        "scope": "User research for the repairs service",
        "cpv": "72220000",
        "estimated_value": "120000",
        "duration_months": 4,
        "depends_on": [],
        **fields,
    }


def test_the_shipped_clauses_pass_the_schema_and_cover_the_topics() -> None:
    found = library()
    assert {t.id for t in found.templates} >= REQUIRED_TOPICS
    assert all(t.sources["default"] for t in found.templates)


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        (lambda s: s.replace("{value}", "{price}"), "unknown placeholder {price}"),
        (lambda s: s.replace('["any"]', '["spaceships"]'), "applies_to"),
        (lambda s: s.replace('default = "Directive 2014/24/EU Art. 46 (EU)"', ""), "default"),
        (lambda s: s.replace('id = "a-clause"', 'id = "A Clause"'), "id missing"),
        (lambda s: s.replace('title = "A clause"', 'title = "A clause"\ncolour = "red"'), "colour"),
        (lambda s: s + s, "repeats an id"),
        (lambda s: s.replace("UK =", "MARS ="), "sources keys"),
        (lambda s: s.replace("[[clause]]", "[[clause]"), "toml"),
    ],
)
def test_a_broken_clause_file_is_refused_naming_the_file_and_fault(
    tmp_path: Path, change: Any, fault: str
) -> None:
    (tmp_path / "mine.toml").write_text(change(GOOD), encoding="utf-8")
    with pytest.raises(ClauseError) as error:
        load_clauses(tmp_path)
    message = str(error.value)
    assert "mine.toml" in message
    assert fault.lower() in message.lower() or fault == "toml"
    assert "\n" not in message.strip()


def test_an_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClauseError, match="no clause files"):
        load_clauses(tmp_path)
    with pytest.raises(ClauseError, match="not found"):
        load_clauses(tmp_path / "nowhere")


def test_a_clause_file_anyone_adds_is_used(tmp_path: Path) -> None:
    (tmp_path / "ours.toml").write_text(GOOD, encoding="utf-8")
    filled = fill_clauses(
        load_clauses(tmp_path),
        package(),
        number=1,
        packages=[package()],
        regime="UK",
        buyer="Riverside Borough Council",
        currency="GBP",
    )
    assert filled == [
        {
            "id": "a-clause",
            "title": "A clause",
            "text": "For Discovery, worth GBP 120,000.",
            "source": "Procurement Act 2023 s.18",
            "fits": True,
            "fit_note": None,
        }
    ]
    elsewhere = fill_clauses(
        load_clauses(tmp_path), package(), number=1, packages=[package()], regime="US",
        buyer=None, currency="USD",
    )  # fmt: skip
    assert elsewhere[0]["source"] == "by analogy: Directive 2014/24/EU Art. 46 (EU)"


def test_clauses_are_filled_with_the_package_facts_and_gaps_are_marked() -> None:
    packages = [package(), package(title="Alpha", duration_months=None, depends_on=["Discovery"])]
    first = fill_clauses(
        library(), packages[0], number=1, packages=packages, regime="UK",
        buyer="Riverside Borough Council", currency="GBP",
    )  # fmt: skip
    by_id = {c["id"]: c for c in first}
    assert "Riverside Borough Council" in by_id["user-research-time"]["text"]
    assert "4 months" in by_id["user-research-time"]["text"]
    assert "lot 1 of 2" in by_id["handover-interoperability"]["text"]
    assert "Alpha" in by_id["handover-interoperability"]["text"]
    assert by_id["open-source-public-code"]["source"].startswith("GOV.UK Service Standard point 12")
    assert "builds-on-previous-lot" not in by_id  # nothing before the first lot
    assert all(c["fits"] for c in first)
    second = {
        c["id"]: c
        for c in fill_clauses(
            library(),
            packages[1],
            number=2,
            packages=packages,
            regime="UK",
            buyer="Riverside Borough Council",
            currency="GBP",
        )
    }
    assert '"Discovery"' in second["builds-on-previous-lot"]["text"]
    agile = second["agile-fixed-price-increments"]
    assert not agile["fits"] and "duration" in (agile["fit_note"] or "")
    assert "[to be agreed:" in agile["text"]


def test_goods_get_goods_clauses_not_software_ones() -> None:
    fuel = package(title="Petrol A-95", scope="Petrol A-95 for the fleet", cpv="09132100")
    assert package_kind(fuel) == "goods"
    ids = {
        c["id"]
        for c in fill_clauses(
            library(),
            fuel,
            number=1,
            packages=[fuel, package()],
            regime=None,
            buyer=None,
            currency="UAH",
        )
    }
    assert "goods-delivery-acceptance" in ids and "open-source-public-code" not in ids
    assert package_kind(package(title="Digital skills training", cpv=None, scope="")) == "services"


def test_advise_adds_clauses_to_every_package_and_the_note() -> None:
    entry = {
        "should_split": True,
        "score": 0.7,
        "currency": "GBP",
        "jurisdiction": "UK",
        "signals": [],
        "packages": [package(), package(title="Alpha", notes=["Still above the ceiling"])],
        "regime": {
            "buyer_name": "Riverside Borough Council",
            "lots_duty": "Procurement Act 2023 s.18",
        },
        "aggregated_value": "240000",
    }
    advised, note = advise(entry, {"title": "Repairs"}, library())
    assert all(p["clauses"] for p in advised["packages"])
    assert {"id", "title", "text", "source"} <= set(advised["packages"][0]["clauses"][0])
    assert advised["note"] == note.markdown
    assert "Still above the ceiling" not in note.markdown
