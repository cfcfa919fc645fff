"""Source configuration (`config/sources.toml`): what to crawl and how politely.

A generic OCDS publisher needs no code: its entry names the paging kind, the date parameters
and politeness. Validation errors name the source and the field.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from scanner.ingest.html_listing import FIELDS, parse_selector


class Politeness(BaseModel):
    """Per-source request pacing."""

    concurrency: int = Field(default=1, ge=1, le=16, description="Requests in flight at once.")
    delay: float = Field(default=1.0, ge=0, description="Seconds between requests.")
    autothrottle: bool = Field(default=True, description="Adapt the delay to response latency.")
    ban_backoff: float = Field(
        default=300.0,
        ge=0,
        description="Seconds to wait after an HTTP 403 'too many requests' page.",
    )


class DateWindow(BaseModel):
    """Date-windowed querying: the crawl from the high-water mark to now is cut in windows."""

    from_param: str = Field(description="Query parameter for the window start, e.g. updatedFrom.")
    to_param: str | None = Field(default=None, description="Query parameter for the window end.")
    format: str = Field(default="%Y-%m-%dT%H:%M:%S", description="strftime format of the dates.")
    timezone: str = Field(default="UTC", description="Zone the source reads the dates in.")
    window_hours: float = Field(default=24.0, gt=0, description="Length of one window.")
    overlap_hours: float = Field(default=1.0, ge=0, description="Overlap with the previous run.")
    initial_days: float = Field(default=7.0, gt=0, description="How far back a first run goes.")


class PageRules(BaseModel):
    """How an HTML or feed portal writes its values, and which detail-page selectors complete
    an entry that lacks a required field (spiders `html_listing` and `feed`)."""

    model_config = ConfigDict(extra="forbid")

    detail_fields: dict[str, str] = Field(
        default_factory=dict,
        description="Field -> selector on an entry's detail page (fills only missing fields).",
    )
    require: list[str] = Field(
        default_factory=lambda: ["title"],
        description="Fields an entry must have; one lacking any is completed from its detail "
        "page, and is a record error when still lacking it.",
    )
    date_formats: list[str] = Field(
        default_factory=list,
        description="strptime formats tried in order; none: the general date parser.",
    )
    timezone: str = Field(default="Europe/London", description="Zone of dates without offset.")
    dayfirst: bool = Field(default=True, description="General parser: 03/04 is 3 April.")
    currency: str | None = Field(default=None, description="Currency of amounts without one.")
    status: str = Field(default="active", description="Status of entries without a status.")
    max_pages: int = Field(default=100, ge=1, description="Listing pages read per run at most.")
    overlap_hours: float = Field(
        default=24.0,
        ge=0,
        description="Later runs skip entries published before the previous run minus this.",
    )
    newest_first: bool = Field(
        default=False,
        description="The listing is sorted newest first: stop paging at a page whose entries "
        "were all published before the run's window.",
    )

    @field_validator("detail_fields")
    @classmethod
    def _valid_selectors(cls, value: dict[str, str]) -> dict[str, str]:
        for name, selector in value.items():
            _check_field(name)
            _check_selector(selector, f"{name}: ")
        return value

    @field_validator("require")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        for name in value:
            _check_field(name)
        return value

    @field_validator("date_formats")
    @classmethod
    def _valid_formats(cls, value: list[str]) -> list[str]:
        for fmt in value:
            if "%" not in fmt:
                raise ValueError(f"{fmt!r} is not a strptime format (e.g. '%d/%m/%Y %H:%M')")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ListingRules(PageRules):
    """An HTML listing: the entries on each page, their fields, and the next page's link."""

    item: str = Field(description="CSS selector of one entry (a table row, a card).")
    next_page: str | None = Field(
        default=None, description="Selector of the next page's link (its href by default)."
    )
    fields: dict[str, str] = Field(description="Field -> selector relative to the entry.")

    @field_validator("item")
    @classmethod
    def _valid_item(cls, value: str) -> str:
        _check_css(value, "")
        return value

    @field_validator("next_page")
    @classmethod
    def _valid_next(cls, value: str | None) -> str | None:
        if value is not None:
            _check_selector(value, "")
        return value

    @field_validator("fields")
    @classmethod
    def _valid_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for name, selector in value.items():
            _check_field(name)
            _check_selector(selector, f"{name}: ")
        if "title" not in value or not ({"id", "url"} & set(value)):
            raise ValueError("needs selectors for `title` and for `id` or `url`")
        return value


class FeedRules(PageRules):
    """An RSS 2.0 or Atom feed; its entries' own fields need no selectors."""


def _check_field(name: str) -> None:
    if name not in FIELDS:
        raise ValueError(f"unknown field {name!r}; fields: {', '.join(FIELDS)}")


def _check_selector(text: str, prefix: str) -> None:
    try:
        selector = parse_selector(text)
    except ValueError as exc:
        raise ValueError(f"{prefix}{exc}") from exc
    if prefix == "url: " and selector.attribute is None:
        raise ValueError(f"url: {text!r} reads text; a link needs ::attr(href)")
    if selector.css:
        _check_css(selector.css, prefix)


def _check_css(css: str, prefix: str) -> None:
    import soupsieve  # only sources with listing rules need it, so imported here

    try:
        soupsieve.compile(css)
    except Exception as exc:  # soupsieve's SelectorSyntaxError and ValueError
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"{prefix}invalid CSS selector {css!r}: {first_line}") from exc


class SourceConfig(BaseModel):
    """One source. `kind` picks the spider: a named spider module, or `ocds` for the generic one."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    spider: str = Field(default="ocds", description="Spider name (see `lotwise sources`).")
    url: str
    package: Literal["release", "record"] = "release"
    paging: Literal["links", "page", "none"] = "links"
    page_param: str = "page"
    page_size_param: str | None = None
    page_size: int | None = None
    total_key: str | None = Field(
        default=None, description="Package key announcing the total number of releases, if any."
    )
    params: dict[str, str] = Field(default_factory=dict, description="Fixed query parameters.")
    dates: DateWindow | None = None
    encoding: str | None = Field(
        default=None, description="Force a response encoding, e.g. iso-8859-1."
    )
    query: str | None = Field(
        default=None,
        description="TED expert query (spider `ted`); `{from}` and `{to}` become the window's "
        "dates in the `dates.format`.",
    )
    fetch_xml: bool = Field(
        default=False, description="TED: also fetch each notice's eForms XML and parse it."
    )
    listing: ListingRules | None = Field(
        default=None, description="HTML listing selectors (spider `html_listing`)."
    )
    feed: FeedRules | None = Field(
        default=None,
        description="RSS/Atom options (spider `feed`): required fields, detail "
        "page selectors, date formats.",
    )
    politeness: Politeness = Field(default_factory=Politeness)
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Other hosts a redirect may lead to; a redirect to any other host is refused "
        "and recorded as an error (its data would be stored as this source's).",
    )
    max_pages: int = Field(
        default=10_000,
        ge=1,
        description="Listing pages followed per run at most; reaching the cap is recorded as an "
        "error and the run is partial.",
    )
    schedule: str | None = Field(
        default=None,
        description="Cron expression (5 fields, in LOTWISE_TIMEZONE) for scheduled crawls.",
    )
    interval: str | None = Field(
        default=None, description="Or a fixed interval between scheduled crawls: 90m, 6h, 1d."
    )
    enabled: bool = True
    demo: bool = Field(default=False, description="Part of the bundled demo.")

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger  # only scheduled sources need it

            try:
                CronTrigger.from_crontab(value, timezone="UTC")
            except ValueError as exc:
                raise ValueError(f"not a 5-field cron expression ({exc})") from exc
        return value

    @field_validator("interval")
    @classmethod
    def _valid_interval(cls, value: str | None) -> str | None:
        if value is not None:
            parse_interval(value)
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> SourceConfig:
        if self.schedule and self.interval:
            raise ValueError("set `schedule` (cron) or `interval`, not both")
        return self

    @property
    def interval_seconds(self) -> float | None:
        return parse_interval(self.interval) if self.interval else None


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in a duration such as `90s`, `30m`, `6h`, `1d`, `1h30m` (at least one minute)."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip().lower())
    rest = re.sub(r"(\d+(?:\.\d+)?)\s*([smhd])", "", text.strip().lower()).strip()
    if not parts or rest:
        raise ValueError(f"{text!r} is not a duration such as 30m, 6h or 1d")
    seconds = sum(float(n) * _UNITS[unit] for n, unit in parts)
    if seconds < 60:
        raise ValueError(f"{text!r} is shorter than one minute")
    return seconds


class SourcesFileError(ValueError):
    """The sources file is missing or invalid; the message names the file, source and field."""


def load_sources(path: Path) -> dict[str, SourceConfig]:
    """Read and validate every source in `path`, keyed by name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesFileError(f"{path}: sources file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"{path}: not valid TOML: {exc}") from exc
    sources: dict[str, SourceConfig] = {}
    for name, entry in (data.get("sources") or {}).items():
        try:
            sources[name] = SourceConfig.model_validate({"name": name, **entry})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise SourcesFileError(f"{path}: source {name!r}: {problems}") from exc
    return sources
