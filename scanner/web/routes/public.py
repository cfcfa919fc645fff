"""Pages anyone may open: home, and the digest links (whose signed token is the credential, so
they need neither an account nor a CSRF token). Sign-in, sign-up and passwords are in
`routes.account`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scanner.alerts.links import LinkError
from scanner.services.calendar_feed import FeedError, feed_for_token
from scanner.services.digests import apply_link, link_organisation
from scanner.web.routes.account import home_of
from scanner.web.security import current_account
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    account = current_account(request)
    if account is not None:
        return RedirectResponse(home_of(account), status_code=303)
    return render(request, "home.html")


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str) -> Response:
    """An organisation's calendar feed: the signed token in the address is the credential,
    so calendar applications can subscribe without a session (docs/web.md)."""
    state = request.app.state
    try:
        slug, body = feed_for_token(state.engine, state.feed_signer, token[:1000], now=state.now())
    except FeedError as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="lotwise-{slug}.ics"'},
    )


# --- digest links (docs/alerts.md) -------------------------------------------------------


def _link_name(request: Request, token: str, purpose: str) -> str:
    """The organisation's name, only for a link that is live: a revoked or forged link
    shows nothing of whom it was for."""
    state = request.app.state
    try:
        return link_organisation(state.engine, state.digest_config, token[:1000], purpose)
    except LinkError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/digest/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    name = _link_name(request, token, "unsubscribe")
    return render(request, "unsubscribe.html", {"token": token, "name": name})


@router.post("/digest/unsubscribe")
def unsubscribe(request: Request, token: str = "") -> Response:
    """The confirm button and RFC 8058 one-click (`List-Unsubscribe=One-Click`) both land here."""
    name = _link_name(request, token, "unsubscribe")
    _apply(request, token, "unsubscribe", None)
    return render(
        request,
        "message.html",
        {
            "title": "Unsubscribed",
            "text": f"{name} will get no more digest e-mails. Choose a frequency from any "
            "earlier digest's preferences link to subscribe again.",
        },
    )


@router.get("/digest/preferences")
def preferences_page(request: Request, token: str = "") -> Response:
    name = _link_name(request, token, "preferences")
    return render(request, "preferences.html", {"token": token, "name": name})


@router.post("/digest/preferences")
def preferences(request: Request, frequency: Annotated[str, Form()], token: str = "") -> Response:
    name = _link_name(request, token, "preferences")
    _apply(request, token, "preferences", frequency)
    return render(
        request,
        "message.html",
        {"title": "Preferences saved", "text": f"{name} will get digests: {frequency}."},
    )


def _apply(request: Request, token: str, purpose: str, frequency: str | None) -> None:
    app = request.app.state
    try:
        apply_link(
            app.engine, app.digest_config, token, purpose, now=app.now(), frequency=frequency
        )
    except (LinkError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
