"""The hand-labelled splitting set is well-formed: every entry can be found and read."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

LABELS = Path(__file__).resolve().parents[2] / "benchmarks" / "split_labels"
VIEWS = {"as published", "lots hidden", "lots and items hidden"}


def entries() -> list[dict[str, Any]]:
    with (LABELS / "labels.toml").open("rb") as handle:
        return list(tomllib.load(handle)["tender"])


def test_labels_have_the_required_fields_and_unique_ids() -> None:
    labels = entries()
    assert len(labels) >= 40
    assert len({label["id"] for label in labels}) == len(labels)
    for label in labels:
        assert isinstance(label["should_split"], bool), label["id"]
        assert label["view"] in VIEWS, label["id"]
        assert len(label["reasoning"]) >= 40 and label["rules"], label["id"]
        assert ("draft" in label) != ("sample" in label), label["id"]
        if "sample" in label:
            assert label["ocid"] and not Path(label["sample"]).is_absolute(), label["id"]
        for name in label.get("packages", []):
            assert isinstance(name, str) and name.strip(), label["id"]
        groups = label.get("groups", [])
        ids = [i for group in groups for i in group]
        assert len(ids) == len(set(ids)), label["id"]


def test_both_answers_are_represented() -> None:
    verdicts = [label["should_split"] for label in entries()]
    assert 0.3 <= sum(verdicts) / len(verdicts) <= 0.7


def test_drafts_are_ocds_releases_whose_groups_name_their_items() -> None:
    for label in entries():
        if "draft" not in label:
            continue
        release = json.loads((LABELS / label["draft"]).read_text(encoding="utf-8"))
        assert release["ocid"] and release["tender"]["title"], label["id"]
        items = {item["id"] for item in release["tender"].get("items", [])}
        assert {i for g in label.get("groups", []) for i in g} <= items, label["id"]


def test_sample_references_point_at_a_release_with_that_ocid(shared_samples: Path) -> None:
    missing = []
    for label in entries():
        if "sample" not in label:
            continue
        path = shared_samples / label["sample"]
        if not path.is_file() or label["ocid"] not in path.read_text(encoding="utf-8"):
            missing.append(label["id"])
    if missing:
        pytest.fail(f"labels whose sample or ocid is not found: {missing}")
