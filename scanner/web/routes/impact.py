"""Impact and integrity pages for officers and operators: figures per buyer beside their
peers', flags with evidence, printable case studies, CSV; coverage per source for operators;
and the same as JSON under /api/v1. A flag is a reason to look, never an accusation: every
page says so above the figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from scanner.integrity import RULES, IntegrityConfig
from scanner.services import impact as service
from scanner.services.impact_export import flags_csv, impact_csv
from scanner.services.users import Account
from scanner.web.charts import Bar, bars
from scanner.web.security import require_roles
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["v1"])
Staff = Annotated[Account, Depends(require_roles("officer", "operator"))]
Operator = Annotated[Account, Depends(require_roles("operator"))]
BuyerQuery = Annotated[str | None, Query(max_length=300, description="Buyer id or name")]
SinceQuery = Annotated[str | None, Query(max_length=32, description="Published on or after")]
CHARTED = 15
LISTED = 200


def _config(request: Request) -> IntegrityConfig:
    settings = request.app.state.settings
    try:
        return service.load_config(settings.integrity_file, settings.thresholds_file)
    except service.IntegrityConfigError as exc:
        raise HTTPException(503, f"The integrity configuration is unusable: {exc}") from None


def tender_outcome_config(request: Request) -> IntegrityConfig | None:
    """The flags' configuration (the same object until its files change), or None when a
    file is broken."""
    settings = request.app.state.settings
    try:
        return service.load_config(settings.integrity_file, settings.thresholds_file)
    except service.IntegrityConfigError:
        return None


def tender_outcome_fields(request: Request, session: Session, tender_id: int) -> dict[str, Any]:
    """A tender's `awards`, `bid_count`, `outcome` and `red_flags` for its page and the API;
    a broken integrity file leaves `red_flags` empty and says why, it never hides the tender."""
    return service.tender_outcome(session, tender_id, tender_outcome_config(request))


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"since: {value!r} is not a date (YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _impact(request: Request, buyer: str | None, since: str | None, period: str) -> dict[str, Any]:
    if period not in service.PERIODS:
        raise HTTPException(422, f"period must be one of {', '.join(service.PERIODS)}")
    try:
        return service.impact(
            request.app.state.engine,
            _config(request),
            buyer=buyer or None,
            since=_since(since),
            period=period,
        )
    except service.UnknownBuyerError as exc:
        raise HTTPException(404, str(exc)) from None


def _flags(
    request: Request, buyer: str | None, code: str | None, since: str | None
) -> dict[str, Any]:
    try:
        return service.flag_list(
            request.app.state.engine,
            _config(request),
            buyer=buyer or None,
            code=code or None,
            since=_since(since),
        )
    except service.UnknownBuyerError as exc:
        raise HTTPException(404, str(exc)) from None
    except service.IntegrityConfigError as exc:
        raise HTTPException(422, str(exc)) from None


def _rate_chart(rows: list[dict[str, Any]], field: str, median: float | None) -> list[Bar]:
    """The buyers' rate and, first, the peers' median, as bars (percent)."""
    values = [("Peer median", median)] + [
        ((row["name"] or row["id"] or "?"), row[field]) for row in rows[:CHARTED]
    ]
    return bars([(label, None if v is None else Decimal(str(v)), _pct(v)) for label, v in values])


@router.get("/impact")
def impact_page(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    since: SinceQuery = None,
    period: str = "month",
) -> Response:
    report = _impact(request, buyer, since, period)
    median = report["peers"]["median"]
    rows = report["buyer_figures"]
    charts = {
        "single_bid_rate": _rate_chart(rows, "single_bid_rate", median["single_bid_rate"]),
        "direct_award_share": _rate_chart(rows, "direct_award_share", median["direct_award_share"]),
    }
    divided = [r for r in report["divided_vs_undivided"] if r["comparable"]]
    template = "impact/buyer.html" if buyer else "impact/index.html"
    return render(
        request,
        template,
        {
            "report": report,
            "rows": rows[:LISTED],
            "charts": charts,
            "divided": divided,
            "query": {"buyer": buyer or "", "since": since or "", "period": period},
            "flags": report.get("flags", []),
        },
    )


@router.get("/impact.csv")
def impact_csv_route(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    since: SinceQuery = None,
    period: str = "month",
) -> Response:
    report = _impact(request, buyer, since, period)
    return Response(
        impact_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lotwise-impact.csv"'},
    )


@router.get("/flags")
def flags_page(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
    since: SinceQuery = None,
) -> Response:
    result = _flags(request, buyer, code, since)
    return render(
        request,
        "impact/flags.html",
        {
            "result": result,
            "rows": result["flags"][:LISTED],
            "query": {"buyer": buyer or "", "code": code or "", "since": since or ""},
            "codes": [d["code"] for d in _flags_definitions(request)],
        },
    )


def _flags_definitions(request: Request) -> list[dict[str, Any]]:
    config = _config(request)
    return [rule.describe(config) for rule in RULES]


@router.get("/flags.csv")
def flags_csv_route(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
    since: SinceQuery = None,
) -> Response:
    result = _flags(request, buyer, code, since)
    return Response(
        flags_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lotwise-flags.csv"'},
    )


def _cases(request: Request, buyer: str | None, cpv: str | None) -> dict[str, Any]:
    try:
        return service.case_report(
            request.app.state.engine, _config(request), buyer=buyer or None, cpv=cpv or None
        )
    except service.UnknownBuyerError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/impact/cases")
def cases_page(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    cpv: Annotated[str | None, Query(max_length=8, pattern=r"^\d*$")] = None,
) -> Response:
    report = _cases(request, buyer, cpv)
    return render(
        request,
        "impact/cases.html",
        {"report": report, "query": {"buyer": buyer or "", "cpv": cpv or ""}},
    )


@router.get("/impact/cases.md")
def cases_markdown(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    cpv: Annotated[str | None, Query(max_length=8, pattern=r"^\d*$")] = None,
) -> Response:
    report = _cases(request, buyer, cpv)
    return Response(
        report["markdown"],
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lotwise-cases.md"'},
    )


@router.get("/impact/coverage")
def coverage_page(request: Request, account: Operator) -> Response:
    rows = service.coverage(request.app.state.engine)
    chart = bars(
        [
            (
                row["source"],
                Decimal(row["with_bid_count"]) / row["tenders"] if row["tenders"] else None,
                f"{row['with_bid_count']} of {row['tenders']}",
            )
            for row in rows
        ]
    )
    return render(request, "impact/coverage.html", {"rows": rows, "chart": chart})


# -- API ---------------------------------------------------------------------------------------


@api_router.get("/impact", summary="Impact figures per buyer beside their peers")
def impact_api(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    since: SinceQuery = None,
    period: str = "month",
) -> dict[str, Any]:
    """The same object as `lotwise impact --json` (docs/json-output.md)."""
    return _impact(request, buyer, since, period)


@api_router.get("/flags", summary="Integrity flags with evidence (reasons to look)")
def flags_api(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
    since: SinceQuery = None,
) -> dict[str, Any]:
    """The same object as `lotwise flags --json`. A flag is never an accusation."""
    return _flags(request, buyer, code, since)


@api_router.get("/impact/cases", summary="Divided vs undivided requirements side by side")
def cases_api(
    request: Request,
    account: Staff,
    buyer: BuyerQuery = None,
    cpv: Annotated[str | None, Query(max_length=8, pattern=r"^\d*$")] = None,
) -> dict[str, Any]:
    """The same object as `lotwise cases --json`."""
    return _cases(request, buyer, cpv)


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"
