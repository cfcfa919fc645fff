"""Pages anyone may open: home, sign-in and sign-up, and the digest links (whose signed token
is the credential, so they need neither an account nor a CSRF token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from scanner.alerts.links import LinkError, LinkSigner
from scanner.models import Organisation
from scanner.orgs import load_rates
from scanner.services.digests import apply_link
from scanner.services.users import (
    AccountError,
    allow_attempt,
    authenticate,
    confirm_signup,
    confirm_token,
    send_mail,
    start_signup,
)
from scanner.web.security import (
    client_address,
    current_account,
    flash,
    require_csrf,
    sign_in,
)
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
RATE_WINDOW = timedelta(minutes=15)
HOMES = {"officer": "/tenders", "operator": "/operator", "organisation": "/orgs/{slug}"}


def home_of(account: object) -> str:
    role = getattr(account, "role", "")
    return HOMES.get(role, "/").format(slug=getattr(account, "organisation_slug", ""))


@router.get("/")
def home(request: Request) -> Response:
    account = current_account(request)
    if account is not None:
        return RedirectResponse(home_of(account), status_code=303)
    return render(request, "home.html")


@router.get("/signin")
def signin_page(request: Request, next: str = "") -> Response:
    return render(request, "signin.html", {"next": _safe_next(next), "email": ""})


@router.post("/signin", dependencies=[Depends(require_csrf)])
def signin(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "",
) -> Response:
    app = request.app.state
    limit = app.settings.auth_rate_limit
    buckets = [f"signin:ip:{client_address(request)}", f"signin:email:{email.strip().lower()}"]
    if not allow_attempt(app.engine, buckets, limit=limit, window=RATE_WINDOW, now=app.now()):
        raise HTTPException(429, "Too many sign-in attempts; wait 15 minutes and try again.")
    account = authenticate(app.engine, email, password, now=app.now())
    if account is None:
        flash(
            request, "That e-mail address and password do not match a confirmed account.", "error"
        )
        return render(
            request, "signin.html", {"next": _safe_next(next), "email": email}, status_code=400
        )
    sign_in(request, account)
    return RedirectResponse(_safe_next(next) or home_of(account), status_code=303)


@router.post("/signout", dependencies=[Depends(require_csrf)])
def signout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _safe_next(target: str) -> str:
    """Only local paths: an open redirect would lend Lotwise's name to phishing."""
    return target if target.startswith("/") and not target.startswith("//") else ""


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {"form": {}, "errors": []})


@router.post("/signup", dependencies=[Depends(require_csrf)])
async def signup(request: Request) -> Response:
    app = request.app.state
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    email, password = form.pop("email", ""), form.pop("password", "")
    buckets = [f"signup:ip:{client_address(request)}", f"signup:email:{email.strip().lower()}"]
    limit = app.settings.auth_rate_limit
    if not allow_attempt(app.engine, buckets, limit=limit, window=RATE_WINDOW, now=app.now()):
        raise HTTPException(429, "Too many sign-up attempts; wait 15 minutes and try again.")
    profile = {k: v for k, v in form.items() if k in SIGNUP_FIELDS and v.strip()}
    try:
        rates = load_rates(app.settings.rates_file)
        user_id, errors = start_signup(
            app.engine,
            email=email,
            password=password,
            profile=profile,
            currencies=rates.currencies,
            now=app.now(),
        )
    except AccountError as exc:
        return render(
            request,
            "signup.html",
            {"form": {**form, "email": email}, "errors": [str(exc)]},
            status_code=400,
        )
    if errors:
        messages = [f"{e.field}: {e.message}" for e in errors]
        return render(
            request,
            "signup.html",
            {"form": {**form, "email": email}, "errors": messages},
            status_code=400,
        )
    config = app.digest_config
    link = f"{config.base_url.rstrip('/')}/signup/confirm?token={confirm_token(config.secret_key, user_id)}"
    try:
        send_mail(
            config,
            email.strip().lower(),
            "Confirm your Lotwise account",
            "Someone (we hope you) signed up to Lotwise with this address.\n\n"
            f"Confirm it within two days by opening:\n{link}\n\n"
            "If it was not you, ignore this message: nothing happens without confirmation.\n",
            now=app.now(),
        )
    except AccountError as exc:
        return render(request, "signup.html", {"form": form, "errors": [str(exc)]}, status_code=503)
    return render(
        request,
        "message.html",
        {
            "title": "Check your inbox",
            "text": f"We sent a confirmation link to {email}. Open it to create your profile.",
        },
    )


SIGNUP_FIELDS = ("id", "name", "description", "capabilities", "keywords", "cpv", "regions",
                 "value_min", "value_max", "currency", "digest")  # fmt: skip


@router.get("/signup/confirm")
def confirm(request: Request, token: str = "") -> Response:
    app = request.app.state
    try:
        account = confirm_signup(app.engine, config_key(request), token, now=app.now())
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    sign_in(request, account)
    flash(request, "Your address is confirmed and your profile created.")
    return RedirectResponse(home_of(account), status_code=303)


def config_key(request: Request) -> str:
    return str(request.app.state.digest_config.secret_key)


# --- digest links (docs/alerts.md) -------------------------------------------------------


def _link_org(request: Request, token: str, purpose: str) -> tuple[str, str]:
    config = request.app.state.digest_config
    try:
        claim = LinkSigner(config.secret_key, config.base_url).check(token, purpose)
    except LinkError as exc:
        raise HTTPException(400, str(exc)) from None
    with Session(request.app.state.engine) as session:
        name = session.query(Organisation.name).filter_by(slug=claim.organisation_slug).scalar()
    if name is None:
        raise HTTPException(400, "this link is for an organisation that no longer exists")
    return claim.organisation_slug, name


@router.get("/digest/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    _, name = _link_org(request, token, "unsubscribe")
    return render(request, "unsubscribe.html", {"token": token, "name": name})


@router.post("/digest/unsubscribe")
def unsubscribe(request: Request, token: str = "") -> Response:
    """The confirm button and RFC 8058 one-click (`List-Unsubscribe=One-Click`) both land here."""
    _, name = _link_org(request, token, "unsubscribe")
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
    _, name = _link_org(request, token, "preferences")
    return render(request, "preferences.html", {"token": token, "name": name})


@router.post("/digest/preferences")
def preferences(request: Request, frequency: Annotated[str, Form()], token: str = "") -> Response:
    _, name = _link_org(request, token, "preferences")
    _apply(request, token, "preferences", frequency)
    return render(
        request,
        "message.html",
        {
            "title": "Preferences saved",
            "text": f"{name} will get digests: {frequency}.",
        },
    )


def _apply(request: Request, token: str, purpose: str, frequency: str | None) -> None:
    app = request.app.state
    try:
        apply_link(
            app.engine, app.digest_config, token, purpose, now=app.now(), frequency=frequency
        )
    except (LinkError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
