"""Jinja filters shared by every package's pages: Swedish labels, Stockholm time, numbers.

Times are stored in UTC and shown in Europe/Stockholm; codes (kinds, statuses, tracks) are
stored in English or as codes and shown in Swedish. The app factory registers these filters.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine

from marketplace import figures, notices
from marketplace.clock import STOCKHOLM

LABELS: dict[str, dict[str, str]] = {
    "slot_kind": {"praktik": "Praktik", "arbetsträning": "Arbetsträning"},
    "activity_status": {
        "planned": "Planerad",
        "ongoing": "Pågår",
        "done": "Genomförd",
        "cancelled": "Inställd",
    },
    "host_kind": {
        "company": "Företag",
        "municipal_unit": "Kommunal enhet",
        "association": "Förening",
        "public_agency": "Offentlig myndighet",
    },
    "setting": {
        "open_workplace": "Arbetsplats på den öppna arbetsmarknaden",
        "municipal_workplace": "Ordinarie kommunal arbetsplats",
        "sheltered": "Skyddad verksamhet",
    },
    "slot_status": {
        "draft": "Utkast",
        "published": "Publicerad",
        "paused": "Pausad",
        "closed": "Stängd",
    },
    "track": {"kompetens": "Kompetens", "hälsa": "Hälsa", "vägledning": "Vägledning"},
    "consent_method": {"muntligt": "Muntligt", "skriftligt": "Skriftligt", "digitalt": "Digitalt"},
    "attendance": {
        "mycket_god": "Mycket god",
        "god": "God",
        "varierande": "Varierande",
        "bristande": "Bristande",
    },
    "recommendation": {
        "would_hire": "Vi skulle vilja anställa",
        "recommend_further_training": "Rekommenderar vidare utbildning",
        "recommend_other_placement": "Rekommenderar en annan plats",
        "not_ready_yet": "Inte redo ännu",
    },
    "outcome": {
        "arbete": "Arbete",
        "studier": "Studier",
        "annan_insats": "Annan insats",
        "arbetsformedlingen": "Överlämnad till Arbetsförmedlingen",
        "sjukskrivning": "Sjukskrivning",
        "flyttat": "Flyttat",
        "avbrutet": "Avbrutet",
        "okant": "Okänt",
    },
    "candidate_status": {"active": "Aktiv", "exited": "Avslutad", "paused": "Vilande"},
    # Lower case: a booking's status is mostly said inside a sentence ("Bokningen är avböjd").
    "booking_status": {
        "awaiting_participant": "väntar på deltagarens svar",
        "proposed": "föreslagen",
        "accepted": "accepterad",
        "declined": "avböjd",
        "withdrawn": "återkallad",
        "agreed": "överenskommen",
        "active": "pågående",
        "completed": "avslutad",
        "interrupted": "avbruten",
    },
    "role": {
        "admin": "administratör",
        "coordinator": "samordnare",
        "host": "värd",
        "analyst": "analytiker",
        "partner": "partnerkontakt",
    },
    "job_outcome": {
        "ok": "Klart",
        "failed": "Misslyckades",
        "running": "Pågår",
        "interrupted": "Avbrutet",
    },
    # Who signs an agreement (a signature on paper names its party).
    "party": {"host": "värden", "supervisor": "handledaren", "participant": "deltagaren"},
    # Each scheduled job's name for people (the code name stays for the CLI: `jobs run NAME`).
    "job": {
        "deliver-outbox": "Skicka mejl",
        "prune-job-runs": "Rensa gamla jobbkörningar",
        "expire-slots": "Stäng platser som gått ut",
        "activate-placements": "Starta placeringar på startdagen",
        "remind-proposals": "Påminn om obesvarade förslag",
        "remind-signatures": "Påminn om underskrifter",
        "follow-ups": "Skapa uppföljningar",
        "remind-assessments": "Påminn om bedömningar",
        "flag-lock-in": "Flagga risk för inlåsning",
        "remind-attendance": "Påminn om närvarorapporter",
        "snapshot-kpis": "Lås månadens nyckeltal",
        "apply-retention": "Anonymisera gamla uppgifter",
        "prune-search-log": "Rensa sökloggen",
    },
    # What a scheduled job counted in a run (marketplace/scheduler.py, each package's jobs.py).
    "job_count": {
        "anonymised": "anonymiserade",
        "closed": "stängda",
        "created": "skapade",
        "deleted": "raderade",
        "digests": "sammanfattningar",
        "failed": "misslyckade",
        "flagged": "flaggade",
        "notified": "aviserade",
        "queued": "köade",
        "released": "frigjorda",
        "reminded": "påminda",
        "resolved": "lösta",
        "retried": "försöks igen",
        "sent": "skickade",
        "started": "startade",
        "waiting": "väntar",
    },
}
_ACTOR_ROLE = re.compile(r"\((admin|coordinator|host|analyst)\)$")


def label(value: Any, kind: str) -> str:
    """The Swedish word for a stored code; the code itself when unknown."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(str(value), str(value))


def actor(value: str | None) -> str:
    """Who did something, as stored ("Sara Samordnare (coordinator)"), with the role in
    Swedish ("Sara Samordnare (samordnare)"). Older rows store the role's code."""
    if not value:
        return ""
    return _ACTOR_ROLE.sub(lambda m: f"({label(m.group(1), 'role')})", value)


def when(value: dt.datetime | None) -> str:
    """A timestamp in Stockholm time: "2026-11-26 21:30"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as ISO 8601, the Swedish standard form: "2026-11-26"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(STOCKHOLM).date() if value.tzinfo else value.date()
    return value.isoformat()


def number(value: float | int | None, decimals: int = 0) -> str:
    """A number in Swedish form: space as thousands separator, comma as decimal mark."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def register_filters(engine: JinjaTemplateEngine) -> None:
    """Add the filters to the app's Jinja environment (the app factory calls this)."""
    engine.engine.filters.update(
        label=label, when=when, day=day, number=number, figure=figures.text, actor=actor
    )
    engine.engine.globals["notice_for"] = notices.notice_for
