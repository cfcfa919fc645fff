"""Compiling OCDS releases into their current state, as ocdsmerge does, without flattening.

ocdsmerge flattens every release into a dict of JSON paths (a tuple and an `IdValue` per
step, a UUID per array item without an `id`) and unflattens the result: most of a crawl's
merge time. This merges each release straight into a tree with the same rules (objects field
by field; arrays of objects by `id`, items without one appended; other arrays, and those the
schema marks `wholeListMerge`, replaced whole; `omitWhenMerged` fields dropped; a null removes
a value; empty objects and arrays change nothing) and the same key order. Where ocdsmerge's
answer depends on how its paths happen to be ordered (a field that is a value in one release
and an object or array in another, an `id` given as 1 and as "1"), `Unmergeable` is raised and
the caller asks ocdsmerge itself. `tests/ingest/test_merge.py` compares the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import Any

__all__ = ["Unmergeable", "compile_in_order"]

Rules = Mapping[tuple[str, ...], str]
_OMIT, _WHOLE = "omitWhenMerged", "wholeListMerge"


class Unmergeable(Exception):  # noqa: N818 - a signal to fall back, not an error to report
    """These releases are merged in a way only ocdsmerge's path order decides."""


class _Object(dict[str, Any]):
    """An object built by merging (its fields may still hold nulls)."""

    __slots__ = ()


class _Array:
    """An array of objects merged by `id`: items in order of first appearance."""

    __slots__ = ("by_id", "first_ids", "items")

    def __init__(self) -> None:
        self.items: list[_Object] = []
        self.by_id: dict[str, _Object] = {}
        self.first_ids: dict[str, Any] = {}


def compile_in_order(releases: Iterable[Mapping[str, Any]], rules: Rules) -> dict[str, Any]:
    """The compiled release of `releases`, already in merge order (as ocdsmerge's
    `CompiledRelease.append` of each, then `asdict`)."""
    tree = _rule_tree(rules)
    compiled = _Object(tag=["compiled"])
    for release in releases:
        ocid, date = release.get("ocid"), release.get("date")
        if not isinstance(ocid, str | None) or not isinstance(date, str | None):
            raise Unmergeable("ocid or date is not a string")
        compiled["id"] = f"{ocid}-{date}"
        compiled["date"] = date
        compiled["ocid"] = ocid
        _merge_object(compiled, release, tree, "tag")
    return _plain(compiled)


# Rules as a tree: field -> (its rule, the rules of its fields), so merging walks it instead
# of building a path tuple per field.
_RuleTree = dict[str, tuple[str | None, "_RuleTree"]]
_TREES: dict[int, _RuleTree] = {}
_EMPTY: _RuleTree = {}
_NO_RULE: tuple[None, _RuleTree] = (None, _EMPTY)
_CONTAINERS = (dict, list)


def _rule_tree(rules: Rules) -> _RuleTree:
    tree = _TREES.get(id(rules))
    if tree is None:
        tree = {}
        for path, rule in sorted(rules.items(), key=lambda item: len(item[0])):
            node = tree
            for step in path[:-1]:
                node = node.setdefault(step, (None, {}))[1]
            node[path[-1]] = (rule, node.get(path[-1], (None, {}))[1])
        _TREES[id(rules)] = tree
    return tree


def _merge_object(
    target: _Object, source: Mapping[str, Any], tree: _RuleTree, skip: str | None
) -> None:
    """Merge `source` into `target`; `skip` names a field left out (`tag` at the top, `id` of
    array items: ocdsmerge never overwrites them)."""
    for key, value in source.items():
        if key == skip:
            continue
        rule, subtree = tree.get(key) or _NO_RULE
        if rule == _OMIT:
            continue
        kind = type(value)
        if (
            rule == _WHOLE
            or (kind is not dict and kind is not list and not isinstance(value, _CONTAINERS))
            or (kind is list and not all(map(isinstance, value, repeat(dict))))
        ):
            existing = target.get(key)
            if type(existing) is _Object or type(existing) is _Array:
                continue  # ocdsmerge keeps the object or array an earlier release started
            target[key] = value
        elif not value:
            continue  # an empty object or array changes nothing
        elif key not in target:
            if isinstance(value, dict):
                child = _Object()
                _merge_object(child, value, subtree, None)
                if child:
                    target[key] = child
            else:
                array = _Array()
                _merge_array(array, value, subtree, key)
                if array.items:
                    target[key] = array
        else:
            existing = target[key]
            if isinstance(value, dict) and type(existing) is _Object:
                _merge_object(existing, value, subtree, None)
            elif isinstance(value, list) and type(existing) is _Array:
                _merge_array(existing, value, subtree, key)
            else:  # a value in one release, an object or array in another; or both kinds
                raise Unmergeable(f"{key} changes type")


def _merge_array(target: _Array, items: list[dict[str, Any]], tree: _RuleTree, name: str) -> None:
    for item in items:
        if not item:
            continue  # an empty object leaves no trace
        if "id" not in item:
            node = _Object()
            _merge_object(node, item, tree, None)
            if node:
                target.items.append(node)
            continue
        item_id = item["id"]
        if isinstance(item_id, dict | list):
            raise Unmergeable(f"{name} has an object or array as an id")
        key = str(item_id)
        found = target.by_id.get(key)
        if found is None:
            node = target.by_id[key] = _Object()
            target.first_ids[key] = item_id
            if item_id is not None:
                node["id"] = item_id
            target.items.append(node)
        else:
            node, first = found, target.first_ids[key]
            if type(first) is not type(item_id) or first != item_id:
                raise Unmergeable(f"{name} has the id {item_id!r} in two forms")
        _merge_object(node, item, tree, "id")


def _plain(node: _Object) -> dict[str, Any]:
    """Plain dicts and lists, nulls left out (values merged whole are kept as they are)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        kind = type(value)
        if kind is _Object:
            out[key] = _plain(value)
        elif kind is _Array:
            out[key] = [_plain(item) for item in value.items]
        elif value is not None:
            out[key] = value
    return out
