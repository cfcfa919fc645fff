"""Digest content -> subject, plain text and HTML, from the Jinja2 templates in `templates/`.

Autoescaping is on for HTML, so a tender title holding markup or a script shows as text; the
CSS is inlined (css-inline) because many mail clients drop <style> blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scanner.alerts.content import DigestContent, days_left, period_label
from scanner.money import format_money, reader_money

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class DigestLinks:
    unsubscribe: str
    preferences: str


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


class DigestRenderer:
    """Built once and reused: template compilation and the CSS inliner are the costly parts."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self._env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["money"] = format_money
        self._env.filters["reader_money"] = reader_money
        self._html = self._env.get_template("digest.html")
        self._text = self._env.get_template("digest.txt")
        self._inliner = css_inline.CSSInliner(keep_style_tags=False)

    def render(self, content: DigestContent, links: DigestLinks, now: datetime) -> RenderedDigest:
        label = period_label(content.frequency, content.period)
        count = content.new_count
        plural = "opportunity" if count == 1 else "opportunities"
        subject = f"{count} new {plural} for {content.organisation_name} ({label})"
        values = {
            "c": content,
            "links": links,
            "label": label,
            "subject": subject,
            "left": lambda deadline: _left(deadline, now),
        }
        html = self._inliner.inline(self._html.render(values))
        return RenderedDigest(subject=_one_line(subject), text=self._text.render(values), html=html)


def _left(deadline: datetime | None, now: datetime) -> str:
    days = days_left(deadline, now)
    if deadline is None or days is None:
        return "no deadline published"
    when = deadline.strftime("%-d %b %Y %H:%M UTC")
    if days < 0:
        return f"{when} (closed)"
    if days == 0:
        return f"{when} (closes today)"
    return f"{when} ({days} day{'s' if days != 1 else ''} left)"


def _one_line(text: str) -> str:
    """Header values must not carry line breaks (header injection from a tender title)."""
    return " ".join(text.split())[:200]
