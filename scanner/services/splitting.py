"""Split suggestions as a use case: keep stored assessments current, and check a buyer's draft.

`refresh_assessments` assesses exactly the tenders that have no assessment, changed since, or
were assessed under other rules; it pages through them by id, one transaction per batch, and
a tender that cannot be assessed, or whose assessment the database refuses, is stored with
status `error` and its reason (tried again when it or the rules change) instead of stopping
the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from scanner.ingest.jsonfiles import open_decompressed
from scanner.ingest.limits import DEFAULT_LIMITS, JsonLimits
from scanner.ingest.normalise import NormaliseError, normalise_release
from scanner.ingest.ocds import OCDSFormatError, compile_releases, releases_in_package
from scanner.ingest.repair import InvalidJSON, parse_json_lenient
from scanner.ingest.tender import NormalisedTender
from scanner.services.split_export import assessment_dict, failed_assessment
from scanner.splitter import Thresholds, assess
from scanner.splitter.amounts import money_in_text, total_in_text
from scanner.splitter.buyers import buyer_in_text
from scanner.splitter.prose import clip
from scanner.splitter.work import work_packages

__all__ = [
    "Draft",
    "DraftError",
    "RefreshCounts",
    "check_drafts",
    "money_in_text",
    "pending_count",
    "read_draft",
    "refresh_assessments",
]
from scanner.storage import assessments as store

DEFAULT_BATCH = 250
MAX_DRAFT_BYTES = 20 * 1024 * 1024
# A plain-text draft is read for its first 200,000 characters: a requirement is never longer,
# and every pattern then runs in bounded time.
MAX_TEXT_CHARS = 200_000
_ERROR_LIMIT = 1000


@dataclass
class RefreshCounts:
    """What a refresh did: tenders assessed (first time or again), failures, suggestions."""

    assessed: int = 0
    new: int = 0
    reassessed: int = 0
    errors: int = 0
    should_split: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.assessed / self.seconds if self.seconds > 0 else 0.0


def refresh_assessments(
    engine: Engine,
    *,
    thresholds: Thresholds,
    now: datetime,
    batch_size: int = DEFAULT_BATCH,
    everything: bool = False,
    on_batch: Callable[[RefreshCounts], None] | None = None,
) -> RefreshCounts:
    """(Re)assess stale tenders (every tender when `everything`); idempotent and incremental."""
    counts = RefreshCounts()
    started = time.perf_counter()
    after = 0
    while True:
        rows: list[dict[str, Any]] = []
        try:
            with engine.begin() as conn:
                batch = store.stale_tenders(
                    conn,
                    rules_version=thresholds.rules_version,
                    after_id=after,
                    limit=batch_size,
                    everything=everything,
                )
                rows = [_assessment_row(stale, thresholds, now) for stale in batch]
                store.save_assessments(conn, rows)
        except DBAPIError as exc:
            if not rows or isinstance(exc, OperationalError):
                raise  # no database, or locked: nothing a row-by-row retry would fix
            rows = _save_each(engine, rows)
        if not batch:
            break
        after = batch[-1].tender_id
        for stale, row in zip(batch, rows, strict=True):
            counts.assessed += 1
            counts.reassessed += stale.reassess
            counts.new += not stale.reassess
            counts.errors += row["status"] == "error"
            counts.should_split += bool(row["should_split"])
        if on_batch is not None:
            on_batch(counts)
    counts.seconds = time.perf_counter() - started
    return counts


def pending_count(engine: Engine, *, rules_version: str) -> int:
    """Tenders a refresh would assess now (new, changed, or assessed under other rules)."""
    with engine.connect() as conn:
        return store.count_stale(conn, rules_version=rules_version)


def _assessment_row(
    stale: store.StaleTender, thresholds: Thresholds, now: datetime
) -> dict[str, Any]:
    base = {
        "tender_id": stale.tender_id,
        "tender_version": stale.version,
        "rules_version": thresholds.rules_version,
        "assessed_at": now,
    }
    try:
        data = assessment_dict(assess(store.rebuild_tender(stale), now=now, thresholds=thresholds))
    except Exception as exc:  # one bad tender is recorded and skipped, never the whole run
        return _failed_row(base, f"{type(exc).__name__}: {exc}", stale.row.get("currency"))
    return {
        **base,
        "should_split": bool(data["should_split"]),
        "score": float(data["score"]),
        "status": str(data["status"]),
        "civic_friendliness": float(data.get("civic_friendliness") or 0.0),
        "package_count": len(data["packages"]),
        "aggregated_value": _decimal(data.get("aggregated_value")),
        "currency": (data.get("currency") or None) and str(data["currency"])[:3],
        "jurisdiction": data.get("jurisdiction"),
        "procedure": (data.get("procedure") or None) and clip(str(data["procedure"]), 200),
        "error": None,
        "data": data,
    }


def _failed_row(base: dict[str, Any], reason: str, currency: Any) -> dict[str, Any]:
    reason = reason[:_ERROR_LIMIT]
    return {
        **base,
        "should_split": False,
        "score": 0.0,
        "status": "error",
        "civic_friendliness": 0.0,
        "package_count": 0,
        "aggregated_value": None,
        "currency": currency if isinstance(currency, str) else None,
        "jurisdiction": None,
        "procedure": None,
        "error": reason,
        "data": failed_assessment(reason, base["rules_version"]),
    }


def _save_each(engine: Engine, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """After a batch the database refused: each row in its own transaction, and a row refused
    again is stored as an error naming the database's reason."""
    saved = []
    for row in rows:
        try:
            with engine.begin() as conn:
                store.save_assessments(conn, [row])
        except DBAPIError as exc:
            if isinstance(exc, OperationalError):
                raise
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            base = {
                k: row[k] for k in ("tender_id", "tender_version", "rules_version", "assessed_at")
            }
            row = _failed_row(base, f"not stored: {detail}", row.get("currency"))
            with engine.begin() as conn:
                store.save_assessments(conn, [row])
        saved.append(row)
    return saved


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# -- a buyer's draft ---------------------------------------------------------------------------


class DraftError(ValueError):
    """The draft cannot be read; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Draft:
    """One procedure read from a draft file, ready for `assess`."""

    tender: NormalisedTender
    kind: str  # "ocds" or "text"


_JSON_SUFFIXES = {".json", ".jsonl", ".gz"}
_TEXT_SUFFIXES = {".txt", ".text", ".md"}


def read_draft(
    path: Path, *, max_bytes: int = MAX_DRAFT_BYTES, limits: JsonLimits = DEFAULT_LIMITS
) -> list[Draft]:
    """Read a draft: an OCDS release, release or record package, or plain text (title on the
    first line, description below, a value written like `£2.4m` or `Budget: 2,400,000 GBP`).
    At most `max_bytes` are read once decompressed, so a small gzip cannot expand without end;
    JSON is parsed under `limits` (the settings' `json_limits()`, as every entry point).

    Raises `DraftError` only."""
    if not path.exists():
        raise DraftError(f"{path}: no such file")
    if not path.is_file():
        raise DraftError(f"{path}: not a file")
    try:
        with open_decompressed(path, None) as stream:  # a draft is text, not JSON
            data = stream.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise DraftError(f"{path}: cannot be read ({exc})") from None
    if len(data) > max_bytes:
        raise DraftError(
            f"{path}: larger than {max_bytes / (1024 * 1024):g} MB uncompressed; not a draft"
        )
    if not data.strip():
        raise DraftError(f"{path}: empty file")
    if b"\x00" in data:
        raise DraftError(f"{path}: a binary file, not an OCDS release or text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftError(f"{path}: not UTF-8 text, not an OCDS release or text") from None
    suffixes = {s.lower() for s in path.suffixes}
    if suffixes & _TEXT_SUFFIXES and not suffixes & _JSON_SUFFIXES:
        return [_text_draft(text)]
    if suffixes & _JSON_SUFFIXES:
        return _ocds_drafts(path, _parse_json(path, text, limits))
    if text.lstrip()[:1] in ("{", "["):
        try:
            document = parse_json_lenient(text, limits)
        except InvalidJSON:
            return [_text_draft(text)]  # text that merely starts with a bracket
        return _ocds_drafts(path, document)
    return [_text_draft(text)]


def _parse_json(path: Path, text: str, limits: JsonLimits) -> object:
    try:
        return parse_json_lenient(text, limits)
    except InvalidJSON as exc:
        where = ""
        if exc.pos is not None:
            line = text.count("\n", 0, exc.pos) + 1
            where = f" at line {line}"
        raise DraftError(f"{path}: malformed JSON{where}: {exc.reason}") from None


def _ocds_drafts(path: Path, document: object) -> list[Draft]:
    try:
        releases = releases_in_package(document)
    except OCDSFormatError as exc:
        raise DraftError(f"{path}: {exc}") from None
    if not releases:
        raise DraftError(f"{path}: the package holds no releases")
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        ocid = release.get("ocid")
        key = ocid.strip() if isinstance(ocid, str) and ocid.strip() else "draft"
        by_ocid.setdefault(key, []).append({**release, "ocid": key})
    drafts = []
    for ocid, group in by_ocid.items():
        try:
            compiled = group[0] if len(group) == 1 else compile_releases(group)
            tender = normalise_release(compiled, source="draft")
        except NormaliseError as exc:
            raise DraftError(f"{path}: release {ocid!r} is not usable: {exc.reason}") from None
        except Exception as exc:  # ocdsmerge on odd input: still one clear line
            raise DraftError(f"{path}: release {ocid!r} is not usable: {exc}") from None
        drafts.append(Draft(tender=tender, kind="ocds"))
    return drafts


def _text_draft(text: str) -> Draft:
    text = text[:MAX_TEXT_CHARS]
    lines = [line.strip() for line in text.strip().splitlines()]
    title = clip(lines[0].lstrip("# ").strip(), 300) or "Untitled draft"
    description = "\n".join(lines[1:]).strip() or None
    amount, currency = _draft_value(text, description or "")
    return Draft(
        tender=NormalisedTender(
            source="draft",
            source_key="draft",
            title=title,
            description=description,
            buyer_name=buyer_in_text(text),
            value_amount=amount,
            currency=currency,
        ),
        kind="text",
    )


def _draft_value(text: str, description: str) -> tuple[Decimal | None, str | None]:
    """The whole draft's value: a budget or value line; else, when every listed deliverable
    states its value, their sum; else the first amount written (when no deliverable has one)."""
    total = total_in_text(text)
    if total[0] is not None:
        return total
    work, _ = work_packages(description)
    stated = [w for w in work if w.value is not None]
    currencies = {w.currency for w in stated}
    if stated and len(stated) == len(work) and len(currencies) == 1:
        return sum((w.value or Decimal(0) for w in stated), Decimal(0)), currencies.pop()
    return (None, None) if stated else money_in_text(text)


def check_drafts(
    drafts: list[Draft], *, thresholds: Thresholds, now: datetime
) -> list[tuple[Draft, dict[str, Any]]]:
    """Assess each draft (no database): the same answer a stored tender would get."""
    return [
        (draft, assessment_dict(assess(draft.tender, now=now, thresholds=thresholds)))
        for draft in drafts
    ]
