"""Sessions, roles and CSRF.

The signed session cookie carries a random session token, the session's CSRF token that every
form posts back, and flash messages; who is signed in is looked up server-side from the token
(table `web_sessions`) on every request, so signing out, a password change, the idle limit and
the absolute limit end a session for good, whatever a copied cookie says (issue 14)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

from scanner.services.users import (
    Account,
    SessionLimits,
    end_session,
    session_account,
    start_session,
)
from scanner.web.limits import MAX_DRAFT, MAX_FIELDS

CSRF_FIELD = "csrf_token"
SESSION_TOKEN = "sid"


async def read_form(request: Request) -> FormData:
    """The request's form within the limits every page shares (the body size was checked by
    `limits.BodyLimitMiddleware` before this reads it)."""
    return await request.form(max_fields=MAX_FIELDS, max_files=1, max_part_size=MAX_DRAFT)


async def form_fields(request: Request) -> dict[str, str]:
    """A dependency: the posted form's text fields but the CSRF token. Being async it reads
    the body on the event loop, so the handler using it can be a plain `def` (a thread)."""
    form = await read_form(request)
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def require_csrf(request: Request) -> None:
    """Refuse a form without the session's token (403): another site cannot read the token,
    so it cannot make a signed-in browser post a form here."""
    form = await read_form(request)
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not secrets.compare_digest(sent.encode(), expected.encode())
    ):
        raise HTTPException(
            403,
            "This form has expired or was not sent from Lotwise; reload the page and try again.",
        )


def sign_in(request: Request, account: Account) -> None:
    """A fresh server-side session and a fresh cookie (new CSRF token), so neither a session
    nor a token planted before sign-in is of any use."""
    state = request.app.state
    sign_out(request)
    request.session[SESSION_TOKEN] = start_session(
        state.engine, account, limits=state.session_limits, now=state.now()
    )
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.account = account


def sign_out(request: Request) -> None:
    """End this browser's session on the server and empty its cookie."""
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        end_session(request.app.state.engine, token)
    request.session.clear()
    request.state.account = None


def current_account(request: Request) -> Account | None:
    if hasattr(request.state, "account"):
        cached: Account | None = request.state.account
        return cached
    token = request.session.get(SESSION_TOKEN)
    account = None
    if isinstance(token, str):
        state = request.app.state
        limits: SessionLimits = state.session_limits
        account = session_account(state.engine, token, limits=limits, now=state.now())
        if account is None:  # signed out elsewhere, expired, or the account was disabled
            request.session.clear()
            flash(request, "Your session has ended; sign in again.", "error")
    request.state.account = account
    return account


class SignInRequiredError(Exception):
    """Raised for a page that needs an account; answered with a redirect to the sign-in page."""


def require_roles(*roles: str) -> Callable[[Request], Account]:
    """A dependency: the signed-in account, if its role is one of `roles`."""

    def dependency(request: Request) -> Account:
        account = current_account(request)
        if account is None:
            raise SignInRequiredError()
        if account.role not in roles:
            raise HTTPException(403, "Your account cannot open this page.")
        return account

    return dependency


def own_organisation(account: Account, slug: str, *, write: bool) -> None:
    """An organisation user reaches only its own profile; operators may read any."""
    if account.role == "organisation" and account.organisation_slug == slug:
        return
    if account.role == "operator" and not write:
        return
    raise HTTPException(403, "This organisation's data is not yours to see.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def flash(request: Request, message: str, kind: str = "ok") -> None:
    messages: list[Any] = request.session.setdefault("flash", [])
    messages.append([kind, message])
    request.session["flash"] = messages


def pop_flash(request: Request) -> list[Any]:
    return list(request.session.pop("flash", []))
