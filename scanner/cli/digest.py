"""`lotwise digest send|preview|outbox|resolve|revoke-links`: digest emails (docs/alerts.md)."""

from __future__ import annotations

import sys
from email import message_from_string
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any

import typer

from scanner.alerts.message import POLICY
from scanner.alerts.outbox import STATUSES
from scanner.cli.context import app_context, utc_now
from scanner.cli.output import console, err_console, print_json, table
from scanner.services import digests as service
from scanner.settings import PROJECT_ROOT

app = typer.Typer(help="Digest emails: build, send, preview, and the outbox.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]
DEFAULT_OUTBOX = PROJECT_ROOT / "var" / "outbox"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(message, style="red", highlight=False, markup=False)
    return typer.Exit(code)


@app.command("send")
def send(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation id.")] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Record and send nothing; write .eml files instead."),
    ] = False,
    outbox_dir: Annotated[
        Path | None,
        typer.Option(
            "--outbox",
            help="Folder for .eml files (dry run: default var/outbox; otherwise a copy of "
            "each newly recorded digest).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record the digests that are due (daily or weekly, only when something is new), then
    deliver every pending one that is due. Safe to run again at any time: one digest per
    organisation and period, never two."""
    context = app_context(ctx)
    config = service.DigestConfig.from_settings(context.settings)
    folder = outbox_dir or (DEFAULT_OUTBOX if dry_run else None)
    try:
        report = service.send_digests(
            context.engine(), config, now=utc_now(), org=org, dry_run=dry_run, outbox_dir=folder
        )
    except (service.DigestConfigError, LookupError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if report.failed or report.unknown or report.unknown_after_crash or report.errors:
        raise typer.Exit(1)


def _print_report(report: service.SendReport) -> None:
    for error in report.errors:
        err_console.print(
            f"not built: {error['organisation']}: {error['error']}", highlight=False, markup=False
        )
    if report.dry_run:
        where = f" in {report.outbox_dir}" if report.outbox_dir else ""
        console.print(
            f"Dry run: {len(report.written)} digest(s) written as .eml{where}; "
            f"{len(report.nothing_new)} with nothing new; nothing recorded or sent.",
            highlight=False,
        )
        return
    if report.requeued_after_crash or report.unknown_after_crash:
        console.print(
            f"Recovered from a stopped sender: {report.requeued_after_crash} requeued, "
            f"{report.unknown_after_crash} marked unknown (see `lotwise digest outbox`).",
            highlight=False,
        )
    console.print(
        f"Recorded {len(report.recorded)} new digest(s) ({len(report.nothing_new)} with "
        f"nothing new, {len(report.already_recorded)} already recorded for this period); "
        f"sent {len(report.sent)}, retrying {len(report.retrying)}, failed "
        f"{len(report.failed)}, unknown {len(report.unknown)}.",
        highlight=False,
    )
    if report.written:
        console.print(f"Copies written to {report.outbox_dir}", highlight=False)
    for kind, entries in (("retry", report.retrying), ("failed", report.failed)):
        for entry in entries[:10]:
            err_console.print(
                f"{kind}: digest {entry['digest']}: {entry['detail']}",
                highlight=False,
                markup=False,
            )
    for entry in report.unknown:
        err_console.print(
            f"unknown: digest {entry['digest']} may have been delivered; not resent "
            f"automatically ({entry['detail']}). Decide with `lotwise digest resolve`.",
            highlight=False,
            markup=False,
        )


@app.command("preview")
def preview(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(metavar="ORG", help="Organisation id.")],
    part: Annotated[
        str, typer.Option("--part", help="text, html or eml (the whole message).")
    ] = "text",
) -> None:
    """Show the digest ORG would receive now, without recording or sending anything."""
    if part not in ("text", "html", "eml"):
        raise typer.BadParameter(f"{part!r} is not one of text, html, eml", param_hint="--part")
    context = app_context(ctx)
    config = service.DigestConfig.from_settings(context.settings)
    try:
        built = service.preview_digest(context.engine(), config, org, now=utc_now())
    except LookupError as exc:
        raise _fail(str(exc)) from None
    if built is None:
        console.print(f"Nothing new for {org}: no digest would be sent.", highlight=False)
        return
    if part == "eml":
        sys.stdout.write(built.message)
        return
    message = message_from_string(built.message, policy=POLICY)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("html",) if part == "html" else ("plain",))
    assert body is not None  # both parts are always built
    console.print(f"Subject: {built.subject}", highlight=False, markup=False)
    sys.stdout.write(body.get_content())


@app.command("outbox")
def show_outbox(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help=f"Only these states: {', '.join(STATUSES)}."),
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recorded digests, newest first: pending ones with their next attempt, failed ones with
    the server's reason, and `unknown` ones that need the operator's decision."""
    for value in status or ():
        if value not in STATUSES:
            raise typer.BadParameter(
                f"{value!r} is not one of {', '.join(STATUSES)}", param_hint="--status"
            )
    rows = service.outbox(app_context(ctx).engine(), statuses=tuple(status or ()), org=org)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Digest outbox ({len(rows)})",
            ["id", "organisation", "period", "status", "new", "attempts", "next attempt", "detail"],
            (_outbox_row(r) for r in rows),
        )
    )


def _outbox_row(r: dict[str, Any]) -> tuple[Any, ...]:
    next_at = r["next_attempt_at"] if r["status"] == "pending" else None
    detail = r["last_error"] or ""
    if r["refused"]:
        detail = f"{detail} refused: {'; '.join(r['refused'])}".strip()
    return (
        r["id"],
        r["organisation"],
        r["period"],
        r["status"],
        r["new_count"],
        r["attempts"],
        next_at.strftime("%Y-%m-%d %H:%M") if next_at else "",
        detail[:160],
    )


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    digest_id: Annotated[int, typer.Argument(metavar="ID", help="Digest id from `outbox`.")],
    sent: Annotated[bool, typer.Option("--sent", help="It arrived: mark it sent.")] = False,
    resend: Annotated[bool, typer.Option("--resend", help="It did not: queue it again.")] = False,
) -> None:
    """Decide an `unknown` (or `failed`) digest after checking the mail server's log."""
    if sent == resend:
        raise _fail("choose exactly one of --sent or --resend", 2)
    old = service.resolve(app_context(ctx).engine(), digest_id, resend=resend, now=utc_now())
    if old is None:
        raise _fail(f"No digest with id {digest_id}.")
    if old not in ("unknown", "failed"):
        raise _fail(f"Digest {digest_id} is {old}; only unknown or failed digests can be resolved.")
    console.print(
        f"Digest {digest_id} ({old}) " + ("queued again." if resend else "marked sent."),
        highlight=False,
    )


@app.command("revoke-links")
def revoke_links(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(metavar="ORG", help="Organisation id.")],
) -> None:
    """Invalidate every unsubscribe and preference link sent to ORG so far."""
    try:
        version = service.revoke_links(app_context(ctx).engine(), org, now=utc_now())
    except LookupError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Links of {org} revoked; new links use version {version}.", highlight=False)
