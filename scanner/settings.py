"""One settings object, built once at start-up and passed down.

Precedence: environment (`LOTWISE_<NAME>`), then `config/lotwise.toml`, then the defaults
here. Every field has help text; `tests/test_settings_documented.py` fails when a setting is
missing from `.env.example` or `docs/configuration.md`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from scanner.ingest.limits import JsonLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
# Signs links in development; refused for mail leaving this machine (docs/alerts.md).
DEV_SECRET_KEY = "lotwise-development-key-not-secret"


class Settings(BaseSettings):
    """Lotwise settings. Each can be set by the environment variable `LOTWISE_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="LOTWISE_",
        toml_file=DEFAULT_CONFIG_DIR / "lotwise.toml",
        extra="ignore",
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'lotwise.sqlite'}",
        description="SQLAlchemy URL of the database (SQLite file by default; "
        "postgresql+psycopg://... for PostgreSQL).",
    )
    sources_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "sources.toml",
        description="TOML file listing the sources to crawl.",
    )
    thresholds_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "thresholds.toml",
        description="TOML file of procurement thresholds and the splitter's rules version; "
        "changing its rules_version makes stored split assessments be recomputed.",
    )
    matching_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "matching.toml",
        description="TOML file of matching weights and thresholds; editing it makes stored "
        "matches be recomputed.",
    )
    rates_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "rates.toml",
        description="TOML file of dated currency reference rates, used to compare values in "
        "one reporting currency (never fetched at match time).",
    )
    dedupe_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "dedupe.toml",
        description="TOML file of cross-source de-duplication thresholds (identifier and fuzzy "
        "merges, blocking window); see docs/dedupe.md.",
    )
    match_top: int = Field(
        default=20, ge=1, le=1000, description="Matches kept per organisation (best first)."
    )
    user_agent: str = Field(
        default="Lotwise/0.1 (procurement opportunity scanner)",
        description="User-Agent product token sent to sources; the contact URL is appended.",
    )
    contact_url: str = Field(
        default="https://github.com/lotwise/lotwise",
        description="URL where a publisher can learn about the crawler and reach its operator.",
    )
    http_timeout: float = Field(
        default=30.0, description="Seconds before an HTTP request times out."
    )
    http_retries: int = Field(
        default=3,
        description="Retries of a failed request (5xx, 429, timeout) before it is stored as an error.",
    )
    max_retry_after: float = Field(
        default=600.0,
        description="Longest Retry-After (seconds) honoured; a longer one is recorded as an error.",
    )
    store_batch_size: int = Field(
        default=500, description="Releases written to the database per batch."
    )
    json_max_depth: int = Field(
        default=100,
        ge=2,
        le=10_000,
        description="Deepest nesting of arrays and objects accepted in JSON input (files, HTTP "
        "bodies, uploads); deeper input is refused naming this limit.",
    )
    json_max_string: int = Field(
        default=4 << 20,
        ge=1 << 16,
        description="Longest JSON string accepted, in bytes (at least 64 KiB).",
    )
    json_max_token: int = Field(
        default=1000,
        ge=30,
        description="Longest number or bare word outside JSON strings, in characters.",
    )
    input_max_bytes: int = Field(
        default=16 << 30,
        ge=1 << 20,
        description="Largest JSON input accepted, in bytes after decompression.",
    )
    input_max_ratio: int = Field(
        default=200,
        ge=10,
        description="Largest expansion of a compressed file (decompressed / compressed size), "
        "checked past 64 MiB: a gzip bomb is refused early.",
    )
    database_connect_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds to wait for the database to accept a connection and answer.",
    )
    database_statement_timeout: float = Field(
        default=600.0,
        ge=0,
        description="Seconds one SQL statement may run on PostgreSQL before it is cancelled "
        "(0: no limit).",
    )
    database_pool_size: int = Field(
        default=5,
        ge=1,
        description="Database connections each process keeps open for reuse (SQLAlchemy's "
        "pool_size); each web worker has its own pool.",
    )
    database_max_overflow: int = Field(
        default=10,
        ge=0,
        description="Connections a process may open beyond the pool size at busy moments; "
        "they are closed when returned.",
    )
    database_pool_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a request waits for a free pooled connection before it fails "
        "with an error naming this setting.",
    )
    log_level: str = Field(default="INFO", description="Log level for crawls and commands.")
    smtp_host: str = Field(
        default="localhost", description="SMTP server that digest emails are handed to."
    )
    smtp_port: int = Field(default=25, description="Port of the SMTP server.")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description="none (plain, for a local relay), starttls (upgrade, usually port 587) or "
        "tls (implicit TLS, usually port 465).",
    )
    smtp_username: str = Field(
        default="", description="SMTP login; empty sends without authenticating."
    )
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    sam_api_key: SecretStr = Field(
        default=SecretStr(""),
        description="SAM.gov API key for the `sam` spider; without it SAM.gov sources are "
        "skipped with a warning (sent as a header, never logged).",
    )
    mail_from: str = Field(
        default="Lotwise <digests@localhost>",
        description="From address of digest emails (also used for the Message-ID domain).",
    )
    base_url: str = Field(
        default="http://localhost:8000",
        description="Public web address of Lotwise, used for links in emails.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Key that signs sessions, CSRF tokens, sign-up confirmations and digest "
        "links. With the default, `serve` refuses a site reachable from other machines and "
        "mail is only sent to an SMTP server on this machine (loopback).",
    )

    timezone: str = Field(
        default="Europe/London",
        description="Time zone of cron schedules and digest times (IANA name).",
    )
    digest_daily_at: str = Field(
        default="07:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time (HH:MM) the scheduler sends daily digests, and weekly ones on "
        "their day.",
    )
    digest_weekly_on: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", description="Day the scheduler sends weekly digests."
    )
    crawl_timeout: float = Field(
        default=3600.0,
        gt=0,
        description="Seconds a crawl (lotwise crawl, the scheduler, the web's Crawl now) may run "
        "before its process is stopped and the run marked failed.",
    )
    crawl_retries: int = Field(
        default=2, ge=0, description="Retries of a failed scheduled crawl before the next slot."
    )
    crawl_retry_delay: float = Field(
        default=600.0, ge=0, description="Seconds after a failed crawl before it is retried."
    )
    lock_ttl: float = Field(
        default=120.0,
        gt=0,
        description="Seconds a source lock lives without a heartbeat before another process "
        "may take it over (heartbeats come every third of it).",
    )
    stop_grace: float = Field(
        default=30.0,
        ge=0,
        description="Seconds a crawl gets to stop cleanly on shutdown or timeout before it is "
        "killed.",
    )
    stale_intervals: int = Field(
        default=3,
        ge=1,
        description="A source is stale when nothing was fetched for this many schedule intervals.",
    )
    silent_days: float = Field(
        default=7.0,
        ge=0,
        description="A source is silent (unhealthy) when its crawls kept fetching pages for "
        "this many days without seeing a single notice (0: never).",
    )
    scrapyd_url: str = Field(
        default="",
        description="Scrapyd server crawls are dispatched to (e.g. http://127.0.0.1:6800); "
        "empty runs crawls as local subprocesses.",
    )
    scrapyd_project: str = Field(
        default="lotwise", description="Scrapyd project the spiders are deployed as."
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text for people, json for log collectors (one object per line, with run ids).",
    )

    auth_rate_limit: int = Field(
        default=10,
        ge=1,
        description="Failed sign-ins per account and client address in an hour before each "
        "further attempt waits (1 s, doubling, up to 15 minutes); also the sign-up and "
        "password-reset requests allowed per client and per address in 15 minutes (web).",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token that lets a Prometheus scraper read /metrics without a "
        "session; empty: operators only.",
    )
    integrity_file: Path = Field(
        default=DEFAULT_CONFIG_DIR / "integrity.toml",
        description="TOML file of the integrity flags' thresholds and extra procedure "
        "thresholds; see docs/impact.md.",
    )
    shared_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared",
        description="Folder of the shared real samples (its `samples/` holds the recorded "
        "notices) that `lotwise eval --set real` evaluates on.",
    )
    clauses_dir: Path = Field(
        default=DEFAULT_CONFIG_DIR / "clauses",
        description="Folder of contract clause templates (*.toml) the splitter fills for each "
        "proposed package and puts in the lotting note; see config/clauses/README.md.",
    )

    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        description="A web session ends after this many minutes without a request.",
    )
    session_lifetime_hours: int = Field(
        default=12,
        ge=1,
        description="A web session ends this many hours after sign-in, however active.",
    )

    web_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes `lotwise serve` answers requests with (one per core to use): "
        "one process runs Python on one core at a time, so pages queue behind each other.",
    )
    web_cache_size: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Results of the officer list, the API's listings and a tender's page each "
        "server process keeps while no table they read has changed (0 keeps none).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def json_limits(self) -> JsonLimits:
        """The limits every JSON entry point applies (files, HTTP bodies, uploads)."""
        return JsonLimits(
            max_depth=self.json_max_depth,
            max_string=self.json_max_string,
            max_token=self.json_max_token,
            max_bytes=self.input_max_bytes,
            max_ratio=self.input_max_ratio,
        )

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} (+{self.contact_url})"
