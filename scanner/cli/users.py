"""`lotwise users add`: operators and officers are created here (organisations sign up on the
web, or are tied to an imported profile with --org)."""

from __future__ import annotations

from typing import Annotated

import typer

from scanner.cli.context import app_context, utc_now
from scanner.cli.output import console, err_console
from scanner.services.users import ROLES, AccountError, add_user

app = typer.Typer(
    help="Web accounts: operators, officers and organisation users.", no_args_is_help=True
)


@app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="E-mail address the person signs in with.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation id (required for role organisation).")
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="LOTWISE_NEW_USER_PASSWORD",
            help="Asked for when not given: 12 to 128 characters, not a common password.",
        ),
    ] = "",
) -> None:
    """Add a confirmed account; the password is stored as an argon2 hash."""
    context = app_context(ctx)
    try:
        account = add_user(context.engine(), email, role, password, now=utc_now(), organisation=org)
    except AccountError as exc:
        err_console.print(f"[red]Cannot add user:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"Added {account.email} ({account.role}).", highlight=False)
