"""The `lotwise` command: thin commands that parse arguments and call services."""

from __future__ import annotations

import sys
import traceback

import typer
from pydantic import ValidationError
from rich.markup import escape
from sqlalchemy.exc import OperationalError

from scanner.cli import (
    crawl,
    demo,
    digest,
    evaluate,
    impact,
    ingest,
    match,
    orgs,
    schedule,
    serve,
    split,
    status,
    tenders,
    users,
)
from scanner.cli.context import app_context
from scanner.cli.output import console, err_console
from scanner.storage.database import database_failure

app = typer.Typer(
    help="Lotwise: find public tenders, suggest micro-contracts, match small civic-tech "
    "organisations. Every setting can be set by an environment variable LOTWISE_<NAME> "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(tenders.app, name="tenders")
app.add_typer(split.app, name="split")
app.add_typer(orgs.app, name="orgs")
app.add_typer(digest.app, name="digest")
app.add_typer(schedule.app, name="schedule")
status.register(app)
app.add_typer(users.app, name="users")
crawl.register(app)
ingest.register(app)
demo.register(app)
match.register(app)
evaluate.register(app)
serve.register(app)
impact.register(app)


@app.callback()
def root(
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback of an unexpected error (anywhere on the line)."
    ),
) -> None:
    """Global options."""


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade it to the latest migration."""
    context = app_context(ctx)
    context.engine(migrate=True)
    console.print(f"Database ready: [bold]{context.settings.database_url}[/]")


def main() -> None:
    """Entry point: configuration and database failures, and any unexpected error, end in one
    clear line and a non-zero exit; `--debug` (anywhere on the line) shows the traceback."""
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv = [sys.argv[0], *(arg for arg in sys.argv[1:] if arg != "--debug")]
    try:
        app(standalone_mode=True)
    except ValidationError as exc:
        problems = "; ".join(
            f"LOTWISE_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        err_console.print(f"[red]Invalid setting[/] {problems}", highlight=False)
        raise SystemExit(2) from None
    except OperationalError as exc:
        err_console.print(database_failure(exc), style="red", highlight=False, markup=False)
        raise SystemExit(1) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        text = " ".join(str(exc).split()) or "no detail"
        err_console.print(
            f"[red]Error:[/] {type(exc).__name__}: {escape(text)}"
            + ("" if debug else " (run again with --debug for the traceback)"),
            highlight=False,
            markup=True,
            soft_wrap=True,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
