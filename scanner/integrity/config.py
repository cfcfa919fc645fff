"""The integrity flags' thresholds (`config/integrity.toml`), read and checked once, passed
down. Every figure a flag compares against lives here, so a reader can see and change it."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = ["IntegrityConfig", "IntegrityConfigError", "Threshold", "load_integrity_config"]

NOTICE = (
    "A flag is a reason to look more closely, never an accusation: each one is a published "
    "risk indicator that also fires for lawful and sensible decisions. Read its evidence, and "
    "compare the buyer's rate with its peers', before drawing any conclusion."
)


class IntegrityConfigError(ValueError):
    """The integrity file is missing or invalid; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A value at or above which a buyer must use another (usually more open) procedure."""

    currency: str
    amount: Decimal
    label: str
    source: str
    kinds: tuple[str, ...] = ("supplies_services", "works")

    def applies_to(self, cpv: str | None) -> bool:
        """Works thresholds to works (CPV division 45), the others to supplies and services."""
        kind = "works" if (cpv or "").startswith("45") else "supplies_services"
        return kind in self.kinds


@dataclass(frozen=True)
class IntegrityConfig:
    """Thresholds of every flag. Shares are 0..1, periods in days."""

    notice: str = NOTICE
    competitive_methods: tuple[str, ...] = ("open", "selective")
    non_open_methods: tuple[str, ...] = ("limited", "direct")
    non_open_only_above_threshold: bool = True
    short_period_days: int = 15
    short_period_methods: tuple[str, ...] = ()  # empty: every method, as cardinal's R003
    short_period_by_details: tuple[tuple[str, int], ...] = ()
    close_to_estimate_ratio: float = 0.95
    disqualified_min_tenderers: int = 1
    repeat_min_awards: int = 3
    repeat_min_share: float = 0.5
    repeat_window_days: int = 365
    split_min_awards: int = 3
    split_margin: float = 0.15
    split_window_days: int = 90
    split_cpv_digits: int = 3
    peer_min_tenders: int = 5
    thresholds: tuple[Threshold, ...] = field(default=())

    def thresholds_for(self, currency: str | None, cpv: str | None) -> tuple[Threshold, ...]:
        """The thresholds that apply to a contract in `currency` for the work `cpv` names."""
        wanted = (currency or "").upper()
        return tuple(t for t in self.thresholds if t.currency == wanted and t.applies_to(cpv))

    def with_thresholds(self, extra: tuple[Threshold, ...]) -> IntegrityConfig:
        """This config plus thresholds from elsewhere (`config/thresholds.toml`), one per
        currency and amount."""
        merged = {(t.currency, t.amount, t.kinds): t for t in (*extra, *self.thresholds)}
        ordered = tuple(sorted(merged.values(), key=lambda t: (t.currency, t.amount)))
        return replace(self, thresholds=ordered)

    def fingerprint(self) -> str:
        """Changes when any threshold changes (shown beside flags, so they name their rules)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:12]


def load_integrity_config(path: Path) -> IntegrityConfig:
    """Read and check an integrity file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IntegrityConfigError(f"{path}: integrity file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IntegrityConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_integrity_config(data)
    except IntegrityConfigError as exc:
        raise IntegrityConfigError(f"{path}: {exc}") from exc


def parse_integrity_config(data: dict[str, Any]) -> IntegrityConfig:
    short = _table(data, "short_submission_period")
    non_open = _table(data, "non_open_procedure")
    close = _table(data, "price_close_to_estimate")
    disqualified = _table(data, "all_but_winner_disqualified")
    repeat = _table(data, "repeat_winner")
    split = _table(data, "split_below_threshold")
    peers = _table(data, "peers")
    by_details = _table(short, "by_method_details", "short_submission_period.")
    return IntegrityConfig(
        notice=_text(data, "notice", NOTICE),
        competitive_methods=_methods(_table(data, "single_bid"), "methods", ("open", "selective")),
        non_open_methods=_methods(non_open, "methods", ("limited", "direct")),
        non_open_only_above_threshold=_bool(non_open, "only_above_threshold", True),
        short_period_days=_int(short, "min_days", 15, 1),
        short_period_methods=_methods(short, "methods", ()),
        short_period_by_details=tuple(
            (str(k), _int(by_details, k, 15, 1)) for k in sorted(by_details)
        ),
        close_to_estimate_ratio=_share(close, "min_ratio", 0.95, upper=10.0),
        disqualified_min_tenderers=_int(disqualified, "min_disqualified_tenderers", 1, 1),
        repeat_min_awards=_int(repeat, "min_awards", 3, 2),
        repeat_min_share=_share(repeat, "min_share", 0.5),
        repeat_window_days=_int(repeat, "window_days", 365, 1),
        split_min_awards=_int(split, "min_awards", 3, 2),
        split_margin=_share(split, "margin", 0.15),
        split_window_days=_int(split, "window_days", 90, 1),
        split_cpv_digits=_int(split, "cpv_digits", 3, 2, 8),
        peer_min_tenders=_int(peers, "min_tenders", 5, 1),
        thresholds=tuple(_threshold(entry, n) for n, entry in enumerate(_list(data, "thresholds"))),
    )


def _table(data: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise IntegrityConfigError(f"[{prefix}{key}] must be a table")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise IntegrityConfigError(f"{key} must be a list of tables ([[{key}]])")
    return value


def _text(data: dict[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise IntegrityConfigError(f"{key} must be a non-empty string")
    return value.strip()


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise IntegrityConfigError(f"{key} must be true or false, not {value!r}")
    return value


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int = 100_000) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise IntegrityConfigError(f"{key} must be a whole number from {low} to {high}")
    return value


def _share(data: dict[str, Any], key: str, default: float, upper: float = 1.0) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= upper:
        raise IntegrityConfigError(f"{key} must be a number from 0 to {upper:g}, not {value!r}")
    return float(value)


def _methods(data: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = data.get(key, list(default))
    allowed = {"open", "selective", "limited", "direct"}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise IntegrityConfigError(f"{key} must list OCDS methods ({', '.join(sorted(allowed))})")
    return tuple(value)


def _threshold(entry: object, number: int) -> Threshold:
    where = f"thresholds[{number}]"
    if not isinstance(entry, dict):
        raise IntegrityConfigError(f"{where} must be a table")
    currency = entry.get("currency")
    if not isinstance(currency, str) or len(currency.strip()) != 3:
        raise IntegrityConfigError(f"{where}.currency must be an ISO 4217 code")
    try:
        amount = Decimal(str(entry.get("amount")))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0:
        raise IntegrityConfigError(f"{where}.amount must be a positive amount")
    label, source = entry.get("label"), entry.get("source")
    if not isinstance(label, str) or not isinstance(source, str) or not source.strip():
        raise IntegrityConfigError(f"{where} needs a label and a source")
    kinds = entry.get("kinds", ["supplies_services", "works"])
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= _KINDS:
        raise IntegrityConfigError(f"{where}.kinds must list {' and/or '.join(sorted(_KINDS))}")
    return Threshold(
        currency.strip().upper(), amount, label.strip(), source.strip(), tuple(sorted(kinds))
    )


_KINDS = frozenset({"supplies_services", "works"})
