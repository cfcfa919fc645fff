"""The `lotwise` command: thin commands that parse arguments and call services."""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
import traceback

import typer
from typer import _click as click  # Typer's own copy of Click: its classes are these
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

#: Every command `lotwise` has besides `init`, in the order `lotwise --help` lists them, with
#: the module under scanner/cli/ that defines it and the line `lotwise --help` shows for it
#: (the first paragraph of the command's own help; tests/cli/test_lazy_commands.py keeps the
#: two equal). A module is imported only when one of its commands runs or shows its help: each
#: module brings its services, and importing all of them cost every `lotwise` process about
#: 1.3 s of CPU.
COMMANDS: dict[str, tuple[str, str]] = {
    "status": (
        "status",
        "Crawl health per source and the next scheduled runs; exits 1 when the database or a "
        "source is failing (its last run failed), stale (nothing fetched for too long) or silent "
        "(pages fetched, no notice seen for LOTWISE_SILENT_DAYS).",
    ),
    "crawl": (
        "crawl",
        "Crawl sources incrementally, showing pages, new, updated and errors as they come.",
    ),
    "sources": (
        "crawl",
        "List configured sources with their stored tenders, last run and unresolved errors.",
    ),
    "runs": ("crawl", "List recent crawl runs with their counts."),
    "errors": (
        "crawl",
        "List crawl errors: failed pages (retried on the next run) and unusable records.",
    ),
    "ingest": (
        "ingest",
        "Load OCDS files; each file is stored whole or not at all. Exit code 1 if any failed.",
    ),
    "demo": (
        "demo",
        "Serve recorded responses on 127.0.0.1, crawl them with the real spiders, show the result.",
    ),
    "match": (
        "match",
        "Rank open tenders, their lots and proposed packages for each active organisation, "
        "with the score breakdown and a one-line explanation; the results are stored (unless "
        "--now).",
    ),
    "consortium": (
        "match",
        "Propose up to three organisations that together cover a tender or lot no single one "
        "covers, saying who covers what.",
    ),
    "eval": (
        "evaluate",
        "Judge the matcher on a labelled set: precision@5, precision@10 and NDCG@10 per "
        "profile and overall, beside baselines measured the same way (demo: a keyword + CPV "
        "baseline and a gated ablation; real: BM25 and the keyword + code heuristic), then "
        "macro figures for the tuning half, the held-out half (the figures to trust) and all "
        "profiles; for --set real also per target language, and how much of each top k was "
        "judged.",
    ),
    "serve": ("serve", "Serve the web pages and the JSON API (docs/web.md, docs/security.md)."),
    "impact": (
        "impact",
        "Per buyer: single-bid rate, direct-award share, lots, supplier concentration and "
        "small suppliers, beside the peers' median; per period; and Lotwise's own loop.",
    ),
    "flags": (
        "impact",
        "Integrity flags with their evidence, each buyer's rate beside its peers'. A flag is a "
        "reason to look more closely, never an accusation.",
    ),
    "cases": (
        "impact",
        "Case studies: comparable requirements, one divided into lots and one not, outcomes "
        "side by side, as Markdown (or JSON) to print or share.",
    ),
    "tenders": ("tenders", "Stored tenders."),
    "split": ("split", "Micro-contract suggestions: which tenders to divide, and how."),
    "orgs": ("orgs", "Organisation profiles matched against tenders."),
    "digest": ("digest", "Digest emails: build, send, preview, and the outbox."),
    "schedule": ("schedule", "Run crawls, split/match refreshes and digests on their schedules."),
    "users": ("users", "Web accounts: operators, officers and organisation users."),
}


def load_command(name: str) -> click.Command:
    """The command NAME as its module defines it: a group for a module with its own `app`
    (`lotwise tenders ...`), else the command its `register(app)` adds under NAME."""
    module = importlib.import_module(f"scanner.cli.{COMMANDS[name][0]}")
    holder = typer.Typer()
    if hasattr(module, "register"):
        module.register(holder)
    else:
        holder.add_typer(module.app, name=name)
    return typer.main.get_group(holder).commands[name]


def listed_help(command: click.Command) -> str:
    """The line `lotwise --help` shows for COMMAND: the first paragraph of its help on one
    line, as Typer shows it."""
    text = inspect.cleandoc(command.short_help or command.help or "")
    return " ".join(text.split("\n\n")[0].split())


class LazyGroup(TyperGroup):
    """The `lotwise` group: the commands of COMMANDS are loaded on first use; `lotwise --help`
    lists them from the table without importing their modules."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        # `init`, defined here, first: it is the first command a newcomer runs.
        return [*(name for name in super().list_commands(ctx) if name not in COMMANDS), *COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:  # the one line of the listing, without the command's imports
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Typer's resolution; its `Did you mean ...` for a mistyped name, which Typer draws
        from the loaded commands only, drawn from every command."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            if self.suggest_commands and args and "Did you mean" not in error.message:
                close = difflib.get_close_matches(args[0], self.list_commands(ctx))
                if close:
                    suggestions = ", ".join(repr(name) for name in close)
                    error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    cls=LazyGroup,
    help="Lotwise: find public tenders, suggest micro-contracts, match small civic-tech "
    "organisations. Every setting can be set by an environment variable LOTWISE_<NAME> "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


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
    from scanner.cli.context import app_context
    from scanner.cli.output import console

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
    except Exception as exc:
        raise SystemExit(_report_failure(exc, debug=debug)) from None


def _report_failure(exc: Exception, *, debug: bool) -> int:
    """One line on stderr for EXC; the exit code. Imported here, not at the top: `--help`
    needs neither pydantic's nor SQLAlchemy's exceptions."""
    from pydantic import ValidationError
    from rich.markup import escape
    from sqlalchemy.exc import OperationalError

    from scanner.cli.output import err_console
    from scanner.storage.database import database_failure

    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"LOTWISE_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        err_console.print(f"[red]Invalid setting[/] {problems}", highlight=False)
        return 2
    if isinstance(exc, OperationalError):
        err_console.print(database_failure(exc), style="red", highlight=False, markup=False)
        return 1
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
    return 1


if __name__ == "__main__":
    main()
