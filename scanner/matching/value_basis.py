"""What a published value means for one supplier, so size is judged on what one organisation
would actually be awarded (issue 12).

A notice's value can be the value of one contract; the ceiling of a framework agreement or a
dynamic purchasing system, shared by the suppliers admitted to it and spent in call-offs; the
total of a fund or a multi-supplier scheme; or a range per supplier (150k-5M is a range, never
"5M"). `value_basis(tender)` reads, in order:

- fields: OCDS `tender.techniques` (`hasFrameworkAgreement`, `hasDynamicPurchasingSystem`,
  `frameworkAgreement.maximumParticipants`, also on lots), `tender.minValue` beside `value`
  (Contracts Finder's range), and the facts the eForms and TED parsers keep in `raw`
  (`framework`, `dps`, `max_participants`, `framework_max`);
- the notice's purpose (`scanner.ingest.purpose`): a grant or subsidy call's value is a fund;
- words, in several languages: "framework", "accordo quadro", "Rahmenvereinbarung",
  "рамкова угода"; "dynamic purchasing system"; "multi-supplier", "up to 6 suppliers";
  amounts "per supplier", "per operatore", "per impresa", "per beneficiario" (an award's
  value), and two amounts around such a phrase ("from €150,000 to €5m per supplier": a range).

The result says which value is used and why (`note`, `evidence`); an unknown per-award value
is None and matching treats it as neutral, never as a gate. Pure: no clock, storage, settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from matchers.types import ValueKind
from scanner.ingest.purpose import Purpose, purpose_of
from scanner.ingest.tender import Lot, NormalisedTender

__all__ = ["ValueBasis", "amounts_in", "value_basis"]

_FRAMEWORK = re.compile(
    r"framework agreement|framework|accordo[- ]quadro|accordi quadro|accord[- ]cadre|"
    r"rahmenvereinbarung|rahmenvertrag|acuerdo marco|acordo[- ]quadro|umow[aęy] ramow|"
    r"porozumieni[ea] ramow|raamovereenkomst|raamcontract|acord[- ]cadru|rámcov[áé] dohod|"
    r"ramavtal|rammeaftale|puitesopimu|рамков[аіо]\w* угод|\bIDIQ\b|indefinite[- ]delivery|"
    r"blanket purchase agreement|\bBPA\b",
    re.IGNORECASE,
)
_DPS = re.compile(
    r"dynamic purchasing system|\bDPS\b|sistema dinamico di acquisizione|"
    r"système d'acquisition dynamique|dynamisch\w* beschaffungssystem|"
    r"sistema dinámico de adquisición|dynamiczn\w* system zakupów|dynamisch aankoopsysteem|"
    r"динамічн\w* систем\w* закупівель",
    re.IGNORECASE,
)
_MULTI = re.compile(
    r"multi[- ]supplier|multiple suppliers|multiple[- ]award|\bMATOC\b|"
    r"up to (\d+) (?:suppliers|providers|contractors)|"
    r"più operatori economici|plusieurs opérateurs|mehrere[n]? (?:unternehmen|wirtschaftsteilnehmer)",
    re.IGNORECASE,
)
_PER_AWARD = re.compile(
    r"per (?:supplier|provider|contractor|award|organisation|organization|applicant|"
    r"project|beneficiary|call[- ]off|operatore|impresa|azienda|beneficiario|progetto|"
    r"soggetto|domanda|fournisseur|bénéficiaire|projet|lieferant|antragsteller|projekt|"
    r"proveedor|beneficiario|beneficjent|wykonawc)\w*|"
    r"each (?:supplier|award|contract|call[- ]off|grant)|"
    r"pro (?:projekt|antrag|unternehmen)|на одного|на кожного",
    re.IGNORECASE,
)
_UP_TO = re.compile(
    r"up to|maximum|max\.|fino a|fino ad|massimo|massimale|importo massimo|jusqu'à|"
    r"plafond|bis zu|höchstens|hasta|até|do kwoty|maksymaln\w*|до\b",
    re.IGNORECASE,
)
# A currency, then a number, then a multiplier; or a number, a multiplier, then a currency.
_CURRENCY = r"(?:£|€|\$|₴|EUR|GBP|USD|UAH|PLN|euro|eur|euros|євро|грн)"
_NUMBER = r"\d{1,3}(?:[.,\s\u00a0'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_SCALE = (
    r"(?:k|m|bn|mln|mld|million|millions|milioni|milione|mio\.?|mln\.?|миль\w*|млн\.?|"
    r"тис\.?|thousand|mila|miliardi|billion)?"
)
_AMOUNT = re.compile(
    rf"{_CURRENCY}\s?(?P<n1>{_NUMBER})\s?(?P<s1>{_SCALE})(?!\w)"
    rf"|(?P<n2>{_NUMBER})\s?(?P<s2>{_SCALE})(?:\s(?:di|de|of))?\s?{_CURRENCY}(?!\w)",
    re.IGNORECASE,
)
_SCALES = {
    "k": 10**3, "thousand": 10**3, "mila": 10**3, "тис": 10**3, "тис.": 10**3,
    "m": 10**6, "mln": 10**6, "mln.": 10**6, "million": 10**6, "millions": 10**6,
    "milioni": 10**6, "milione": 10**6, "mio": 10**6, "mio.": 10**6, "млн": 10**6,
    "млн.": 10**6, "bn": 10**9, "mld": 10**9, "miliardi": 10**9, "billion": 10**9,
}  # fmt: skip
_NEAR = 60  # characters between an amount and the phrase that qualifies it


@dataclass(frozen=True, slots=True)
class ValueBasis:
    """Which value one supplier would be awarded, in the notice's currency.

    `per_award` is the (top of the) value one supplier would get, None when unknown;
    `per_award_low` the bottom of a per-supplier range; `total` the published figure when it
    is a ceiling or fund; `parts` says in words which value this is, its amounts kept as
    numbers (in the notice's currency) so each reader sees them in their own (`note_text`);
    `note` is the same with bare amounts ("framework ceiling 1m")."""

    kind: ValueKind
    per_award: Decimal | None
    per_award_low: Decimal | None = None
    total: Decimal | None = None
    parts: tuple[str | Decimal, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """The words with bare amounts, for logs and tests."""
        return "".join(p if isinstance(p, str) else _plain(p) for p in self.parts)


def _decimal(text: str) -> Decimal | None:
    """A number as written in any of the usual conventions ("1.500.000,00", "1,500,000.50",
    "82.9", "150 000")."""
    digits = re.sub(r"[\s\u00a0'’]", "", text)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", digits):
        digits = digits.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", digits):
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def amounts_in(text: str) -> list[tuple[int, Decimal]]:
    """(position, amount) of every amount written with a currency in `text`."""
    found: list[tuple[int, Decimal]] = []
    for match in _AMOUNT.finditer(text):
        number = match.group("n1") or match.group("n2")
        scale = (match.group("s1") or match.group("s2") or "").lower()
        amount = _decimal(number)
        if amount is None:
            continue
        amount *= _SCALES.get(scale, 1)
        if amount > 0:
            found.append((match.start(), amount))
    return found


def _per_award_from_text(text: str) -> tuple[Decimal | None, Decimal | None, str]:
    """(low, high, the phrase) of an amount or two qualified as per supplier/award/project."""
    for phrase in _PER_AWARD.finditer(text):
        near = [
            (pos, amount)
            for pos, amount in amounts_in(
                text[max(0, phrase.start() - 2 * _NEAR) : phrase.end() + _NEAR]
            )
        ]
        if not near:
            continue
        values = sorted({amount for _pos, amount in near})
        if len(values) >= 2:
            return values[0], values[-1], phrase.group(0)
        return None, values[0], phrase.group(0)
    return None, None, ""


def _ocds_tender(raw: dict[str, Any]) -> dict[str, Any]:
    tender = raw.get("tender")
    return tender if isinstance(tender, dict) else {}


def _techniques(raw: dict[str, Any]) -> dict[str, Any]:
    tender = _ocds_tender(raw)
    found: dict[str, Any] = {}
    for source in [tender, *[lot for lot in tender.get("lots") or [] if isinstance(lot, dict)]]:
        techniques = source.get("techniques")
        if not isinstance(techniques, dict):
            continue
        if techniques.get("hasFrameworkAgreement") is True:
            found["framework"] = True
        if techniques.get("hasDynamicPurchasingSystem") is True:
            found["dps"] = True
        agreement = techniques.get("frameworkAgreement")
        if isinstance(agreement, dict):
            most = agreement.get("maximumParticipants")
            if isinstance(most, int | float) and 1 < most < 1e6:
                found["max_participants"] = int(most)
    for key in ("framework", "dps", "max_participants"):  # eForms / TED facts kept at ingest
        if raw.get(key) not in (None, False):
            found.setdefault(key, raw[key])
    return found


def _min_value(raw: dict[str, Any]) -> Decimal | None:
    tender = _ocds_tender(raw)
    low = tender.get("minValue")
    if isinstance(low, dict) and isinstance(low.get("amount"), int | float | str):
        try:
            amount = Decimal(str(low["amount"]))
        except InvalidOperation:
            return None
        return amount if amount > 0 else None
    return None


def value_basis(
    tender: NormalisedTender,
    lot: Lot | None = None,
    *,
    purpose: Purpose | None = None,
) -> ValueBasis:
    """The value one supplier would be awarded from `tender` (or one of its `lot`s). A
    divided tender is read through its lots (`_through_lots`): what one supplier can win
    alone is a lot, never the whole."""
    purpose = purpose or purpose_of(tender)
    if len(tender.lots) > 1 and purpose.kind != "grant":
        through = _through_lots(tender, lot, purpose)
        if through is not None:
            return through
    return _basis(tender, lot, purpose)


def _through_lots(tender: NormalisedTender, lot: Lot | None, purpose: Purpose) -> ValueBasis | None:
    """A divided tender's value as its lots give it. When every lot publishes a value, the
    whole runs from its smallest lot (the least one supplier can win alone) to its largest;
    when lots publish none, a lot (and the least one can win alone) is some part of the
    total: "up to" the total (`ceiling`), never over anyone's maximum. None: read as usual."""
    total = tender.value_amount
    own = [x for x in tender.lots if x.value_amount is not None and x.value_amount > 0]
    count = len(tender.lots)
    if lot is None and len(own) == count:
        bases = [_basis(tender, x, purpose) for x in tender.lots]
        awards = [b for b in bases if b.per_award is not None]
        if len(awards) != count:
            return None  # a lot whose value is a ceiling of its own: read the whole as usual
        smallest = min(awards, key=lambda b: b.per_award_low or b.per_award or 0)
        low = smallest.per_award_low or smallest.per_award
        high = max(b.per_award or Decimal(0) for b in awards)
        values = [x.value_amount or Decimal(0) for x in tender.lots]
        least = smallest.parts or (smallest.per_award or Decimal(0),)
        note = (
            f"{count} lots of ", min(values), "-", max(values),
            "; the smallest, the least one supplier can win alone: ", *least,
        )  # fmt: skip
        kind: ValueKind = "ceiling" if any(b.kind == "ceiling" for b in awards) else "range"
        return ValueBasis(kind, high, low, total, note, ("lot values",))
    if total is None or total <= 0 or own:
        return None
    if lot is not None and lot.value_amount is not None:
        return None
    usual = _basis(tender, None, purpose)
    if usual.kind == "ceiling":
        return None  # a framework's even share says more than "some part of the total"
    what = "this lot" if lot is not None else "the smallest lot"
    scheme = {"framework": "framework ", "dps": "dynamic purchasing system "}.get(usual.kind, "")
    note = (scheme, total, f" for all {count} lots, none valued: {what} is some part of it")
    return ValueBasis("ceiling", total, None, total, note, ("tender value, lots without",))


def _basis(tender: NormalisedTender, lot: Lot | None, purpose: Purpose) -> ValueBasis:
    value = lot.value_amount if lot is not None else tender.value_amount  # a lot: its own
    text = " ".join(
        filter(None, (lot.title if lot else None, lot.description if lot else None,
                      tender.title, tender.description))
    )  # fmt: skip
    facts = _techniques(tender.raw if isinstance(tender.raw, dict) else {})
    low, high, phrase = _per_award_from_text(text)
    if high is not None:
        kind: ValueKind = "range" if low is not None else "contract"
        shown = f"{_plain(low)}-{_plain(high)}" if low is not None else _plain(high)
        amounts = (low, "-", high) if low is not None else (high,)
        return ValueBasis(
            kind, high, low, value, (*amounts, f" {phrase}"), (f"text: '{phrase}' beside {shown}",)
        )
    if purpose.kind == "grant":
        return ValueBasis(
            "fund", None, None, value,
            ("grant or subsidy fund total, not one award" if value else "grant or subsidy call",),
            purpose.evidence,
        )  # fmt: skip
    framework = facts.get("framework") or bool(_FRAMEWORK.search(text))
    dps = facts.get("dps") or bool(_DPS.search(text))
    multi = _MULTI.search(text)
    participants = facts.get("max_participants")
    if multi and multi.group(1):
        participants = participants or int(multi.group(1))
    if dps or framework or multi:
        kind = "dps" if dps else "framework"
        what = (
            "dynamic purchasing system"
            if dps
            else ("framework" if framework else "multi-supplier scheme")
        )
        shared = f", shared by up to {participants} suppliers" if participants else ""
        evidence = ["techniques field" if facts else f"text: '{(multi or _match(text, dps))}'"]
        if value is None:
            return ValueBasis(
                kind, None, None, None, (f"{what}; no value per award",), tuple(evidence)
            )
        if participants and participants > 1 and kind == "framework":
            share = value / participants  # an even share: what a typical supplier is awarded
            note = (f"{what} ceiling ", value, f"{shared}: ", share, "-", value, " each")
            return ValueBasis("ceiling", value, share, value, note, tuple(evidence))
        return ValueBasis(
            kind, None, None, value, (f"{what} ceiling ", value, shared), tuple(evidence)
        )
    if value is None:
        return ValueBasis("unknown", None)
    minimum = (
        _min_value(tender.raw if isinstance(tender.raw, dict) else {}) if lot is None else None
    )
    if minimum is not None and minimum < value:
        return ValueBasis(
            "range", value, minimum, value, ("estimated ", minimum, "-", value),
            ("minValue and value",),
        )  # fmt: skip
    return ValueBasis("contract", value, None, value, (), ())


def _match(text: str, dps: bool) -> str:
    found = (_DPS if dps else _FRAMEWORK).search(text)
    return found.group(0) if found else ""


def _plain(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    number = float(amount)
    if number >= 1e6:
        return f"{number / 1e6:.3g}m"
    if number >= 1e3:
        return f"{number / 1e3:.3g}k"
    return f"{number:.0f}"
