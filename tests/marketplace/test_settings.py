"""Settings: defaults, validation with one-line reasons, and the development secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketplace.kernel.settings import SettingsError, load_settings


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
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT ska vara development eller production"),
        ({"ENVIRONMENT": "production"}, "SECRET_KEY krävs i produktion"),
        ({"SECRET_KEY": "short"}, "minst 32 tecken"),
        ({"DATABASE_URL": "mysql://x/y"}, "ska börja med sqlite:/// eller postgresql://"),
        ({"DATABASE_URL": "postgresql://host"}, "ska namnge en databas"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT ska vara ett heltal"),
        ({"SMTP_PORT": "70000"}, "mellan 1 och 65535"),
        ({"SMTP_STARTTLS": "kanske"}, "SMTP_STARTTLS ska vara true eller false"),
        ({"BASE_URL": "praktik.se"}, "BASE_URL ska börja med http"),
        ({"REDIS_URL": "memcached://x"}, "REDIS_URL ska börja med redis://"),
        ({"CLI_LANGUAGE": "de"}, "CLI_LANGUAGE ska vara sv eller en"),
        ({"ORGANISATION_NAME": "  "}, "ORGANISATION_NAME ska vara 1–100 tecken"),
        ({"UNIT_NAME": "x" * 101}, "UNIT_NAME ska vara 1–100 tecken"),
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
