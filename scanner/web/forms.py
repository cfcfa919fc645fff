"""Form errors in plain words, after the GOV.UK Design System's error summary: one message
per field, said the same way in the summary at the top (each a link to its field) and beside
the field, naming the field as the form labels it, never as the profile format spells it
("cpv[1]", "value_min")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner.orgs import RecordError
from scanner.orgs.words import shown_cpv, shown_regions

__all__ = ["LABELS", "FormErrors", "form_errors", "password_errors", "words_for_form"]

# The label each form shows for a profile field (and account fields on sign-up).
LABELS = {
    "email": "E-mail address",
    "password": "Password",
    "id": "Short name for your organisation's address",
    "name": "Organisation name",
    "emails": "E-mail addresses for digests",
    "description": "What you do",
    "capabilities": "What you can deliver",
    "keywords": "Words that describe your work",
    "exclusions": "Words that rule a tender out",
    "cpv": "Kinds of work (CPV)",
    "naics": "Kinds of work (NAICS, for US notices)",
    "regions": "Where you work",
    "national": "We work anywhere in our countries",
    "remote": "We deliver remotely",
    "value_min": "Smallest contract",
    "value_max": "Largest contract",
    "currency": "Currency",
    "turnover": "Yearly turnover",
    "team_size": "People in your team",
    "certifications": "Certifications",
    "open_source": "Open source",
    "digest": "Digest e-mails",
    "active": "Receive matches",
    "listed": "List our name",
    "language": "Language of your profile",
    "reserved_eligible": "Reserved contracts you may bid for",
}
_PLAIN = {
    "required": "Enter {label}",
    "Field required": "Enter {label}",
    "String should have at least 1 character": "Enter {label}",
}


@dataclass
class FormErrors:
    """`summary`: (field name, text) in form order, for the linked list at the top;
    `fields`: the text shown beside each field."""

    summary: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.summary)

    def add(self, name: str, text: str) -> None:
        if name in self.fields:  # one message per field: the first problem, then the next
            self.fields[name] += " " + text
            self.summary = [(n, self.fields[n] if n == name else t) for n, t in self.summary]
            return
        self.fields[name] = text
        self.summary.append((name, text))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_message(error: RecordError) -> tuple[str, str]:
    """(form field, message in words) for one profile error."""
    name = error.field.split("[", 1)[0].split(".", 1)[0]
    label = LABELS.get(name, name.replace("_", " "))
    template = _PLAIN.get(error.message)
    if template:
        return name, _sentence(template.format(label=label.lower()))
    if name == "id" and "is not a slug" in error.message:
        return name, f"{label}: use 2 to 64 lower-case letters (a to z), digits or hyphens."
    message = error.message
    for other, other_label in LABELS.items():  # "below value_min 200000"
        if "_" in other:
            message = message.replace(other, other_label.lower())
    # a list item's message quotes the item, which says which one better than its position
    return name, _sentence(f"{label}: {message}")


def form_errors(
    errors: Iterable[RecordError], *, order: Iterable[str] = LABELS, account: str | None = None
) -> FormErrors:
    """Profile errors (and an account's refusal, shown on the field it concerns) in words."""
    found = FormErrors()
    if account:
        found.add(_account_field(account), _sentence(account))
    pairs = [plain_message(e) for e in errors]
    rank = {name: i for i, name in enumerate(order)}
    for name, text in sorted(pairs, key=lambda p: rank.get(p[0], len(rank))):
        found.add(name, text)
    return found


def _account_field(message: str) -> str:
    lowered = message.lower()
    if "organisation id" in lowered:
        return "id"
    if "password" in lowered:
        return "password"
    return "email"


def words_for_form(form: dict[str, str]) -> dict[str, str]:
    """A stored profile's codes as the form shows them, words first: "London (UKI)",
    "IT services (72)"; saved back, the code in brackets is what is read."""
    shown = dict(form)
    language = form.get("language") or "en"
    split = [c.strip() for c in form.get("cpv", "").split(";") if c.strip()]
    shown["cpv"] = "; ".join(shown_cpv(split, language))
    split = [c.strip() for c in form.get("regions", "").split(";") if c.strip()]
    shown["regions"] = "; ".join(shown_regions(split))
    return shown


def password_errors(message: str) -> FormErrors:
    """A refused password change or reset, on the field it concerns."""
    lowered = message.lower()
    if "current password is not" in lowered:
        name = "current"
    elif "repetition" in lowered:
        name = "confirm"
    else:
        name = "new"
    found = FormErrors()
    found.add(name, _sentence(message))
    return found
