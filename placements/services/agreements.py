"""The win-win agreement (trepartsöverenskommelse): drafted when the host accepts, signed by
the coordinator and the host user in the app and by the supervisor and the participant through
signed, expiring, single-use links.

Versions: every change gives the agreement a new version number. A change after any
signature creates a new version row (the old one is kept, superseded) with fresh, unsigned
signatures; before any signature the draft is changed in place. Every way of signing (the
app, the API, a link, a paper signature recorded by staff) names the version the signer was
shown, and a signature on any other version is refused (409) with the new text shown; the
signature records its version. When the last party signs the current version, the booking
becomes `agreed`.

A party's link goes only to that party, by mail: staff never see it. A paper signature is
its own action, recorded with who registered it, and audited.

What the agreement shares follows the participant's current consent: the plan goal only if
the participant agreed to share it, adaptations only while marked shareable. Withdrawing a
consent removes the item from every agreement not yet signed by all
(`agreement_versions.apply_consent`). The rows themselves (the draft, a change, the
signatures) are written in `agreement_versions`, below the booking actions.

Links are `itsdangerous` tokens holding the signature's id and a nonce that is also stored on
the signature; signing clears the nonce, so a link works once. A new version gets new
signature rows, so links to an old version stop working too.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NoReturn, cast

import msgspec
from itsdangerous import URLSafeTimedSerializer

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser, name_of_user
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed, said_once
from marketplace.kernel.i18n import (
    N_,
    N_plural,
    Translate,
    gettext_for,
    known,
    ngettext_for,
)
from marketplace.kernel.mail import queue_sms
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sms import sms_number
from placements import booking_states, date_rules
from placements.errors import LINK_EXPIRED, LINK_INVALID, LinkRefused, link_payload
from placements.host_texts import host_text_problems
from placements.rows import (
    AgreementCandidate,
    AgreementChanges,
    AgreementPeriod,
    AgreementRow,
    BookingRow,
    CandidateContact,
    SignatureRow,
)
from placements.schemas import agreements as schemas
from placements.services import (
    agreement_versions,
    answer_links,
    booking_access,
    booking_mail,
    booking_moves,
    bump_slot_change,
    capacity,
)
from placements.services.candidates import candidate_row, display_name, shareable_adaptations
from placements.tables import Agreement, Booking, Candidate, Signature, Slot

PARTY_TEXT = {
    "coordinator": "Samordnare",
    "host": "Värd",
    "supervisor": "Handledare",
    "participant": "Deltagare",
}
# The party as named in running Swedish text ("handledaren"), in mail, pages and the logs.
PARTY_LABEL = {
    "coordinator": "samordnaren",
    "host": "värden",
    "supervisor": "handledaren",
    "participant": N_("deltagaren"),  # also in the participant's own language
}
LINK_PARTIES = ("supervisor", "participant")
# A host that no user signs in for signs through a link too, mailed to its contact person.
HOST_LINK_PARTIES = ("host", *LINK_PARTIES)
EDITABLE = booking_states.EDITABLE
_SALT = "agreement-signature"


# --- output ----------------------------------------------------------------------------------


async def _signature_out(party: str, sig: SignatureRow | None) -> schemas.Signature:
    """One party's signature as shown (not signed yet when there is no row)."""
    return schemas.Signature(
        party=party,
        party_text=PARTY_TEXT[party],
        signed=sig is not None and sig["signed_at"] is not None,
        signed_at=sig["signed_at"] if sig else None,
        signer=sig["signer_label"] if sig else "",
        method=sig["method"] if sig else "",
        recorded_by=await name_of_user(sig["recorded_by_id"] if sig else None),
    )


async def _signatures(agreement_id: int) -> list[SignatureRow]:
    return cast(
        "list[SignatureRow]",
        await Signature.select().where(Signature.agreement == agreement_id),
    )


async def agreement_out(row: AgreementRow) -> schemas.Agreement:
    booking = await booking_access.booking_row(row["booking"])
    assert booking is not None
    candidate = cast(
        "AgreementCandidate | None",
        await Candidate.select(
            Candidate.first_name,
            Candidate.last_name,
            Candidate.adaptations,
            Candidate.plan_goal,
            Candidate.plan_goal_shareable,
        )
        .where(Candidate.id == booking["candidate"])
        .first(),
    )
    slot = (
        await Slot.select(Slot.title, Slot.host.name.as_alias("host_name"))
        .where(Slot.id == booking["slot"])
        .first()
    )
    assert candidate is not None and slot is not None
    supervisor = ""
    if row["supervisor"] is not None:
        contact = await Contact.select(Contact.name).where(Contact.id == row["supervisor"]).first()
        supervisor = contact["name"] if contact else ""
    by_party = {s["party"]: s for s in await _signatures(row["id"])}
    signatures = [
        await _signature_out(party, by_party.get(party)) for party in agreement_versions.PARTIES
    ]
    shared_now = set(shareable_adaptations(candidate))
    return schemas.Agreement(
        id=row["id"],
        booking_id=row["booking"],
        version=row["version"],
        status=row["status"],
        participant_name=display_name(candidate),
        host_name=slot["host_name"] or "",
        slot_title=slot["title"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        weekly_schedule=row["weekly_schedule"],
        tasks=row["tasks"],
        participant_goals=agreement_versions.goals_now(row["participant_goals"], candidate),
        host_gains=row["host_gains"],
        supervisor_name=supervisor,
        coordinator_name=await name_of_user(row["coordinator"]),
        follow_up_meetings=[
            msgspec.convert(m, schemas.FollowUpMeeting)
            for m in agreement_versions.json_list(row["follow_up_meetings"])
        ],
        # What a host sees follows the participant's current consent, also on a signed
        # version kept as it was signed.
        adaptations_shared=[
            str(a)
            for a in agreement_versions.json_list(row["adaptations_shared"])
            if a in shared_now
        ],
        insurance_text=row["insurance_text"],
        signatures=signatures,
        fully_signed=all(s.signed for s in signatures),
    )


async def _agreement_for(user: AuthUser, booking_id: int) -> tuple[BookingRow, AgreementRow]:
    booking = await booking_access.booking_row_for(user, booking_id)
    if user.role == "host" and not await booking_access.may_act_as_host(user, booking):
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    if user.role == "host" and (
        booking_states.host_view(booking["status"], booking["ended_at"], clock.now())
        < booking_states.HostView.PROPOSAL
    ):
        # It names the participant in full: gone from the host's pages with the contact
        # details, HOST_CONTACT_DAYS after the end (the municipality keeps the archive copy).
        raise NotFound(AGREEMENT_NO_LONGER_SHOWN)
    return booking, await _current_agreement(booking_id)


AGREEMENT_NO_LONGER_SHOWN = (
    f"Överenskommelsen visas inte längre här: placeringen avslutades för mer än "
    f"{booking_states.HOST_CONTACT_DAYS} dagar sedan. Samordnaren har den i arkivet."
)


NO_AGREEMENT = "Bokningen har ingen överenskommelse ännu. Den skapas när värden accepterar."


async def _current_agreement(booking_id: int) -> AgreementRow:
    """The booking's current agreement version; a booking without one (a row from before
    agreements, or written outside the services) is refused with a 404, never a crash."""
    agreement = await agreement_versions.current_agreement_row(booking_id)
    if agreement is None:
        raise NotFound(NO_AGREEMENT)
    return agreement


async def _locked_for_signing(booking_id: int) -> tuple[BookingRow, AgreementRow]:
    """Inside a write transaction, once the caller may act on the booking: the booking, locked
    and fresh, and its current agreement; a booking whose state allows no signing is refused."""
    booking = await booking_access.lock_booking(booking_id)
    if not booking_states.can("sign", booking["status"]):
        raise booking_moves.illegal(booking["status"], "sign")
    return booking, await _current_agreement(booking_id)


async def get_agreement_for(user: AuthUser, booking_id: int) -> schemas.Agreement:
    """The current agreement version of a booking the caller may see; the read is audited."""
    async with write_transaction(booking_access.engine()):
        booking, agreement = await _agreement_for(user, booking_id)
        await record(user, "agreement.read", booking["candidate"], detail=f"bokning {booking_id}")
        return await agreement_out(agreement)


async def agreement_versions_for(user: AuthUser, booking_id: int) -> list[schemas.Agreement]:
    """Every version of a booking's agreement, newest first, each with its own signatures:
    the archive copy. One audited read, like the current version's."""
    async with write_transaction(booking_access.engine()):
        booking, _current = await _agreement_for(user, booking_id)
        rows = await agreement_versions.versions_of(booking_id)
        await record(
            user,
            "agreement.read",
            booking["candidate"],
            detail=f"bokning {booking_id}, alla versioner (PDF)",
        )
        return [await agreement_out(row) for row in rows]


# --- changing --------------------------------------------------------------------------------


def period_problems(stored: AgreementPeriod, typed: Mapping[str, object]) -> list[tuple[str, str]]:
    """The date rules a change of the agreement's period breaks (`date_rules`, "agreement"),
    for the dates in `typed` that differ from the `stored` period (an unchanged date is only
    compared with a changed one). The service and the page's form (with its other mistakes)
    ask the same."""
    sent: dict[str, dt.date | None] = {}
    for name in ("start_date", "end_date"):
        day = date_rules.as_day(typed.get(name))
        if day is not None and day != stored[name]:
            sent[name] = day
    context = {"start_date": stored["start_date"], "end_date": stored["end_date"]}
    return date_rules.problems("agreement", sent, context)


NO_SCHEDULE = (
    "Skriv schemat per vecka, till exempel Måndag–torsdag 9–14. Överenskommelsen visar när "
    "deltagaren är på plats."
)


def change_problems(stored: AgreementRow, typed: Mapping[str, object]) -> list[tuple[str, str]]:
    """The rules a change of the agreement breaks: its period's (`period_problems`), a
    weekly schedule that had been written may not be emptied, and the participant's goals,
    which the host reads, say what any text for the host may not (`host_texts`)."""
    found = period_problems(stored, typed)
    goals = typed.get("participant_goals")
    if isinstance(goals, str) and goals != stored["participant_goals"]:
        found += host_text_problems("participant_goals", goals)
    schedule = typed.get("weekly_schedule")
    if isinstance(schedule, str) and not schedule.strip() and stored["weekly_schedule"].strip():
        found.append(("weekly_schedule", NO_SCHEDULE))
    return found


async def period_rules(
    user: AuthUser, booking_id: int
) -> Callable[[Mapping[str, object]], list[tuple[str, str]]]:
    """`change_problems` against the agreement as it stands, for the page's form: a broken
    rule is listed with the form's other errors, not after them. Without an agreement there
    is nothing to check here; the service refuses the change itself."""
    await booking_access.booking_row_for(user, booking_id)
    agreement = await agreement_versions.current_agreement_row(booking_id)
    if agreement is None:
        return lambda _typed: []
    return partial(change_problems, agreement)


async def update_agreement(
    user: AuthUser, booking_id: int, data: schemas.AgreementUpdate
) -> schemas.Agreement:
    """Change the agreement. Before any signature it is edited in place; after one, a new
    version is made and every party signs again (an agreed booking goes back to accepted).
    Either way the version number goes up, so that a signature on the old text is refused.

    A period change locks what accept locks (`lock_placement`), so that capacity and overlap
    checks cannot interleave with an accept or another change."""
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking = await booking_access.lock_placement(booking_id)
        if not booking_states.can("change", booking["status"]):
            raise booking_moves.illegal(booking["status"], "change")
        agreement = await _current_agreement(booking_id)
        values = await _changed_values(agreement, booking, data)
        start = values.get("start_date", agreement["start_date"])
        end = values.get("end_date", agreement["end_date"])
        meetings = data.follow_up_meetings if "follow_up_meetings" in values else []
        if found := [
            *date_rules.meeting_problems([m.date for m in meetings or []], start, end),
            *change_problems(agreement, values),
        ]:
            raise date_rules.DateRulesFailed(found)
        if ("start_date" in values or "end_date" in values) and (start, end) != (
            booking["start_date"],
            booking["end_date"],
        ):
            await _check_new_period(booking, start, end)
        if not values:
            return await agreement_out(agreement)
        agreement_id = await agreement_versions.write_change(user, booking, agreement, values)
        if "start_date" in values or "end_date" in values:
            await Booking.update(
                {
                    Booking.start_date: start,
                    Booking.end_date: end,
                    Booking.updated_at: booking_access.now(),
                }
            ).where(Booking.id == booking_id)
            await bump_slot_change(int(booking["slot"]))
        await record(
            user,
            "agreement.update",
            booking["candidate"],
            detail=f"bokning {booking_id}: {', '.join(sorted(values))}",
        )
        row = await agreement_versions.agreement_row(agreement_id)
        assert row is not None
        return await agreement_out(row)


async def _changed_values(
    agreement: AgreementRow, booking: BookingRow, data: schemas.AgreementUpdate
) -> AgreementChanges:
    values: dict[str, Any] = {}
    stored: dict[str, object] = dict(agreement)
    for field in data.__struct_fields__:
        value = getattr(data, field)
        if value is msgspec.UNSET:
            continue
        if field == "follow_up_meetings":
            text = json.dumps(msgspec.to_builtins(value), ensure_ascii=False)
            if agreement_versions.json_list(text) != agreement_versions.json_list(stored[field]):
                values[field] = text
        elif field == "adaptations_shared":
            candidate = await candidate_row(booking["candidate"])
            assert candidate is not None
            allowed = set(shareable_adaptations(candidate))
            if not set(value) <= allowed:
                raise ValidationFailed(
                    "Bara anpassningar som deltagaren har godkänt att dela får stå i "
                    "överenskommelsen. Ändra delningen i deltagarens uppgifter först.",
                    fields=["adaptations_shared"],
                )
            text = json.dumps(list(value), ensure_ascii=False)
            if agreement_versions.json_list(text) != agreement_versions.json_list(stored[field]):
                values[field] = text
        elif value != stored[field]:
            values[field] = value
    # The fields of `AgreementUpdate` are the agreement's columns that `AgreementChanges` names.
    return cast("AgreementChanges", values)


async def _check_new_period(
    booking: BookingRow, start: dt.date | None, end: dt.date | None
) -> None:
    """A new period must still fit the slot's seats, the supervisor and the participant."""
    slot = await Slot.select(Slot.capacity).where(Slot.id == booking["slot"]).first()
    assert slot is not None
    if (
        await capacity.overlapping(Booking.slot == booking["slot"], start, end, booking["id"])
        >= (slot["capacity"])
    ):
        raise Conflict("Platsen har ingen ledig plats under den nya perioden.")
    if booking["supervisor"] is not None:
        contact = (
            await Contact.select(Contact.supervision_capacity)
            .where(Contact.id == booking["supervisor"])
            .first()
        )
        guided = await capacity.overlapping(
            Booking.supervisor == booking["supervisor"], start, end, booking["id"]
        )
        if contact is not None and guided >= contact["supervision_capacity"]:
            raise Conflict("Handledaren har inte plats för fler deltagare under den nya perioden.")
    if await capacity.overlapping(
        Booking.candidate == booking["candidate"], start, end, booking["id"]
    ):
        raise Conflict("Deltagaren har en annan placering under den nya perioden.")


# --- signing ---------------------------------------------------------------------------------


class StaleVersion(Conflict):
    """The signer was shown another version than the current one: nothing is signed."""

    TEXT = N_(
        "Överenskommelsen har ändrats sedan du läste den och är nu version %(current)s. "
        "Läs den nya texten och godkänn igen om du håller med."
    )

    def __init__(self, current: int) -> None:
        super().__init__(self.TEXT % {"current": current})
        self.current = current

    def in_language(self, _: Translate) -> str:
        """The message in the signer's language (a participant's catalog, or Swedish)."""
        return _(self.TEXT) % {"current": self.current}


def form_version(values: Mapping[str, object]) -> int | None:
    """The agreement version a signing form was rendered with (None if missing or bad)."""
    raw = values.get("version")
    if isinstance(raw, str) and raw.isdigit() and len(raw) <= 7:
        return int(raw)
    return None


# The win-win (DOMAIN.md): a placement serves the participant and the host, and the agreement
# says how, in both of these fields, before anyone signs it or is sent a link to sign it.
# Each message stands alone: the page lists it beside its field, and the API says all at once.
WIN_WIN_MISSING = {
    "participant_goals": "Skriv deltagarens mål innan överenskommelsen skrivs under: vad "
    "deltagaren vill få ut av placeringen.",
    "host_gains": "Skriv vad värden får ut av placeringen innan överenskommelsen skrivs under, "
    "till exempel hjälp med bestämda uppgifter eller en möjlig rekrytering.",
}
# The same, said to the host on its own pages, where the coordinator writes the goals: in
# place of the sign button while the agreement cannot be signed, and in a refusal from a page
# that still showed the button. Neither asks the host to correct a form it cannot correct.
WIN_WIN_MISSING_FOR_HOST = {
    "participant_goals": "Samordnaren skriver deltagarens mål; sedan kan ni skriva under.",
    "host_gains": "Skriv vad ni får ut av placeringen under ”Ändra överenskommelsen”; sedan kan "
    "ni skriva under.",
}
# The same, said on a signing link's page (the supervisor's, a host contact's, the
# participant's, in the participant's language), in place of the "Jag godkänner" button.
WIN_WIN_MISSING_FOR_LINK = {
    "participant_goals": N_(
        "Samordnaren behöver skriva deltagarens mål i överenskommelsen först. Sedan kan du "
        "skriva under."
    ),
    "host_gains": N_(
        "Värden behöver skriva vad den får ut av placeringen i överenskommelsen först. Sedan "
        "kan du skriva under."
    ),
}
# The heading above a refused signature: nothing was signed, and no form needs correcting.
NOT_SIGNED_HEADING = "Inget är underskrivet"


class NotWinWin(Conflict):
    """The agreement does not yet say what the participant and the host each gain: nothing
    is signed and no link is sent. `errors` names every empty field at once."""

    def __init__(self, missing: list[str]) -> None:
        errors = {name: WIN_WIN_MISSING[name] for name in missing}
        super().__init__(said_once(errors), errors=errors)
        self.missing = missing

    def for_host(self) -> dict[str, str]:
        """The messages as the host's page says them (to "ni"): the goals, which the host's
        form does not hold, in the page's summary (`_form`)."""
        return {
            "_form" if name == "participant_goals" else name: WIN_WIN_MISSING_FOR_HOST[name]
            for name in self.missing
        }


def win_win_missing(agreement: Mapping[str, Any]) -> list[str]:
    """The win-win fields the agreement leaves empty (or only blank)."""
    return [name for name in WIN_WIN_MISSING if not str(agreement.get(name) or "").strip()]


def unsignable(agreement: schemas.Agreement) -> list[str]:
    """The win-win fields an agreement as shown still lacks, so that a page offers no sign
    button while `check_win_win` would refuse it, and says instead who writes what (the
    goals as shown: `agreement_out` drops a goal the participant no longer shares)."""
    return win_win_missing(
        {"participant_goals": agreement.participant_goals, "host_gains": agreement.host_gains}
    )


def check_win_win(agreement: AgreementRow) -> None:
    """Refuse signing, or sending links for signing, an agreement whose win-win is empty."""
    if missing := win_win_missing(agreement):
        raise NotWinWin(missing)


def check_version(agreement: AgreementRow, seen_version: int | None) -> None:
    """Refuse a signature unless the signer was shown the current version."""
    if seen_version != agreement["version"]:
        raise StaleVersion(int(agreement["version"]))


async def _sign(
    booking: BookingRow,
    agreement: AgreementRow,
    party: str,
    signer_label: str,
    user_id: int | None,
    actor: AuthUser | None,
    *,
    seen_version: int | None,
    method: str,
    recorded_by: AuthUser | None = None,
) -> None:
    """Put one party's signature on the current version, if that is the version the signer
    was shown (`StaleVersion` otherwise) and it says what both sides gain (`NotWinWin`
    otherwise); the last one makes it agreed."""
    check_version(agreement, seen_version)
    check_win_win(agreement)
    signature = (
        await Signature.select()
        .where((Signature.agreement == agreement["id"]) & (Signature.party == party))
        .first()
    )
    assert signature is not None
    if signature["signed_at"] is not None:
        raise Conflict(f"{PARTY_TEXT[party]} har redan skrivit under den här versionen.")
    await Signature.update(
        {
            Signature.signed_at: booking_access.now(),
            Signature.signer_label: signer_label[:200],
            Signature.user: user_id,
            Signature.link_nonce: "",
            Signature.signed_version: agreement["version"],
            Signature.method: method,
            Signature.recorded_by_id: recorded_by.id if recorded_by else None,
        }
    ).where(Signature.id == signature["id"])
    done = await agreement_versions.fully_signed(booking["id"])
    await Agreement.update({Agreement.status: "signed" if done else "signing"}).where(
        Agreement.id == agreement["id"]
    )
    paper = f", på papper, registrerad av {recorded_by.username}" if recorded_by else ""
    await record(
        actor,
        "agreement.sign.paper" if recorded_by else "agreement.sign",
        booking["candidate"],
        detail=f"bokning {booking['id']}, version {agreement['version']}, "
        f"{PARTY_LABEL[party]}{paper}",
    )
    if done:
        await booking_moves.transition(
            booking,
            "agreed",
            actor,
            label=None
            if actor
            else f"{signer_label} ({'på Mina sidor' if method == 'app' else 'via länk'})",
            note=f"Överenskommelsen version {agreement['version']} är underskriven av alla.",
        )
        await booking_mail.notify(
            [
                *(await booking_mail.coordinator_recipients(booking)),
                *(await booking_mail.host_user_recipients(booking["slot"], booking["id"])),
                *(await booking_mail.supervisor_recipient(booking["supervisor"], booking)),
            ],
            "Överenskommelsen är underskriven av alla",
            f"Hej!\n\nAlla parter har skrivit under överenskommelsen. "
            f"Placeringen startar {booking['start_date']}.",
            kind="booking.agreed",
            booking_id=booking["id"],
            actor=actor,
        )


async def sign_as_participant(
    booking: BookingRow,
    agreement: AgreementRow,
    name: str,
    *,
    seen_version: int | None,
    label: str,
) -> None:
    """Inside the caller's transaction, with the booking locked: the participant signs the
    current version on their own pages (`participants.services`), as the version they saw."""
    await _sign(
        booking,
        agreement,
        "participant",
        name,
        None,
        None,
        seen_version=seen_version,
        method="app",
    )
    await record(
        None,
        "agreement.sign.own_pages",
        booking["candidate"],
        detail=f"bokning {booking['id']}, version {agreement['version']}",
        label=label,
    )


async def sign_in_app(
    user: AuthUser, booking_id: int, *, seen_version: int | None
) -> schemas.Agreement:
    """The coordinator (staff) or the host user signs the current version in the app, if
    `seen_version` is the version they were shown."""
    party = "host" if user.role == "host" else "coordinator"
    async with write_transaction(booking_access.engine()):
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking, agreement = await _locked_for_signing(booking_id)
        await _sign(
            booking,
            agreement,
            party,
            booking_moves.actor_label(user),
            user.id,
            user,
            seen_version=seen_version,
            method="app",
        )
        row = await agreement_versions.agreement_row(agreement["id"])
        assert row is not None
        return await agreement_out(row)


HOST_SIGNER_MISSING = (
    "Skriv namnet på den som skrev under för värden. Underskriften registreras i det namnet."
)


async def record_paper_signature(
    user: AuthUser, booking_id: int, data: schemas.PaperSignature
) -> schemas.Agreement:
    """Staff record that the supervisor, the participant or (for a host without users) the
    host signed the agreement on paper.

    Its own action, never a way to use the party's link: the signature says it was on paper
    and who recorded it, and the audit log names the recorder. For the host, the coordinator
    names who signed (`signer_name`), as a host has several contacts; the supervisor and the
    participant are the booking's."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking, agreement = await _locked_for_signing(booking_id)
        # Only the parties who sign by link sign on paper; staff and host users sign as
        # themselves in the app.
        if data.party not in await link_parties(booking):
            raise ValidationFailed(
                "Värdens användare skriver under i tjänsten. Välj handledaren eller deltagaren.",
                fields=["party"],
            )
        if data.party == "host":
            name = " ".join(data.signer_name.split())
            if not name:
                raise ValidationFailed.every({"signer_name": HOST_SIGNER_MISSING})
        else:
            name, _ = await _party_contact(booking, data.party)
        await _sign(
            booking,
            agreement,
            data.party,
            name or PARTY_TEXT[data.party],
            None,
            user,
            seen_version=data.version,
            method="paper",
            recorded_by=user,
        )
        row = await agreement_versions.agreement_row(agreement["id"])
        assert row is not None
        return await agreement_out(row)


def _serializer(salt: str = _SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt)


def link_max_age() -> int:
    return get_settings().signing_link_days * 86400


async def link_parties(booking: BookingRow) -> tuple[str, ...]:
    """The parties who sign this booking's agreement through a link: the supervisor and the
    participant, and the host too when no one signs in for it."""
    slot = await Slot.select(Slot.host).where(Slot.id == booking["slot"]).first()
    assert slot is not None
    if await answer_links.host_has_users(int(slot["host"])):
        return LINK_PARTIES
    return HOST_LINK_PARTIES


async def _party_contact(booking: BookingRow, party: str) -> tuple[str, str]:
    """(name, email) of the party a link goes to."""
    if party == "host":
        return await answer_links.host_signer(booking)
    if party == "supervisor":
        row = (
            await Contact.select(Contact.name, Contact.email)
            .where(Contact.id == booking["supervisor"])
            .first()
        )
        return (row["name"], row["email"]) if row else ("", "")
    participant = cast(
        "CandidateContact | None",
        await Candidate.select(Candidate.first_name, Candidate.last_name, Candidate.email)
        .where(Candidate.id == booking["candidate"])
        .first(),
    )
    return (display_name(participant), participant["email"]) if participant else ("", "")


async def _participant_reach(booking: BookingRow) -> tuple[str, str]:
    """The participant's number for SMS ("" when SMS is off or the number takes none) and
    the language they chose, from one read of their record."""
    row = (
        await Candidate.select(Candidate.phone, Candidate.language)
        .where(Candidate.id == booking["candidate"])
        .first()
    )
    if row is None:
        return "", known(None)
    return sms_number(row["phone"], get_settings()) or "", known(row["language"])


async def participant_language(candidate_id: int) -> str:
    """The language the participant chose on their pages ("sv" until they choose)."""
    row = await Candidate.select(Candidate.language).where(Candidate.id == candidate_id).first()
    return known(row["language"] if row else None)


async def send_signing_links(user: AuthUser, booking_id: int) -> schemas.SigningLinksSent:
    """Mail new links to the supervisor and the participant (those who have not signed).

    The answer says to whom each link went, never the link: a link belongs to its party
    alone, and whoever holds it can sign as them. A party without an e-mail address gets no
    link; the answer says so, and staff can record a paper signature instead."""
    issued = await issue_signing_links(user, booking_id)
    return schemas.SigningLinksSent(
        sent=[
            schemas.SigningLinkSent(
                party=link.party,
                party_text=PARTY_TEXT[link.party],
                mailed_to=link.mailed_to,
                sent=bool(link.mailed_to),
                expires_at=link.expires_at,
            )
            for link in issued.links
        ]
    )


async def _unsigned_link_signatures(
    booking: BookingRow, agreement_id: int, *, sent_only: bool = False
) -> list[SignatureRow]:
    """The version's signatures still unsigned of the parties who sign through links, in
    the parties' order; with `sent_only`, those whose link went out."""
    parties = await link_parties(booking)
    where = (
        (Signature.agreement == agreement_id)
        & Signature.party.is_in(list(parties))
        & Signature.signed_at.is_null()
    )
    if sent_only:
        where = where & Signature.link_sent_at.is_not_null()
    sigs = cast("list[SignatureRow]", await Signature.select().where(where))
    return sorted(sigs, key=lambda s: parties.index(s["party"]))


async def links_sent(booking_id: int) -> list[schemas.SigningLinkSent]:
    """To whom the current version's links went, for the parties who have not signed it
    yet: the booking page shows it after sending, and on every later visit (the answer to
    the post is a redirect). Read from what is stored, never the link: the link itself went
    only to its party, and only its hash-like nonce is kept. The caller has checked that
    the user may see the booking."""
    agreement = await agreement_versions.current_agreement_row(booking_id)
    booking = await booking_access.booking_row(booking_id)
    if agreement is None or booking is None or agreement["status"] in ("superseded", "signed"):
        return []
    out = []
    for sig in await _unsigned_link_signatures(booking, agreement["id"], sent_only=True):
        _name, email = await _party_contact(booking, sig["party"])
        phone = (await _participant_reach(booking))[0] if sig["party"] == "participant" else ""
        sent_at = cast("dt.datetime", sig["link_sent_at"])
        out.append(
            schemas.SigningLinkSent(
                party=sig["party"],
                party_text=PARTY_TEXT[sig["party"]],
                mailed_to=email or phone,
                sent=bool(email or phone),
                expires_at=sent_at + dt.timedelta(seconds=link_max_age()),
            )
        )
    return out


async def issue_signing_links(user: AuthUser, booking_id: int) -> schemas.SigningLinks:
    """Make new links for the supervisor and the participant (those who have not signed) and
    mail them. A new link replaces any earlier one for the same signature.

    The links themselves are for the demo data and tests only: no route may hand them to
    anyone (routes and pages use `send_signing_links`)."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking, agreement = await _locked_for_signing(booking_id)
        # A link shows the text to sign: none goes out for a text that could not be signed.
        check_win_win(agreement)
        links = [
            await _mail_link(booking, sig)
            for sig in await _unsigned_link_signatures(booking, agreement["id"])
        ]
        await record(user, "agreement.links", booking["candidate"], detail=f"bokning {booking_id}")
        return schemas.SigningLinks(links=links)


# How long a signing link holds, in the reader's language (SIGNING_LINK_DAYS, 1-90).
LINK_DAYS = N_plural("%(days)s dag", "%(days)s dagar")


async def _mail_link(booking: BookingRow, sig: SignatureRow) -> schemas.SigningLink:
    """A new single-use link for one unsigned signature (replacing any earlier one), mailed
    to its party, and to the participant by SMS too where they have a mobile number."""
    nonce = secrets.token_urlsafe(24)
    await Signature.update(
        {Signature.link_nonce: nonce, Signature.link_sent_at: booking_access.now()}
    ).where(Signature.id == sig["id"])
    token = _serializer().dumps({"s": sig["id"], "n": nonce})
    url = booking_mail.service_link(f"/underteckna/{token}")
    party = sig["party"]
    name, email = await _party_contact(booking, party)
    days = get_settings().signing_link_days  # 1-90: "1 dag", Arabic "يومين" for two
    # The participant reads their link in the language they chose; the host's side reads
    # Swedish.
    phone, lang = await _participant_reach(booking) if party == "participant" else ("", "sv")
    _ = gettext_for(lang)
    period = ngettext_for(lang)(*LINK_DAYS, days) % {"days": days}
    if phone:
        # Many participants have no e-mail: the link goes by SMS too, naming no one.
        await queue_sms(
            phone,
            _(
                "Läs och skriv under överenskommelsen om din praktik. Länken gäller i "
                "%(period)s och kan användas en gång: %(url)s"
            )
            % {"period": period, "url": url},
            kind="agreement.link",
            candidate_id=booking["candidate"],
        )
    if email:
        await booking_mail.notify(
            [booking_mail.Recipient(email)],
            _("Skriv under överenskommelsen om praktik"),
            _(
                "Hej %(name)s!\n\nLäs överenskommelsen om praktik och godkänn den här "
                "(länken gäller i %(period)s och kan användas en gång). Du skriver "
                "under som %(party)s:\n%(url)s"
            )
            % {"name": name, "period": period, "party": _(PARTY_LABEL[party]), "url": url},
            kind="agreement.link",
            booking_id=int(booking["id"]),
            translate=_,
        )
    expires = booking_access.now() + dt.timedelta(seconds=link_max_age())
    return schemas.SigningLink(party=party, url=url, mailed_to=email or phone, expires_at=expires)


async def send_supervisor_link(actor: AuthUser, booking_id: int) -> None:
    """After the supervisor changed on an agreement whose links had gone out: the new
    supervisor's own link, so that the agreement does not wait for someone to send it (the
    caller has checked that the actor may act for the host)."""
    async with write_transaction(booking_access.engine()):
        booking, agreement = await _locked_for_signing(booking_id)
        sigs = cast(
            "list[SignatureRow]",
            await Signature.select().where(
                (Signature.agreement == agreement["id"])
                & (Signature.party == "supervisor")
                & Signature.signed_at.is_null()
            ),
        )
        for sig in sigs:
            await _mail_link(booking, sig)
        if sigs:
            await record(
                actor, "agreement.links", booking["candidate"], detail=f"bokning {booking_id}"
            )


LINK_USED = N_(
    "Länken har redan använts eller har ersatts av en nyare länk. Den kan bara användas en gång."
)
# A link whose party has signed (through it, on Mina sidor or on paper): when, not "used or
# replaced", which read as if the signature was lost. The date is the party's signature's.
LINK_SIGNED = N_(
    "Du har redan skrivit under överenskommelsen (%(date)s). Din underskrift är registrerad."
)
LINK_OUTDATED = N_(
    "Överenskommelsen har ändrats eller avbrutits sedan länken skickades. Du får en ny länk om "
    "den ska skrivas under."
)


async def _refusal_language(signature: SignatureRow | None) -> str:
    """The language a refused link's page speaks: the participant's when the link is known to
    be theirs, else Swedish ("")."""
    if signature is None or signature["party"] != "participant":
        return ""
    agreement = await agreement_versions.agreement_row(signature["agreement"])
    booking = await booking_access.booking_row(agreement["booking"]) if agreement else None
    return await participant_language(booking["candidate"]) if booking else ""


async def _signature_of(payload: Mapping[str, Any]) -> SignatureRow | None:
    if not isinstance(payload.get("s"), int):
        return None
    return cast(
        "SignatureRow | None", await Signature.select().where(Signature.id == payload["s"]).first()
    )


async def _expired_link_language(token: str) -> str:
    """An expired link's party is still known when the link is ours (its signature checks
    out, only its age is refused): the participant's language for theirs."""
    valid, payload = _serializer().loads_unsafe(token)
    if not valid or not isinstance(payload, dict):
        return ""
    return await _refusal_language(await _signature_of(payload))


async def _refuse_signed(signature: SignatureRow) -> NoReturn:
    """The refusal of a link whose party has signed: the page says when, and whom to ask
    (`used.html`); a version changed or cancelled since still says so (`LINK_OUTDATED`), as
    the signature no longer stands for the agreement."""
    language = await _refusal_language(signature)
    agreement = await agreement_versions.agreement_row(signature["agreement"])
    booking = await booking_access.booking_row(agreement["booking"]) if agreement else None
    if agreement is None or booking is None or agreement["status"] in ("superseded", "cancelled"):
        raise LinkRefused(LINK_OUTDATED, status_code=410, language=language)
    signed_at = cast("dt.datetime", signature["signed_at"])
    raise LinkRefused(
        LINK_SIGNED,
        status_code=410,
        language=language,
        used="signature",
        params={"date": clock.local_date(signed_at).isoformat()},
        coordinator=await booking_access.coordinator_contact(booking["coordinator"]),
    )


async def _load_link(token: str) -> tuple[SignatureRow, AgreementRow, BookingRow]:
    """(signature, agreement, booking) behind a link, or `LinkRefused` with a clear reason,
    in the participant's language when the link is theirs."""
    try:
        payload = link_payload(_serializer(), token, link_max_age())
    except LinkRefused as exc:
        if exc.message == LINK_EXPIRED:
            exc.language = await _expired_link_language(token)
        raise
    if not isinstance(payload.get("s"), int):
        raise LinkRefused(LINK_INVALID, status_code=400)
    signature = await _signature_of(payload)
    if signature is not None and signature["signed_at"] is not None:
        await _refuse_signed(signature)
    nonce = str(payload.get("n", ""))
    if signature is None or not nonce or signature["link_nonce"] != nonce:
        raise LinkRefused(LINK_USED, status_code=410, language=await _refusal_language(signature))
    agreement = await agreement_versions.agreement_row(signature["agreement"])
    assert agreement is not None
    booking = await booking_access.booking_row(agreement["booking"])
    assert booking is not None
    if agreement["status"] in ("superseded", "cancelled") or booking["status"] != "accepted":
        raise LinkRefused(
            LINK_OUTDATED, status_code=410, language=await _refusal_language(signature)
        )
    return signature, agreement, booking


async def agreement_for_link(token: str) -> tuple[str, schemas.Agreement, str]:
    """The party, the agreement a valid link shows and the language to show it in (the
    participant's stored choice for the participant, "sv" for the host's side);
    `LinkRefused` otherwise."""
    signature, agreement, booking = await _load_link(token)
    party = signature["party"]
    async with write_transaction(booking_access.engine()):
        await record(
            None,
            "agreement.read",
            booking["candidate"],
            detail=f"bokning {booking['id']} via länk ({PARTY_LABEL[party]})",
        )
        lang = await participant_language(booking["candidate"]) if party == "participant" else ""
        return party, await agreement_out(agreement), known(lang)


async def sign_by_link(token: str, *, seen_version: int | None) -> schemas.Agreement:
    """Sign through a link: valid, unexpired and unused, else `LinkRefused` and no change;
    `StaleVersion` (and no change) unless `seen_version` is the current version."""
    async with write_transaction(booking_access.engine()):
        signature, agreement, booking = await _load_link(token)
        booking = await booking_access.lock_booking(int(booking["id"]))
        # Re-read under the lock: a concurrent use of the same link must find the nonce gone.
        signature, agreement, booking = await _load_link(token)
        name, _ = await _party_contact(booking, signature["party"])
        await _sign(
            booking,
            agreement,
            signature["party"],
            name,
            None,
            None,
            seen_version=seen_version,
            method="link",
        )
        row = await agreement_versions.agreement_row(agreement["id"])
        assert row is not None
        return await agreement_out(row)
