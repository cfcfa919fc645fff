"""Procurement officers' pages: tenders flagged for splitting, one tender with its signals,
packages and market depth, exports, feedback, and the pre-publication check of a draft."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from scanner.services import queries, split_queries
from scanner.services.split_export import csv_table, ocds_release, tender_context
from scanner.services.split_rules import advised, clause_library, split_rules
from scanner.services.splitting import DraftError, check_drafts, read_draft
from scanner.services.users import Account
from scanner.services.web_officer import (
    CLOSED_STATUSES,
    PAGE_SIZES,
    SORTS,
    STATUS_CHOICES,
    VALUE_BANDS,
    OfficerFilter,
    add_feedback,
    list_feedback,
    list_flagged,
    market_depth,
)
from scanner.web.charts import bars
from scanner.web.routes.impact import tender_outcome_fields
from scanner.web.security import current_account, flash, require_csrf, require_roles
from scanner.web.templating import money, render

router = APIRouter(include_in_schema=False)
Officer = Annotated[Account, Depends(require_roles("officer", "operator"))]
MAX_DRAFT = 2 * 1024 * 1024


def officer_filter(
    buyer: str = "",
    band: str = "",
    cpv: str = "",
    region: str = "",
    min_score: str = "",
    show: str = "flagged",
    status: str = "open",
    sort: str = "score",
    page: int = 1,
    per_page: int = 25,
) -> OfficerFilter:
    """Query parameters to a filter; unknown choices fall back to the defaults."""
    try:
        score = float(min_score) if min_score.strip() else None
    except ValueError:
        score = None
    return OfficerFilter(
        buyer=buyer.strip()[:200],
        band=band if band in VALUE_BANDS else "",
        cpv=cpv.strip()[:10],
        region=region.strip()[:5],
        min_score=score,
        flagged=show != "all",
        status=status if status in STATUS_CHOICES else "open",
        sort=sort if sort in SORTS else "score",
        page=max(page, 1),
        per_page=per_page if per_page in PAGE_SIZES else 25,
    )


@router.get("/tenders")
def tender_list(
    request: Request, account: Officer, flt: Annotated[OfficerFilter, Depends(officer_filter)]
) -> Response:
    with Session(request.app.state.engine) as session:
        rows, total = list_flagged(session, flt)
    pages = max((total + flt.per_page - 1) // flt.per_page, 1)
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return render(
        request,
        "officer/list.html",
        {
            "rows": rows,
            "total": total,
            "flt": flt,
            "pages": pages,
            "query": query,
            "bands": list(VALUE_BANDS),
            "sorts": list(SORTS),
            "statuses": STATUS_CHOICES,
            "page_sizes": PAGE_SIZES,
        },
    )


@router.get("/tenders/{tender_id}")
def tender_page(request: Request, tender_id: int) -> Response:
    """Public procurement data: digest links bring organisations here without an account, so
    the page is open; feedback is for officers and operators."""
    state = request.app.state
    # Resolved before the session opens: a second connection taken while holding one could
    # exhaust the pool under load and deadlock every request.
    account = current_account(request)
    staff = account is not None and account.role in ("officer", "operator")
    with Session(state.engine) as session:
        tender = queries.get_tender(session, tender_id)
        if tender is None:
            raise HTTPException(404, "There is no tender with this number.")
        tender.update(tender_outcome_fields(request, session, tender_id))
        stored = split_queries.get_assessment(session, tender_id)
        feedback = list_feedback(session, tender_id=tender_id) if staff else []
    assessment, note = None, None
    if stored is not None:
        assessment, note = advised(stored.entry, stored.tender, clause_library(state.settings))
    today = state.now().date()
    rates, profiles = state.profiles.get(today)
    depth = market_depth(tender, assessment, profiles, rates, on=today)
    currency = (assessment or {}).get("currency") or tender.get("currency")
    packages = (assessment or {}).get("packages") or []
    chart = bars(
        [
            (
                f"{n}. {p.get('title') or ''}",
                _dec(p.get("estimated_value")),
                money(p.get("estimated_value"), currency),
            )
            for n, p in enumerate(packages, start=1)
        ]
    )
    return render(
        request,
        "officer/tender.html",
        {
            "tender": tender,
            "assessment": assessment,
            "note": note,
            "closed": tender.get("status") in CLOSED_STATUSES,
            "depth": depth,
            "chart": chart,
            "currency": currency,
            "feedback": feedback,
            "staff": staff,
        },
    )


def _dec(value: Any) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


@router.get("/tenders/{tender_id}/export.{fmt}")
def export(request: Request, account: Officer, tender_id: int, fmt: str) -> Response:
    if fmt not in ("json", "csv", "ocds.json", "note.md", "note.txt"):
        raise HTTPException(404, "Exports are .json, .csv, .ocds.json, .note.md and .note.txt.")
    with Session(request.app.state.engine) as session:
        stored = split_queries.get_assessment(session, tender_id)
    if stored is None:
        raise HTTPException(404, "This tender has no assessment yet.")
    headers = {"Content-Disposition": f'attachment; filename="tender-{tender_id}.{fmt}"'}
    if fmt in ("note.md", "note.txt"):
        _, note = advised(stored.entry, stored.tender, clause_library(request.app.state.settings))
        body = note.markdown if fmt == "note.md" else note.text
        kind = "text/markdown" if fmt == "note.md" else "text/plain"
        return Response(body, media_type=f"{kind}; charset=utf-8", headers=headers)
    if fmt == "csv":
        header, rows = csv_table([(stored.tender, stored.entry)])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[_no_formula(c) for c in row] for row in rows])
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    document = (
        ocds_release(stored.tender, stored.entry, date=request.app.state.now())
        if fmt == "ocds.json"
        else advised(stored.entry, stored.tender, clause_library(request.app.state.settings))[0]
    )
    body = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return Response(body, media_type="application/json", headers=headers)


def _no_formula(cell: str) -> str:
    """A cell starting with = + - @ would run as a formula in a spreadsheet: quote it."""
    return (
        f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell) else cell
    )


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@router.post("/tenders/{tender_id}/feedback", dependencies=[Depends(require_csrf)])
def feedback(
    request: Request,
    account: Officer,
    tender_id: int,
    useful: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    with Session(request.app.state.engine) as session, session.begin():
        stored = split_queries.get_assessment(session, tender_id)
        if stored is None:
            raise HTTPException(404, "This tender has no suggestion to judge.")
        add_feedback(
            session,
            tender_id=tender_id,
            user_id=account.id,
            useful=useful == "yes",
            comment=comment,
            rules_version=stored.entry.get("rules_version"),
            now=request.app.state.now(),
        )
    flash(request, "Thank you: your feedback is stored and shown to the operators.")
    return RedirectResponse(f"/tenders/{tender_id}#feedback", status_code=303)


@router.get("/check")
def check_page(request: Request, account: Officer) -> Response:
    return render(request, "officer/check.html", {"results": None, "text": "", "error": None})


@router.post("/check", dependencies=[Depends(require_csrf)])
async def check(
    request: Request,
    account: Officer,
    text: Annotated[str, Form(max_length=MAX_DRAFT)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The same assessment `lotwise split check` gives: the draft goes through a temporary file
    so both read it with one parser."""
    data = text.encode("utf-8")
    name = "draft.txt"
    if file is not None and file.filename:
        data = await file.read(MAX_DRAFT + 1)
        name = Path(file.filename).name or "draft.txt"
    elif text.lstrip().startswith(("{", "[")):
        name = "draft.json"
    if not data.strip():
        return _check_error(request, text, "Paste a draft or choose a file.")
    if len(data) > MAX_DRAFT:
        return _check_error(request, text, "The draft is larger than 2 MB.")
    settings = request.app.state.settings
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            drafts = read_draft(path)
        except DraftError as exc:
            return _check_error(request, text, str(exc).replace(str(path), name))
    results = check_drafts(drafts, thresholds=split_rules(settings), now=request.app.state.now())
    library = clause_library(settings)
    shown = []
    for draft, assessment in results:
        entry, note = advised(assessment, tender_context(draft.tender), library)
        shown.append((draft.tender, entry, note))
    return render(
        request,
        "officer/check.html",
        {"results": shown, "text": text, "error": None},
    )


def _check_error(request: Request, text: str, error: str) -> Response:
    return render(
        request,
        "officer/check.html",
        {"results": None, "text": text, "error": error},
        status_code=400,
    )
