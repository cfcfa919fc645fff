"""The crawl subprocess gets every setting, secrets in clear (pydantic masks them in str())."""

from __future__ import annotations

from pydantic import SecretStr

from scanner.services.crawl import settings_environment
from scanner.settings import Settings


def test_secret_settings_reach_the_crawl_process_unmasked() -> None:
    settings = Settings(sam_api_key=SecretStr("key-123"), database_url="sqlite:///x.db")
    env = settings_environment(settings)
    assert env["LOTWISE_SAM_API_KEY"] == "key-123"
    assert env["LOTWISE_DATABASE_URL"] == "sqlite:///x.db"
    assert "*" not in env["LOTWISE_SECRET_KEY"]
