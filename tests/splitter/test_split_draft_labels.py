"""The labelled drafts are well-formed: every draft is read by `split check`'s own reader, every
expected deliverable is in its draft, expected packages partition the deliverables and add up to
the stated value, and every threshold named is configured or declared with its source."""

from __future__ import annotations

import importlib
import json
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.services.splitting import read_draft
from scanner.splitter import load_thresholds

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
EU_MEMBERS = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
EU_MEMBERS |= {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


def _module(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def _raw() -> dict[str, Any]:
    with _module("split_drafts_labels").LABELS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _configured() -> dict[str, tuple[Decimal, str]]:
    thresholds = load_thresholds(ROOT / "config" / "thresholds.toml")
    return {
        f"{j.code}.{t.key}": (t.amount, j.currency)
        for j in thresholds.jurisdictions
        for t in j.thresholds
    }


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_every_draft_exists_and_split_check_reads_it() -> None:
    labels_module = _module("split_drafts_labels")
    labels, _ = labels_module.load_labels()
    assert len(labels) >= 20
    assert len({label.id for label in labels}) == len(labels)
    for label in labels:
        path = labels_module.draft_path(label)
        drafts = read_draft(path)  # the reader `lotwise split check` uses; DraftError fails
        assert len(drafts) == 1, label.id
        if path.suffix == ".json":
            release = json.loads(path.read_text(encoding="utf-8"))
            assert release["ocid"] and release["tender"]["title"], label.id
        else:
            assert drafts[0].kind == "text", label.id


def test_every_expected_deliverable_is_in_its_draft() -> None:
    labels_module = _module("split_drafts_labels")
    labels, _ = labels_module.load_labels()
    for label in labels:
        path = labels_module.draft_path(label)
        text = _normal(labels_module.draft_text(path))
        items = set(labels_module.draft_item_ids(path))
        ids = [d.id for d in label.deliverables]
        assert ids and len(ids) == len(set(ids)), label.id
        for deliverable in label.deliverables:
            assert _normal(deliverable.text) in text, (label.id, deliverable.id)
            if deliverable.item is not None:
                assert deliverable.item in items, (label.id, deliverable.id)


def test_expected_packages_partition_the_deliverables_and_add_up() -> None:
    labels, _ = _module("split_drafts_labels").load_labels()
    for label in labels:
        held = [d for p in label.packages for d in p.contains]
        assert sorted(held) == sorted(d.id for d in label.deliverables), label.id
        assert all(p.name.strip() for p in label.packages), label.id
        if not label.should_split:
            assert len(label.packages) == 1, label.id
        values = [p.value for p in label.packages]
        if all(v is not None for v in values):
            assert sum(values) == Decimal(label.raw["value"]), label.id
        for package in label.packages:
            months = package.duration_months
            assert months is None or 0 < months <= label.raw["duration_months"], label.id


def test_labels_have_their_facts_and_reasons() -> None:
    families = set(_module("split_drafts_citations").CITATION_FAMILIES)
    for entry in _raw()["draft"]:
        for field in ("jurisdiction", "buyer", "buyer_type", "contract_kind", "currency"):
            assert isinstance(entry[field], str) and entry[field].strip(), (entry["id"], field)
        assert Decimal(entry["value"]) > 0 and entry["duration_months"] > 0, entry["id"]
        assert len(entry["reasoning"]) >= 200 and len(entry["reasons"]) >= 80, entry["id"]
        assert entry["rules"], entry["id"]
        allowed = entry["citations"]["allowed"]
        assert allowed and set(allowed) <= families, entry["id"]


def test_thresholds_named_are_configured_or_declared_with_their_source() -> None:
    configured = _configured()
    raw = _raw()
    declared = {t["key"]: t for t in raw["threshold"]}
    for table in declared.values():
        assert table["source"] and Decimal(table["amount"]) > 0, table["key"]
        assert table["key"] not in configured, table["key"]
    for entry in raw["draft"]:
        threshold = entry["threshold"]
        status = threshold["status"]
        assert status in _module("split_drafts_labels").THRESHOLD_STATUSES, entry["id"]
        assert threshold["procedure"] and threshold["source"], entry["id"]
        if status == "configured":
            amount, currency = configured[threshold["key"]]
            assert Decimal(threshold["amount"]) == amount, entry["id"]
            assert threshold["currency"] == currency, entry["id"]
            assert entry["config_jurisdiction"] == threshold["key"].split(".")[0], entry["id"]
        elif status == "to be added":
            assert threshold["key"] not in configured and Decimal(threshold["amount"]) > 0
        else:
            assert "amount" not in threshold, entry["id"]
        if "amount" in threshold and threshold["currency"] == entry["currency"]:
            reached = Decimal(entry["value"]) >= Decimal(threshold["amount"])
            assert threshold["reached"] is reached, entry["id"]
        for key in threshold.get("also_allowed", []):
            assert key in configured or key in declared, (entry["id"], key)


def test_the_set_covers_the_jurisdictions_and_answers_the_rubric_asks_for() -> None:
    entries = _raw()["draft"]
    uk = [e for e in entries if e["country"] == "GB"]
    assert any("central government" in e["buyer_type"] for e in uk)
    assert any("executive agency" in e["buyer_type"] for e in uk)
    assert any(e["buyer_type"].startswith("sub-central (local authority)") for e in uk)
    assert any("NHS" in e["buyer_type"] for e in uk)
    assert any("devolved" in e["buyer_type"] for e in uk)
    eu_own_language = {e["country"] for e in entries if e["country"] in EU_MEMBERS}
    assert len({c for c in eu_own_language if c != "IE"}) >= 2
    assert any(e["country"] == "US" and e["should_split"] for e in entries)
    others = {e["country"] for e in entries} - EU_MEMBERS - {"GB", "US"}
    assert len(others) >= 2
    assert sum(not e["should_split"] for e in entries) >= 4
    assert {Path(e["file"]).suffix for e in entries} >= {".json", ".md", ".txt"}
    riverside = next(e for e in entries if e["buyer"] == "Riverside Borough Council")
    assert len(riverside["deliverables"]) == 6 and riverside["value"] == "2000000"
