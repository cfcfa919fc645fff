"""Jinja2 with autoescaping on for every template: tender, buyer and user text is always
escaped. Filters format money and dates the same way on every page."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from scanner.money import format_money, reader_money
from scanner.reference.cpv import cpv_vocabulary
from scanner.reference.regions import region_words
from scanner.web.security import CSRF_FIELD, csrf_token, current_account, pop_flash

TEMPLATES = Path(__file__).parent / "templates"


def money(amount: Any, currency: str | None = None) -> str:
    """An amount as published, in its own currency ("PLN 5,000,000"); the digests use the same."""
    return format_money(amount, currency)


def day(value: Any) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment:%d %b %Y}"


def is_web_url(value: Any) -> bool:
    """Only http(s) links are rendered as links: a `javascript:` URL in a notice would run."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def cpv_name(code: Any) -> str:
    """A CPV code as words with the code: "IT services (72000000)" (the code alone if unknown)."""
    return _cpv_words(str(code or ""))


@lru_cache(maxsize=4096)  # the vocabulary is loaded once and never changes: per code, once
def _cpv_words(text: str) -> str:
    vocabulary = cpv_vocabulary()
    known = vocabulary.nearest_known(text) if text[:2].isdigit() else None
    label = vocabulary.label(known) if known else None
    return f"{label.split(':', 1)[0].strip()} ({text})" if label else text


def region_name(code: Any) -> str:
    """A region code as words with the code: "London (UKI)"."""
    return region_words(str(code)) if code else ""


# What `getattr` finds on a plain dict: the names `_Environment.getattr` leaves to Jinja.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment with one shortcut: `row.name` on a plain dict, where `name` is no
    attribute of a dict (`get`, `items`... still are), is the key's value or undefined. That is
    what Jinja's own lookup ends with, after trying the attribute and catching the
    AttributeError: a fifth of a tender page's rendering went into raising and catching it
    for every field shown (issue 16)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def make_templates() -> Jinja2Templates:
    env = _Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the code: no stat() of each per render
    )
    env.filters["money"] = money
    env.filters["reader_money"] = reader_money
    env.filters["day"] = day
    env.filters["cpv_name"] = cpv_name
    env.filters["region_name"] = region_name
    env.tests["is_web_url"] = is_web_url
    env.filters["is_web_url"] = is_web_url
    env.globals["csrf_field"] = CSRF_FIELD
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    values = {
        "account": current_account(request),
        "csrf": csrf_token(request),
        "messages": pop_flash(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)
