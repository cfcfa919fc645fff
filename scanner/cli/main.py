"""The `lotwise` command: thin commands that parse arguments and call services."""

from __future__ import annotations

import typer

from scanner.cli import crawl, demo, ingest, tenders
from scanner.cli.context import app_context
from scanner.cli.output import console

app = typer.Typer(
    help="Lotwise: find public tenders, suggest micro-contracts, match small civic-tech "
    "organisations. Every setting can be set by an environment variable LOTWISE_<NAME> "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(tenders.app, name="tenders")
crawl.register(app)
ingest.register(app)
demo.register(app)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade it to the latest migration."""
    context = app_context(ctx)
    context.engine(migrate=True)
    console.print(f"Database ready: [bold]{context.settings.database_url}[/]")


if __name__ == "__main__":
    app()
