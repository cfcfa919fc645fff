"""Write profiles back out as TOML, JSON or CSV, in the format the loaders read, so an export
imports again to the same profiles (docs/organisations.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from scanner.orgs.loaders import Format
from scanner.orgs.schema import FIELD_ORDER, LIST_SEPARATOR, OrganisationProfile
from scanner.spreadsheet import safe_cell

__all__ = ["dump_profiles"]

_HEADER = "# Lotwise organisation profiles: format in docs/organisations.md\n"


def dump_profiles(profiles: Iterable[OrganisationProfile], fmt: Format) -> str:
    """The profiles as one document in `fmt`."""
    records = [profile.export_dict() for profile in profiles]
    if fmt == "toml":
        return _toml(records)
    if fmt == "json":
        return (
            json.dumps(
                {"organisations": records}, indent=2, ensure_ascii=False, default=_json_number
            )
            + "\n"
        )
    return _csv(records)


def _toml(records: list[dict[str, Any]]) -> str:
    out = [_HEADER]
    for record in records:
        out.append("\n[[organisation]]\n")
        for name, value in record.items():
            if value is not None:
                out.append(f"{name} = {_toml_value(value)}\n")
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, str):
        # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else format(value, "f")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # "\r\n" rows: a "\r" or "\n" in a cell gets quoted
    writer.writerow(FIELD_ORDER)
    for record in records:
        writer.writerow([safe_cell(_csv_cell(record[name])) for name in FIELD_ORDER])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
