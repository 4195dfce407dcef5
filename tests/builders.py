"""The one place tests make rows: users, host organisations and their yearly targets,
contacts and supervisors, host members, partner agencies' contacts, slots, participants and
their plan activities, health notes and lock-in flags, bookings and their events, agreements,
signatures, attendance and assessments, outcomes, follow-ups and queued mail.

Each builder takes sensible defaults and keyword overrides and returns the new row's id (a
user comes back as the `AuthUser` the services take). Users, and participants made with
`make_candidate`, go through the services, as a coordinator would create them; everything
else is written to its table, since the tests that need it exercise what comes after (and a
row written here may be history the services would refuse to walk into, such as a booking in
a past period: `make_candidate_row` and `make_booking`).
`tests/placements/bookingdata.py` walks a booking through its life on top of these.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from typing import Any

from employers.tables import Contact, Host, HostMembership, UnitTarget
from marketplace.kernel import auth, clock
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.tables import OutboxMessage, User
from placements.schemas import candidates as sc
from placements.services import candidates
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
    PartnerContact,
    PlanActivity,
    Signature,
    Slot,
)
from tests.conftest import DEMO_PASSWORD

_numbers = itertools.count(1)


def next_number() -> int:
    """A number no other row of this test run has had, for unique names and addresses."""
    return next(_numbers)


async def make_user(role: str, *, username: str | None = None, team: str = "") -> AuthUser:
    """A user with `role` (`coordinator`, `host`, `admin`, …), signed in as the services see
    them. (The `make_user` fixture in `tests/conftest.py` returns the table row instead.)"""
    name = username or f"{role}{next_number()}"
    user = await auth.create_user(
        name,
        DEMO_PASSWORD,
        role,
        email=f"{name}@test.example.se",
        first_name=name.capitalize(),
        last_name="Testsson",
        team=team,
    )
    return auth.to_auth_user(user.to_dict(), "token", None)


async def make_user_row(
    username: str, role: str, password_hash: str, *, email: str = "", active: bool = True
) -> int:
    """A user written straight to the table with a password hash made once beforehand, for
    tests that need many users and cannot spend an argon2 hash on each."""
    user = User(username=username, password=password_hash, email=email, role=role, active=active)
    await user.save()
    return int(user.id)


async def make_host(
    name: str = "Hemtjänst Norra",
    kind: str = "municipal_unit",
    *,
    org_number: str = "",
    town: str = "Vårgårda",
    active: bool = True,
    digest: bool = False,
) -> int:
    """A host organisation; `digest` means it chose the daily digest mail."""
    host = Host(
        name=name,
        kind=kind,
        org_number=org_number,
        town=town,
        active=active,
        digest_mail=digest,
    )
    await host.save()
    return int(host.id)


async def make_contact(
    host_id: int,
    name: str = "Hanna",
    *,
    email: str = "",
    phone: str = "",
    public: bool = False,
    supervisor: bool = True,
    capacity: int = 1,
    active: bool = True,
) -> int:
    """A contact person of a host; by default an active supervisor (handledare) of one
    participant."""
    contact = Contact(
        host=host_id,
        name=name,
        email=email,
        phone=phone,
        is_public_contact=public,
        is_supervisor=supervisor,
        supervision_capacity=capacity,
        active=active,
    )
    await contact.save()
    return int(contact.id)


async def make_supervisor(host_id: int, capacity: int = 1, name: str = "Hanna Handledare") -> int:
    """A supervisor with an address of their own, guiding `capacity` participants at a time."""
    return await make_contact(
        host_id, name, email=f"handledare{next_number()}@vard.example.se", capacity=capacity
    )


async def add_member(user_id: int, host_id: int) -> None:
    """Make the user a member of the host organisation (what a host user acts for)."""
    await HostMembership(user=user_id, host=host_id).save()


async def make_unit_target(host_id: int, year: int, target: int, **extra: Any) -> int:
    """A municipal unit's target of placements for a year (`set_at` is now unless given)."""
    row = UnitTarget(host=host_id, year=year, target=target, **extra)
    await row.save()
    return int(row.id)


async def make_partner_contact(user_id: int, agency_id: int) -> int:
    """Make the user (role `partner`) a contact of the partner agency."""
    row = PartnerContact(user=user_id, agency=agency_id)
    await row.save()
    return int(row.id)


async def make_host_user(host_id: int, username: str | None = None) -> AuthUser:
    """A host user who is a member of the host organisation."""
    user = await make_user("host", username=username)
    await add_member(user.id, host_id)
    return user


async def make_slot(
    host_id: int,
    supervisor_id: int | None = None,
    *,
    capacity: int = 1,
    title: str = "Lagerarbetare",
    status: str = "published",
    start: dt.date | None = None,
    end: dt.date | None = None,
    hours: int | None = 30,
    description: str = "Plocka och packa varor.",
    kind: str = "praktik",
    town: str = "Vårgårda",
    external_id: str | None = None,
    **extra: Any,
) -> int:
    """A slot of the host, published by default; `extra` sets any other column."""
    slot = Slot(
        host=host_id,
        external_id=external_id or f"test-{next_number()}",
        kind=kind,
        title=title,
        town=town,
        capacity=capacity,
        supervisor=supervisor_id,
        status=status,
        start_date=start,
        end_date=end,
        hours_per_week=hours,
        description=description,
        **extra,
    )
    await slot.save()
    return int(slot.id)


def _address_part(name: str) -> str:
    """A name as the part of an address before the @ can hold it: "Åsa" → "asa", "Seán" →
    "sean" (å, ä, ö and accents there are refused), letters outside a–z left out."""
    folded = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c in ".-_"))


async def make_candidate(
    coordinator: AuthUser, first_name: str = "Aida", *, personnummer: str = "", **extra: Any
) -> int:
    """A participant registered by the coordinator through the candidates service, with
    the consent given in writing the same day unless `extra` says otherwise (a proposal needs
    it)."""
    consent: dict[str, Any] = {"consent_date": clock.today(), "consent_method": "skriftligt"}
    data = sc.CandidateCreate(
        first_name=first_name,
        last_name="Andersson",
        personnummer=personnummer,
        email=f"{_address_part(first_name)}{next_number()}@deltagare.example.se",
        phone="070-123 45 67",
        plan_goal="Arbete inom lager och logistik",
        **{**consent, **extra},
    )
    return (await candidates.create_candidate(coordinator, data)).id


async def make_candidate_row(
    coordinator_id: int | None,
    first_name: str = "Aida",
    *,
    last_name: str = "Andersson",
    email: str | None = None,
    **extra: Any,
) -> int:
    """A participant written straight to the table, for history the service would refuse (a
    registration date in the past, no coordinator, no plan); the address is made from the
    first name unless given, and `extra` sets any other column (`registered_at` is 10 January
    2025 unless given)."""
    columns: dict[str, Any] = {
        "registered_at": dt.date(2025, 1, 10),
        "consent_date": dt.date(2025, 1, 10),
        "consent_method": "skriftligt",
        **extra,
    }
    candidate = Candidate(
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}@deltagare.example.se" if email is None else email,
        coordinator=coordinator_id,
        **columns,
    )
    await candidate.save()
    return int(candidate.id)


async def make_plan_activity(candidate_id: int, title: str, **extra: Any) -> int:
    """An activity in a participant's plan (`planned_start`, `follow_up`, …)."""
    activity = PlanActivity(candidate=candidate_id, title=title, **extra)
    await activity.save()
    return int(activity.id)


async def make_health_note(candidate_id: int, author_id: int, text: str) -> int:
    """A health note about a participant, written by a staff member."""
    note = HealthNote(candidate=candidate_id, author=author_id, text=text)
    await note.save()
    return int(note.id)


async def make_lock_in_flag(candidate_id: int, kind: str, reason: str, **extra: Any) -> int:
    """A lock-in flag on a participant (`long_placement`, `repeated_placements`), open unless
    `resolved_at` is given."""
    flag = LockInFlag(candidate=candidate_id, kind=kind, reason=reason, **extra)
    await flag.save()
    return int(flag.id)


async def make_booking(
    slot_id: int, candidate_id: int, coordinator_id: int | None, **extra: Any
) -> int:
    """A booking written straight to the table, in any status and period (`extra`); to walk
    one through the services, use `tests.placements.bookingdata.propose`. Its weekly hours are
    the slot's unless given, as accepting sets them."""
    if "hours_per_week" not in extra:
        slot = await Slot.select(Slot.hours_per_week).where(Slot.id == slot_id).first()
        extra["hours_per_week"] = slot["hours_per_week"] if slot else None
    booking = Booking(slot=slot_id, candidate=candidate_id, coordinator=coordinator_id, **extra)
    await booking.save()
    return int(booking.id)


async def make_booking_event(
    booking_id: int, from_status: str, to_status: str, **extra: Any
) -> int:
    """A step in a booking's timeline (`at` is now unless given; `actor_label`, `note`, …)."""
    event = BookingEvent(booking=booking_id, from_status=from_status, to_status=to_status, **extra)
    await event.save()
    return int(event.id)


async def timeline_notes(booking_id: int) -> list[str]:
    """The notes of a booking's timeline ("Händelser"), oldest first."""
    rows = await BookingEvent.select(BookingEvent.note).where(BookingEvent.booking == booking_id)
    return [r["note"] for r in rows]


async def make_agreement(
    booking_id: int, status: str = "draft", *, version: int = 1, **extra: Any
) -> int:
    """A version of a booking's agreement, a draft by default; `extra` sets its period,
    parties and texts."""
    agreement = Agreement(booking=booking_id, status=status, version=version, **extra)
    await agreement.save()
    return int(agreement.id)


async def make_signature(agreement_id: int, party: str, **extra: Any) -> int:
    """A party's signature line of an agreement, unsigned unless `signed_at` is given."""
    signature = Signature(agreement=agreement_id, party=party, **extra)
    await signature.save()
    return int(signature.id)


async def make_attendance_week(booking_id: int, week_start: dt.date, **extra: Any) -> int:
    """A reported week of a placement (`days_present`, `days_sick`, `days_unexcused`)."""
    week = AttendanceWeek(booking=booking_id, week_start=week_start, **extra)
    await week.save()
    return int(week.id)


async def make_assessment(booking_id: int, **extra: Any) -> int:
    """The supervisor's assessment of a placement (`attendance`, `submitted_at`, …)."""
    assessment = Assessment(booking=booking_id, **extra)
    await assessment.save()
    return int(assessment.id)


async def make_outcome(
    candidate_id: int,
    category: str,
    outcome_date: dt.date,
    *,
    booking_id: int | None = None,
    **extra: Any,
) -> int:
    """A participant's outcome (`arbete`, `studier`, …) on a day, after a booking or not;
    `extra` sets any other column."""
    outcome = Outcome(
        candidate=candidate_id,
        booking=booking_id,
        category=category,
        outcome_date=outcome_date,
        **extra,
    )
    await outcome.save()
    return int(outcome.id)


async def make_follow_up(
    candidate_id: int, outcome_id: int, days: int, due_date: dt.date, **extra: Any
) -> int:
    """A follow-up `days` after an outcome, due on `due_date` (`status`, `result_category`)."""
    row = FollowUp(
        candidate=candidate_id, outcome=outcome_id, days=days, due_date=due_date, **extra
    )
    await row.save()
    return int(row.id)


async def make_outbox_message(
    recipient: str, subject: str = "Hej", body_text: str = "Hej", **extra: Any
) -> int:
    """A message in the outbox, pending unless `extra` says otherwise (`channel="sms"`,
    `kind`, `meta`, `created_at`, …)."""
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=body_text, **extra)
    await message.save()
    return int(message.id)
