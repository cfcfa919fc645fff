"""An organisation's pages. Every route takes the organisation id from the path and checks it
against the signed-in account: an organisation reaches only its own profile and matches."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scanner.matching.opportunities import PACKAGE_ADVICE
from scanner.orgs import load_rates
from scanner.services import calendar_feed, recipients, tracking
from scanner.services.opportunity_page import opportunity_page
from scanner.services.users import Account
from scanner.services.web_orgs import (
    OrganisationHeader,
    frequency_of,
    grouped,
    in_reader_currency,
    matches_of,
    organisation_header,
    profile_form,
    set_frequency,
    update_profile,
)
from scanner.web.forms import FormErrors, form_errors, words_for_form
from scanner.web.fresh_matches import find_matches
from scanner.web.routes.reference import reader_language
from scanner.web.security import (
    flash,
    form_fields,
    own_organisation,
    require_csrf,
    require_roles,
)
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
Member = Annotated[Account, Depends(require_roles("organisation", "operator"))]
Fields = Annotated[dict[str, str], Depends(form_fields)]


def _organisation(request: Request, slug: str) -> OrganisationHeader:
    org = organisation_header(request.app.state.engine, slug)
    if org is None:
        raise HTTPException(404, "There is no organisation with this id.")
    return org


@router.get("/orgs/{slug}")
def dashboard(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=False)
    org = _organisation(request, slug)
    state = request.app.state
    engine, now = state.engine, state.now()
    matches = in_reader_currency(
        matches_of(engine, org.id, now=now), org.currency, state.rates, now=now
    )
    shown, dismissed = tracking.ranked(matches, tracking.states_of(engine, org.id))
    return render(
        request,
        "org/dashboard.html",
        {
            "org": org,
            "matches": grouped(shown),
            "match_count": len(shown),
            "dismissed": dismissed,
            "frequency": frequency_of(engine, slug),
            "feed_url": calendar_feed.feed_url(engine, state.feed_signer, slug),
            "package_advice": PACKAGE_ADVICE,
        },
    )


@router.get("/orgs/{slug}/opportunities/{opportunity_id}")
def opportunity(request: Request, account: Member, slug: str, opportunity_id: str) -> Response:
    """Everything needed to decide whether to bid for one of the organisation's matches."""
    own_organisation(account, slug, write=False)
    state = request.app.state
    page = opportunity_page(state.engine, slug, opportunity_id, now=state.now(), rates=state.rates)
    if page is None:
        raise HTTPException(
            404, "This opportunity is no longer among your matches (it may have closed)."
        )
    return render(
        request,
        "org/opportunity.html",
        {
            "page": page,
            "tracking": tracking.state_of(state.engine, slug, opportunity_id),
            "states": tracking.STATES,
            "reasons": tracking.DISMISS_REASONS,
            "can_track": account.role == "organisation",
        },
    )


@router.post(
    "/orgs/{slug}/opportunities/{opportunity_id}/track", dependencies=[Depends(require_csrf)]
)
def track(
    request: Request, account: Member, slug: str, opportunity_id: str, form: Fields
) -> Response:
    """Save, dismiss (with a reason), bid or no-bid, with a note; `clear` forgets it."""
    own_organisation(account, slug, write=True)
    state = request.app.state
    try:
        done = tracking.track(
            state.engine,
            slug,
            opportunity_id,
            action=form.get("state", ""),
            reason=form.get("reason", ""),
            note=form.get("note", ""),
            user_email=account.email,
            now=state.now(),
        )
    except tracking.TrackingError as exc:
        flash(request, str(exc), "error")
    except LookupError:
        raise HTTPException(404, "This opportunity is not among your matches.") from None
    else:
        flash(request, done)
    back = (
        f"/orgs/{slug}/tracking"
        if form.get("back") == "tracking"
        else f"/orgs/{slug}/opportunities/{quote(opportunity_id, safe=':')}"
    )
    return RedirectResponse(back, status_code=303)


@router.get("/orgs/{slug}/tracking")
def tracking_page(request: Request, account: Member, slug: str) -> Response:
    """Everything the organisation saved, bid for, decided against or dismissed."""
    own_organisation(account, slug, write=False)
    org = _organisation(request, slug)
    return render(
        request,
        "org/tracking.html",
        {
            "org": org,
            "groups": tracking.tracking_list(request.app.state.engine, slug),
            "states": tracking.STATES,
        },
    )


@router.get("/orgs/{slug}/profile")
def profile_page(request: Request, account: Member, slug: str) -> Response:
    own_organisation(account, slug, write=True)
    org = _organisation(request, slug)
    state = request.app.state
    form = words_for_form(profile_form(state.engine, slug) or {})
    awaiting = recipients.awaiting(state.engine, org.id, now=state.now())
    if awaiting:  # shown in the list, so saving the form keeps them waiting
        form["emails"] = "; ".join([form.get("emails", ""), *awaiting]).strip("; ")
    return render(
        request,
        "org/profile.html",
        {"slug": slug, "form": form, "awaiting": awaiting, "errors": FormErrors()},
    )


@router.post("/orgs/{slug}/profile", dependencies=[Depends(require_csrf)])
def save_profile(request: Request, account: Member, slug: str, form: Fields) -> Response:
    """Saved as validated; addresses added to `emails` get a confirmation link and receive
    digests only once their owners have confirmed."""
    own_organisation(account, slug, write=True)
    state = request.app.state
    rates = load_rates(state.settings.rates_file)
    outcome = update_profile(
        state.engine,
        slug,
        form,
        currencies=rates.currencies,
        now=state.now(),
        language=reader_language(request),
    )
    if outcome.errors:
        org = _organisation(request, slug)
        return render(
            request,
            "org/profile.html",
            {
                "slug": slug,
                "form": form,
                "awaiting": recipients.awaiting(state.engine, org.id, now=state.now()),
                "errors": form_errors(outcome.errors),
            },
            status_code=400,
        )
    assert outcome.organisation_id is not None
    listed = {e.strip().lower() for e in form.get("emails", "").split(";")}
    recipients.withdraw(state.engine, outcome.organisation_id, listed, now=state.now())
    failed = recipients.ask_to_confirm(
        state.engine,
        state.digest_config,
        organisation_id=outcome.organisation_id,
        slug=slug,
        name=outcome.name,
        addresses=outcome.added,
        now=state.now(),
    )
    flash(request, "Profile saved. " + find_matches(request, slug))
    if outcome.added:
        sent = [a for a in outcome.added if a not in failed]
        if sent:  # (an address already waiting is not mailed again)
            flash(
                request,
                f"We sent a confirmation link to {', '.join(sent)}; digests go "
                "there once it is opened.",
            )
        if failed:
            flash(
                request,
                f"The confirmation e-mail to {', '.join(failed)} could not be sent; "
                "add the address again later.",
                "error",
            )
    return RedirectResponse(f"/orgs/{slug}", status_code=303)


@router.get("/orgs/{slug}/matches.ics")
def matches_ics(request: Request, account: Member, slug: str) -> Response:
    """The calendar feed's content as a download, for a signed-in user."""
    own_organisation(account, slug, write=False)
    _organisation(request, slug)
    state = request.app.state
    body = calendar_feed.calendar_of(state.engine, state.settings.base_url, slug, now=state.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="lotwise-{slug}.ics"',
        },
    )


@router.post("/orgs/{slug}/calendar", dependencies=[Depends(require_csrf)])
def calendar_address(request: Request, account: Member, slug: str) -> Response:
    """Make the organisation's calendar feed address, or replace it (revoking the old one)."""
    own_organisation(account, slug, write=True)
    state = request.app.state
    had = calendar_feed.feed_url(state.engine, state.feed_signer, slug) is not None
    calendar_feed.new_feed_url(state.engine, state.feed_signer, slug, now=state.now())
    flash(
        request,
        "New calendar address made: the old one no longer works; subscribe with the new one."
        if had
        else "Calendar address made: subscribe to it in your calendar application.",
    )
    return RedirectResponse(f"/orgs/{slug}#calendar", status_code=303)


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
