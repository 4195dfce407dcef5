"""Settings: defaults, validation with one-line reasons, and the development secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketplace.settings import SettingsError, load_settings


def test_defaults_use_sqlite_under_var(tmp_path: Path):
    settings = load_settings({"VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'marketplace.sqlite3'}"
    assert settings.is_sqlite
    assert settings.environment == "development"
    assert settings.enable_schema
    # The development key is generated once and kept.
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == settings.secret_key
    assert load_settings({"VAR_DIR": str(tmp_path)}).secret_key == settings.secret_key


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT must be development or production"),
        ({"ENVIRONMENT": "production"}, "SECRET_KEY is required in production"),
        ({"SECRET_KEY": "short"}, "at least 32 characters"),
        ({"DATABASE_URL": "mysql://x/y"}, "must start with sqlite:/// or postgresql://"),
        ({"DATABASE_URL": "postgresql://host"}, "must name a database"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a whole number"),
        ({"SMTP_PORT": "70000"}, "between 1 and 65535"),
        ({"SMTP_STARTTLS": "kanske"}, "SMTP_STARTTLS must be true or false"),
        ({"BASE_URL": "praktik.se"}, "BASE_URL must start with http"),
        ({"REDIS_URL": "memcached://x"}, "REDIS_URL must start with redis://"),
        ({"CLI_LANGUAGE": "de"}, "CLI_LANGUAGE must be sv or en"),
    ],
)
def test_invalid_settings_stop_with_one_line(tmp_path: Path, env: dict[str, str], message: str):
    with pytest.raises(SettingsError) as err:
        load_settings({"VAR_DIR": str(tmp_path), **env})
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_production_turns_schema_off_unless_enabled(tmp_path: Path):
    base = {"VAR_DIR": str(tmp_path), "ENVIRONMENT": "production", "SECRET_KEY": "k" * 40}
    assert load_settings(base).enable_schema is False
    assert load_settings({**base, "ENABLE_SCHEMA": "true"}).enable_schema is True
    assert load_settings(base).is_production


def test_postgres_url_is_accepted(tmp_path: Path):
    settings = load_settings(
        {"VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u:p@db.example:5433/mp"}
    )
    assert not settings.is_sqlite
