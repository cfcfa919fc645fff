"""`lotwise serve`: the web application (officer, organisation and operator pages and the API)
under uvicorn."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from scanner.cli.context import app_context


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(
                help="Address(es) of the HTTPS proxy in front, comma-separated: its "
                "X-Forwarded-For then gives each visitor's address (sign-in delays and "
                "request limits are per visitor)."
            ),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(
                min=1,
                max=64,
                help="Processes answering requests, one per core to use (default: the "
                "web_workers setting, LOTWISE_WEB_WORKERS, 1).",
            ),
        ] = None,
    ) -> None:
        """Serve the web pages and the JSON API (docs/web.md, docs/security.md).

        Refuses the development signing key on a site others can reach, and prints one
        warning line per other unsafe setting."""
        import uvicorn

        from scanner.web import create_app, isolation
        from scanner.web.deployment import unsafe_settings
        from scanner.web.secret_key import secret_key_problem
        from scanner.web.workers import APP_FACTORY

        context = app_context(ctx)
        problem = secret_key_problem(context.settings, bind_host=host)
        if problem:
            typer.echo(f"Error: {problem}", err=True)
            raise typer.Exit(2)
        for warning in unsafe_settings(
            context.settings, bind_host=host, forwarded_allow_ips=forwarded_allow_ips
        ):
            typer.echo(f"Warning: {warning}", err=True)
        processes = workers or context.settings.web_workers
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": "info",
            "proxy_headers": forwarded_allow_ips is not None,
            "forwarded_allow_ips": forwarded_allow_ips,
            "server_header": False,  # no software name and version in every answer
        }
        typer.echo(
            f"Lotwise on http://{host}:{port}/ (API docs at /api/v1/docs)"
            + (f", {processes} worker processes" if processes > 1 else "")
        )
        if processes > 1:
            # Each worker builds its own application from the environment (scanner.web.workers).
            # A worker answers uvicorn's health checks only once it has imported everything;
            # on a loaded machine that takes longer than uvicorn's 5 s, and it would be killed.
            uvicorn.run(
                APP_FACTORY,
                factory=True,
                workers=processes,
                timeout_worker_healthcheck=60,
                **options,
            )
            return
        application = create_app(context.settings, context.engine())
        isolation.warm()  # the process that draft checks are forked from
        uvicorn.run(application, **options)
