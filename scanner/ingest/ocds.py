"""OCDS containers: packages, records and files of them; personal data removal; compilation.

Releases reach Lotwise in release packages, record packages, bare releases or records, JSON
lines and multi-gigabyte (often gzipped) bulk files. This module turns all of them into plain
release dicts, streaming where size demands it, and compiles the releases of one procedure into
its current state with the OCDS 1.1 schema's merge rules shipped in `schema/` (no network):
`scanner.ingest.merge` as ocdsmerge would, ocdsmerge itself where only it can decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from scanner.ingest.dates import parse_datetime
from scanner.ingest.jsonfiles import (
    first_line_is_object,
    iter_json_lines,
    open_decompressed,
    read_json,
    read_up_to,
    sniff,
    stream_items,
    top_level_keys,
)
from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.ingest.merge import Unmergeable, compile_in_order
from scanner.ingest.repair import InvalidJSON

__all__ = [
    "SCHEMA_PATH",
    "OCDSFormatError",
    "compile_releases",
    "is_full_release",
    "iter_file_releases",
    "release_schema",
    "releases_in_package",
    "strip_personal_data",
]

SCHEMA_PATH = Path(__file__).with_name("schema") / "release-schema.json"
PERSONAL_KEY = "contactPoint"
_CONTACT_KEY = b'"contactPoint"'

_EXPECTED = "expected an OCDS release package, record package or release"
# Keys only a release (or record) has at its top level; packages have none of them.
_RELEASE_KEYS = frozenset(
    [
        "ocid",
        "tender",
        "tag",
        "initiationType",
        "buyer",
        "parties",
        "planning",
        "awards",
        "contracts",
    ]
)
_RECORD_KEYS = frozenset({"compiledRelease", "versionedRelease"})
_LINKED_RELEASE_KEYS = frozenset({"url", "date", "tag"})
_SCALARS = frozenset({str, int, float, bool, type(None)})
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}

Record = dict[str, Any]


class OCDSFormatError(ValueError):
    """The data is JSON but not OCDS in any shape Lotwise reads."""


def strip_personal_data(obj: Any, encoded: bytes | None = None) -> Any:
    """Return `obj` without any `contactPoint` key at any depth (personal data is never stored).

    Copy-on-write: containers on a path to a removed key are new; unchanged subtrees are shared
    with the input, which is never modified. Far cheaper than a deep copy per release: the usual
    places (parties, buyer, procuring entity, tenderers, suppliers) are stripped directly and an
    orjson scan (C speed) confirms nothing is left; only otherwise is the whole tree walked.
    `encoded` is `obj` as orjson wrote it, when the caller has it (the store hashes that
    serialisation): it stands in for the scan.

    The confirmation is a count, not a second serialisation: in orjson's output the bytes
    `"contactPoint"` are a key of that name or a string value equal to it (a quote inside a
    string is escaped), so when the usual places removed as many keys as the scan found, none
    is left anywhere (a removed key's own subtree can only hold fewer). Otherwise it walks.
    """
    if type(obj) is dict:
        try:
            scanned = orjson.dumps(obj) if encoded is None else encoded
        except TypeError:  # not serialisable as JSON (e.g. non-string keys): walk it
            return _strip_walk(obj)
        found = scanned.count(_CONTACT_KEY)
        if not found:
            return obj
        removed = [0]
        stripped = _strip_usual_places(obj, removed)
        if removed[0] == found:
            return stripped
        return _strip_walk(stripped)
    return _strip_walk(obj)


def _strip_usual_places(release: dict[str, Any], removed: list[int]) -> dict[str, Any]:
    """`release` without the contact points of its usual places; `removed[0]` counts them."""
    out = dict(release)
    if out.pop(PERSONAL_KEY, _CONTACT_KEY) is not _CONTACT_KEY:
        removed[0] += 1
    if isinstance(out.get("parties"), list):
        out["parties"] = [_without_contact(party, removed) for party in out["parties"]]
    if isinstance(out.get("buyer"), dict):
        out["buyer"] = _without_contact(out["buyer"], removed)
    tender = out.get("tender")
    if isinstance(tender, dict):
        tender = out["tender"] = dict(tender)
        if isinstance(tender.get("procuringEntity"), dict):
            tender["procuringEntity"] = _without_contact(tender["procuringEntity"], removed)
        if isinstance(tender.get("tenderers"), list):
            tender["tenderers"] = [_without_contact(item, removed) for item in tender["tenderers"]]
    if isinstance(out.get("awards"), list):
        out["awards"] = [_award_without_contacts(award, removed) for award in out["awards"]]
    return out


def _without_contact(item: Any, removed: list[int]) -> Any:
    if isinstance(item, dict) and PERSONAL_KEY in item:
        removed[0] += 1
        return {key: value for key, value in item.items() if key != PERSONAL_KEY}
    return item


def _award_without_contacts(award: Any, removed: list[int]) -> Any:
    if isinstance(award, dict) and isinstance(award.get("suppliers"), list):
        suppliers = [_without_contact(s, removed) for s in award["suppliers"]]
        return {**award, "suppliers": suppliers}
    return award


def _strip_walk(obj: Any) -> Any:
    if isinstance(obj, dict):
        out: dict[str, Any] | None = None
        for key, value in obj.items():
            if key == PERSONAL_KEY:
                if out is None:
                    out = dict(obj)
                del out[key]
                continue
            kind = type(value)
            if kind in _SCALARS:
                continue
            if kind is dict or kind is list or isinstance(value, dict | list):
                stripped = _strip_walk(value)
                if stripped is not value:
                    if out is None:
                        out = dict(obj)
                    out[key] = stripped
        return obj if out is None else out
    if isinstance(obj, list):
        items: list[Any] | None = None
        for index, value in enumerate(obj):
            kind = type(value)
            if kind in _SCALARS:
                continue
            if kind is dict or kind is list or isinstance(value, dict | list):
                stripped = _strip_walk(value)
                if stripped is not value:
                    if items is None:
                        items = list(obj)
                    items[index] = stripped
        return obj if items is None else items
    return obj


def is_full_release(obj: object) -> bool:
    """A release with content, as opposed to a record's linked release (`url`, `date`, `tag`)."""
    return isinstance(obj, dict) and not obj.keys() <= _LINKED_RELEASE_KEYS


def releases_in_package(obj: object) -> list[Record]:
    """The releases in a release package, record package, record, release or array of them.

    A record gives its full releases when it has them (so that they can be compiled with any
    stored earlier releases), else its `compiledRelease`.
    """
    if isinstance(obj, dict):
        if isinstance(obj.get("records"), list) and not _looks_like_release(obj):
            return [r for record in obj["records"] for r in _releases_of_record(record)]
        if _looks_like_record(obj):
            return _releases_of_record(obj)
        if isinstance(obj.get("releases"), list):
            return [release for release in obj["releases"] if isinstance(release, dict)]
        if _looks_like_release(obj):
            return [obj]
    elif isinstance(obj, list) and obj and all(isinstance(item, dict) for item in obj):
        return [release for item in obj for release in releases_in_package(item)]
    raise OCDSFormatError(f"{_EXPECTED}: found {describe_json(obj)}")


def describe_json(obj: object) -> str:
    """A short description of a JSON value for error messages."""
    if isinstance(obj, dict):
        if not obj:
            return "an empty JSON object"
        keys = sorted(str(key) for key in obj)
        shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
        return f"a JSON object with keys {shown}"
    kind = _JSON_TYPES.get(type(obj), "number")
    return f"a JSON {kind}"


def _looks_like_release(obj: Mapping[str, Any]) -> bool:
    return "releases" not in obj and "records" not in obj and not _RELEASE_KEYS.isdisjoint(obj)


def _looks_like_record(obj: Mapping[str, Any]) -> bool:
    if not _RECORD_KEYS.isdisjoint(obj):
        return True
    return "ocid" in obj and isinstance(obj.get("releases"), list)


def _releases_of_record(record: object) -> list[Record]:
    if not isinstance(record, dict):
        return []
    releases = record.get("releases")
    if isinstance(releases, list) and releases and all(map(is_full_release, releases)):
        return list(releases)
    compiled = record.get("compiledRelease")
    return [compiled] if isinstance(compiled, dict) else []


# -- files -------------------------------------------------------------------------------------


def iter_file_releases(
    path: Path | str,
    *,
    on_error: Callable[[int, Exception], None] | None = None,
    limits: JsonLimits = DEFAULT_LIMITS,
) -> Iterator[Record]:
    """Stream the releases of an OCDS file in bounded memory.

    Reads release packages, record packages and JSON arrays item by item (ijson), JSON lines
    line by line, and a single release or record whole; plain, gzip, bzip2 or xz (detected by
    magic bytes). Invalid numbers (`Infinity`, `NaN`, leading zeros) are repaired. The format is
    decided before anything is yielded: non-OCDS input raises `OCDSFormatError` naming the file.
    Broken JSON raises `InvalidJSON`; in JSON lines, `on_error(line_number, error)` (when given)
    receives bad lines and reading goes on. Input over `limits` raises `InputLimitError`.
    """
    path = Path(path)
    kind = _file_kind(path, limits)
    if kind == "lines":
        yield from _iter_lines(path, on_error, limits)
    elif kind == "records":
        for record in stream_items(path, "records.item", limits):
            yield from _releases_of_record(record)
    elif kind == "array":
        for item in stream_items(path, "item", limits):
            if is_full_release(item) and _looks_like_release(item):
                yield item
            else:
                yield from _releases_in(path, item)
    elif kind == "releases":
        linked = False
        count = 0
        for release in stream_items(path, "releases.item", limits):
            if is_full_release(release):
                count += 1
                yield release
            else:
                linked = True
        if linked and not count:  # a record whose `releases` came first: read it whole
            yield from _releases_in(path, read_json(path, limits))
    else:  # one release or record: small, read whole
        try:
            document = read_json(path, limits)
        except InvalidJSON:
            with open_decompressed(path, limits) as stream:
                head = read_up_to(stream, 1 << 22)
            if not first_line_is_object(head):  # else: JSON lines with a very long first line
                raise
            yield from _iter_lines(path, on_error, limits)
            return
        yield from _releases_in(path, document)


def _file_kind(path: Path, limits: JsonLimits) -> str:
    """ "lines", "array", "records", "releases" (a release package) or "document"."""
    shape, head = sniff(path, limits)
    if shape is None:
        found = f"text starting {head!r}" if head else "an empty file"
        raise OCDSFormatError(f"{path}: {_EXPECTED} (JSON or JSON lines): found {found}")
    if shape != "object":
        return shape
    keys: list[str] = []
    for key in top_level_keys(path, limits):
        keys.append(key)
        if key == "records":
            return "records"
        if key == "releases":
            return "document" if not _RECORD_KEYS.isdisjoint(keys) else "releases"
        if key in _RELEASE_KEYS or key in _RECORD_KEYS:
            return "document"
    raise OCDSFormatError(f"{path}: {_EXPECTED}: found {describe_json(dict.fromkeys(keys))}")


def _iter_lines(
    path: Path, on_error: Callable[[int, Exception], None] | None, limits: JsonLimits
) -> Iterator[Record]:
    for number, value in iter_json_lines(path, limits):
        try:
            if isinstance(value, InvalidJSON):
                raise value
            releases = releases_in_package(value)
        except (InvalidJSON, OCDSFormatError) as exc:
            error = type(exc)(f"{path}: line {number}: {exc}")
            if on_error is None:
                raise error from None
            on_error(number, error)
            continue
        yield from releases


def _releases_in(path: Path, obj: object) -> list[Record]:
    try:
        return releases_in_package(obj)
    except OCDSFormatError as exc:
        raise OCDSFormatError(f"{path}: {exc}") from None


# -- compilation -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def release_schema() -> dict[str, Any]:
    """The OCDS 1.1 release schema shipped with Lotwise (ocdsmerge would download one)."""
    schema: dict[str, Any] = orjson.loads(SCHEMA_PATH.read_bytes())
    return schema


@lru_cache(maxsize=1)
def _merge_rules() -> dict[tuple[str, ...], Any]:
    from ocdsmerge.rules import get_merge_rules  # with requests: only once releases are merged

    rules: dict[tuple[str, ...], Any] = get_merge_rules(release_schema())
    return rules


def compile_releases(releases: Sequence[Mapping[str, Any]]) -> Record:
    """The compiled release (current state) of one procedure's releases.

    Releases are merged in date order (missing or unreadable dates first, ties in given order).
    A single release is returned as is, without copying: it already is the current state, and
    keeping its own `id` keeps the notice id. Raises `OCDSFormatError` for releases of several
    ocids or that ocdsmerge cannot merge (e.g. a field that is a list in one release and an
    object in another).
    """
    items = [release for release in releases if isinstance(release, dict)]
    if not items:
        raise OCDSFormatError("no releases to compile")
    if len(items) == 1:
        return items[0]
    ocids = {release.get("ocid") for release in items} - {None}
    if len(ocids) > 1:
        raise OCDSFormatError(
            f"cannot compile releases of different ocids: {sorted(map(str, ocids))}"
        )
    from ocdsmerge.exceptions import OCDSMergeError
    from ocdsmerge.merge import CompiledRelease

    ordered = sorted(items, key=_date_key)
    try:
        try:
            result: Record = compile_in_order(ordered, _merge_rules())
        except Unmergeable:  # merged in a way only ocdsmerge's own path order decides
            compiled = CompiledRelease(merge_rules=_merge_rules())
            for release in ordered:
                compiled.append(release)
            result = compiled.asdict()
    except (OCDSMergeError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise OCDSFormatError(
            f"cannot merge the releases of {next(iter(ocids), None)}: {exc}"
        ) from exc
    if result.get("date") is None:
        result.pop("date", None)
        if ocids:
            result["id"] = str(next(iter(ocids)))
    return result


def latest_release(releases: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The release that comes last in merge order: its id is the procedure's current notice."""
    return max(enumerate(releases), key=lambda pair: (_date_key(pair[1]), pair[0]))[1]


def _date_key(release: Mapping[str, Any]) -> tuple[int, float]:
    parsed = parse_datetime(release.get("date"))
    return (0, 0.0) if parsed is None else (1, parsed.timestamp())
