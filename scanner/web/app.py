"""The application factory: settings and engine in, a FastAPI app out (nothing at import time)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scanner.services.calendar_feed import FeedSigner
from scanner.services.digests import DigestConfig
from scanner.services.users import SessionLimits
from scanner.services.web_officer import DataCache, ListingCounts, ProfileCache
from scanner.services.web_operator import CrawlLauncher
from scanner.settings import Settings
from scanner.storage.database import database_failure, settings_engine
from scanner.web import isolation
from scanner.web.limits import MAX_DRAFT, MAX_FIELDS, BodyLimitMiddleware
from scanner.web.routes import (
    account,
    api,
    impact,
    officer,
    operator,
    organisation,
    public,
    reference,
)
from scanner.web.secret_key import UnsafeSecretKeyError, secret_key_problem
from scanner.web.security import CSRF_FIELD, SignInRequiredError
from scanner.web.templating import make_templates, render

log = logging.getLogger(__name__)
SESSION_COOKIE = "lotwise_session"
API_PREFIX = "/api/v1"
DOCS = f"{API_PREFIX}/docs"
# Pages run only the packaged /static scripts (the form pickers, which enhance forms that work
# without them), never inline ones; the API documentation runs only its own packaged files.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
CACHEABLE = ("/static/", f"{DOCS}/assets/")
HSTS = "max-age=31536000; includeSubDomains"


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    now: Callable[[], datetime] = utc_now,
    launcher: CrawlLauncher | None = None,
) -> FastAPI:
    """The whole site. `now` and `launcher` are injectable so tests control time and crawls.
    Without `engine`, the settings' (with their database timeouts, as every process has).

    Raises UnsafeSecretKeyError when the public address is not this machine and the signing
    key is the development default or too short (docs/security.md)."""
    problem = secret_key_problem(settings)
    if problem:
        raise UnsafeSecretKeyError(problem)
    # Draft checks run in child processes of the fork server, which imports these once
    # ("__main__" too: else every child would import the program's main module again).
    isolation.preload(["__main__", "scanner.web.routes.officer"])
    app = FastAPI(
        title="Lotwise API",
        version="1",
        description="Tenders, split assessments and matches as JSON. Sign in through the web "
        "pages; the session cookie authorises API calls with the same roles.",
        docs_url=None,  # served from packaged assets by routes.api (no CDN)
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        debug=False,
        form_limits={"max_fields": MAX_FIELDS, "max_files": 1, "max_part_size": MAX_DRAFT},
    )
    https = settings.base_url.startswith("https://")
    app.state.settings = settings
    engine = engine if engine is not None else settings_engine(settings)
    app.state.engine = engine
    app.state.now = now
    app.state.digest_config = DigestConfig.from_settings(settings, strict=False)
    if app.state.digest_config.rates is None:
        log.error("rates file %s not loaded: amounts are shown as published", settings.rates_file)
    app.state.rates = app.state.digest_config.rates  # the matcher's, for money on org pages
    app.state.feed_signer = FeedSigner(settings.secret_key.get_secret_value(), settings.base_url)
    app.state.templates = make_templates()
    app.state.launcher = launcher or CrawlLauncher(settings, engine)
    app.state.profiles = ProfileCache(engine, settings.rates_file)
    app.state.listing_counts = ListingCounts()
    app.state.data_cache = DataCache(settings.web_cache_size)
    app.state.session_limits = SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        # __Host-: the browser keeps it to this exact host, over https, for the whole site
        session_cookie=f"__Host-{SESSION_COOKIE}" if https else SESSION_COOKIE,
        max_age=settings.session_lifetime_hours * 3600,
        same_site="lax",
        https_only=https,
    )
    app.add_middleware(BodyLimitMiddleware, error_page=_error_page(app.state.templates))
    app.add_middleware(SecurityHeadersMiddleware, https=https)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (public, account, officer, organisation, operator, impact, reference):
        app.include_router(module.router)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(impact.api_router, prefix=API_PREFIX)
    _error_pages(app)
    return app


class SecurityHeadersMiddleware:
    """Headers every answer carries unless the route set its own. Plain ASGI: Starlette's
    `BaseHTTPMiddleware` (what `app.middleware("http")` makes) ran each request in an extra
    task with a streamed body, a sixth of the CPU of a `/healthz` request (issue 16)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        docs = path == DOCS or path.startswith(f"{DOCS}/")
        defaults = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY),
        ]
        if not path.startswith(CACHEABLE):
            # Pages and API answers may hold personal data: no browser or proxy keeps a copy.
            defaults.append(("Cache-Control", "no-store"))
        if self.https:
            defaults.append(("Strict-Transport-Security", HSTS))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in defaults:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _error_page(templates: Jinja2Templates) -> Callable[[Scope, int, str], Response]:
    """An error answered before the application runs (no session, no account)."""

    def page(scope: Scope, status: int, detail: str) -> Response:
        if str(scope.get("path", "")).startswith(f"{API_PREFIX}/"):
            return JSONResponse({"detail": detail}, status_code=status)
        html = templates.env.get_template("error.html").render(
            status=status, detail=detail, account=None, csrf="", messages=[], csrf_field=CSRF_FIELD
        )
        return HTMLResponse(html, status_code=status)

    return page


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(f"{API_PREFIX}/")


def _error_pages(app: FastAPI) -> None:
    """Errors as short pages (or JSON under the API), never a stack trace."""

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, exc: SignInRequiredError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/signin?{urlencode({'next': request.url.path})}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is no page here."
        if _wants_json(request):
            return JSONResponse(
                {"detail": detail}, status_code=exc.status_code, headers=exc.headers
            )
        page = render(
            request,
            "error.html",
            {"status": exc.status_code, "detail": detail},
            status_code=exc.status_code,
        )
        page.headers.update(exc.headers or {})  # Retry-After on 429
        return page

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
        status, detail = 500, "Something went wrong on our side; it has been logged."
        if isinstance(exc, OperationalError | PoolTimeout):  # unreachable, a timeout: one line
            log.error("database failure on %s: %s", request.url.path, database_failure(exc))
            status = 503
            detail = (
                "The database is busy; try again shortly."
                if isinstance(exc, PoolTimeout)
                else "The database is not answering; try again shortly."
            )
        else:
            log.exception("unhandled error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status)
        try:
            return render(
                request, "error.html", {"status": status, "detail": detail}, status_code=status
            )
        except Exception:
            return Response(detail, status_code=status, media_type="text/plain")
