"""The lotting note: what an officer takes away from an assessment, in Markdown or plain text.

The proposed lots with scope, value and duration; the statement on lots to publish (the
division and why, or a draft of the reasons for not dividing, as Procurement Act 2023 s.18
and Directive 2014/24/EU Art. 46 ask); questions for market engagement; the contract clauses
for each lot; the aggregation guard. Built from the stored assessment (plain data), so stored
tenders and drafts get the same note. Lotwise's internal notes (`packages[].notes`) stay out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from scanner.splitter.prose import clip, join_words

Block = tuple[str, Any]  # ("h1" | "h2" | "h3" | "p" | "list" | "numbered", content)
_EU_REASONS = (
    "dividing would restrict competition, make the work excessively difficult or expensive to "
    "carry out, or need so much coordination between suppliers that its proper delivery would "
    "be at risk"
)


@dataclass(frozen=True, slots=True)
class Note:
    """The note's blocks, rendered as Markdown or plain text on demand."""

    blocks: tuple[Block, ...]

    @property
    def markdown(self) -> str:
        return _markdown(self.blocks) if self.blocks else ""

    @property
    def text(self) -> str:
        return _text(self.blocks) if self.blocks else ""

    def plain_blocks(self) -> tuple[Block, ...]:
        """The blocks without Markdown emphasis, for a page that lays them out itself."""
        return tuple(
            (
                kind,
                [_plain(str(i)) for i in content]
                if isinstance(content, list)
                else _plain(str(content)),
            )
            for kind, content in self.blocks
        )


def lotting_note(
    entry: Mapping[str, Any],
    tender: Mapping[str, Any],
    clauses: Sequence[Sequence[Mapping[str, Any]]],
) -> Note:
    """The note for one assessment; `clauses[k]` are the filled clauses of package k."""
    return Note(tuple(_blocks(entry, tender, clauses)))


def _blocks(
    entry: Mapping[str, Any],
    tender: Mapping[str, Any],
    clauses: Sequence[Sequence[Mapping[str, Any]]],
) -> list[Block]:
    regime: Mapping[str, Any] = entry.get("regime") or {}
    currency = entry.get("currency") or tender.get("currency")
    packages = list(entry.get("packages") or [])
    divide = bool(entry.get("should_split"))
    title = str(tender.get("title") or "Draft requirement")
    blocks: list[Block] = [("h1", f"Lotting note: {title}")]
    blocks.append(("p", "A draft for the buyer to check and edit before publishing."))
    blocks.append(("list", _facts(entry, tender, regime, currency)))

    blocks.append(("h2", "Recommendation"))
    divided = _buyer_division(entry)
    if divide:
        verdict = f"Divide into {len(packages)} lots (score {entry.get('score', 0):.2f})."
    elif divided:
        verdict = (
            f"Already divided by the buyer: {divided}; no further division is needed "
            f"(score {entry.get('score', 0):.2f})."
        )
    elif packages and len(packages) >= 2:
        verdict = (
            f"A division into {len(packages)} lots is possible, not needed "
            f"(score {entry.get('score', 0):.2f})."
        )
    else:
        verdict = f"No division proposed (score {entry.get('score', 0):.2f})."
    blocks.append(("p", verdict))
    reasons = [
        f"{s['reason']} ({s['source']})"
        for s in entry.get("signals") or []
        if s.get("fired") and float(s.get("weight") or 0) != 0
    ]
    if reasons:
        blocks.append(("list", reasons))
    if entry.get("insufficient_reason"):
        blocks.append(("p", f"Gaps: {entry['insufficient_reason']}."))

    if packages:
        blocks.append(("h2", "Proposed lots" if len(packages) >= 2 else "The requirement"))
        blocks.append(("numbered", [_lot(p, currency) for p in packages]))

    blocks.append(("h2", f"Statement on lots ({regime.get('lots_duty') or 'lots duty'})"))
    blocks.extend(_statement(entry, regime, packages))

    blocks.append(("h2", "Questions for market engagement"))
    source = _market_source(entry, regime)
    blocks.append(("p", f"To ask suppliers before publishing ({source}):"))
    blocks.append(("list", _questions(packages, currency, divide)))

    if any(clauses):
        blocks.append(("h2", "Suggested contract clauses"))
        for number, (package, filled) in enumerate(zip(packages, clauses, strict=False), 1):
            if not filled:
                continue
            blocks.append(("h3", f"Lot {number}: {package.get('title')}"))
            items = []
            for clause in filled:
                line = f"**{clause['title']}** ({clause['source']}): {clause['text']}"
                if clause.get("fit_note"):
                    line += f" _Note: {clause['fit_note']}._"
                items.append(line)
            blocks.append(("list", items))

    blocks.append(("h2", "Value and procedure"))
    if entry.get("aggregation_note"):
        blocks.append(("p", str(entry["aggregation_note"])))
    if regime.get("threshold_source"):
        blocks.append(("p", f"Threshold source: {regime['threshold_source']}."))
    return blocks


def _facts(
    entry: Mapping[str, Any], tender: Mapping[str, Any], regime: Mapping[str, Any], currency: Any
) -> list[str]:
    facts = []
    buyer = regime.get("buyer_name") or tender.get("buyer_name")
    buyer_type = regime.get("buyer_type")
    if buyer or buyer_type:
        kind = f"{buyer_type}; {regime.get('buyer_type_basis')}" if buyer_type else "type not shown"
        facts.append(f"Buyer: {buyer or 'not named'} ({kind})")
    place = regime.get("place")
    if place:
        law = regime.get("law") or regime.get("no_rules") or "no rules configured"
        facts.append(f"Where: {place} ({law})")
    value = _money(entry.get("aggregated_value"), currency)
    if value:
        converted = regime.get("value_in_threshold_currency")
        if converted not in (None, ""):
            value += f" (about {_money(converted, regime.get('threshold_currency'))})"
        facts.append(f"Estimated value of the whole: {value}")
    if regime.get("threshold"):
        amount = _money(regime.get("threshold_amount"), regime.get("threshold_currency"))
        local = regime.get("threshold_in_tender_currency")
        if local not in (None, ""):
            converted = f"about {_money(local, currency)}"
            # An EEA state sets its own figures in its currency: the EUR amount is not its law.
            eea = str(regime["threshold"]).startswith("EEA")
            amount = converted if eea else f"{converted} ({amount})"
        reached = {True: "reached", False: "not reached", None: "not compared"}[
            regime.get("above_threshold")
        ]
        facts.append(f"Threshold: {regime['threshold']}, {amount} ({reached})")
    if regime.get("value_note"):
        facts.append(_sentence(str(regime["value_note"])))
    if entry.get("procedure"):
        facts.append(f"Procedure: {entry['procedure']}")
    return facts


def _lot(package: Mapping[str, Any], currency: Any) -> str:
    value = _money(package.get("estimated_value"), currency) or "value not stated"
    method = package.get("value_method")
    parts = [f"**{package.get('title')}**: {value}" + (f" ({method})" if method else "")]
    months = package.get("duration_months")
    if package.get("period") or months:
        when = ", ".join(
            str(x) for x in (package.get("period"), f"{months} months" if months else None) if x
        )
        parts.append(f"Duration: {when}")
    if package.get("depends_on"):
        parts.append(f"Builds on: {join_words([str(d) for d in package['depends_on']])}")
    scope = str(package.get("scope") or "").strip()
    title = str(package.get("title") or "")
    if scope and not (scope.startswith(title) and len(scope) - len(title) < 40):
        parts.append(f"Scope: {clip(scope, 500)}")
    if package.get("reason"):
        parts.append(f"Why a separate lot: {package['reason']}")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def _statement(
    entry: Mapping[str, Any], regime: Mapping[str, Any], packages: list[Mapping[str, Any]]
) -> list[Block]:
    duty = regime.get("lots_duty") or "the duty to consider lots"
    if entry.get("should_split") and len(packages) >= 2:
        names = join_words([f"lot {k} ({p.get('title')})" for k, p in enumerate(packages, 1)])
        return [
            ("p", "To publish in the tender notice (edit as needed):"),
            (
                "p",
                f"The requirement is divided into {len(packages)} lots: {clip(names, 1500)}. "
                "Each lot is work that a supplier can deliver alone, so that small and "
                "medium-sized enterprises and specialist suppliers can bid for the parts they "
                "do best. Suppliers may bid for one lot, several or all. The lots' values are "
                "added together to decide the procedure.",
            ),
        ]
    divided = _buyer_division(entry)
    if divided:
        return [
            (
                "p",
                f"The buyer has divided the requirement ({divided}). State the lots, what each "
                f"covers and whether a supplier may bid for several ({duty}).",
            )
        ]
    above = regime.get("above_threshold")
    if regime.get("no_rules"):
        return [
            (
                "p",
                f"{_sentence(str(regime['no_rules']))}. Still, stating why the work "
                "is or is not divided helps suppliers decide whether to bid.",
            )
        ]
    if above is False:
        return [
            (
                "p",
                "The value is under the threshold that brings the duty to consider lots "
                f"({duty}), so no statement is required; dividing remains possible.",
            )
        ]
    why = _not_divided_reason(entry, packages)
    accepted = (
        _EU_REASONS
        if "Directive" in str(duty) and "Procurement Act" not in str(duty)
        else "dividing would make the work harder to manage or deliver, more costly, or "
        "would put its proper delivery at risk"
    )
    own = regime.get("lots_reasons")  # a utility's own rule: where (or whether) reasons go
    intro = (
        f"{_sentence(str(own))}. Draft reasons for not dividing into lots, which also help "
        "suppliers decide whether to bid:"
        if own
        else f"Draft reasons for not dividing into lots, to publish with the tender ({duty}):"
    )
    return [
        ("p", intro),
        (
            "p",
            f"The contract is not divided into lots because {why}. [Replace or complete with "
            f"the reasons specific to this requirement, for example that {accepted}.]",
        ),
    ]


def _buyer_division(entry: Mapping[str, Any]) -> str:
    """The buyer's own division as the assessment read it (published lots or lots the text
    states), in a few words, or "" when the buyer did not divide."""
    for signal in entry.get("signals") or []:
        if signal.get("fired") and signal.get("code") in ("already_divided", "lots_stated"):
            first = str(signal.get("reason") or "").split(". The ")[0].rstrip(".")
            return first[:1].lower() + first[1:]
    return ""


def _not_divided_reason(entry: Mapping[str, Any], packages: list[Mapping[str, Any]]) -> str:
    fired = {s.get("code") for s in entry.get("signals") or [] if s.get("fired")}
    if "already_divided" in fired or "lots_stated" in fired:
        return "the buyer has already divided it into lots"
    if "one_system" in fired:
        return (
            "its parts must work as one system with one party responsible for it, and dividing "
            "them would create interfaces that put that at risk"
        )
    if len(packages) < 2:
        return "no separable part of the work was found: it is one product or one service"
    return "[state the reason]"


def _market_source(entry: Mapping[str, Any], regime: Mapping[str, Any]) -> str:
    for signal in entry.get("signals") or []:
        if signal.get("code") == "no_lots_above_threshold":
            duty = str(signal.get("source") or "")
            if duty.startswith("by analogy") or regime.get("no_rules"):
                return "good practice; by analogy: Directive 2014/24/EU Art. 40, not law here"
    law = str(regime.get("law") or "")
    if "Procurement Act 2023" in law:
        return "Procurement Act 2023 s.16 (preliminary market engagement)"
    if "Utilities Contracts (Scotland)" in law:
        return "Utilities Contracts (Scotland) Regulations 2016 (preliminary market consultations; check)"
    if "2014/25/EU" in law:
        return "Directive 2014/25/EU Art. 58 (preliminary market consultations)"
    if "Scotland" in law:
        return "Public Contracts (Scotland) Regulations 2015 reg. 41"
    if "Directive" in law:
        return "Directive 2014/24/EU Art. 40 (preliminary market consultations)"
    if "Federal Acquisition" in law:
        return "FAR Part 10 (market research)"
    return "good practice"


def _questions(packages: list[Mapping[str, Any]], currency: Any, divide: bool) -> list[str]:
    questions = []
    if len(packages) >= 2:
        for number, package in enumerate(packages[:12], 1):
            value = _money(package.get("estimated_value"), currency)
            size = f" at about {value}" if value else ""
            months = package.get("duration_months")
            span = f" over {months} months" if months else ""
            questions.append(
                f"Would your organisation bid for lot {number} ({package.get('title')}) "
                f"alone{size}{span}? If not, what would change that?"
            )
        questions.append("Which lots would you combine, and why? Which would you split further?")
        questions.append(
            "What conditions of participation (turnover, insurance, accreditations) would stop "
            "a small supplier bidding for a single lot?"
        )
    else:
        questions.append(
            "Could the work be delivered in separate parts by different suppliers? Which parts?"
        )
    questions.append("Is the time to respond, and the time to deliver, realistic for each part?")
    questions.append(
        "How should the suppliers of different parts hand over work and data to each other?"
        if divide or len(packages) >= 2
        else "What would make it easier for a small or local supplier to bid?"
    )
    return questions


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _money(value: Any, currency: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return f"{currency + ' ' if currency else ''}{amount:,.0f}"


# -- rendering ----------------------------------------------------------------------------


def _markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, content in blocks:
        if kind == "h1":
            out.append(f"# {content}")
        elif kind == "h2":
            out.append(f"## {content}")
        elif kind == "h3":
            out.append(f"### {content}")
        elif kind == "p":
            out.append(str(content))
        elif kind == "list":
            out.append("\n".join(f"- {item}" for item in content))
        elif kind == "numbered":
            out.append("\n".join(f"{k}. {item}" for k, item in enumerate(content, 1)))
    return "\n\n".join(out) + "\n"


def _text(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            line = _plain(str(content))
            rule = {"h1": "=", "h2": "-", "h3": ""}[kind]
            out.append(f"{line}\n{rule * len(line)}" if rule else line.upper())
        elif kind == "p":
            out.append(_plain(str(content)))
        elif kind == "list":
            out.append("\n".join(f"  * {_plain(str(item))}" for item in content))
        elif kind == "numbered":
            out.append("\n".join(f"  {k}. {_plain(str(i))}" for k, i in enumerate(content, 1)))
    return "\n\n".join(out) + "\n"


def _plain(text: str) -> str:
    return text.replace("**", "").replace(" _Note:", " Note:").rstrip("_").replace("._", ".")
