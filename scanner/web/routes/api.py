"""JSON API, version 1 (`/api/v1`): tenders, split assessments and matches, paginated and
filterable, with the same field names as `--json` output (docs/json-output.md). The session
cookie of the web pages authorises calls; roles apply as on the pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy.orm import Session
from swagger_ui_bundle import swagger_ui_path

from scanner.services import queries, split_queries
from scanner.services.users import Account
from scanner.services.web_officer import OfficerFilter
from scanner.services.web_orgs import matches_of, organisation_header, reader_fields
from scanner.web.routes.impact import tender_outcome_fields
from scanner.web.routes.officer import MAX_PAGE, RecordId, flagged_page, officer_filter
from scanner.web.security import current_account, require_roles

router = APIRouter(tags=["v1"])
Anyone = Annotated[Account, Depends(require_roles("officer", "operator", "organisation"))]
Staff = Annotated[Account, Depends(require_roles("officer", "operator"))]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
# Swagger UI's files, from the swagger-ui-bundle-v2 package: the docs work offline, and the
# docs page's Content-Security-Policy allows scripts from this site only.
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


class Page(BaseModel):
    """One page of results. `next` is the query for the following page, or null."""

    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int | None = None
    next: str | None = None


@router.get("/tenders", response_model=Page, summary="Stored tenders, newest first")
def tenders(
    request: Request,
    account: Anyone,
    search: Annotated[str | None, Query(max_length=200, description="In title or buyer")] = None,
    source: Annotated[list[str] | None, Query(description="Source names")] = None,
    open_only: Annotated[
        bool,
        Query(
            alias="open",
            description="Only open tenders: status not cancelled, complete, closed, "
            "unsuccessful or withdrawn, deadline ahead or none (as `lotwise tenders list --open`)",
        ),
    ] = False,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    state = request.app.state
    now = state.now()
    flt = queries.TenderFilter(
        open_at=now if open_only else None,
        sources=tuple(source or ()),
        search=search,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
    )

    def read() -> bytes:
        with Session(state.engine) as session:
            rows = queries.list_tenders(session, flt)
        more = len(rows) > per_page
        return _json(
            Page(
                items=rows[:per_page],
                page=page,
                per_page=per_page,
                next=_next(request, page) if more else None,
            )
        )

    # The same for every account allowed here; `next` repeats the query.
    key = ("api tenders", request.url.query)
    return _cached_json(state.data_cache.get(state.engine, key, read, now=now))


@router.get("/tenders/{tender_id}", summary="One tender with items and lots")
def tender(request: Request, account: Anyone, tender_id: RecordId) -> dict[str, Any]:
    with Session(request.app.state.engine) as session:
        found = queries.get_tender(session, tender_id)
        if found is not None:
            found.update(tender_outcome_fields(request, session, tender_id))
    if found is None:
        raise HTTPException(404, "no tender with this id")
    found.pop("raw", None)
    return found


@router.get("/assessments", response_model=Page, summary="Split assessments, filtered and sorted")
def assessments(
    request: Request, account: Staff, flt: Annotated[OfficerFilter, Depends(officer_filter)]
) -> Page:
    """Filters as on the officer page: buyer, band (under-100k, 100k-1m, 1m-10m, over-10m),
    cpv (prefix), region (prefix), min_score, show (flagged or all), sort (score, value,
    deadline, published, buyer)."""
    rows, total = flagged_page(request, flt)
    more = flt.page * flt.per_page < total
    return Page(
        items=rows,
        page=flt.page,
        per_page=flt.per_page,
        total=total,
        next=_next(request, flt.page) if more else None,
    )


@router.get("/assessments/{tender_id}", summary="The stored assessment of one tender")
def assessment(request: Request, account: Anyone, tender_id: RecordId) -> dict[str, Any]:
    with Session(request.app.state.engine) as session:
        stored = split_queries.get_assessment(session, tender_id)
    if stored is None:
        raise HTTPException(404, "no assessment for this tender")
    return stored.entry


@router.get(
    "/organisations/{slug}/matches", response_model=Page, summary="An organisation's matches"
)
def matches(
    request: Request,
    account: Anyone,
    slug: str,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """An organisation account reads only its own; officers and operators read any."""
    if account.role == "organisation" and account.organisation_slug != slug:
        raise HTTPException(403, "these matches are not yours to see")
    state = request.app.state
    now = state.now()

    def read() -> bytes:
        org = organisation_header(state.engine, slug)
        if org is None:
            raise HTTPException(404, "no organisation with this id")
        rows = reader_fields(
            matches_of(state.engine, org.id, now=now), org.currency, state.rates, now=now
        )
        start = (page - 1) * per_page
        return _json(
            Page(
                items=rows[start : start + per_page],
                page=page,
                per_page=per_page,
                total=len(rows),
                next=_next(request, page) if start + per_page < len(rows) else None,
            )
        )

    # After the check above: the same for every account allowed to read this organisation's.
    key = ("api matches", slug, request.url.query)
    return _cached_json(state.data_cache.get(state.engine, key, read, now=now))


@router.get("/me", summary="Who is signed in")
def me(request: Request) -> dict[str, Any]:
    account = current_account(request)
    if account is None:
        raise HTTPException(401, "sign in first")
    return {"email": account.email, "role": account.role, "organisation": account.organisation_slug}


def _json(page: Page) -> bytes:
    """The body FastAPI would send for `page` (its response model, serialised as JSON)."""
    return bytes(JSONResponse(page.model_dump(mode="json")).body)


def _cached_json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _next(request: Request, page: int) -> str:
    """The following page's URL on the configured public address, never on the Host header
    the client sent (which an attacker chooses)."""
    base = request.app.state.settings.base_url.rstrip("/")
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return f"{base}{request.url.path}?{urlencode([*query, ('page', str(page + 1))])}"


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/v1/openapi.json, from files this site serves itself."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "api_docs.html", {})


@router.get("/docs/assets/{name}", include_in_schema=False)
def docs_asset(name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise HTTPException(404, "no such file")
    return FileResponse(
        swagger_ui_path / name,
        media_type=DOCS_ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
