"""`lotwise orgs import|list|show|export`: organisation profiles (docs/organisations.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scanner.cli.context import app_context, demo_hint, utc_now
from scanner.cli.match import matching_config, refresh_matches_and_report
from scanner.cli.output import console, err_console, money, print_json, table
from scanner.orgs import FORMATS, Format, OrgFileError, RatesError, format_of, load_rates
from scanner.services import organisations as service
from scanner.services.matching import refresh_matches

app = typer.Typer(help="Organisation profiles matched against tenders.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


@app.command("import")
def import_orgs(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Profiles as .toml, .json or .csv.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid records even if some are not.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check the file; store nothing.")
    ] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="toml, json or csv (default: by extension).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add or update profiles by id. Every problem is listed; if any record is invalid nothing
    is stored (exit code 1) unless --skip-invalid. A changed profile gets a new version."""
    context = app_context(ctx)
    try:
        rates = load_rates(context.settings.rates_file)
        report = service.import_organisations(
            context.engine(),
            file,
            now=utc_now(),
            rates=rates,
            fmt=_format(fmt, "--format") if fmt else None,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            limits=context.settings.json_limits(),
        )
    except (OrgFileError, RatesError) as exc:
        err_console.print(str(exc), style="red", highlight=False, markup=False)
        raise typer.Exit(1) from None
    if as_json:
        print_json(report.as_dict())
    else:
        for error in report.errors:
            err_console.print(f"{file}: {error}", highlight=False, markup=False, style="red")
        for note in report.notes:
            err_console.print(f"{file}: {note}", highlight=False, markup=False, style="yellow")
        console.print(_summary(report, dry_run=dry_run), highlight=False)
    changed = report.stored and (report.result.created or report.result.updated)
    if changed and not as_json:
        run = refresh_matches_and_report(context.settings, context.engine())
        if run is not None and not run.tenders:
            demo_hint(context)
    elif changed:
        refresh_matches(context.engine(), matching_config(context))
    if report.errors and not (skip_invalid and not dry_run):
        raise typer.Exit(1)


def _summary(report: service.ImportReport, *, dry_run: bool) -> str:
    valid, invalid = report.valid, report.invalid
    if dry_run:
        return (
            f"Checked {report.records} record(s): {valid} valid, {invalid} invalid; nothing stored."
        )
    if not report.stored:
        hint = f" (--skip-invalid stores the {valid} valid one(s))" if valid else ""
        return f"Nothing stored: {invalid} of {report.records} record(s) invalid{hint}."
    result = report.result
    skipped = f", {invalid} invalid record(s) skipped" if invalid else ""
    return (
        f"Stored {valid} organisation(s): {len(result.created)} new, {len(result.updated)} "
        f"updated, {len(result.unchanged)} unchanged{skipped}."
    )


@app.command("list")
def list_orgs(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Only active profiles.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List stored profiles by id."""
    rows = service.list_organisations(app_context(ctx).engine(), active_only=active)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Organisations ({len(rows)})",
            ["id", "name", "regions", "CPV", "value range", "digest", "active", "version"],
            (
                (
                    r["id"],
                    r["name"][:50],
                    ", ".join(r["regions"]) + (" (national)" if r["national"] else ""),
                    ", ".join(r["cpv"]),
                    _range(r),
                    r["digest"],
                    "yes" if r["active"] else "no",
                    r["version"],
                )
                for r in rows
            ),
        )
    )


@app.command("show")
def show_org(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(metavar="ID", help="Profile id from `orgs list`.")],
    as_json: JsonOption = False,
) -> None:
    """Show one profile in full."""
    org = service.get_organisation(app_context(ctx).engine(), org_id)
    if org is None:
        err_console.print(f"No organisation with id {org_id!r}.", style="red", markup=False)
        raise typer.Exit(1)
    if as_json:
        print_json(org)
        return
    console.print(f"[bold]{org['name']}[/]  ({org['id']}, version {org['version']})")
    listed = ("emails", "keywords", "exclusions", "cpv", "naics", "regions", "countries")
    rows: list[tuple[str, Any]] = [(name, ", ".join(org[name])) for name in listed]
    rows += [
        ("national / remote", f"{org['national']} / {org['remote']}"),
        ("value range", _range(org)),
        ("turnover", money(org["turnover"], org["currency"])),
        ("team size", org["team_size"]),
        ("certifications", ", ".join(org["certifications"])),
        ("open source", org["open_source"]),
        ("digest", org["digest"]),
        ("active", org["active"]),
        ("updated", org["updated_at"]),
    ]
    console.print(table(None, ["field", "value"], rows))
    for name in ("description", "capabilities"):
        if org[name]:
            console.print(f"[bold]{name}:[/] ", end="")
            console.print(org[name], markup=False, highlight=False)


@app.command("export")
def export_orgs(
    ctx: typer.Context,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="toml, json or csv (default: by --output, else toml)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    active: Annotated[bool, typer.Option("--active", help="Only active profiles.")] = False,
) -> None:
    """Write every stored profile in a format `orgs import` reads back."""
    if fmt:
        chosen = _format(fmt, "--format")
    elif output is not None and output.suffix:
        chosen = _format(output.suffix.lstrip("."), "--output")
    else:
        chosen = "toml"
    text = service.export_organisations(app_context(ctx).engine(), chosen, active_only=active)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"Wrote {output}", highlight=False, markup=False)


def _format(value: str, option: str) -> Format:
    try:
        return format_of(Path(f"x.{value.lower()}"))
    except OrgFileError:
        raise typer.BadParameter(
            f"{value!r} is not one of {', '.join(FORMATS)}", param_hint=option
        ) from None


def _range(org: dict[str, Any]) -> str:
    low, high = org["value_min"], org["value_max"]
    if low is None and high is None:
        return ""
    return f"{money(low, org['currency']) or '0'} - {money(high, org['currency']) or 'any'}"
