"""Register extracts (GDPR art. 15) and anonymisation (art. 17 and retention).

An extract lists everything stored about one candidate, table by table and column by column.
Anonymisation replaces everything that identifies the person (names, personnummer, contact
details, free text), deletes health notes, and keeps what the statistics count: outcomes,
bookings and their dates and statuses, follow-ups, lock-in flags and the candidate's track,
dates and coordinator. Reports therefore stay the same before and after.

Audit rows are never changed (the database refuses it); they hold ids, not names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, cast

from piccolo.columns import JSON
from piccolo.table import Table

from admin import schemas
from admin.rows import TableRow
from admin.services.link_secrets import hide_link_tokens
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import NotFound, ValidationFailed
from marketplace.kernel.rows import OutboxRow
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sweeps import RowGuard
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.rows import CandidateRow
from placements.services import booking_access
from placements.tables import (
    Agreement,
    Assessment,
    AttendanceWeek,
    Booking,
    BookingEvent,
    Candidate,
    FollowUp,
    HealthNote,
    LockInFlag,
    Outcome,
    PartnerConsent,
    PlanActivity,
    Signature,
)

CANDIDATE_NOT_FOUND = "Deltagaren finns inte, eller så har du inte tillgång till hen."
REDACTED = "[anonymiserad]"
ANONYMOUS_FIRST_NAME = "Anonymiserad"
ANONYMOUS_LAST_NAME = "deltagare"

SECTION_TITLES = {
    "pl_candidate": "Deltagaren",
    "pl_health_note": "Hälsoanteckningar",
    "pl_plan_activity": "Arbetsmarknadsplanens aktiviteter",
    "pl_booking": "Förslag och placeringar",
    "pl_booking_event": "Händelser i placeringarna",
    "pl_agreement": "Överenskommelser",
    "pl_signature": "Underskrifter",
    "pl_assessment": "Slutbedömningar",
    "pl_attendance_week": "Närvaro per vecka",
    "pl_outcome": "Utfall",
    "pl_follow_up": "Uppföljningar",
    "pl_lock_in_flag": "Inlåsningsflaggor",
    "pl_partner_consent": "Samtycken till samverkan med myndigheter",
    "mp_outbox": "E-post till eller om deltagaren",
    "mp_audit": "Loggade åtkomster till uppgifterna",
}


def _engine() -> Any:
    return Candidate._meta.db


REASON_MIN, REASON_MAX = 5, 500
REASON_MISSING = (
    "Ange varför registerutdraget tas fram (minst 5 tecken), till exempel ”Begäran från den "
    "registrerade 3 december”. Skälet loggas."
)
HEALTH_WITHHELD = (
    "Hälsoanteckningar ingår bara när deltagarens egen samordnare tar fram utdraget, samma "
    "regel som när de läses i tjänsten. Be samordnaren ta fram utdraget om de behövs."
)


def check_reason(reason: str | None) -> str:
    """The recorded reason for an extract, trimmed; `ValidationFailed` when it is missing."""
    text = " ".join((reason or "").split())
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise ValidationFailed(
            "Skälet innehåller tecken som inte går att spara. Skriv det med vanlig text.",
            fields=["reason"],
        )
    if len(text) < REASON_MIN:
        raise ValidationFailed(REASON_MISSING, fields=["reason"])
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            f"Skälet får ha högst {REASON_MAX} tecken. Korta ner det.", fields=["reason"]
        )
    return text


def may_read_health_notes(user: AuthUser, row: CandidateRow) -> bool:
    """The rule of the health-note API: only the candidate's own coordinator reads them."""
    return user.role == "coordinator" and row["coordinator"] == user.id


async def check_access(user: AuthUser, candidate_id: int) -> None:
    """NotFound unless the caller may make an extract for the candidate (nothing is logged)."""
    await _candidate_row_for(user, candidate_id)


async def _candidate_row_for(user: AuthUser, candidate_id: int) -> CandidateRow:
    """The candidate, if the caller is an admin or the candidate's own coordinator."""
    row = await Candidate.select().where(Candidate.id == candidate_id).first()
    if row is None:
        raise NotFound(CANDIDATE_NOT_FOUND)
    if user.role != "admin" and not (user.role == "coordinator" and row["coordinator"] == user.id):
        raise NotFound(CANDIDATE_NOT_FOUND)
    return cast("CandidateRow", row)


def _plain(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def _section(table: type[Table], rows: list[TableRow]) -> schemas.RegisterSection:
    names = [c._meta.name for c in table._meta.columns]
    return schemas.RegisterSection(
        table=table._meta.tablename,
        title=SECTION_TITLES.get(table._meta.tablename, table._meta.tablename),
        rows=[
            schemas.RegisterRow(
                fields=[schemas.RegisterField(name=n, value=_plain(r.get(n))) for n in names]
            )
            for r in rows
        ],
    )


def _ids(rows: list[TableRow]) -> list[int]:
    return [int(r["id"]) for r in rows] or [-1]


async def _linked_rows(candidate_id: int) -> dict[type[Table], list[TableRow]]:
    """Every row that is about the candidate, per table, found by key only."""
    found: dict[type[Table], list[TableRow]] = {}
    found[Candidate] = list(await Candidate.select().where(Candidate.id == candidate_id))
    by_candidate: tuple[Any, ...] = (
        HealthNote,
        PlanActivity,
        Booking,
        Outcome,
        FollowUp,
        LockInFlag,
        PartnerConsent,
    )
    for table in by_candidate:
        found[table] = list(
            await table.select().where(table.candidate == candidate_id).order_by(table.id)
        )
    booking_ids = _ids(found[Booking])
    by_booking: tuple[Any, ...] = (BookingEvent, Agreement, Assessment, AttendanceWeek)
    for table in by_booking:
        found[table] = list(
            await table.select().where(table.booking.is_in(booking_ids)).order_by(table.id)
        )
    agreement_ids = _ids(found[Agreement])
    found[Signature] = list(
        await Signature.select()
        .where(Signature.agreement.is_in(agreement_ids))
        .order_by(Signature.id)
    )
    # A mail is the person's by the key set when it was queued, never by matching its text.
    found[OutboxMessage] = list(
        await OutboxMessage.select()
        .where(OutboxMessage.candidate == candidate_id)
        .order_by(OutboxMessage.id)
    )
    found[AuditEntry] = list(
        await AuditEntry.select()
        .where((AuditEntry.subject_type == "candidate") & (AuditEntry.subject_id == candidate_id))
        .order_by(AuditEntry.id)
    )
    return found


def _without_link_secrets(row: TableRow) -> TableRow:
    """An outbox row with the secret of every single-use link in its texts hidden."""
    out = dict(row)
    for key in ("body_text", "body_html", "meta"):
        value = out.get(key)
        if value:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out[key] = hide_link_tokens(text)
    return out


async def register_extract(
    user: AuthUser, candidate_id: int, *, reason: str | None, form: str = "json"
) -> schemas.RegisterExtract:
    """Everything stored about one candidate, for a subject access request; audited with
    the recorded `reason` (required).

    Admins and the candidate's own coordinator may produce it; anyone else gets NotFound.
    Health notes are in it only for those who may read them through the API (the
    candidate's own coordinator); for anyone else the section says why it is empty.
    """
    async with write_transaction(_engine()):
        row = await _candidate_row_for(user, candidate_id)
        reason = check_reason(reason)
        await record(user, "candidate.extract", candidate_id, detail=f"{form}: {reason}")
        linked = await _linked_rows(candidate_id)
        withheld = not may_read_health_notes(user, row)
        if withheld:
            linked[HealthNote] = []
        elif linked[HealthNote]:
            await record(user, "health_note.read", candidate_id, detail="registerutdrag")
    # The mails keep their text, but no live single-use link: the extract's reader (staff)
    # must not be able to sign in, sign or report as the recipient with it.
    linked[OutboxMessage] = [_without_link_secrets(r) for r in linked[OutboxMessage]]
    sections = [_section(table, rows) for table, rows in linked.items()]
    if withheld:
        for section in sections:
            if section.table == HealthNote._meta.tablename:
                section.note = HEALTH_WITHHELD
    return schemas.RegisterExtract(
        candidate_id=candidate_id,
        produced_at=dt.datetime.now(dt.UTC),
        produced_by=f"{user.name} ({user.role})",
        reason=reason,
        anonymised=row["anonymised_at"] is not None,
        sections=sections,
    )


# --- anonymisation -------------------------------------------------------------------------


def _needles(row: CandidateRow) -> list[str]:
    """The strings that identify the person, longest first (full name before its parts)."""
    first, last = row["first_name"].strip(), row["last_name"].strip()
    pnr = row["personnummer"].strip()
    digits = re.sub(r"\D", "", pnr)
    phone_digits = re.sub(r"\D", "", row["phone"])
    candidates = {
        f"{first} {last}".strip(),
        f"{last}, {first}".strip(", "),
        first,
        last,
        pnr,
        digits,
        digits[-10:] if len(digits) == 12 else "",
        f"{digits[-10:-4]}-{digits[-4:]}" if len(digits) >= 10 else "",
        f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 else "",
        row["email"].strip(),
        row["phone"].strip(),
        phone_digits if len(phone_digits) >= 6 else "",
        row["address"].strip(),
    }
    return sorted((n for n in candidates if len(n) >= 2), key=len, reverse=True)


def scrub(text: str, needles: list[str]) -> str:
    """`text` with the person's identifiers replaced where they stand as whole words (any
    case): "Ali" goes, "Alingsås" and "Alice" stay."""
    if not text or not needles:
        return text
    alternatives = "|".join(re.escape(n) for n in needles)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return pattern.sub(REDACTED, text)


def _scrub_json(value: Any, needles: list[str]) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return scrub(text, needles)


async def _scrub_rows(
    table: type[Table],
    rows: list[TableRow],
    needles: list[str],
    *,
    blank: tuple[str, ...] = (),
    scrubbed: tuple[str, ...] = (),
    empty_json: tuple[str, ...] = (),
) -> None:
    """Blank the free-text columns, scrub the label columns, empty the JSON lists."""
    for row in rows:
        values: dict[Any, Any] = {}
        for name in blank:
            if row[name]:
                values[table._meta.get_column_by_name(name)] = ""
        for name in scrubbed:
            column = table._meta.get_column_by_name(name)
            new = (
                _scrub_json(row[name], needles)
                if isinstance(column, JSON)
                else scrub(row[name] or "", needles)
            )
            if new != (row[name] if isinstance(row[name], str) else None):
                values[column] = new
        for name in empty_json:
            values[table._meta.get_column_by_name(name)] = "[]"
        if values:
            await table.update(values).where(table._meta.primary_key == row["id"])


async def anonymise_candidate(
    candidate_id: int, *, actor: AuthUser | None = None, reason: str = "begäran"
) -> bool:
    """Anonymise one candidate; True if done now, False if it was already anonymised.

    `reason` is "begäran" (a request, by an admin) or "gallring" (retention); it is audited.
    Raises NotFound for an unknown candidate.
    """
    engine = _engine()
    async with write_transaction(engine):
        await booking_access.lock_candidate(candidate_id)
        row = await Candidate.select().where(Candidate.id == candidate_id).first()
        if row is None:
            raise NotFound(CANDIDATE_NOT_FOUND)
        if row["anonymised_at"] is not None:
            return False
        needles = _needles(cast("CandidateRow", row))
        linked = await _linked_rows(candidate_id)
        now = dt.datetime.now(dt.UTC)
        await Candidate.update(
            {
                Candidate.first_name: ANONYMOUS_FIRST_NAME,
                Candidate.last_name: ANONYMOUS_LAST_NAME,
                Candidate.personnummer: "",
                Candidate.email: "",
                Candidate.phone: "",
                Candidate.address: "",
                Candidate.home_town: "",
                Candidate.latitude: None,
                Candidate.longitude: None,
                Candidate.max_commute_km: None,
                Candidate.interests: "",
                Candidate.experience: "",
                Candidate.plan_goal: "",
                Candidate.wished_occupations: "[]",
                Candidate.skills: "[]",
                Candidate.languages: "[]",
                Candidate.adaptations: "[]",
                Candidate.anonymised_at: now,
                Candidate.updated_at: now,
            }
        ).where(Candidate.id == candidate_id)
        await HealthNote.delete().where(HealthNote.candidate == candidate_id)
        await _scrub_rows(PlanActivity, linked[PlanActivity], needles, blank=("title", "follow_up"))
        await _scrub_rows(Booking, linked[Booking], needles, blank=("message", "decline_reason"))
        await _scrub_rows(
            BookingEvent, linked[BookingEvent], needles, blank=("note",), scrubbed=("actor_label",)
        )
        await _scrub_rows(
            Agreement,
            linked[Agreement],
            needles,
            blank=("participant_goals", "tasks", "weekly_schedule"),
            scrubbed=("host_gains", "follow_up_meetings"),
            empty_json=("adaptations_shared",),
        )
        await _scrub_rows(Signature, linked[Signature], needles, scrubbed=("signer_label",))
        await _scrub_rows(
            Assessment,
            linked[Assessment],
            needles,
            blank=("tasks_mastered", "strengths", "comment", "participant_view"),
            scrubbed=("submitted_by",),
        )
        await _scrub_rows(
            AttendanceWeek,
            linked[AttendanceWeek],
            needles,
            blank=("note",),
            scrubbed=("reported_by",),
        )
        await _scrub_rows(Outcome, linked[Outcome], needles, blank=("note",))
        await _scrub_rows(
            FollowUp, linked[FollowUp], needles, blank=("note",), scrubbed=("done_by",)
        )
        await _scrub_rows(LockInFlag, linked[LockInFlag], needles, scrubbed=("reason",))
        await _scrub_outbox(cast("list[OutboxRow]", linked[OutboxMessage]), needles)
        await record(actor, "candidate.anonymise", candidate_id, detail=reason)
    return True


async def _scrub_outbox(rows: list[OutboxRow], needles: list[str]) -> None:
    """The person's own mail (by key), and the daily digests that gathered it: their address
    and name are replaced there, and nowhere else. Other people's mail is never read."""
    if not rows:
        return
    own_ids = {int(r["id"]) for r in rows}
    digests = cast(
        "list[OutboxRow]",
        await OutboxMessage.select().where(
            (OutboxMessage.kind == "digest")
            & OutboxMessage.candidate.is_null()
            & (OutboxMessage.created_at >= min(r["created_at"] for r in rows))
        ),
    )
    for digest in digests:
        meta = digest["meta"]
        meta = meta if isinstance(meta, dict) else json.loads(meta or "{}")
        if own_ids & {int(i) for i in meta.get("messages", []) if isinstance(i, int)}:
            rows.append(digest)
    for row in rows:
        own = int(row["id"]) in own_ids
        await OutboxMessage.update(
            {
                OutboxMessage.recipient: (
                    "anonymiserad@example.invalid"
                    if own and row["recipient"].strip().lower() in {n.lower() for n in needles}
                    else row["recipient"]
                ),
                OutboxMessage.subject: scrub(row["subject"], needles),
                OutboxMessage.body_text: scrub(row["body_text"], needles),
                OutboxMessage.body_html: scrub(row["body_html"], needles),
                OutboxMessage.meta: _scrub_json(row["meta"], needles),
            }
        ).where(OutboxMessage.id == row["id"])


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


async def apply_retention(today: dt.date, years: int | None = None) -> int:
    """Anonymise every candidate who exited at least `years` (RETENTION_YEARS) ago.

    Idempotent: candidates already anonymised are skipped. Returns how many were done now.
    """
    years = get_settings().retention_years if years is None else years
    cutoff = years_before(today, years)
    due = await Candidate.select(Candidate.id).where(
        Candidate.exited_at.is_not_null()
        & (Candidate.exited_at <= cutoff)
        & Candidate.anonymised_at.is_null()
    )
    guard = RowGuard("apply-retention")
    done = 0
    for row in due:
        with guard.row(row["id"]):
            if await anonymise_candidate(int(row["id"]), reason="gallring"):
                done += 1
    return done


async def own_extract(candidate_id: int, label: str) -> schemas.RegisterExtract:
    """The participant's own register extract, for their pages (/mina-sidor/mina-uppgifter).

    Everything `register_extract` gives the coordinator, audited as the participant's own
    read (`label`); health notes are left out with a note: the person asks their coordinator,
    who goes through them together with them."""
    async with write_transaction(_engine()):
        row = await Candidate.select().where(Candidate.id == candidate_id).first()
        if row is None:
            raise NotFound(CANDIDATE_NOT_FOUND)
        await record(
            None, "candidate.extract", candidate_id, detail="Mina sidor: eget utdrag", label=label
        )
        linked = await _linked_rows(candidate_id)
        linked[HealthNote] = []
    # As in the coordinator's extract: the mails about the participant include those to the
    # supervisor and the host, whose single-use links must not let the participant act as them.
    linked[OutboxMessage] = [_without_link_secrets(r) for r in linked[OutboxMessage]]
    sections = [_section(table, rows) for table, rows in linked.items()]
    for section in sections:
        if section.table == HealthNote._meta.tablename:
            section.note = OWN_HEALTH_NOTE
    return schemas.RegisterExtract(
        candidate_id=candidate_id,
        produced_at=dt.datetime.now(dt.UTC),
        produced_by=label,
        reason="Mina sidor",
        anonymised=row["anonymised_at"] is not None,
        sections=sections,
    )


OWN_HEALTH_NOTE = (
    "Anteckningar om hälsa visas inte här. Be din samordnare, så går ni igenom dem tillsammans."
)
