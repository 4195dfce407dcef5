"""The rows the booking core selects and passes between its services, as `TypedDict`s.

Piccolo hands every row back as `dict[str, Any]`; a service says which shape it got where it
selects (`typing.cast`, the one place the shape is asserted) and every function after that
takes and returns the shape, so that mypy knows each key and its type. A `TypedDict` is still
the dict the query returned: `row["x"]` keeps working in views and templates.

A `...Row` is every column of its table (`Table.select()` with no columns), and for a few
the values a join adds (`FollowUpRow`, `PlacementMonthRow`); `tests/placements/test_rows.py`
checks them against the tables. The smaller
shapes are what a function needs of a row, so that a full row and a narrower select both
fit: `CandidateName` takes a `CandidateRow` as well as a select of the two names. Foreign
keys are ids; JSON columns are their text, as both engines hand it back (`json_list` reads
it); a code the schemas only let in as one of a few (`placements.vocabulary`, the intake's
`Channel` and `State`) is typed so. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypedDict

from placements.schemas.intake import Channel, MeetingStatus
from placements.schemas.intake import State as ApplicationState
from placements.vocabulary import CaseStatus, ParticipantConsentMethod, Track

# --- bookings --------------------------------------------------------------------------------


class BookingDates(TypedDict):
    """When a booking was planned to start and when it really started."""

    start_date: dt.date | None
    started_at: dt.datetime | None


class BookingEnd(TypedDict):
    """Where a booking stands and when it ended, or is planned to end."""

    status: str
    end_date: dt.date | None
    ended_at: dt.datetime | None


class PlacementHoursRow(BookingDates, BookingEnd):
    """What a placement's hours are counted from (`ledger.HOURS_COLUMNS`): the booking's
    dates and the weekly hours agreed when the host accepted."""

    hours_per_week: int | None


class LedgerPlacementRow(PlacementHoursRow):
    """A placement on a host's ledger (`ledger.host_ledger_for`): its id and hours columns."""

    id: int


class BookingRow(BookingDates):
    """A booking (`pl_booking`), every column."""

    id: int
    slot: int
    candidate: int
    coordinator: int | None
    supervisor: int | None
    status: str
    message: str
    decline_reason: str
    end_date: dt.date | None
    hours_per_week: int | None
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None
    updated_at: dt.datetime


class BookingHead(TypedDict):
    """What the row locks check before locking: the rows a placement depends on."""

    slot: int
    candidate: int
    supervisor: int | None


class PlacementMonthRow(BookingRow):
    """A booking with its slot's title and its host's name (the monthly attendance
    statement)."""

    slot_title: str
    host_name: str


class BookingEventRow(TypedDict):
    """One step of a booking's timeline (`pl_booking_event`)."""

    id: int
    booking: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    from_status: str
    to_status: str
    note: str


class HeldSeat(TypedDict):
    """A seat-holding booking as the capacity checks count it."""

    id: int
    slot: int
    supervisor: int | None
    start_date: dt.date | None
    end_date: dt.date | None


class PlacementWords(TypedDict):
    """What a mail names a placement by (`booking_mail.placement_words`)."""

    candidate: int | None
    title: str
    host: str
    period: str
    first_name: str


class AnswerLinkRow(TypedDict):
    """A single-use link for a host without users to answer a proposal (`pl_answer_link`)."""

    id: int
    booking: int
    contact: int | None
    name: str
    email: str
    token_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    replaced_at: dt.datetime | None
    answer: str


class UserAddress(TypedDict):
    """A user a mail goes to: the id and the address."""

    id: int
    email: str


class UserGreeting(UserAddress):
    """A user a reminder goes to, with the first name it greets."""

    first_name: str | None


class HostUserAddress(TypedDict):
    """A host's user a reminder goes to (`emp_membership`, the user's id and address read
    through it under an alias)."""

    host: int
    user_id: int
    email: str


# --- slots, as the booking core reads them ---------------------------------------------------


class SlotHosting(TypedDict):
    """Who hosts a slot and who supervises on it."""

    host: int
    supervisor: int | None


class SlotRoom(SlotHosting):
    """What the room checks read of a slot: its seats and its last day."""

    id: int
    capacity: int
    end_date: dt.date | None


class SlotRow(SlotRoom):
    """A slot (`pl_slot`), every column."""

    source: str
    external_id: str
    kind: str
    title: str
    occupation_id: str | None
    description: str
    skills: str
    town: str
    latitude: float | None
    longitude: float | None
    hours_per_week: int | None
    tracks: str
    adaptations: str
    driving_licence: bool
    start_date: dt.date | None
    setting: str
    status: str
    paused_with_host: bool
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    change_seq: int


class HostedSlotRow(SlotRow):
    """A slot with what its pages show of its host (`slots._slot_rows`)."""

    host_name: str
    host_kind: str
    host_town: str
    host_active: bool


class ContactCard(TypedDict):
    """What a reminder reads of a contact: how to reach them and at which host."""

    id: int
    name: str
    email: str
    phone: str
    host: int


class NamedHostSlotRow(SlotRow):
    """A slot with its host's name (a participant's proposals)."""

    host_name: str


class StoredSlot(SlotHosting):
    """What an import reads of a stored slot to decide whether a row changes it
    (`placements.exchange.upsert`)."""

    id: int
    external_id: str
    paused_with_host: bool
    published_at: dt.datetime | None
    kind: str
    title: str
    occupation_id: str | None
    description: str
    skills: str
    town: str
    latitude: float | None
    longitude: float | None
    capacity: int
    hours_per_week: int | None
    tracks: str
    adaptations: str
    driving_licence: bool
    start_date: dt.date | None
    end_date: dt.date | None
    setting: str
    status: str


class HostMatch(TypedDict):
    """What an import matches a row's host by (`emp_host`): org number, name and town."""

    id: int
    name: str
    kind: str
    org_number: str
    town: str
    active: bool


# A slot's fields as column values (`SlotCreate` or the fields a `SlotUpdate` sent, named as
# the columns): which are there depends on what was sent.
SlotValues = dict[str, Any]


# --- candidates ------------------------------------------------------------------------------


class CandidateName(TypedDict):
    first_name: str
    last_name: str


class CandidateAdaptations(TypedDict):
    """The adaptations (JSON text: `[{"text": …, "shareable": bool}]`)."""

    adaptations: str


class CandidateGoal(TypedDict):
    """The plan goal and whether the participant agreed to share it with a host."""

    plan_goal: str
    plan_goal_shareable: bool


class CandidateContact(CandidateName):
    email: str


class AgreementCandidate(CandidateName, CandidateAdaptations, CandidateGoal):
    """What an agreement shows of its participant."""


class CandidateRow(CandidateContact, CandidateAdaptations, CandidateGoal):
    """A candidate (`pl_candidate`), every column."""

    id: int
    personnummer: str
    phone: str
    address: str
    track: Track
    wished_occupations: str
    skills: str
    languages: str
    interests: str
    experience: str
    driving_licence: bool
    hours_available: int | None
    home_town: str
    latitude: float | None
    longitude: float | None
    max_commute_km: int | None
    consent_date: dt.date | None
    consent_method: ParticipantConsentMethod | Literal[""]
    language: str
    status: CaseStatus
    coordinator: int | None
    registered_at: dt.date
    exited_at: dt.date | None
    anonymised_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class HealthNoteRow(TypedDict):
    """A health note (`pl_health_note`), every column."""

    id: int
    candidate: int
    author: int | None
    text: str
    created_at: dt.datetime


class PlanActivityRow(TypedDict):
    """An activity of the arbetsmarknadsplan (`pl_plan_activity`), every column."""

    id: int
    candidate: int
    title: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    follow_up: str
    created_at: dt.datetime


# --- agreements ------------------------------------------------------------------------------


class AgreementChanges(TypedDict, total=False):
    """The columns a change of an agreement writes (the fields of `AgreementUpdate`): only
    those that changed are there, the JSON columns as the text to store."""

    start_date: dt.date
    end_date: dt.date
    weekly_schedule: str
    tasks: str
    participant_goals: str
    host_gains: str
    follow_up_meetings: str
    adaptations_shared: str
    # The supervisor named in it (`supervisors.change_supervisor`, not `AgreementUpdate`).
    supervisor: int


class AgreementRow(TypedDict):
    """A version of a win-win agreement (`pl_agreement`), every column."""

    id: int
    booking: int
    version: int
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    weekly_schedule: str
    tasks: str
    participant_goals: str
    host_gains: str
    supervisor: int | None
    coordinator: int | None
    follow_up_meetings: str
    adaptations_shared: str
    insurance_text: str
    created_at: dt.datetime


class AgreementHead(TypedDict):
    """What the signature reminders read of an agreement's newest version."""

    id: int
    booking: int
    version: int
    created_at: dt.datetime
    coordinator: int | None


class AgreementPeriod(TypedDict):
    """The period an agreement plans (the monthly statement prefers it to the booking's)."""

    start_date: dt.date | None
    end_date: dt.date | None


class SignatureRow(TypedDict):
    """One party's signature on one agreement version (`pl_signature`), every column."""

    id: int
    agreement: int
    party: str
    signed_at: dt.datetime | None
    signer_label: str
    user: int | None
    link_nonce: str
    link_sent_at: dt.datetime | None
    signed_version: int | None
    method: str
    recorded_by_id: int | None


# --- outcomes, assessments and follow-ups ----------------------------------------------------


class SharedAssessment(TypedDict):
    """What the participant's own pages show of the supervisor's assessment."""

    attendance: str
    tasks_mastered: str
    strengths: str
    recommendation: str
    comment: str


class AssessmentRow(SharedAssessment):
    """The supervisor's end-of-placement assessment (`pl_assessment`), every column."""

    id: int
    booking: int
    participant_view: str
    submitted_at: dt.datetime | None
    submitted_by: str


class OutcomeRow(TypedDict):
    """Where a participant went after a placement (`pl_outcome`), every column."""

    id: int
    candidate: int
    booking: int | None
    category: str
    subsidised: bool
    hired_by_host: bool
    outcome_date: dt.date
    note: str
    recorded_by: int | None
    recorded_at: dt.datetime


class FollowUpRow(TypedDict):
    """A follow-up of an outcome (`pl_follow_up`), every column, and the participant's
    names."""

    id: int
    candidate: int
    outcome: int
    days: int
    due_date: dt.date
    status: str
    result_category: str
    note: str
    done_at: dt.datetime | None
    done_by: str
    reminded_at: dt.datetime | None
    first_name: str
    last_name: str


# --- lock-in flags --------------------------------------------------------------------------


class LockInFlagRow(TypedDict):
    """A lock-in flag on a candidate (`pl_lock_in_flag`), every column."""

    id: int
    candidate: int
    kind: str
    reason: str
    flagged_at: dt.datetime
    resolved_at: dt.datetime | None


class NamedLockInFlagRow(LockInFlagRow, CandidateName):
    """A lock-in flag with its candidate's names (the coordinators' list)."""


# --- attendance ------------------------------------------------------------------------------


class WeekCounts(TypedDict):
    """A reported week's days, by kind."""

    days_present: int
    days_sick: int
    days_leave: int
    days_unexcused: int
    days_other: int


class AttendanceWeekRow(WeekCounts):
    """One reported week of a placement (`pl_attendance_week`), every column."""

    id: int
    booking: int
    week_start: dt.date
    note: str
    source: str
    reported_by: str
    reported_at: dt.datetime


# --- intake ----------------------------------------------------------------------------------


class ApplicationClock(TypedDict):
    """What the intake clock reads of an application: when it came and where it stands."""

    received_at: dt.datetime
    state: ApplicationState


class ApplicationRow(ApplicationClock):
    """An application for support (`pl_application`), every column."""

    id: int
    channel: Channel
    first_name: str
    last_name: str
    personnummer: str
    phone: str
    email: str
    message: str
    language: str
    external_id: str
    registered_by: int | None
    coordinator: int | None
    candidate: int | None
    plan_started_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    updated_at: dt.datetime


class QueueRow(ApplicationClock):
    """An application as the coordinator's queue lists it."""

    id: int
    first_name: str
    last_name: str
    channel: Channel
    language: str


class PlanningMeetingRow(TypedDict):
    """A planning meeting booked for an application (`pl_planning_meeting`), every column."""

    id: int
    application: int
    uid: str
    sequence: int
    starts_at: dt.datetime
    minutes: int
    place: str
    video_link: str
    status: MeetingStatus
    booked_by: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


# --- partner agencies ------------------------------------------------------------------------
# A column read through a foreign key keeps Piccolo's dotted name ("agency.name"), so these are
# written in the functional form.


class AgencyRef(TypedDict):
    """A partner agency: its id and name."""

    id: int
    name: str


class AgreementValidity(TypedDict):
    """When a local agreement holds: from its first day, to its last (open-ended if none)."""

    valid_from: dt.date
    valid_to: dt.date | None


LocalAgreementRow = TypedDict(
    "LocalAgreementRow",
    {
        "id": int,
        "agency": int,
        "agency.name": str,
        "name": str,
        "reference": str,
        "valid_from": dt.date,
        "valid_to": dt.date | None,
    },
)
"""A local agreement with an agency (`pl_local_agreement`) and the agency's name."""

ConsentRow = TypedDict(
    "ConsentRow",
    {
        "id": int,
        "candidate": int,
        "agreement": int,
        "agreement.name": str,
        "agreement.reference": str,
        "agreement.valid_from": dt.date,
        "agreement.valid_to": dt.date | None,
        "agreement.agency": int,
        "agreement.agency.name": str,
        "given_on": dt.date,
        "method": str,
        "shares_outcome": bool,
        "shares_attendance": bool,
        "withdrawn_on": dt.date | None,
        "replaced_by": int | None,
    },
)
"""A participant's consent to share with an agency (`pl_partner_consent`), with its agreement."""

SharedConsentRow = TypedDict(
    "SharedConsentRow",
    {
        "id": int,
        "candidate": int,
        "candidate.first_name": str,
        "candidate.last_name": str,
        "candidate.personnummer": str,
        "given_on": dt.date,
        "shares_outcome": bool,
        "shares_attendance": bool,
        "agreement.name": str,
        "agreement.reference": str,
        "agreement.agency.name": str,
    },
)
"""An active consent as a partner contact's list reads it: whose, since when, what it covers."""


class OpenConsentRow(TypedDict):
    """A consent in force (`pl_partner_consent`, not withdrawn): what a new one is compared
    with, and what a withdrawal ends."""

    id: int
    agreement: int
    given_on: dt.date
    method: str
    shares_outcome: bool
    shares_attendance: bool
