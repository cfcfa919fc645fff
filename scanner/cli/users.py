"""`lotwise users add|list|disable|enable|remove|reset-password`: operators and officers are
created here (organisations sign up on the web, or are tied to an imported profile with
--org), and every account is managed here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from scanner.cli.context import app_context, utc_now
from scanner.cli.output import console, err_console, print_json, short_date, table
from scanner.services.user_admin import list_accounts, remove_account, reset_password, set_enabled
from scanner.services.users import ROLES, AccountError, add_user

app = typer.Typer(
    help="Web accounts: operators, officers and organisation users.", no_args_is_help=True
)


# A new password: asked for twice without echo unless given (or LOTWISE_NEW_USER_PASSWORD).
NewPassword = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="LOTWISE_NEW_USER_PASSWORD",
        help="Asked for when not given: 12 to 128 characters, not a common password.",
    ),
]


@app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="E-mail address the person signs in with.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation id (required for role organisation).")
    ] = None,
    password: NewPassword = "",
) -> None:
    """Add a confirmed account; the password is stored as an argon2 hash."""
    context = app_context(ctx)
    try:
        account = add_user(context.engine(), email, role, password, now=utc_now(), organisation=org)
    except AccountError as exc:
        err_console.print(f"[red]Cannot add user:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"Added {account.email} ({account.role}).", highlight=False)


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]
Email = Annotated[str, typer.Argument(help="The account's e-mail address.")]


@app.command("list")
def list_users(
    ctx: typer.Context,
    role: Annotated[str | None, typer.Option(help=f"Only this role: {', '.join(ROLES)}.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every account: address, role, organisation, active or disabled, last sign-in."""
    rows = list_accounts(app_context(ctx).engine(), role=role)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Accounts ({len(rows)})",
            ["email", "role", "organisation", "state", "created", "last sign-in"],
            (
                (
                    r["email"],
                    r["role"],
                    r["organisation"],
                    "active" if r["active"] else "disabled",
                    short_date(r["created_at"]),
                    short_date(r["last_login_at"]) or "never",
                )
                for r in rows
            ),
        )
    )


def _apply(ctx: typer.Context, done: str, action: Callable[..., None], *args: object) -> None:
    """Run an account action, one line either way (exit 2 when refused)."""
    try:
        action(app_context(ctx).engine(), *args)
    except AccountError as exc:
        err_console.print(f"[red]Not done:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print(done, highlight=False, markup=False)


@app.command("disable")
def disable(ctx: typer.Context, email: Email) -> None:
    """Stop an account signing in and end its sessions (its data stays)."""
    _apply(ctx, f"Disabled {email}; its sessions are ended.", set_enabled, email, False)


@app.command("enable")
def enable(ctx: typer.Context, email: Email) -> None:
    """Let a disabled account sign in again."""
    _apply(ctx, f"Enabled {email}.", set_enabled, email, True)


@app.command("remove")
def remove(
    ctx: typer.Context,
    email: Email,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account with its sessions; its feedback on suggestions stays, unattributed."""
    if not yes:
        typer.confirm(f"Remove the account {email}?", abort=True)
    _apply(ctx, f"Removed {email}.", remove_account, email)


@app.command("reset-password")
def reset(
    ctx: typer.Context,
    email: Email,
    password: NewPassword = "",
) -> None:
    """Set a new password for an account and end its sessions."""
    _apply(
        ctx,
        f"New password set for {email}; its sessions are ended.",
        reset_password,
        email,
        password,
    )
