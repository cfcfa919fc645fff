"""`lotwise serve`: the web application (officer, organisation and operator pages and the API)
under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from scanner.cli.context import app_context


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    ) -> None:
        """Serve the web pages and the JSON API (docs/web.md)."""
        import uvicorn

        from scanner.web import create_app
        from scanner.web.secret_key import secret_key_problem

        context = app_context(ctx)
        problem = secret_key_problem(context.settings, bind_host=host)
        if problem:
            typer.echo(f"Error: {problem}", err=True)
            raise typer.Exit(2)
        application = create_app(context.settings, context.engine())
        typer.echo(f"Lotwise on http://{host}:{port}/ (API docs at /api/v1/docs)")
        uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)
