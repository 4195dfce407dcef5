"""The register extract in Swedish words: the page that is handed to the person.

An extract answers a request under GDPR art. 15, and art. 12 wants it intelligible. The page
showed the tables' column names ("first_name", "plan_goal_shareable False", "coordinator 2"),
stored codes and taxonomy ids ('["zSLA_vw2_FXN", …]'), UTC times in ISO form
("2026-12-07T09:14:34.495279+00:00"), and each row of the audit log as a table of its own (the
page was 87,000 px tall). Here every column of every table the extract walks has its Swedish
label (`COLUMNS`), or is named as the service's own bookkeeping (`TECHNICAL`: row numbers, a
link's secret, a mail's HTML copy), left out of the page and kept in the JSON file, which stays
complete; `tests/admin/test_register_text.py` fails when a column is neither. A stored code is
said in the service's words (the pages' vocabularies, `templating.LABELS`, and
`EXTRACT_LABELS` for those no staff page shows, which the participant's own page reads too), a
taxonomy id by its label, a number that points at another row by what it names (a user's name
and role, a place and its workplace, an agency's agreement), a time in Swedish time, a day as
the Swedish standard writes it. The audit log, the booking's events and the attendance weeks
are one table each, a row per line; every other table shows a row as a list of its fields, the
empty ones left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from admin import schemas
from admin.services import audit_text
from employers.tables import Contact
from marketplace.kernel.tables import User
from marketplace.kernel.templating import LABELS, actor, when
from marketplace.reference import taxonomy
from placements.services.attendance import SOURCE_TEXT
from placements.services.intake import LANGUAGE_TEXT
from placements.tables import Agreement, Booking, LocalAgreement, Outcome, Slot

# The vocabularies the extract needs that no staff page shows (also the participant's own
# page's, `participants.services`, translated in its catalogs).
EXTRACT_LABELS: dict[str, dict[str, str]] = {
    "agreement_status": {
        "draft": "Utkast",
        "signing": "Väntar på underskrifter",
        "signed": "Underskriven av alla",
        "superseded": "Ersatt av en nyare version",
        "cancelled": "Avbruten",
    },
    "mail_status": {
        "pending": "Väntar på att skickas",
        "sending": "Skickas",
        "sent": "Skickat",
        "failed": "Kunde inte skickas",
        "digested": "Ingår i en dagssammanfattning",
    },
    "message_channel": {"mail": "E-post", "sms": "Sms"},
    "signature_method": {
        "app": "På Mina sidor",
        "link": "Med en personlig länk",
        "paper": "På papper",
    },
    "follow_up_status": {"due": "Planerad", "done": "Genomförd"},
    "lock_in_kind": {
        "long_placement": "Lång placering",
        "repeated_placements": "Upprepade placeringar",
    },
}
SHAREABLE_NOTE = "får visas för värden"


def words_text(items: list[Any]) -> str:
    """A stored list of a person's own words (adaptations: '[{"text": …, "shareable":
    true}]'), as the words, each marked when the host may see it."""
    out = []
    for item in items:
        if isinstance(item, dict):
            text = str(item.get("text", "")).strip()
            if text:
                out.append(f"{text} ({SHAREABLE_NOTE})" if item.get("shareable") else text)
        elif str(item).strip():
            out.append(str(item).strip())
    return "; ".join(out)


def taxonomy_names(ids: list[str], name: str) -> str:
    """Stored taxonomy ids (a person's wished occupations, skills or languages) by their
    labels; an id the taxonomy no longer has as itself."""
    if name == "wished_occupations":
        found = [taxonomy.occupation(i) for i in ids]
        return ", ".join(o.label if o else i for o, i in zip(found, ids, strict=True))
    labels = taxonomy.skills() if name == "skills" else taxonomy.languages()
    return ", ".join(labels.get(i, i) for i in ids)


# How a column's stored value is said (`_said`): as stored ("text"), a day, a time, yes or
# no, a count, a decimal number (with a comma), a code of a vocabulary ("code:<vocabulary>"), a list of taxonomy ids, a list
# of the person's words, follow-up meetings, a page language, who did it ("actor", a stored
# "name (role)"), an audit action or detail, or the row another row's number points at
# ("user", "contact", "booking", "slot", "outcome", "agreement", "local_agreement").
Column = tuple[str, str]

COLUMNS: dict[str, dict[str, Column]] = {
    "pl_candidate": {
        "id": ("Deltagarnummer", "count"),
        "first_name": ("Förnamn", "text"),
        "last_name": ("Efternamn", "text"),
        "personnummer": ("Personnummer", "text"),
        "email": ("E-post", "text"),
        "phone": ("Telefon", "text"),
        "address": ("Adress", "text"),
        "track": ("Spår", "code:track"),
        "wished_occupations": ("Önskade yrken", "taxonomy"),
        "skills": ("Kompetenser", "taxonomy"),
        "languages": ("Språk", "taxonomy"),
        "interests": ("Intressen", "text"),
        "experience": ("Erfarenhet", "text"),
        "driving_licence": ("Körkort", "bool"),
        "hours_available": ("Timmar i veckan", "count"),
        "home_town": ("Hemort", "text"),
        "latitude": ("Hemortens läge, latitud", "decimal"),
        "longitude": ("Hemortens läge, longitud", "decimal"),
        "max_commute_km": ("Längsta resväg (km)", "count"),
        "adaptations": ("Anpassningar", "words"),
        "plan_goal": ("Mål i planen", "text"),
        "plan_goal_shareable": ("Målet får visas för värden", "bool"),
        "consent_date": ("Dag för samtycket till registreringen", "day"),
        "consent_method": ("Samtyckets form", "code:consent_method"),
        "language": ("Valt språk på Mina sidor", "language"),
        "status": ("Status", "code:candidate_status"),
        "coordinator": ("Samordnare", "user"),
        "registered_at": ("Registrerad", "day"),
        "exited_at": ("Avslutad", "day"),
        "anonymised_at": ("Anonymiserad", "time"),
        "created_at": ("Uppgifterna skapade", "time"),
        "updated_at": ("Senast ändrade", "time"),
    },
    "pl_health_note": {
        "author": ("Skriven av", "user"),
        "text": ("Anteckning", "text"),
        "created_at": ("Skriven", "time"),
    },
    "pl_plan_activity": {
        "title": ("Aktivitet", "text"),
        "planned_start": ("Planerad start", "day"),
        "planned_end": ("Planerat slut", "day"),
        "status": ("Status", "code:activity_status"),
        "follow_up": ("Uppföljning", "text"),
        "created_at": ("Skapad", "time"),
    },
    "pl_booking": {
        "slot": ("Plats", "slot"),
        "coordinator": ("Samordnare", "user"),
        "supervisor": ("Handledare", "contact"),
        "status": ("Läge", "code:booking_status"),
        "message": ("Meddelande till värden", "text"),
        "decline_reason": ("Skäl till nej", "text"),
        "start_date": ("Startdag", "day"),
        "end_date": ("Slutdag", "day"),
        "hours_per_week": ("Timmar per vecka", "count"),
        "proposed_at": ("Föreslagen", "time"),
        "decided_at": ("Värdens svar", "time"),
        "started_at": ("Startade", "time"),
        "ended_at": ("Avslutades", "time"),
        "updated_at": ("Senast ändrad", "time"),
    },
    "pl_booking_event": {
        "at": ("Tid", "time"),
        "booking": ("Plats", "booking"),
        "actor_label": ("Vem", "actor"),
        "from_status": ("Från läge", "code:booking_status"),
        "to_status": ("Till läge", "code:booking_status"),
        "note": ("Anteckning", "text"),
    },
    "pl_agreement": {
        "booking": ("Plats", "booking"),
        "version": ("Version", "count"),
        "status": ("Status", "code:agreement_status"),
        "start_date": ("Startdag", "day"),
        "end_date": ("Slutdag", "day"),
        "weekly_schedule": ("Tider", "text"),
        "tasks": ("Arbetsuppgifter", "text"),
        "participant_goals": ("Deltagarens mål", "text"),
        "host_gains": ("Vad värden får ut av placeringen", "text"),
        "supervisor": ("Handledare", "contact"),
        "coordinator": ("Samordnare", "user"),
        "follow_up_meetings": ("Uppföljningsmöten", "meetings"),
        "adaptations_shared": ("Anpassningar som värden får veta", "words"),
        "insurance_text": ("Försäkring", "text"),
        "created_at": ("Skapad", "time"),
    },
    "pl_signature": {
        "agreement": ("Överenskommelse", "agreement"),
        "party": ("Part", "code:party"),
        "signed_at": ("Underskriven", "time"),
        "signer_label": ("Undertecknad av", "actor"),
        "user": ("Användare", "user"),
        "link_sent_at": ("Länk för underskrift skickad", "time"),
        "signed_version": ("Version som skrevs under", "count"),
        "method": ("Hur underskriften gjordes", "code:signature_method"),
        "recorded_by_id": ("Registrerad av", "user"),
    },
    "pl_assessment": {
        "booking": ("Plats", "booking"),
        "attendance": ("Närvaro", "code:attendance"),
        "tasks_mastered": ("Uppgifter som deltagaren klarade", "text"),
        "strengths": ("Styrkor", "text"),
        "recommendation": ("Rekommendation", "code:recommendation"),
        "comment": ("Kommentar", "text"),
        "participant_view": ("Deltagarens syn på praktiken", "text"),
        "submitted_at": ("Lämnad", "time"),
        "submitted_by": ("Lämnad av", "actor"),
    },
    "pl_attendance_week": {
        "week_start": ("Veckan från", "day"),
        "booking": ("Plats", "booking"),
        "days_present": ("På plats", "count"),
        "days_sick": ("Sjuk", "count"),
        "days_leave": ("Ledig, beviljad frånvaro", "count"),
        "days_unexcused": ("Ogiltig eller oanmäld frånvaro", "count"),
        "days_other": ("Annan frånvaro", "count"),
        "note": ("Anteckning", "text"),
        "source": ("Rapporterad av", "code:attendance_source"),
        "reported_by": ("Rapportör", "actor"),
        "reported_at": ("Rapporterad", "time"),
    },
    "pl_outcome": {
        "booking": ("Placering", "booking"),
        "category": ("Utfall", "code:outcome"),
        "subsidised": ("Med anställningsstöd", "bool"),
        "hired_by_host": ("Anställd av värden", "bool"),
        "outcome_date": ("Dag för utfallet", "day"),
        "note": ("Anteckning", "text"),
        "recorded_by": ("Registrerat av", "user"),
        "recorded_at": ("Registrerat", "time"),
    },
    "pl_follow_up": {
        "outcome": ("Gäller utfallet", "outcome"),
        "days": ("Dagar efter avslutet", "count"),
        "due_date": ("Planerad till", "day"),
        "status": ("Status", "code:follow_up_status"),
        "result_category": ("Sysselsättning vid uppföljningen", "code:outcome"),
        "note": ("Anteckning", "text"),
        "done_at": ("Genomförd", "time"),
        "done_by": ("Genomförd av", "actor"),
        "reminded_at": ("Påminnelse skickad", "time"),
    },
    "pl_lock_in_flag": {
        "kind": ("Vad flaggan gäller", "code:lock_in_kind"),
        "reason": ("Skäl", "text"),
        "flagged_at": ("Flaggad", "time"),
        "resolved_at": ("Åtgärdad", "time"),
    },
    "pl_partner_consent": {
        "agreement": ("Lokal överenskommelse", "local_agreement"),
        "given_on": ("Dag då samtycket gavs", "day"),
        "method": ("Hur samtycket gavs", "code:consent_method"),
        "shares_outcome": ("Myndigheten får se utfallet efter placeringen", "bool"),
        "shares_attendance": ("Myndigheten får se närvaron under placeringen", "bool"),
        "withdrawn_on": ("Dag då samtycket slutade gälla", "day"),
        "replaced_by": ("Ersatt av ett nyare samtycke", "bool"),
        "recorded_by": ("Registrerat av", "user"),
        "created_at": ("Registrerat", "time"),
    },
    "mp_outbox": {
        "created_at": ("Skapat", "time"),
        "channel": ("Skickat som", "code:message_channel"),
        "recipient": ("Mottagare", "text"),
        "recipient_user_id": ("Mottagarens konto", "user"),
        "subject": ("Ämne", "text"),
        "body_text": ("Text", "text"),
        "digest": ("Samlas i en dagssammanfattning", "bool"),
        "status": ("Status", "code:mail_status"),
        "attempts": ("Försök att skicka", "count"),
        "next_attempt_at": ("Nästa försök", "time"),
        "sent_at": ("Skickat", "time"),
    },
    "mp_audit": {
        "at": ("Tid", "time"),
        "actor_label": ("Vem", "actor"),
        "action": ("Händelse", "action"),
        "detail": ("Detaljer", "detail"),
    },
}
# The columns that are the service's own bookkeeping, not something about the person in
# words: left out of the page (which says so), kept in the JSON file.
TECHNICAL: dict[str, frozenset[str]] = {
    "pl_candidate": frozenset(),
    **{
        table: frozenset({"id", "candidate"})
        for table in (
            "pl_health_note",
            "pl_plan_activity",
            "pl_outcome",
            "pl_follow_up",
            "pl_lock_in_flag",
            "pl_partner_consent",
        )
    },
    "pl_booking": frozenset({"id", "candidate"}),
    "pl_booking_event": frozenset({"id", "actor_id"}),
    "pl_agreement": frozenset({"id"}),
    "pl_signature": frozenset({"id", "link_nonce"}),
    "pl_assessment": frozenset({"id"}),
    "pl_attendance_week": frozenset({"id"}),
    "mp_outbox": frozenset(
        {"id", "candidate", "body_html", "kind", "dedupe_key", "last_error", "meta"}
    ),
    "mp_audit": frozenset({"id", "actor_id", "subject_type", "subject_id"}),
}
# Tables shown as one table, a row per line (many short rows); the others a row at a time.
AS_ONE_TABLE = frozenset({"mp_audit", "pl_booking_event", "pl_attendance_week"})
TECHNICAL_NOTE = (
    "Tjänstens egna nummer på raderna och andra tekniska fält visas inte här. De finns med "
    "i utdraget som fil (JSON)."
)
# Who did what the service did by itself (a sweep), stored as "system".
SERVICE_ITSELF = "Tjänsten, automatiskt"
VOCABULARIES: dict[str, dict[str, str]] = {
    **EXTRACT_LABELS,
    "attendance_source": {code: text.capitalize() for code, text in SOURCE_TEXT.items()},
}


@dataclass
class ReadableSection:
    """One table of the extract in words: its title and note, and either `header` and
    `lines` (one table, a row per line) or `records` (each row as its fields, (label,
    value), the empty ones left out)."""

    table: str
    title: str
    note: str
    header: list[str] = field(default_factory=list)
    lines: list[list[str]] = field(default_factory=list)
    records: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lines) + len(self.records)


@dataclass
class _Names:
    """What the numbers in the extract point at, looked up once for the whole extract."""

    users: dict[int, str]
    contacts: dict[int, str]
    slots: dict[int, str]
    bookings: dict[int, str]
    agreements: dict[int, str]
    outcomes: dict[int, str]
    local_agreements: dict[int, str]


def _numbers(sections: list[schemas.RegisterSection], kind: str) -> set[int]:
    found: set[int] = set()
    for section in sections:
        columns = COLUMNS.get(section.table, {})
        for row in section.rows:
            for f in row.fields:
                said = columns.get(f.name)
                if said and said[1] == kind and isinstance(f.value, int):
                    found.add(int(f.value))
    return found


def _place(title: str | None, host: str | None) -> str:
    return ", ".join(p for p in (title, host) if p)


async def _names(sections: list[schemas.RegisterSection]) -> _Names:
    users = {
        int(r["id"]): " ".join(p for p in (r["first_name"], r["last_name"]) if p) or r["username"]
        for r in await User.select(User.id, User.first_name, User.last_name, User.username).where(
            User.id.is_in(sorted(_numbers(sections, "user")) or [-1])
        )
    }
    contacts = {
        int(r["id"]): r["name"]
        for r in await Contact.select(Contact.id, Contact.name).where(
            Contact.id.is_in(sorted(_numbers(sections, "contact")) or [-1])
        )
    }
    slots = {
        int(r["id"]): _place(r["title"], r["host_name"])
        for r in await Slot.select(
            Slot.id, Slot.title, Slot.host._.name.as_alias("host_name")
        ).where(Slot.id.is_in(sorted(_numbers(sections, "slot")) or [-1]))
    }
    agreement_rows = await Agreement.select(
        Agreement.id, Agreement.version, Agreement.booking
    ).where(Agreement.id.is_in(sorted(_numbers(sections, "agreement")) or [-1]))
    booking_ids = _numbers(sections, "booking") | {int(r["booking"]) for r in agreement_rows}
    bookings = {
        int(r["id"]): _place(r["title"], r["host_name"])
        for r in await Booking.select(
            Booking.id,
            Booking.slot._.title.as_alias("title"),
            Booking.slot._.host._.name.as_alias("host_name"),
        ).where(Booking.id.is_in(sorted(booking_ids) or [-1]))
    }
    agreements = {
        int(r["id"]): f"Version {r['version']}, {bookings.get(int(r['booking']), '')}".strip(", ")
        for r in agreement_rows
    }
    outcomes = {
        int(r["id"]): " ".join(
            p
            for p in (
                LABELS["outcome"].get(r["category"], r["category"]),
                str(r["outcome_date"] or ""),
            )
            if p
        )
        for r in await Outcome.select(Outcome.id, Outcome.category, Outcome.outcome_date).where(
            Outcome.id.is_in(sorted(_numbers(sections, "outcome")) or [-1])
        )
    }
    local_agreements = {
        int(r["id"]): f"{r['agency_name']}: {r['name']}"
        for r in await LocalAgreement.select(
            LocalAgreement.id,
            LocalAgreement.name,
            LocalAgreement.agency._.name.as_alias("agency_name"),
        ).where(LocalAgreement.id.is_in(sorted(_numbers(sections, "local_agreement")) or [-1]))
    }
    return _Names(users, contacts, slots, bookings, agreements, outcomes, local_agreements)


def _json_list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    return items if isinstance(items, list) else None


def _said(value: Any, kind: str, name: str, names: _Names) -> str:
    """A stored value as the page says it ("" for nothing stored)."""
    if value is None or value == "" or value == "[]":
        return ""
    if kind == "bool":
        return "Ja" if value else "Nej"
    if kind == "decimal":
        return str(value).replace(".", ",")
    if kind == "time":
        try:
            return when(dt.datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if kind.startswith("code:"):
        vocabulary = kind.removeprefix("code:")
        words = LABELS.get(vocabulary) or VOCABULARIES[vocabulary]
        text = str(words.get(str(value), value))
        return text[:1].upper() + text[1:]  # a value of its own, not a word in a sentence
    if kind in ("taxonomy", "words", "meetings"):
        items = _json_list(value)
        if items is None:
            return str(value)
        if kind == "taxonomy":
            return taxonomy_names([str(i) for i in items], name)
        if kind == "words":
            return words_text(items)
        return "; ".join(
            " ".join(str(p) for p in (m.get("date"), m.get("note")) if p)
            for m in items
            if isinstance(m, dict)
        )
    if kind == "language":
        return LANGUAGE_TEXT.get(str(value), str(value)).capitalize()
    if kind == "actor":
        return SERVICE_ITSELF if value == "system" else actor(str(value))
    if kind == "action":
        return audit_text.action_text(str(value))
    if kind == "detail":
        return audit_text.detail_text(str(value))
    lookups = {
        "user": names.users,
        "contact": names.contacts,
        "slot": names.slots,
        "booking": names.bookings,
        "agreement": names.agreements,
        "outcome": names.outcomes,
        "local_agreement": names.local_agreements,
    }
    if kind in lookups and isinstance(value, int):
        return lookups[kind].get(int(value)) or f"nummer {value}"
    return str(value)


def _fields(row: schemas.RegisterRow) -> dict[str, Any]:
    return {f.name: f.value for f in row.fields}


async def readable(extract: schemas.RegisterExtract) -> list[ReadableSection]:
    """The extract's sections in Swedish words, for the page."""
    names = await _names(extract.sections)
    out: list[ReadableSection] = []
    for section in extract.sections:
        columns = COLUMNS[section.table]
        shown = ReadableSection(section.table, section.title, section.note)
        if section.table in AS_ONE_TABLE:
            shown.header = [label for label, _ in columns.values()]
            for row in section.rows:
                values = _fields(row)
                shown.lines.append(
                    [_said(values.get(n), kind, n, names) for n, (_, kind) in columns.items()]
                )
        else:
            for row in section.rows:
                values = _fields(row)
                said = [
                    (label, _said(values.get(n), kind, n, names))
                    for n, (label, kind) in columns.items()
                ]
                shown.records.append([(label, text) for label, text in said if text])
        out.append(shown)
    return out


def unlabelled(tables: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """Columns (table.column) neither labelled nor named technical: for the test that fails
    when a new column would be shown raw or silently left out."""
    return [
        f"{table}.{name}"
        for table, names in tables
        for name in names
        if name not in COLUMNS.get(table, {}) and name not in TECHNICAL.get(table, frozenset())
    ]
