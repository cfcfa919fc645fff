"""The operator's page: sources with health and counts, unresolved errors with a retry,
"crawl now", the schedule, opportunities found per day, and officers' feedback."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from scanner.services.health import CONTENT_TYPE, healthz, prometheus_text
from scanner.services.users import Account
from scanner.services.web_officer import list_feedback
from scanner.services.web_operator import (
    error_source,
    found_per_day,
    overview,
    tender_count,
    unresolved_errors,
)
from scanner.sources import SourceConfig, SourcesFileError, load_sources
from scanner.web.charts import per_day
from scanner.web.security import flash, require_csrf, require_roles
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
Operator = Annotated[Account, Depends(require_roles("operator"))]
CHART_DAYS = 14


def _configured(request: Request) -> dict[str, SourceConfig]:
    try:
        return dict(load_sources(request.app.state.settings.sources_file))
    except (SourcesFileError, OSError):
        return {}


@router.get("/operator")
def operator_page(request: Request, account: Operator) -> Response:
    state = request.app.state
    now = state.now()
    configured = _configured(request)
    sources = overview(
        state.engine,
        configured,
        now=now,
        stale_intervals=state.settings.stale_intervals,
        silent_days=state.settings.silent_days,
    )
    with Session(state.engine) as session:
        errors = unresolved_errors(session)
        counts = found_per_day(session, now=now, days=CHART_DAYS)
        feedback = list_feedback(session, limit=30)
        total = tender_count(session)
    days = [(now - timedelta(days=CHART_DAYS - 1 - i)).strftime("%d %b") for i in range(CHART_DAYS)]
    launcher = state.launcher
    return render(
        request,
        "operator/index.html",
        {
            "sources": sources,
            "errors": errors,
            "chart": per_day(counts, days),
            "feedback": feedback,
            "total": total,
            "running": sorted(launcher.running),
            "last": dict(launcher.last),
        },
    )


@router.post("/operator/crawl", dependencies=[Depends(require_csrf)])
def crawl_now(request: Request, account: Operator, source: Annotated[str, Form()]) -> Response:
    if source not in _configured(request):
        raise HTTPException(404, "There is no configured source with this name.")
    started = request.app.state.launcher.start(source)
    flash(
        request,
        f"Crawl of {source} started." if started else f"A crawl of {source} is already running.",
    )
    return RedirectResponse("/operator", status_code=303)


@router.post("/operator/errors/{error_id}/retry", dependencies=[Depends(require_csrf)])
def retry(request: Request, account: Operator, error_id: int) -> Response:
    with Session(request.app.state.engine) as session:
        source = error_source(session, error_id)
    if source is None:
        raise HTTPException(404, "There is no error row with this number.")
    started = request.app.state.launcher.start(source)
    flash(
        request,
        f"Retrying: a crawl of {source} started; it requests the failed pages first."
        if started
        else f"A crawl of {source} is already running; it will retry this page.",
    )
    return RedirectResponse("/operator", status_code=303)


@router.get("/healthz")
def healthz_route(request: Request) -> Response:
    """Liveness for a load balancer: the database answers and its schema is current."""
    ok, detail = healthz(request.app.state.engine)
    return JSONResponse(detail, status_code=200 if ok else 503)


def metrics_reader(request: Request) -> None:
    """A scraper with the configured bearer token, or a signed-in operator: the text names
    sources and hosts, so it is not public."""
    token = request.app.state.settings.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return
    if given:
        raise HTTPException(401, "Wrong metrics token.")
    require_roles("operator")(request)


@router.get("/metrics", dependencies=[Depends(metrics_reader)])
def metrics(request: Request) -> Response:
    """Prometheus text of runs, items, errors, lag and digests."""
    state = request.app.state
    body = prometheus_text(
        state.engine,
        state.now(),
        _configured(request),
        stale_intervals=state.settings.stale_intervals,
        silent_days=state.settings.silent_days,
    )
    return Response(body, media_type=CONTENT_TYPE)
