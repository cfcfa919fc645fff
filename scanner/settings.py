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
        description="Key that signs unsubscribe and preference links. With the default, mail "
        "is only sent to an SMTP server on this machine (loopback).",
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

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} (+{self.contact_url})"
