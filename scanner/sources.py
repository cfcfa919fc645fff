"""Source configuration (`config/sources.toml`): what to crawl and how politely.

A generic OCDS publisher needs no code: its entry names the paging kind, the date parameters
and politeness. Validation errors name the source and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError


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
    politeness: Politeness = Field(default_factory=Politeness)
    schedule: str | None = Field(default=None, description="Cron expression for scheduled crawls.")
    enabled: bool = True
    demo: bool = Field(default=False, description="Part of the bundled demo.")


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
