"""Every setting is documented, and the environment overrides the configuration file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.settings import PROJECT_ROOT, Settings

SETTINGS = sorted(Settings.model_fields)


@pytest.mark.parametrize("name", SETTINGS)
def test_setting_is_documented_everywhere(name: str) -> None:
    variable = f"LOTWISE_{name.upper()}"
    assert Settings.model_fields[name].description, f"{name} has no help text"
    assert variable in (PROJECT_ROOT / ".env.example").read_text(), (
        f"{variable} not in .env.example"
    )
    docs = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    assert f"`{variable}`" in docs, f"{variable} not in docs/configuration.md"


def test_environment_overrides_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("LOTWISE_HTTP_RETRIES", "7")
    settings = Settings()
    assert settings.database_url.endswith("x.sqlite")
    assert settings.http_retries == 7
    assert (
        "Lotwise" in settings.full_user_agent and settings.contact_url in settings.full_user_agent
    )
