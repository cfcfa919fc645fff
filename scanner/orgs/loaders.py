"""Read organisation profiles from TOML, JSON or CSV: every record is checked, and every problem
is reported at once, naming the record, its id and the field, so one pass fixes a file.

A file that cannot be read at all (not found, not TOML/JSON/CSV, no organisations) raises
`OrgFileError`; problems with single records are returned with the valid profiles, and the
caller decides whether to store the valid ones.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from scanner.ingest.limits import DEFAULT_LIMITS, InputLimitError, JsonLimits, check_json_bytes
from scanner.orgs.schema import FIELD_ORDER, OrganisationProfile
from scanner.spreadsheet import restore_cell

__all__ = [
    "FORMATS",
    "Format",
    "LoadResult",
    "OrgFileError",
    "RecordError",
    "format_of",
    "load_file",
    "parse_text",
    "validate_records",
]

Format = Literal["toml", "json", "csv"]
FORMATS: tuple[Format, ...] = ("toml", "json", "csv")
_TOP_KEYS = ("organisation", "organisations")
_EXTRA_CELLS = "(cells beyond the header)"


class OrgFileError(ValueError):
    """The file as a whole cannot be read; the message names the file and why."""


@dataclass(frozen=True)
class RecordError:
    """One problem with one record: its 1-based position, its id when it has a usable one,
    the field (dotted, with list positions from 1: `emails[2]`) and what is wrong."""

    record: int
    record_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        who = f"record {self.record}" + (f" ({self.record_id})" if self.record_id else "")
        return f"{who}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "id": self.record_id,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class LoadResult:
    """Valid profiles in file order, and every problem found."""

    profiles: list[OrganisationProfile] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    records: int = 0
    notes: list[RecordError] = field(default_factory=list)
    """Valid records that leave a choice with consequences unstated (see `REMOTE_NOTE`)."""

    @property
    def invalid_records(self) -> int:
        return len({error.record for error in self.errors})


def format_of(path: Path) -> Format:
    """The format named by the file's extension."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise OrgFileError(f"{path}: unknown format {path.suffix!r} (expected .toml, .json or .csv)")


def load_file(
    path: Path,
    *,
    fmt: Format | None = None,
    currencies: Collection[str] | None = None,
    limits: JsonLimits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read and validate every record of `path` (format from the extension unless given);
    a JSON file over `limits` is refused naming the limit, as `lotwise ingest` does."""
    fmt = fmt or format_of(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise OrgFileError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise OrgFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        return parse_text(text, fmt, currencies=currencies, limits=limits)
    except OrgFileError as exc:
        raise OrgFileError(f"{path}: {exc}") from exc


def parse_text(
    text: str,
    fmt: Format,
    *,
    currencies: Collection[str] | None = None,
    limits: JsonLimits = DEFAULT_LIMITS,
) -> LoadResult:
    """Validate the records of a document in `fmt`."""
    if fmt == "toml":
        records = _toml_records(text)
    elif fmt == "json":
        records = _json_records(text, limits)
    else:
        records = _csv_records(text)
    if not records:
        raise OrgFileError("contains no organisations")
    return validate_records(records, currencies=currencies)


def validate_records(
    records: Iterable[Any],
    *,
    currencies: Collection[str] | None = None,
    language: str | None = None,
) -> LoadResult:
    """Validate records (mappings of field -> value); a repeated id is an error of the later
    record, so the first one stands when invalid records are skipped. CPV interests written
    as words are searched in `language` (the reader's, e.g. a web form's), else in the
    record's own `language`, else English."""
    result = LoadResult()
    context: dict[str, Any] = {"language": language}
    if currencies is not None:
        context["currencies"] = frozenset(currencies)
    seen: dict[str, int] = {}
    for position, record in enumerate(records, start=1):
        result.records += 1
        if not isinstance(record, Mapping):
            result.errors.append(
                RecordError(position, None, "(record)", "expected a table of fields")
            )
            continue
        raw_id = record.get("id")
        record_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
        try:
            own = record.get("language")  # a file's profile says its language itself
            asked = {**context, "language": language or (own if isinstance(own, str) else None)}
            profile = OrganisationProfile.model_validate(dict(record), context=asked)
        except ValidationError as exc:
            result.errors.extend(_record_errors(position, record_id, exc))
            continue
        if profile.id in seen:
            result.errors.append(
                RecordError(
                    position, profile.id, "id", f"repeats the id of record {seen[profile.id]}"
                )
            )
            continue
        seen[profile.id] = position
        result.profiles.append(profile)
        if profile.regions and _unstated(record.get("remote")):
            result.notes.append(RecordError(position, profile.id, "remote", REMOTE_NOTE))
    return result


REMOTE_NOTE = (
    "not stated, taken as true: work outside your regions is shown, ranked below work inside "
    "them; say remote = false to rule out work abroad instead (on-site work elsewhere in "
    "your country is then ranked lower still)"
)


def _unstated(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _record_errors(position: int, record_id: str | None, exc: ValidationError) -> list[RecordError]:
    errors = []
    for err in exc.errors():
        errors.append(
            RecordError(position, record_id, _field_name(err["loc"]), _message(err, record_id))
        )
    return errors


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(record)"


def _message(err: Any, record_id: str | None) -> str:
    message = str(err["msg"]).removeprefix("Value error, ")
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown field (known: {', '.join(FIELD_ORDER)})"
    if kind == "missing":
        return "required"
    if kind == "string_pattern_mismatch" and err["loc"] == ("id",):
        return f"{err['input']!r} is not a slug (2 to 64 of a-z, 0-9 and '-')"
    if kind == "too_short" and err["loc"] == ("emails",):
        return "at least one e-mail address is required"
    if kind == "literal_error":
        return f"{err['input']!r}: {message.lower()}"
    return message


def _toml_records(text: str) -> list[Any]:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise OrgFileError(f"not valid TOML: {exc}") from exc
    except RecursionError as exc:  # tomllib recurses into nested arrays and tables
        raise OrgFileError("not valid TOML: nested too deeply") from exc
    return _top_level(data, "[[organisation]] tables")


def _json_records(text: str, limits: JsonLimits) -> list[Any]:
    try:
        check_json_bytes(text.encode("utf-8", "surrogatepass"), limits, name="")
    except InputLimitError as exc:
        raise OrgFileError(str(exc)) from exc
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise OrgFileError(f"not valid JSON: {exc}") from exc
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return _top_level(data, 'an "organisations" list')
    raise OrgFileError('expected a list of organisations or {"organisations": [...]}')


def _top_level(data: dict[str, Any], expected: str) -> list[Any]:
    unknown = [key for key in data if key not in _TOP_KEYS]
    if unknown:
        raise OrgFileError(f"unknown top-level key(s) {', '.join(unknown)}: expected {expected}")
    found: list[Any] = []
    for key in _TOP_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            raise OrgFileError(f"{key!r} must be a list of organisations ({expected})")
        found += value
    return found


def _csv_records(text: str) -> list[dict[str, str]]:
    """Rows as field -> text; blank cells are left out so the field takes its default."""
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=_EXTRA_CELLS)
    if not reader.fieldnames:
        raise OrgFileError("CSV has no header row")
    header = [name.strip() for name in reader.fieldnames]
    if "id" not in header:
        raise OrgFileError(f"CSV header has no `id` column (columns: {', '.join(header)})")
    unknown = [name for name in header if name not in FIELD_ORDER]
    if unknown:  # checked here: a column left blank in every row would otherwise pass unseen
        raise OrgFileError(
            f"unknown CSV column(s) {', '.join(unknown)} (known: {', '.join(FIELD_ORDER)})"
        )
    records = []
    for row in reader:
        cells = {
            key.strip(): restore_cell(
                (",".join(value) if isinstance(value, list) else value).strip()
            )
            for key, value in row.items()
            if value is not None
        }
        if not any(cells.values()):
            continue  # a blank line
        records.append({key: value for key, value in cells.items() if value != ""})
    return records
