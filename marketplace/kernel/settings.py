"""All configuration, read from the environment in this one place.

Each setting names its environment variable, its type, its default and a one-line meaning.
`load_settings()` validates everything and raises `SettingsError` with one line a person can
act on; the CLI prints that line and exits non-zero.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line for the operator."""


@dataclass(frozen=True)
class Spec:
    """Declares one setting: environment variable, default and meaning."""

    env: str
    default: str
    doc: str


SPECS: dict[str, Spec] = {
    "environment": Spec("ENVIRONMENT", "development", "development | production."),
    "database_url": Spec(
        "DATABASE_URL",
        "",
        "sqlite:///PATH or postgresql://user@host:port/db; default var/marketplace.sqlite3.",
    ),
    "var_dir": Spec(
        "VAR_DIR", "var", "Folder for the SQLite file, the dev secret key and backups."
    ),
    "secret_key": Spec(
        "SECRET_KEY", "", "Signs links and CSRF tokens. Generated under VAR_DIR in development."
    ),
    "base_url": Spec(
        "BASE_URL",
        "http://127.0.0.1:8000",
        "Public address used in mail links; `serve` without it uses its own --host and --port.",
    ),
    "allowed_hosts": Spec(
        "ALLOWED_HOSTS", "*", "Comma-separated host names the service answers to ('*' = any)."
    ),
    "smtp_host": Spec("SMTP_HOST", "127.0.0.1", "SMTP server for outgoing mail."),
    "smtp_port": Spec("SMTP_PORT", "25", "SMTP port."),
    "smtp_user": Spec("SMTP_USER", "", "SMTP user name, if the server needs one."),
    "smtp_password": Spec("SMTP_PASSWORD", "", "SMTP password."),
    "smtp_starttls": Spec("SMTP_STARTTLS", "false", "Use STARTTLS (true/false)."),
    "mail_from": Spec(
        "MAIL_FROM", "Praktikplatser <noreply@example.invalid>", "Sender address of all mail."
    ),
    "sms_url": Spec(
        "SMS_URL",
        "",
        "SMS gateway speaking 46elks' API (https://api.46elks.com); SMS is off when empty.",
    ),
    "sms_user": Spec("SMS_USER", "", "The SMS gateway's API user name (basic auth)."),
    "sms_password": Spec("SMS_PASSWORD", "", "The SMS gateway's API password (basic auth)."),
    "sms_from": Spec(
        "SMS_FROM", "Kommunen", "Sender: 3–11 letters or digits, or a number like +46701234567."
    ),
    "redis_url": Spec("REDIS_URL", "", "Optional redis://… shared by all workers for rate limits."),
    "enable_schema": Spec(
        "ENABLE_SCHEMA", "", "Serve OpenAPI at /schema (default: on in development only)."
    ),
    "max_body_bytes": Spec("MAX_BODY_BYTES", "1048576", "Largest accepted request body (bytes)."),
    "max_upload_bytes": Spec(
        "MAX_UPLOAD_BYTES", "104857600", "Largest accepted import upload (bytes)."
    ),
    "session_idle_minutes": Spec(
        "SESSION_IDLE_MINUTES", "60", "A session ends after this long without a request."
    ),
    "session_absolute_hours": Spec(
        "SESSION_ABSOLUTE_HOURS", "12", "A session ends this long after sign-in, used or not."
    ),
    "scheduler_enabled": Spec(
        "SCHEDULER_ENABLED", "true", "Run the background scheduler in this process."
    ),
    "cli_language": Spec("CLI_LANGUAGE", "sv", "Language of CLI messages: sv or en."),
    "password_hash_time_cost": Spec(
        "PASSWORD_HASH_TIME_COST", "3", "argon2id passes per password hash."
    ),
    "password_hash_memory_kib": Spec(
        "PASSWORD_HASH_MEMORY_KIB", "65536", "argon2id memory per password hash, in KiB."
    ),
    "login_limit_per_client": Spec(
        "LOGIN_LIMIT_PER_CLIENT", "20", "Sign-in attempts per client address per 5 minutes."
    ),
    "login_limit_per_account": Spec(
        "LOGIN_LIMIT_PER_ACCOUNT", "10", "Sign-in attempts per account per 15 minutes."
    ),
    "lockout_threshold": Spec(
        "LOCKOUT_THRESHOLD", "20", "Failed sign-ins in a row that lock an account."
    ),
    "lockout_minutes": Spec("LOCKOUT_MINUTES", "15", "How long a locked account stays locked."),
    "insurance_text": Spec(
        "INSURANCE_TEXT",
        "Deltagaren omfattas av kommunens kollektiva olycksfallsförsäkring under praktiktiden.",
        "The municipality's insurance text printed in every agreement.",
    ),
    "organisation_name": Spec(
        "ORGANISATION_NAME",
        "Vårgårda kommun",
        "The municipality that runs the service: page titles, footers, the accessibility page.",
    ),
    "unit_name": Spec(
        "UNIT_NAME",
        "Kompetenscentret",
        "Its labour-market unit, as applicants, hosts and the accessibility page are told to call it.",
    ),
    "service_area": Spec(
        "SERVICE_AREA", "Vårgårda", "Where the places are, as the home page says it ('i …')."
    ),
    "contact_phone": Spec(
        "CONTACT_PHONE",
        "0322-60 00 00",
        "Phone number for help with the service, on the accessibility page.",
    ),
    "team_sharing": Spec(
        "TEAM_SHARING", "false", "Coordinators see their team's candidates too (true/false)."
    ),
    "lock_in_months": Spec(
        "LOCK_IN_MONTHS", "6", "Flag lock-in when one placement runs longer than this."
    ),
    "lock_in_placements": Spec(
        "LOCK_IN_PLACEMENTS",
        "3",
        "Flag lock-in after this many placements in a row without work or studies.",
    ),
    "attendance_alert_absences": Spec(
        "ATTENDANCE_ALERT_ABSENCES",
        "3",
        "Alert the coordinator after this many unexcused absence days in a placement.",
    ),
    "planning_meeting_days": Spec(
        "PLANNING_MEETING_DAYS",
        "1",
        "Working days after an application within which its planning meeting should be held.",
    ),
    "signing_link_days": Spec(
        "SIGNING_LINK_DAYS", "14", "Days a signing, assessment or proposal answer link stays valid."
    ),
    # --- scheduler and mail delivery (marketplace/scheduler.py, marketplace/kernel/mail.py) ---
    "scheduler_tick_seconds": Spec(
        "SCHEDULER_TICK_SECONDS",
        "30",
        "How often a worker without the lead tries to take it (the takeover delay).",
    ),
    "outbox_interval_seconds": Spec(
        "OUTBOX_INTERVAL_SECONDS", "30", "How often the mail outbox is delivered."
    ),
    "sweep_interval_seconds": Spec(
        "SWEEP_INTERVAL_SECONDS",
        "600",
        "How often the placement sweeps run (expiry, reminders, follow-ups, lock-in).",
    ),
    "housekeeping_interval_seconds": Spec(
        "HOUSEKEEPING_INTERVAL_SECONDS",
        "3600",
        "How often retention, the KPI snapshot and job-log pruning run.",
    ),
    "proposal_reminder_days": Spec(
        "PROPOSAL_REMINDER_DAYS", "3", "Remind the host of a proposal unanswered this many days."
    ),
    "signature_reminder_days": Spec(
        "SIGNATURE_REMINDER_DAYS", "3", "Remind of an agreement left unsigned this many days."
    ),
    "assessment_reminder_days": Spec(
        "ASSESSMENT_REMINDER_DAYS",
        "2",
        "Remind the supervisor this many days after a placement ended without an assessment.",
    ),
    "reminder_max_count": Spec(
        "REMINDER_MAX_COUNT", "3", "Reminders per item at most (one per reminder period)."
    ),
    "digest_hour": Spec(
        "DIGEST_HOUR", "7", "Hour (Europe/Stockholm) from which the daily digest mail is sent."
    ),
    "mail_retry_base_seconds": Spec(
        "MAIL_RETRY_BASE_SECONDS", "60", "First retry delay of a failed send; doubles each time."
    ),
    "mail_retry_max_seconds": Spec(
        "MAIL_RETRY_MAX_SECONDS", "21600", "Longest delay between two attempts of one message."
    ),
    "mail_lease_seconds": Spec(
        "MAIL_LEASE_SECONDS",
        "300",
        "A message claimed by a deliverer that died is retried after this long.",
    ),
    "mail_max_attempts": Spec(
        "MAIL_MAX_ATTEMPTS",
        "12",
        "Attempts before a message the server keeps refusing is marked failed (kept, not lost).",
    ),
    "job_run_keep_days": Spec(
        "JOB_RUN_KEEP_DAYS", "90", "Job-run records older than this are deleted."
    ),
    "retention_years": Spec(
        "RETENTION_YEARS", "2", "Years after exit before a candidate's record is anonymised."
    ),
    # --- the search log and what the search learns from it (search/usage.py, search/lift.py) ---
    # --- the participant's own pages (issue 17): e-ID through OIDC, single-use sign-in links ---
    "oidc_issuer": Spec(
        "OIDC_ISSUER",
        "",
        "The e-ID broker's OpenID Connect issuer URL; participants' e-ID sign-in is off without it.",
    ),
    "oidc_client_id": Spec("OIDC_CLIENT_ID", "", "This service's client id at the e-ID broker."),
    "oidc_client_secret": Spec(
        "OIDC_CLIENT_SECRET", "", "This service's client secret at the e-ID broker."
    ),
    "oidc_personnummer_claim": Spec(
        "OIDC_PERSONNUMMER_CLAIM",
        "personal_number",
        "The ID token (or userinfo) claim that holds the person's personnummer.",
    ),
    "participant_link_minutes": Spec(
        "PARTICIPANT_LINK_MINUTES", "30", "Minutes a participant's single-use sign-in link works."
    ),
    "search_log_days": Spec(
        "SEARCH_LOG_DAYS", "180", "Days a slot search stays in the search log, then deleted."
    ),
    "search_lift": Spec(
        "SEARCH_LIFT",
        "true",
        "Lift occupation groups that searches keep leading to (false turns it off everywhere).",
    ),
    "search_lift_min_proposals": Spec(
        "SEARCH_LIFT_MIN_PROPOSALS", "5", "Proposals for one group before the same words lift it."
    ),
    "search_lift_min_searchers": Spec(
        "SEARCH_LIFT_MIN_SEARCHERS", "3", "Distinct searchers those proposals must come from."
    ),
    "search_lift_min_share": Spec(
        "SEARCH_LIFT_MIN_SHARE",
        "60",
        "Percent of the words' proposals that must be for that group (51-100).",
    ),
}


@dataclass(frozen=True)
class Settings:
    """Validated settings of one process."""

    environment: str
    database_url: str
    var_dir: Path
    secret_key: str
    base_url: str
    allowed_hosts: tuple[str, ...]
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    redis_url: str
    enable_schema: bool
    max_body_bytes: int
    max_upload_bytes: int
    session_idle_minutes: int
    session_absolute_hours: int
    scheduler_enabled: bool
    cli_language: str
    password_hash_time_cost: int
    password_hash_memory_kib: int
    login_limit_per_client: int
    login_limit_per_account: int
    lockout_threshold: int
    lockout_minutes: int
    insurance_text: str
    team_sharing: bool = False
    lock_in_months: int = 6
    lock_in_placements: int = 3
    attendance_alert_absences: int = 3
    planning_meeting_days: int = 1
    signing_link_days: int = 14
    scheduler_tick_seconds: int = 30
    outbox_interval_seconds: int = 30
    sweep_interval_seconds: int = 600
    housekeeping_interval_seconds: int = 3600
    proposal_reminder_days: int = 3
    signature_reminder_days: int = 3
    assessment_reminder_days: int = 2
    reminder_max_count: int = 3
    digest_hour: int = 7
    mail_retry_base_seconds: int = 60
    mail_retry_max_seconds: int = 21600
    mail_lease_seconds: int = 300
    mail_max_attempts: int = 12
    job_run_keep_days: int = 90
    retention_years: int = 2
    search_log_days: int = 180
    search_lift: bool = True
    search_lift_min_proposals: int = 5
    search_lift_min_searchers: int = 3
    search_lift_min_share: int = 60
    sms_url: str = ""
    sms_user: str = ""
    sms_password: str = ""
    sms_from: str = "Kommunen"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_personnummer_claim: str = "personal_number"
    participant_link_minutes: int = 30
    organisation_name: str = "Vårgårda kommun"
    unit_name: str = "Kompetenscentret"
    service_area: str = "Vårgårda"
    contact_phone: str = "0322-60 00 00"

    @property
    def oidc_enabled(self) -> bool:
        """Participants sign in with e-ID only when the broker is fully configured."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file; only meaningful when `is_sqlite`."""
        return Path(self.database_url.removeprefix("sqlite:///"))


# 46elks' rule for a sender: a name of 3–11 ASCII letters and digits starting with a letter,
# or a phone number in E.164 form.
_SMS_SENDER = re.compile(r"[A-Za-z][A-Za-z0-9]{2,10}|\+[1-9][0-9]{6,14}")


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} ska vara true eller false, inte {raw!r}.")


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} ska vara ett heltal, inte {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} ska vara mellan {low} och {high}, inte {value}.")
    return value


def _raw(env: dict[str, str], key: str) -> str:
    spec = SPECS[key]
    return env.get(spec.env, spec.default)


def _database_url(raw: str, var_dir: Path) -> str:
    if not raw:
        return f"sqlite:///{var_dir / 'marketplace.sqlite3'}"
    if raw.startswith("sqlite:///"):
        if raw == "sqlite:///":
            raise SettingsError(
                "DATABASE_URL sqlite:/// behöver en sökväg till filen, t.ex. sqlite:///var/db."
            )
        return raw
    parts = urlsplit(raw)
    if parts.scheme in {"postgres", "postgresql"}:
        if not parts.path.strip("/"):
            raise SettingsError("DATABASE_URL ska namnge en databas, t.ex. postgresql://host/db.")
        return raw
    raise SettingsError(
        f"DATABASE_URL ska börja med sqlite:/// eller postgresql://, inte {raw.split(':', 1)[0]!r}."
    )


def _secret_key(raw: str, environment: str, var_dir: Path) -> str:
    if raw:
        if len(raw) < 32:
            raise SettingsError("SECRET_KEY ska vara minst 32 tecken lång.")
        return raw
    if environment == "production":
        raise SettingsError("SECRET_KEY krävs i produktion (minst 32 tecken).")
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise `SettingsError` with a one-line reason."""
    source = dict(os.environ) if env is None else env
    environment = _raw(source, "environment").strip().lower()
    if environment not in {"development", "production"}:
        raise SettingsError(
            f"ENVIRONMENT ska vara development eller production, inte {environment!r}."
        )
    var_dir = Path(_raw(source, "var_dir"))
    base_url = _raw(source, "base_url").rstrip("/")
    if urlsplit(base_url).scheme not in {"http", "https"}:
        raise SettingsError(f"BASE_URL ska börja med http:// eller https://, inte {base_url!r}.")
    language = _raw(source, "cli_language").strip().lower()
    if language not in {"sv", "en"}:
        raise SettingsError(f"CLI_LANGUAGE ska vara sv eller en, inte {language!r}.")
    redis_url = _raw(source, "redis_url").strip()
    if redis_url and urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError("REDIS_URL ska börja med redis://, rediss:// eller unix://.")
    schema_raw = _raw(source, "enable_schema")
    sms_url = _raw(source, "sms_url").strip().rstrip("/")
    if sms_url and urlsplit(sms_url).scheme not in {"http", "https"}:
        raise SettingsError(f"SMS_URL ska börja med http:// eller https://, inte {sms_url!r}.")
    sms_from = _raw(source, "sms_from").strip()
    if not _SMS_SENDER.fullmatch(sms_from):
        raise SettingsError(
            "SMS_FROM ska vara 3–11 bokstäver (a–z) eller siffror, börja med en bokstav, "
            f"eller ett nummer som +46701234567, inte {sms_from!r}."
        )
    hosts = tuple(h.strip() for h in _raw(source, "allowed_hosts").split(",") if h.strip())
    return Settings(
        environment=environment,
        database_url=_database_url(_raw(source, "database_url").strip(), var_dir),
        var_dir=var_dir,
        secret_key=_secret_key(_raw(source, "secret_key").strip(), environment, var_dir),
        base_url=base_url,
        allowed_hosts=hosts or ("*",),
        smtp_host=_raw(source, "smtp_host"),
        smtp_port=_int("SMTP_PORT", _raw(source, "smtp_port"), 1, 65535),
        smtp_user=_raw(source, "smtp_user"),
        smtp_password=_raw(source, "smtp_password"),
        smtp_starttls=_bool("SMTP_STARTTLS", _raw(source, "smtp_starttls")),
        mail_from=_raw(source, "mail_from"),
        redis_url=redis_url,
        enable_schema=(
            _bool("ENABLE_SCHEMA", schema_raw) if schema_raw else environment == "development"
        ),
        max_body_bytes=_int("MAX_BODY_BYTES", _raw(source, "max_body_bytes"), 1024, 1 << 30),
        max_upload_bytes=_int("MAX_UPLOAD_BYTES", _raw(source, "max_upload_bytes"), 1024, 1 << 32),
        session_idle_minutes=_int(
            "SESSION_IDLE_MINUTES", _raw(source, "session_idle_minutes"), 1, 24 * 60
        ),
        session_absolute_hours=_int(
            "SESSION_ABSOLUTE_HOURS", _raw(source, "session_absolute_hours"), 1, 24 * 7
        ),
        scheduler_enabled=_bool("SCHEDULER_ENABLED", _raw(source, "scheduler_enabled")),
        cli_language=language,
        password_hash_time_cost=_int(
            "PASSWORD_HASH_TIME_COST", _raw(source, "password_hash_time_cost"), 1, 20
        ),
        password_hash_memory_kib=_int(
            "PASSWORD_HASH_MEMORY_KIB", _raw(source, "password_hash_memory_kib"), 8, 4 << 20
        ),
        login_limit_per_client=_int(
            "LOGIN_LIMIT_PER_CLIENT", _raw(source, "login_limit_per_client"), 1, 100_000
        ),
        login_limit_per_account=_int(
            "LOGIN_LIMIT_PER_ACCOUNT", _raw(source, "login_limit_per_account"), 1, 100_000
        ),
        lockout_threshold=_int("LOCKOUT_THRESHOLD", _raw(source, "lockout_threshold"), 1, 1000),
        lockout_minutes=_int("LOCKOUT_MINUTES", _raw(source, "lockout_minutes"), 1, 24 * 60),
        insurance_text=_raw(source, "insurance_text"),
        **_identity_settings(source),
        team_sharing=_bool("TEAM_SHARING", _raw(source, "team_sharing")),
        lock_in_months=_int("LOCK_IN_MONTHS", _raw(source, "lock_in_months"), 1, 120),
        lock_in_placements=_int("LOCK_IN_PLACEMENTS", _raw(source, "lock_in_placements"), 2, 50),
        attendance_alert_absences=_int(
            "ATTENDANCE_ALERT_ABSENCES", _raw(source, "attendance_alert_absences"), 1, 100
        ),
        planning_meeting_days=_int(
            "PLANNING_MEETING_DAYS", _raw(source, "planning_meeting_days"), 0, 30
        ),
        signing_link_days=_int("SIGNING_LINK_DAYS", _raw(source, "signing_link_days"), 1, 90),
        retention_years=_int("RETENTION_YEARS", _raw(source, "retention_years"), 1, 100),
        search_lift=_bool("SEARCH_LIFT", _raw(source, "search_lift")),
        sms_url=sms_url,
        sms_user=_raw(source, "sms_user"),
        sms_password=_raw(source, "sms_password"),
        sms_from=sms_from,
        **_later_settings(source),
    )


def _later_settings(source: dict[str, str]) -> dict[str, Any]:
    """The settings read by their own helpers, after the first ones."""
    return {**_scheduler_settings(source), **_participant_settings(source)}


def _identity_settings(source: dict[str, str]) -> dict[str, Any]:
    """Who runs the service, as the pages name it: one line of text each, never empty."""
    out: dict[str, Any] = {}
    for key in ("organisation_name", "unit_name", "service_area", "contact_phone"):
        name, value = SPECS[key].env, " ".join(_raw(source, key).split())
        if not value or len(value) > 100:
            raise SettingsError(f"{name} ska vara 1–100 tecken, inte {value!r}.")
        out[key] = value
    return out


def _participant_settings(source: dict[str, str]) -> dict[str, Any]:
    """E-ID sign-in through OIDC and the single-use sign-in links of participants."""
    issuer = _raw(source, "oidc_issuer").strip().rstrip("/")
    if issuer and urlsplit(issuer).scheme not in {"http", "https"}:
        raise SettingsError(f"OIDC_ISSUER ska börja med https://, inte {issuer!r}.")
    claim = _raw(source, "oidc_personnummer_claim").strip()
    if not claim:
        raise SettingsError("OIDC_PERSONNUMMER_CLAIM får inte vara tom.")
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": _raw(source, "oidc_client_id").strip(),
        "oidc_client_secret": _raw(source, "oidc_client_secret").strip(),
        "oidc_personnummer_claim": claim,
        "participant_link_minutes": _int(
            "PARTICIPANT_LINK_MINUTES", _raw(source, "participant_link_minutes"), 1, 7 * 24 * 60
        ),
    }


def _scheduler_settings(source: dict[str, str]) -> dict[str, int]:
    """The scheduler's intervals and thresholds, mail delivery's retry rules, and the search
    log's retention and the learned lift's thresholds."""
    day = 24 * 3600
    bounds = {
        "scheduler_tick_seconds": (1, 3600),
        "outbox_interval_seconds": (1, day),
        "sweep_interval_seconds": (1, day),
        "housekeeping_interval_seconds": (1, day),
        "proposal_reminder_days": (1, 365),
        "signature_reminder_days": (1, 365),
        "assessment_reminder_days": (0, 365),
        "reminder_max_count": (1, 20),
        "digest_hour": (0, 23),
        "mail_retry_base_seconds": (1, day),
        "mail_retry_max_seconds": (1, 7 * day),
        "mail_lease_seconds": (1, day),
        "mail_max_attempts": (1, 1000),
        "job_run_keep_days": (1, 3650),
        "search_log_days": (1, 3650),
        "search_lift_min_proposals": (1, 10_000),
        "search_lift_min_searchers": (1, 1000),
        "search_lift_min_share": (51, 100),
    }
    return {
        key: _int(SPECS[key].env, _raw(source, key), low, high)
        for key, (low, high) in bounds.items()
    }


def serve_base_url(host: str, port: int, env: dict[str, str] | None = None) -> str:
    """The address mail links use when `marketplace serve` runs on `host`:`port`.

    An explicit BASE_URL always wins; without it, links point at the address the service
    really listens on (a wildcard bind is reached through 127.0.0.1), not at port 8000.
    """
    source = dict(os.environ) if env is None else env
    explicit = source.get(SPECS["base_url"].env, "").strip()
    if explicit:
        return explicit.rstrip("/")
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 (a bind address, not a bind)
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


@functools.cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()
