"""Rendering for people (Rich tables) and scripts (`--json`, stable field names)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
# Messages on stderr never wrap: an error is one line a script can read, whatever the terminal.
err_console = Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """JSON on stdout, unwrapped and uncoloured, for scripts."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    result = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    for row in rows:
        result.add_row(*("" if cell is None else str(cell) for cell in row))
    return result


def money(amount: str | None, currency: str | None) -> str:
    if amount is None:
        return ""
    whole = f"{float(amount):,.0f}"
    return f"{whole} {currency or ''}".strip()


def short_date(value: str | None) -> str:
    return value[:10] if value else ""
