"""Procurement officers' pages: tenders flagged for splitting, one tender with its signals,
packages and market depth, exports, feedback, and the pre-publication check of a draft."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tempfile
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from scanner.services import split_queries
from scanner.services.split_export import csv_table, ocds_release, tender_context
from scanner.services.split_rules import advised, clause_library, split_rules
from scanner.services.splitting import DraftError, check_drafts, read_draft
from scanner.services.tender_page import tender_page_data
from scanner.services.users import Account
from scanner.services.web_officer import (
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
from scanner.settings import Settings
from scanner.tender_state import is_closed_status, is_open
from scanner.web.charts import bars
from scanner.web.identity import Identity
from scanner.web.isolation import IsolatedWorkError, run_isolated
from scanner.web.limits import MAX_DRAFT
from scanner.web.routes.impact import tender_outcome_config
from scanner.web.security import current_account, flash, require_csrf, require_roles
from scanner.web.templating import money, render

router = APIRouter(include_in_schema=False)
Officer = Annotated[Account, Depends(require_roles("officer", "operator"))]
MAX_ID = 2**31 - 1  # the largest key of an integer column on PostgreSQL
MAX_PAGE = 100_000  # a page number beyond is refused (or clamped) rather than overflowing
# A row's number in a path: out of range is a clean 422, never an overflow in the database.
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
UNUSABLE_NAMES = ("", ".", "..")
CHECK_TIMEOUT = 60.0  # seconds a draft check may take before its process is killed
SHOWN_DRAFTS = 50  # a package of many releases shows the first ones and the count


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def officer_filter(
    request: Request,
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
        page=min(max(page, 1), MAX_PAGE),
        per_page=per_page if per_page in PAGE_SIZES else 25,
        now=request.app.state.now(),  # open: status and deadline (scanner.tender_state)
    )


def flagged_page(request: Request, flt: OfficerFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of the list and its count, kept while the data and "open" are unchanged (the
    same for every officer and operator; the page around it is rendered per request)."""
    state = request.app.state

    def read() -> tuple[list[dict[str, Any]], int]:
        with Session(state.engine) as session:
            return list_flagged(session, flt, state.listing_counts)

    key = ("flagged", dataclasses.replace(flt, now=None))
    return state.data_cache.get(state.engine, key, read, now=flt.now)  # type: ignore[no-any-return]


@router.get("/tenders")
def tender_list(
    request: Request, account: Officer, flt: Annotated[OfficerFilter, Depends(officer_filter)]
) -> Response:
    state = request.app.state
    query = {k: v for k, v in request.query_params.items() if k != "page"}

    def read() -> Markup:
        """The page's own part, rendered: it holds nothing of the account (its name and token
        are in the frame around it, rendered per request)."""
        with Session(state.engine) as session:
            rows, total = list_flagged(session, flt, state.listing_counts)
        context = {
            "rows": rows,
            "total": total,
            "flt": flt,
            "pages": max((total + flt.per_page - 1) // flt.per_page, 1),
            "query": query,
            "bands": list(VALUE_BANDS),
            "sorts": list(SORTS),
            "statuses": STATUS_CHOICES,
            "page_sizes": PAGE_SIZES,
        }
        return Markup(state.templates.env.get_template("officer/_list_body.html").render(context))

    key = ("flagged page", dataclasses.replace(flt, now=None), tuple(query.items()))
    body = state.data_cache.get(state.engine, key, read, now=flt.now)
    return render(request, "officer/list.html", {"body": body})


@router.get("/tenders/{tender_id}")
def tender_page(request: Request, tender_id: RecordId) -> Response:
    """Public procurement data: digest links bring organisations here without an account, so
    the page is open; feedback is for officers and operators, and market depth names only the
    organisations that agreed to be listed, to them alone (others see counts)."""
    state = request.app.state
    # Resolved before the session opens: a second connection taken while holding one could
    # exhaust the pool under load and deadlock every request.
    account = current_account(request)
    staff = account is not None and account.role in ("officer", "operator")
    library = clause_library(state.settings)
    config = tender_outcome_config(request)

    def read(session: Session) -> tuple[dict[str, Any], dict[str, Any] | None, Any] | None:
        """The tender, its outcome and flags, its assessment and lotting note: the same for
        everyone (the feedback and the market depth's names are per role, read below)."""
        found = tender_page_data(session, tender_id, config)
        if found is None:
            return None
        tender, stored = found
        if stored is None:
            return tender, None, None
        return (tender, *advised(stored.entry, stored.tender, library))

    # The configuration read into it is part of the key (each is a new object when its files
    # change, and the key holds it, so its identity is never another's).
    key = ("tender page", tender_id, Identity(library), Identity(config))
    with Session(state.engine) as session:  # one connection for the kept part and the rest
        kept = state.data_cache.get_with(session, key, read, now=state.now())
        if kept is None:
            raise HTTPException(404, "There is no tender with this number.")
        feedback = list_feedback(session, tender_id=tender_id) if staff else []
    tender, assessment, note = kept
    today = state.now().date()
    rates, profiles, listed = state.profiles.get(today)
    depth = market_depth(tender, assessment, profiles, rates, on=today, listed=listed)
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
            # Not open at `now` (scanner.tender_state): its status, or its deadline passed.
            "closed": not is_open(
                tender.get("status"), _moment(tender.get("deadline_at")), state.now()
            ),
            "closed_status": is_closed_status(tender.get("status")),
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
def export(request: Request, account: Officer, tender_id: RecordId, fmt: str) -> Response:
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
        writer.writerows(rows)  # formulas already quoted by csv_table
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    document = (
        ocds_release(stored.tender, stored.entry, date=request.app.state.now())
        if fmt == "ocds.json"
        else advised(stored.entry, stored.tender, clause_library(request.app.state.settings))[0]
    )
    body = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return Response(body, media_type="application/json", headers=headers)


@router.post("/tenders/{tender_id}/feedback", dependencies=[Depends(require_csrf)])
def feedback(
    request: Request,
    account: Officer,
    tender_id: RecordId,
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
    return render(
        request, "officer/check.html", {"results": None, "total": 0, "text": "", "error": None}
    )


@router.post("/check", dependencies=[Depends(require_csrf)])
def check(
    request: Request,
    account: Officer,
    text: Annotated[str, Form(max_length=MAX_DRAFT)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The same assessment `lotwise split check` gives, run in a child process under a time
    limit (`web.isolation`): parsing a large draft never holds up other requests. A compressed
    upload is read to at most the 2 MB the page states, once expanded."""
    data = text.encode("utf-8")
    name = "draft.txt"
    if file is not None and file.filename:
        name = file.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if name in UNUSABLE_NAMES or "\x00" in name or len(name) > 200:
            return _check_error(
                request,
                text,
                "This file name cannot be used; rename the file (for example draft.json) "
                "and upload it again.",
            )
        data = file.file.read(MAX_DRAFT + 1)
    elif text.lstrip().startswith(("{", "[")):
        name = "draft.json"
    if not data.strip():
        return _check_error(request, text, "Paste a draft or choose a file.")
    if len(data) > MAX_DRAFT:
        return _check_error(request, text, "The draft is larger than 2 MB.")
    state = request.app.state
    try:
        outcome = run_isolated(
            assess_draft,
            name,
            data,
            state.settings,
            state.now(),
            timeout=CHECK_TIMEOUT,
        )
    except IsolatedWorkError as exc:
        if exc.busy:
            raise HTTPException(
                503, "Other drafts are being checked; try again in a minute."
            ) from None
        if not exc.timed_out:
            raise
        return _check_error(
            request,
            text,
            f"Checking this draft took longer than {CHECK_TIMEOUT:g} seconds and was stopped; "
            "check its parts separately.",
        )
    if isinstance(outcome, str):
        return _check_error(request, text, outcome)
    results, total = outcome
    return render(
        request,
        "officer/check.html",
        {"results": results, "total": total, "text": text, "error": None},
    )


def assess_draft(
    name: str, data: bytes, settings: Settings, now: datetime
) -> tuple[list[tuple[Any, Any, Any]], int] | str:
    """In a child process: read the draft through a temporary file (so the web and `lotwise
    split check` share one parser), assess it and add its clauses and lotting note. The first
    SHOWN_DRAFTS results and how many there were, or why the draft cannot be read."""
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / name
        path.write_bytes(data)
        try:
            drafts = read_draft(path, max_bytes=MAX_DRAFT, limits=settings.json_limits())
        except DraftError as exc:
            return str(exc).replace(str(path), name)
    results = check_drafts(drafts, thresholds=split_rules(settings), now=now)
    library = clause_library(settings)
    shown = []
    for draft, assessment in results[:SHOWN_DRAFTS]:
        entry, note = advised(assessment, tender_context(draft.tender), library)
        shown.append((draft.tender, entry, note))
    return shown, len(results)


def _check_error(request: Request, text: str, error: str) -> Response:
    return render(
        request,
        "officer/check.html",
        {"results": None, "total": 0, "text": text, "error": error},
        status_code=400,
    )
