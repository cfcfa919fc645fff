"""`lotwise split check FILE`: a buyer's draft as an OCDS release, a release package or plain
text, assessed without a database; bad files end in one clear line and exit code 2."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.services.splitting import money_in_text

# No database anywhere near: a check must never need one.
UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"

DRAFT_RELEASE: dict[str, Any] = {
    "ocid": "ocds-draft-1",
    "id": "draft-1",
    "date": "2026-11-20T09:00:00Z",
    "tag": ["planning"],
    "initiationType": "tender",
    "buyer": {"name": "Easton Vale City Council"},
    "tender": {
        "id": "EV-2027-001",
        "title": "Digital transformation partner",
        "description": (
            "A single supplier to deliver end-to-end discovery, alpha, beta and live running of "
            "our new online services across four areas, working in the open with user research."
        ),
        "value": {"amount": 2400000, "currency": "GBP"},
        "contractPeriod": {"durationInDays": 1460},
        "items": [
            {
                "id": "1",
                "description": "Service design",
                "classification": {"scheme": "CPV", "id": "72220000"},
            },
            {
                "id": "2",
                "description": "Hosting",
                "classification": {"scheme": "CPV", "id": "72415000"},
            },
            {
                "id": "3",
                "description": "Training",
                "classification": {"scheme": "CPV", "id": "80533100"},
            },
        ],
    },
}


@pytest.fixture
def check(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", UNREACHABLE_DB)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(path: Path, *args: str) -> Any:
        return runner.invoke(app, ["split", "check", str(path), *args], catch_exceptions=False)

    return invoke


def checked(check: Any, path: Path) -> Any:
    result = check(path, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_assessment(data: dict[str, Any]) -> None:
    assert {"should_split", "score", "signals", "packages"} <= set(data)
    assert isinstance(data["should_split"], bool) and 0 <= data["score"] <= 1
    assert data["signals"] and all(s["reason"] and s["source"] for s in data["signals"])
    assert all(isinstance(p["item_ids"], list) for p in data["packages"])


def test_check_of_an_ocds_release_assesses_its_items(check: Any, tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(DRAFT_RELEASE))
    data = checked(check, path)
    assert_assessment(data)
    assert data["aggregated_value"] == "2400000" and data["currency"] == "GBP"
    assert data["tender"]["title"] == "Digital transformation partner"
    assert data["packages"] and {i for p in data["packages"] for i in p["item_ids"]} <= {
        "1",
        "2",
        "3",
    }
    text = check(path)
    assert text.exit_code == 0 and "Digital transformation partner" in text.stdout
    assert "Signals" in text.stdout


def test_check_compiles_a_package_of_releases_of_one_procedure(check: Any, tmp_path: Path) -> None:
    update = json.loads(json.dumps(DRAFT_RELEASE))
    update.update(id="draft-2", date="2026-11-21T09:00:00Z")
    update["tender"]["value"]["amount"] = 3000000
    path = tmp_path / "package.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"releases": [DRAFT_RELEASE, update]}).encode()))
    data = checked(check, path)
    assert_assessment(data)
    assert data["aggregated_value"] == "3000000"  # the later release wins


def test_check_of_a_package_of_several_procedures_gives_one_answer_each(
    check: Any, tmp_path: Path
) -> None:
    other = json.loads(json.dumps(DRAFT_RELEASE))
    other["ocid"] = "ocds-draft-2"
    other["tender"]["title"] = "Cleaning of two offices"
    path = tmp_path / "two.json"
    path.write_text(json.dumps({"uri": "x", "releases": [DRAFT_RELEASE, other]}))
    data = checked(check, path)
    assert [d["tender"]["ocid"] for d in data] == ["ocds-draft-1", "ocds-draft-2"]
    for entry in data:
        assert_assessment(entry)


def test_check_of_a_release_without_ocid_still_works(check: Any, tmp_path: Path) -> None:
    draft = {k: v for k, v in DRAFT_RELEASE.items() if k != "ocid"}
    path = tmp_path / "no-ocid.json"
    path.write_text(json.dumps(draft))
    assert_assessment(checked(check, path))


def test_check_of_plain_text_reads_title_description_and_value(check: Any, tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(
        "Website and digital services partner\n"
        "We want one supplier for discovery, alpha, beta and live running of our website,\n"
        "hosting and support across North, South, East and West areas, over 4 years.\n"
        "Budget: 2,400,000 GBP\n"
    )
    data = checked(check, path)
    assert_assessment(data)
    assert data["tender"]["title"] == "Website and digital services partner"
    assert data["aggregated_value"] == "2400000" and data["currency"] == "GBP"


def test_text_without_a_json_or_text_suffix_is_read_as_text(check: Any, tmp_path: Path) -> None:
    path = tmp_path / "DRAFT"
    path.write_text("[Draft] Cleaning services\nOffice cleaning for £2.4m over five years.\n")
    data = checked(check, path)
    assert data["tender"]["title"] == "[Draft] Cleaning services"
    assert data["aggregated_value"] == "2400000"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Total £2.4m over 3 years", "2400000", "GBP"),
        ("Budget: 2,400,000 GBP", "2400000", "GBP"),
        ("Worth €350k a year", "350000", "EUR"),
        ("Estimated value USD 1,250,000.50", "1250000.5", "USD"),
        ("Three phases in 2027.\nThe budget is £120,000.", "120000", "GBP"),
        ("No money mentioned in 2027", None, None),
    ],
)
def test_money_in_text(text: str, amount: str | None, currency: str | None) -> None:
    found, code = money_in_text(text)
    assert (found, code) == (Decimal(amount) if amount else None, currency)


def test_a_budget_line_wins_over_an_earlier_amount() -> None:
    assert money_in_text("Lot A £5k deposit.\nBudget: £2.4m") == (Decimal(2400000), "GBP")


BAD_FILES: list[tuple[str, bytes | None, str]] = [
    ("missing.json", None, "no such file"),
    ("empty.txt", b"", "empty file"),
    ("blank.json", b"  \n\n", "empty file"),
    ("broken.json", b'{"ocid": "x", "tender": {', "malformed JSON"),
    ("binary.bin", bytes(range(256)) * 4, "binary file"),
    ("latin1.txt", "Caf\xe9 services £2m".encode("latin-1"), "not UTF-8"),
    ("not-ocds.json", b'{"hello": "world"}', "hello"),
    ("no-title.json", json.dumps({"ocid": "x", "tender": {"id": "1"}}).encode(), "not usable"),
    ("number.json", b"42", "found a JSON number"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_input_is_one_clear_line_and_exit_2(
    check: Any, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = check(path, "--json")
    assert result.exit_code == 2, result.output
    assert message in result.stderr and name in result.stderr.replace("\n", "")
    assert result.stdout == "" and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 2  # one line, maybe wrapped


def test_a_directory_is_not_a_draft(check: Any, tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.exit_code == 2 and "not a file" in result.stderr


# -- advice: clauses, the lotting note, OCDS lots for a draft ---------------------------------

COUNCIL_TEXT = """Digital housing services programme
Buyer: Riverside Borough Council
Total budget: £2,000,000 over 36 months
1. Discovery of housing repairs reporting (months 1-4), £120,000
2. Alpha and beta of the new repairs service built to the GOV.UK Service Standard (months 5-18)
3. Accessibility audit of 12 existing online services, £40,000
4. Digital skills training for 200 frontline staff (6 months), £60,000
5. Tenancy management platform integration with the housing system
6. Hosting, support and continuous improvement for 36 months
"""


def test_check_json_keeps_its_keys_and_adds_clauses_and_the_note(
    check: Any, tmp_path: Path
) -> None:
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(DRAFT_RELEASE))
    data = checked(check, path)
    assert_assessment(data)
    assert {"aggregated_value", "procedure", "aggregation_note", "tender", "rules_version"} <= set(
        data
    )
    assert data["note"].startswith("# Lotting note: Digital transformation partner")
    for package in data["packages"]:
        assert package["clauses"]
        assert all({"id", "title", "text", "source"} <= set(c) for c in package["clauses"])
    assert data["regime"]["buyer_type"] == "sub-central"  # "Easton Vale City Council"


def test_check_of_a_text_draft_reads_every_numbered_deliverable(check: Any, tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(COUNCIL_TEXT, encoding="utf-8")
    data = checked(check, path)
    assert data["tender"]["buyer_name"] == "Riverside Borough Council"
    assert data["aggregated_value"] == "2000000"
    titles = " | ".join(p["title"] for p in data["packages"])
    for number in ("Discovery of housing", "Accessibility audit", "Digital skills training",
                   "Tenancy management", "Hosting, support", "Alpha and beta"):  # fmt: skip
        assert number in titles


def test_check_prints_the_lotting_note_and_ocds_lots_without_internal_wording(
    check: Any, tmp_path: Path
) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(COUNCIL_TEXT, encoding="utf-8")
    note = check(path, "--format", "note")
    assert note.exit_code == 0 and note.stdout.startswith("# Lotting note:")
    assert "## Questions for market engagement" in note.stdout
    text = check(path, "--format", "note-text")
    assert text.exit_code == 0 and "**" not in text.stdout
    ocds = check(path, "--format", "ocds")
    assert ocds.exit_code == 0, ocds.output
    release = json.loads(ocds.stdout)
    lots = release["tender"]["lots"]
    assert len(lots) >= 6 and release["tender"]["items"]
    published = json.dumps(release)
    for internal in ("micro-contract ceiling", "Lotwise", "score", "Optional"):
        assert internal not in published


def test_a_broken_clause_folder_stops_the_check_with_one_line(
    check: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "clauses"
    folder.mkdir()
    (folder / "bad.toml").write_text('[[clause]]\nid = "x"\n', encoding="utf-8")
    monkeypatch.setenv("LOTWISE_CLAUSES_DIR", str(folder))
    path = tmp_path / "draft.txt"
    path.write_text(COUNCIL_TEXT, encoding="utf-8")
    result = check(path, "--json")
    assert result.exit_code == 2 and "bad.toml" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_five_megabytes_of_text_get_a_bounded_answer(check: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = "1. Audit of services; user research and alpha; £10,000 GOV.UK platform data\n"
    path.write_text("Huge draft\nBudget: £2m\n" + line * (5 * 1024 * 1024 // len(line)))
    result = check(path, "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout) < 2_000_000 and len(json.loads(result.stdout)["packages"]) <= 100


def test_ten_thousand_items_get_a_bounded_answer(check: Any, tmp_path: Path) -> None:
    items = [
        {
            "id": str(k),
            "description": f"Product {k % 3000}",
            "classification": {"scheme": "CPV", "id": str(30190000 + (k % 50) * 100)},
        }
        for k in range(10_000)
    ]
    release = {**DRAFT_RELEASE, "tender": {**DRAFT_RELEASE["tender"], "items": items}}
    path = tmp_path / "many.json"
    path.write_text(json.dumps(release))
    result = check(path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 2 <= len(data["packages"]) <= 100
