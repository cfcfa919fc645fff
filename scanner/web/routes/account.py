"""Signing in and out, an organisation's sign-up, changing or resetting a password, and
confirming a digest recipient (issue 14).

Every handler is a plain `def`: FastAPI runs it in a worker thread, so argon2, the database
and SMTP never block the event loop (and `/healthz` answers while a sign-up waits for a slow
mail server). A link sent by e-mail only shows a page on GET; its button POSTs (with the
CSRF token) and then sends the person to sign in: no link ever signs anyone in."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scanner.orgs import load_rates
from scanner.services import recipients, signup
from scanner.services.users import (
    Account,
    AccountError,
    MailError,
    allow_attempt,
    authenticate,
    change_password,
    forget_signin_failures,
    record_signin_failure,
    send_mail,
    signin_wait,
)
from scanner.web.forms import FormErrors, form_errors, password_errors
from scanner.web.fresh_matches import find_matches
from scanner.web.routes.reference import reader_language
from scanner.web.security import (
    client_address,
    flash,
    form_fields,
    require_csrf,
    require_roles,
    sign_in,
    sign_out,
)
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
REQUEST_WINDOW = timedelta(minutes=15)
HOMES = {"officer": "/tenders", "operator": "/operator", "organisation": "/orgs/{slug}"}
SIGNUP_FIELDS = ("id", "name", "description", "capabilities", "keywords", "cpv", "regions",
                 "remote", "value_min", "value_max", "currency", "digest", "listed")  # fmt: skip
Member = Annotated[Account, Depends(require_roles("officer", "operator", "organisation"))]
Token = Annotated[str, Form(max_length=100)]
Fields = Annotated[dict[str, str], Depends(form_fields)]


def home_of(account: object) -> str:
    role = getattr(account, "role", "")
    return HOMES.get(role, "/").format(slug=getattr(account, "organisation_slug", ""))


def _safe_next(target: str) -> str:
    """Only local paths: an open redirect would lend Lotwise's name to phishing."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else ""


def _wait_text(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"


# --- sign-in and sign-out ----------------------------------------------------------------


@router.get("/signin")
def signin_page(request: Request, next: str = "") -> Response:
    return render(request, "signin.html", {"next": _safe_next(next), "email": ""})


@router.post("/signin", dependencies=[Depends(require_csrf)])
def signin(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form()],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    state = request.app.state
    client = client_address(request)
    wait = signin_wait(
        state.engine, email, client, free=state.settings.auth_rate_limit, now=state.now()
    )
    if wait:
        raise HTTPException(
            429,
            "Too many failed sign-ins to this account from here; try again in "
            f"{_wait_text(wait)}, or choose a new password (Forgot your password?).",
            headers={"Retry-After": str(wait)},
        )
    account = authenticate(state.engine, email, password, now=state.now())
    if account is None:
        record_signin_failure(state.engine, email, client, now=state.now())
        flash(
            request, "That e-mail address and password do not match a confirmed account.", "error"
        )
        return render(
            request, "signin.html", {"next": _safe_next(next), "email": email}, status_code=400
        )
    forget_signin_failures(state.engine, email, client)
    sign_in(request, account)
    return RedirectResponse(_safe_next(next) or home_of(account), status_code=303)


@router.post("/signout", dependencies=[Depends(require_csrf)])
def signout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


# --- an organisation's sign-up -----------------------------------------------------------


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {"form": {}, "errors": FormErrors()})


@router.post("/signup", dependencies=[Depends(require_csrf)])
def signup_request(request: Request, form: Fields) -> Response:
    state = request.app.state
    email, password = form.get("email", ""), form.get("password", "")
    _requests_allowed(request, "signup", email)
    profile = {k: form[k] for k in SIGNUP_FIELDS if form.get(k, "").strip()}
    shown = {**profile, "email": email}
    try:
        errors = signup.start_signup(
            state.engine,
            state.digest_config,
            email=email,
            password=password,
            profile=profile,
            currencies=load_rates(state.settings.rates_file).currencies,
            now=state.now(),
            language=reader_language(request),
        )
    except AccountError as exc:
        status = 503 if isinstance(exc, MailError) else 400
        found = form_errors([], account=str(exc))
        return render(request, "signup.html", {"form": shown, "errors": found}, status_code=status)
    if errors:
        found = form_errors(errors, order=("email", "password", "name", *SIGNUP_FIELDS))
        return render(request, "signup.html", {"form": shown, "errors": found}, status_code=400)
    # The same answer whether or not the address has an account (the mail says which).
    return _message(
        request,
        "Check your inbox",
        f"We sent a message to {email.strip()}. If the address is new to Lotwise, it holds a "
        "link to confirm it and create your profile.",
    )


@router.get("/signup/confirm")
def signup_confirm_page(request: Request, token: str = "") -> Response:
    _live_link(request, token, "signup")
    return _button_page(
        request,
        "/signup/confirm",
        token,
        "Confirm your address",
        "Press the button to confirm your address and create your "
        "organisation's profile. Then sign in with your password.",
        "Confirm and create my profile",
    )


@router.post("/signup/confirm", dependencies=[Depends(require_csrf)])
def signup_confirm(request: Request, token: Token = "") -> Response:
    state = request.app.state
    try:
        account = signup.confirm_signup(state.engine, token, now=state.now())
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    flash(request, "Your address is confirmed and your profile created. Sign in to see it.")
    flash(request, find_matches(request, account.organisation_slug or ""))
    return RedirectResponse("/signin", status_code=303)


# --- passwords ---------------------------------------------------------------------------


@router.get("/account/password")
def password_page(request: Request, account: Member) -> Response:
    return render(request, "account/password.html", {"errors": FormErrors()})


@router.post("/account/password", dependencies=[Depends(require_csrf)])
def password_change(request: Request, account: Member, form: Fields) -> Response:
    state = request.app.state
    try:
        change_password(
            state.engine,
            account,
            form.get("current", ""),
            form.get("new", ""),
            form.get("confirm", ""),
        )
    except AccountError as exc:
        found = password_errors(str(exc))
        return render(request, "account/password.html", {"errors": found}, status_code=400)
    sign_in(request, account)  # every session ended with the change; this one starts afresh
    _notify_change(request, account)
    flash(request, "Password changed. Every other session of your account was signed out.")
    return RedirectResponse(home_of(account), status_code=303)


def _notify_change(request: Request, account: Account) -> None:
    state = request.app.state
    base = state.digest_config.base_url.rstrip("/")
    try:
        send_mail(
            state.digest_config,
            account.email,
            "Your Lotwise password was changed",
            f"The password of your Lotwise account {account.email} was changed, and every "
            "session signed in with the old one was signed out.\n\n"
            f"If it was not you, choose a new password at {base}/password/forgot at once.\n",
            now=state.now(),
        )
    except AccountError:
        log.warning("could not mail the password-change notice to user %s", account.id)


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "account/forgot.html", {"email": "", "errors": FormErrors()})


@router.post("/password/forgot", dependencies=[Depends(require_csrf)])
def forgot(request: Request, email: Annotated[str, Form(max_length=320)]) -> Response:
    state = request.app.state
    _requests_allowed(request, "reset", email)
    try:
        signup.request_reset(state.engine, state.digest_config, email, now=state.now())
    except AccountError as exc:
        status = 503 if isinstance(exc, MailError) else 400
        return render(
            request,
            "account/forgot.html",
            {"email": email, "errors": form_errors([], account=str(exc))},
            status_code=status,
        )
    return _message(
        request,
        "Check your inbox",
        f"We sent a message to {email.strip()} saying what to do next. A link to choose a new "
        "password works once, within an hour.",
    )


@router.get("/password/reset")
def reset_page(request: Request, token: str = "") -> Response:
    _live_link(request, token, "reset")
    return render(request, "account/reset.html", {"token": token, "errors": FormErrors()})


@router.post("/password/reset", dependencies=[Depends(require_csrf)])
def reset(request: Request, form: Fields) -> Response:
    state = request.app.state
    token = form.get("token", "")[:100]
    try:
        signup.reset_password(
            state.engine, token, form.get("new", ""), form.get("confirm", ""), now=state.now()
        )
    except AccountError as exc:
        return render(
            request,
            "account/reset.html",
            {"token": token, "errors": password_errors(str(exc))},
            status_code=400,
        )
    sign_out(request)
    flash(request, "Your new password is set and every session was signed out. Sign in with it.")
    return RedirectResponse("/signin", status_code=303)


# --- digest recipients -------------------------------------------------------------------


@router.get("/recipients/confirm")
def recipient_page(request: Request, token: str = "") -> Response:
    _live_link(request, token, "recipient")
    return _button_page(
        request,
        "/recipients/confirm",
        token,
        "Receive Lotwise digests?",
        "An organisation asked for its digests of matching public tenders to "
        "be sent to this address. Press the button to agree.",
        "Yes, send me the digests",
    )


@router.post("/recipients/confirm", dependencies=[Depends(require_csrf)])
def recipient_confirm(request: Request, token: Token = "") -> Response:
    state = request.app.state
    try:
        name, address = recipients.confirm(state.engine, token, now=state.now())
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    return _message(request, "Confirmed", f"{address} will get the digests of {name}.")


# --- shared ------------------------------------------------------------------------------


def _requests_allowed(request: Request, kind: str, email: str) -> None:
    """Requests that send mail are limited per client and per address (429 beyond)."""
    state = request.app.state
    buckets = [f"{kind}:ip:{client_address(request)}", f"{kind}:email:{email.strip().lower()}"]
    if not allow_attempt(
        state.engine,
        buckets,
        limit=state.settings.auth_rate_limit,
        window=REQUEST_WINDOW,
        now=state.now(),
    ):
        raise HTTPException(
            429, "Too many requests from here or for this address; wait 15 minutes and try again."
        )


def _live_link(request: Request, token: str, purpose: str) -> None:
    state = signup.link_state(
        request.app.state.engine, token[:100], purpose, now=request.app.state.now()
    )
    if state != "valid":
        raise HTTPException(400, signup.refusal(state).capitalize() + ".")


def _button_page(
    request: Request, action: str, token: str, title: str, text: str, button: str
) -> Response:
    return render(
        request,
        "account/confirm.html",
        {"action": action, "token": token, "title": title, "text": text, "button": button},
    )


def _message(request: Request, title: str, text: str) -> Response:
    return render(request, "message.html", {"title": title, "text": text})
