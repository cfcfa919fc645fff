"""Sessions, roles and CSRF: the signed session cookie carries the user id and a per-session
CSRF token that every form posts back."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request

from scanner.services.users import Account, get_account

CSRF_FIELD = "csrf_token"


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
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise HTTPException(
            403,
            "This form has expired or was not sent from Lotwise; reload the page and try again.",
        )
    if not secrets.compare_digest(sent, expected):
        raise HTTPException(
            403,
            "This form has expired or was not sent from Lotwise; reload the page and try again.",
        )


def sign_in(request: Request, account: Account) -> None:
    """A fresh session (new CSRF token) so a token planted before sign-in is useless."""
    request.session.clear()
    request.session["uid"] = account.id
    request.session["csrf"] = secrets.token_urlsafe(32)


def current_account(request: Request) -> Account | None:
    if hasattr(request.state, "account"):
        cached: Account | None = request.state.account
        return cached
    uid = request.session.get("uid")
    account = get_account(request.app.state.engine, uid) if isinstance(uid, int) else None
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
