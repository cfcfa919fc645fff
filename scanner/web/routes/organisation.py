"""An organisation's pages. Every route takes the organisation id from the path and checks it
against the signed-in account: an organisation reaches only its own profile and matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from scanner.models import Organisation
from scanner.orgs import load_rates
from scanner.services.users import Account
from scanner.services.web_orgs import (
    calendar,
    frequency_of,
    matches_of,
    profile_form,
    set_frequency,
    update_profile,
)
from scanner.web.security import flash, own_organisation, require_csrf, require_roles
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
Member = Annotated[Account, Depends(require_roles("organisation", "operator"))]


def _organisation(request: Request, slug: str) -> Organisation:
    with Session(request.app.state.engine) as session:
        org = session.query(Organisation).filter_by(slug=slug).one_or_none()
    if org is None:
        raise HTTPException(404, "There is no organisation with this id.")
    return org


@router.get("/orgs/{slug}")
def dashboard(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=False)
    org = _organisation(request, slug)
    engine = request.app.state.engine
    return render(
        request,
        "org/dashboard.html",
        {
            "org": org,
            "matches": matches_of(engine, org.id),
            "frequency": frequency_of(engine, slug),
        },
    )


@router.get("/orgs/{slug}/profile")
def profile_page(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=True)
    return render(
        request,
        "org/profile.html",
        {
            "slug": slug,
            "form": profile_form(request.app.state.engine, slug) or {},
            "errors": [],
        },
    )


@router.post("/orgs/{slug}/profile", dependencies=[Depends(require_csrf)])
async def save_profile(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=True)
    state = request.app.state
    form = {k: str(v) for k, v in (await request.form()).items()}
    rates = load_rates(state.settings.rates_file)
    errors = update_profile(state.engine, slug, form, currencies=rates.currencies, now=state.now())
    if errors:
        return render(
            request,
            "org/profile.html",
            {
                "slug": slug,
                "form": form,
                "errors": [f"{e.field}: {e.message}" for e in errors],
            },
            status_code=400,
        )
    flash(request, "Profile saved. Matches are recomputed on the next matching run.")
    return RedirectResponse(f"/orgs/{slug}", status_code=303)


@router.get("/orgs/{slug}/matches.ics")
def matches_ics(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=False)
    org = _organisation(request, slug)
    state = request.app.state
    body = calendar(
        matches_of(state.engine, org.id),
        base_url=state.settings.base_url,
        slug=slug,
        now=state.now(),
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="lotwise-{slug}.ics"',
        },
    )


@router.post("/orgs/{slug}/digest", dependencies=[Depends(require_csrf)])
def digest_frequency(
    request: Request, account: Member, slug: str, frequency: Annotated[str, Form()]
) -> Response:
    own_organisation(account, slug, write=True)
    try:
        set_frequency(request.app.state.engine, slug, frequency, now=request.app.state.now())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    flash(
        request, "Unsubscribed from digests." if frequency == "never" else f"Digests: {frequency}."
    )
    return RedirectResponse(f"/orgs/{slug}", status_code=303)
