"""The application factory: settings and engine in, a FastAPI app out (nothing at import time)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from scanner.services.digests import DigestConfig
from scanner.services.web_officer import ProfileCache
from scanner.services.web_operator import CrawlLauncher
from scanner.settings import Settings
from scanner.web.routes import api, impact, officer, operator, organisation, public
from scanner.web.secret_key import UnsafeSecretKeyError, secret_key_problem
from scanner.web.security import SignInRequiredError
from scanner.web.templating import make_templates, render

log = logging.getLogger(__name__)
SESSION_COOKIE = "lotwise_session"
SESSION_MAX_AGE = 14 * 24 * 3600
API_PREFIX = "/api/v1"


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    engine: Engine,
    *,
    now: Callable[[], datetime] = utc_now,
    launcher: CrawlLauncher | None = None,
) -> FastAPI:
    """The whole site. `now` and `launcher` are injectable so tests control time and crawls.

    Raises UnsafeSecretKeyError when the public address is not this machine and the signing
    key is the development default or too short (docs/security.md)."""
    problem = secret_key_problem(settings)
    if problem:
        raise UnsafeSecretKeyError(problem)
    app = FastAPI(
        title="Lotwise API",
        version="1",
        description="Tenders, split assessments and matches as JSON. Sign in through the web "
        "pages; the session cookie authorises API calls with the same roles.",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        debug=False,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.now = now
    app.state.digest_config = DigestConfig.from_settings(settings)
    app.state.templates = make_templates()
    app.state.launcher = launcher or CrawlLauncher(settings)
    app.state.profiles = ProfileCache(engine, settings.rates_file)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (public, officer, organisation, operator, impact):
        app.include_router(module.router)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(impact.api_router, prefix=API_PREFIX)
    _error_pages(app)
    return app


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.url.path.startswith(f"{API_PREFIX}/docs"):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(f"{API_PREFIX}/")


def _error_pages(app: FastAPI) -> None:
    """Errors as short pages (or JSON under the API), never a stack trace."""

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, exc: SignInRequiredError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is no page here."
        if _wants_json(request):
            return JSONResponse(
                {"detail": detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "detail": detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'request'}: {err['msg']}"
            for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        return render(request, "error.html", {"status": 422, "detail": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        detail = "Something went wrong on our side; it has been logged."
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=500)
        try:
            return render(request, "error.html", {"status": 500, "detail": detail}, status_code=500)
        except Exception:
            return Response(detail, status_code=500, media_type="text/plain")
