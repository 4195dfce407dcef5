"""Slots, candidates, bookings, agreements, assessments, outcomes, follow-ups and lock-in."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from employers import vocabulary as employer_vocabulary
from employers.tables import Contact, Host
from marketplace.kernel.tables import User
from placements import vocabulary

SLOT_KINDS = vocabulary.SLOT_KINDS
SLOT_STATUSES = vocabulary.SLOT_STATUSES
SETTINGS = employer_vocabulary.SETTINGS
TRACKS = vocabulary.TRACKS


class ChangeCounter(Table, tablename="pl_change_counter"):
    """A named, monotonically increasing counter: the search index's change marker.

    Every write that changes what search shows (slot fields, status, open seats) takes the
    next value in the same transaction and stamps it on the slot, so every worker can fetch
    exactly the slots changed since the value it last saw.
    """

    id: Serial
    name = Varchar(length=40, unique=True)
    value = BigInt(default=0)


class Slot(Table, tablename="pl_slot"):
    """A praktik or arbetsträning place at a host, in the slot exchange format plus more."""

    id: Serial
    host = ForeignKey(Host, null=False, on_delete=OnDelete.cascade, index=True)
    source = Varchar(length=60, default="manual", index=True)
    external_id = Varchar(length=200, index=True)
    kind = Varchar(length=20)
    title = Varchar(length=200)
    occupation_id = Varchar(length=20, null=True, default=None, index=True)
    description = Text(default="")
    skills = JSON(default="[]")
    town = Varchar(length=100, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    capacity = Integer(default=1)
    hours_per_week = Integer(null=True, default=None)
    tracks = JSON(default="[]")
    adaptations = JSON(default="[]")
    supervisor = ForeignKey(Contact, null=True, on_delete=OnDelete.set_null)
    driving_licence = Boolean(default=False)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    setting = Varchar(length=30, default="open_workplace")
    status = Varchar(length=20, default="draft", index=True)
    paused_with_host = Boolean(
        default=False, help_text="Paused because its host paused; resuming the host republishes."
    )
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    change_seq = BigInt(default=0, index=True)


class Candidate(Table, tablename="pl_candidate"):
    """A participant (deltagare). Strong secrecy applies (OSL 26:1): every read is audited.

    Health notes live apart in `HealthNote`; adaptations carry a `shareable` flag each.
    """

    id: Serial
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    personnummer = Varchar(length=13, default="", secret=True)
    email = Varchar(length=320, default="")
    phone = Varchar(length=40, default="")
    address = Varchar(length=200, default="")
    track = Varchar(length=20, default="kompetens", index=True)
    wished_occupations = JSON(default="[]")
    skills = JSON(default="[]")
    languages = JSON(default="[]")
    interests = Text(default="")
    experience = Text(default="")
    driving_licence = Boolean(default=False)
    hours_available = Integer(null=True, default=None)
    home_town = Varchar(length=100, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    max_commute_km = Integer(null=True, default=None)
    adaptations = JSON(default="[]", help_text='[{"text": …, "shareable": bool}]')
    plan_goal = Text(default="")
    plan_goal_shareable = Boolean(
        default=False, help_text="The participant agreed to share the plan goal with a host."
    )
    consent_date = Date(
        null=True, default=None, help_text="The day the participant consented to the processing."
    )
    consent_method = Varchar(length=20, default="", help_text="muntligt, skriftligt or digitalt")
    language = Varchar(
        length=5,
        default="",
        help_text="The language the participant chose for their own pages and the texts sent "
        "to them (sv, en, ar); empty until they choose.",
    )
    status = Varchar(length=20, default="active", index=True)
    coordinator = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    registered_at = Date()
    exited_at = Date(null=True, default=None)
    anonymised_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class HealthNote(Table, tablename="pl_health_note"):
    """A health note, readable only by the candidate's own coordinator."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class PlanActivity(Table, tablename="pl_plan_activity"):
    """A planned activity in the arbetsmarknadsplan, with dates and follow-up."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    planned_start = Date(null=True, default=None)
    planned_end = Date(null=True, default=None)
    status = Varchar(length=20, default="planned")
    follow_up = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Booking(Table, tablename="pl_booking"):
    """A proposal of a candidate for a slot, and the placement it becomes.

    On PostgreSQL the constraint `pl_booking_no_overlap` refuses two seat-holding bookings
    (accepted, agreed, active) of one candidate whose periods share a day."""

    id: Serial
    slot = ForeignKey(Slot, null=False, on_delete=OnDelete.restrict, index=True)
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    coordinator = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    supervisor = ForeignKey(Contact, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, default="proposed", index=True)
    message = Text(default="")
    decline_reason = Text(default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    hours_per_week = Integer(
        null=True,
        default=None,
        help_text="The weekly hours agreed: the slot's when the host accepted, kept so that a "
        "later edit of the slot does not rewrite the placement's past hours.",
    )
    proposed_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class BookingEvent(Table, tablename="pl_booking_event"):
    """One transition of a booking: who, when, from and to (the timeline)."""

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=200, default="")
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    note = Text(default="")


class AnswerLink(Table, tablename="pl_answer_link"):
    """A single-use link that lets a host without an account answer a proposal.

    Mailed to the host's contact person and the slot's supervisor when no one at the host
    signs in. Only the token's SHA-256 is stored (`marketplace.kernel.tokens`); the link stops
    working when it expires, when it is used, when a newer link to the same address replaces
    it, and when the proposal is no longer open."""

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, index=True)
    contact = ForeignKey(Contact, null=True, on_delete=OnDelete.set_null)
    name = Varchar(length=200, default="")
    email = Varchar(length=320)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    replaced_at = Timestamptz(null=True, default=None)
    answer = Varchar(length=20, default="", help_text="accepted or declined, once used")


class Agreement(Table, tablename="pl_agreement"):
    """A version of the win-win agreement (trepartsöverenskommelse) for a booking.

    A change after any signature creates a new version; the old one is kept, superseded.
    """

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer(default=1)
    status = Varchar(length=20, default="draft", index=True)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    weekly_schedule = Text(default="")
    tasks = Text(default="")
    participant_goals = Text(default="")
    host_gains = Text(default="")
    supervisor = ForeignKey(Contact, null=True, on_delete=OnDelete.set_null)
    coordinator = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    follow_up_meetings = JSON(default="[]")
    adaptations_shared = JSON(default="[]")
    insurance_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Signature(Table, tablename="pl_signature"):
    """One party's signature on one agreement version."""

    id: Serial
    agreement = ForeignKey(Agreement, null=False, on_delete=OnDelete.cascade, index=True)
    party = Varchar(length=20)
    signed_at = Timestamptz(null=True, default=None)
    signer_label = Varchar(length=200, default="")
    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    link_nonce = Varchar(length=64, default="", index=True)
    link_sent_at = Timestamptz(null=True, default=None)
    signed_version = Integer(
        null=True, default=None, help_text="The agreement version the signer was shown."
    )
    method = Varchar(length=10, default="", help_text="app, link or paper")
    recorded_by_id = Integer(
        null=True, default=None, help_text="The staff user who recorded a paper signature."
    )


class Assessment(Table, tablename="pl_assessment"):
    """The supervisor's structured end-of-placement assessment, and the participant's view."""

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, index=True)
    attendance = Varchar(length=20, default="")
    tasks_mastered = Text(default="")
    strengths = Text(default="")
    recommendation = Varchar(length=40, default="")
    comment = Text(default="")
    participant_view = Text(default="")
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = Varchar(length=200, default="")


class Outcome(Table, tablename="pl_outcome"):
    """The outcome at exit, in Kolada's categories, with its date."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    booking = ForeignKey(Booking, null=True, on_delete=OnDelete.set_null)
    category = Varchar(length=30, index=True)
    subsidised = Boolean(default=False)
    hired_by_host = Boolean(default=False)
    outcome_date = Date(index=True)
    note = Text(default="")
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())


class FollowUp(Table, tablename="pl_follow_up"):
    """A follow-up due 90 or 180 days after exit."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    outcome = ForeignKey(Outcome, null=False, on_delete=OnDelete.cascade, index=True)
    days = Integer()
    due_date = Date(index=True)
    status = Varchar(length=20, default="due", index=True)
    result_category = Varchar(length=30, default="")
    note = Text(default="")
    done_at = Timestamptz(null=True, default=None)
    # Who recorded the answer, as the pages say it ("Sara Samordnare (coordinator)").
    done_by = Varchar(length=200, default="")
    reminded_at = Timestamptz(null=True, default=None)


class LockInFlag(Table, tablename="pl_lock_in_flag"):
    """A lock-in (inlåsning) flag on a candidate, with its reason."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=30)
    reason = Text()
    flagged_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)


class AttendanceWeek(Table, tablename="pl_attendance_week"):
    """A supervisor's (or the coordinator's) report of one week of a placement: days present
    and days absent by reason. One row per booking and week (its Monday); a new report of the
    same week replaces the figures. Only `days_unexcused` counts towards the absence alert."""

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, index=True)
    week_start = Date(index=True, help_text="The Monday of the reported week.")
    days_present = Integer(default=0)
    days_sick = Integer(default=0)
    days_leave = Integer(default=0, help_text="Ledig, beviljad frånvaro.")
    days_unexcused = Integer(default=0, help_text="Ogiltig eller oanmäld frånvaro.")
    days_other = Integer(default=0)
    note = Text(default="", help_text="What the other absence was, or a comment.")
    source = Varchar(length=20, default="host", help_text="host, coordinator or link")
    reported_by = Varchar(length=200, default="")
    reported_at = Timestamptz(default=TimestamptzNow())


class Application(Table, tablename="pl_application"):
    """An application for support (ansökan) from a resident, issue 18: through the public
    form, by phone or on paper (registered by a coordinator), or from the municipality's
    e-service (the import API). It becomes a participant when the plan starts
    (`candidate`); a personnummer already registered joins that participant. Strong
    secrecy applies as to a participant: every read is audited."""

    id: Serial
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    channel = Varchar(length=20, default="web", help_text="web, phone, paper or eservice")
    state = Varchar(
        length=20,
        default="received",
        index=True,
        help_text="received, meeting_booked, plan_started or closed",
    )
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    personnummer = Varchar(length=13, default="", secret=True)
    phone = Varchar(length=40, default="")
    email = Varchar(length=320, default="")
    message = Text(default="", help_text="What the applicant wants help with, in their words.")
    language = Varchar(
        length=5,
        default="sv",
        help_text="The language the application was written in (sv, en, ar): the planning "
        "meeting's invitations are sent in it, and the participant it becomes is given it.",
    )
    external_id = Varchar(
        length=100, default="", index=True, help_text="The e-service's reference, once."
    )
    registered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    coordinator = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    candidate = ForeignKey(Candidate, null=True, on_delete=OnDelete.set_null, index=True)
    plan_started_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    close_reason = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class PlanningMeeting(Table, tablename="pl_planning_meeting"):
    """A planning meeting (planeringsmöte) booked for an application. The invitation's
    calendar event keeps `uid`; each change raises `sequence`. Status: booked, held,
    cancelled or no_show."""

    id: Serial
    application = ForeignKey(Application, null=False, on_delete=OnDelete.cascade, index=True)
    uid = Varchar(length=120, unique=True)
    sequence = Integer(default=0)
    starts_at = Timestamptz()
    minutes = Integer(default=60)
    place = Varchar(length=200, default="")
    video_link = Varchar(length=500, default="")
    status = Varchar(length=20, default="booked", index=True)
    booked_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PartnerAgency(Table, tablename="pl_partner_agency"):
    """An agency the municipality cooperates with under local agreements (issue 18):
    Arbetsförmedlingen, Försäkringskassan, or another an admin adds."""

    id: Serial
    name = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LocalAgreement(Table, tablename="pl_local_agreement"):
    """A local agreement (lokal överenskommelse) with an agency: its name, reference and
    the days it is valid (no end day: valid until further notice)."""

    id: Serial
    agency = ForeignKey(PartnerAgency, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    reference = Varchar(length=100, default="")
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PartnerConsent(Table, tablename="pl_partner_consent"):
    """A participant's consent that an agency, under a local agreement, may see the summary
    of the participant's placements (host, slot, period, state) and, if it says so, their
    outcome and attendance. While it is not withdrawn and the agreement is valid, the
    agency's partner contacts see that, and nothing else.

    At most one consent per participant and agency is in force (`withdrawn_on` empty): a
    new one replaces it, and the old one ends (`withdrawn_on`, the day the new one was
    given) with `replaced_by` naming the new one, so that its end does not read as the
    participant's withdrawal (`placements.services.partners`)."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    agreement = ForeignKey(LocalAgreement, null=False, on_delete=OnDelete.restrict, index=True)
    given_on = Date()
    method = Varchar(length=20, help_text="skriftligt, muntligt or digitalt")
    shares_outcome = Boolean(default=False)
    shares_attendance = Boolean(default=False)
    withdrawn_on = Date(null=True, default=None)
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    replaced_by: ForeignKey[PartnerConsent] = ForeignKey(
        "self", null=True, on_delete=OnDelete.set_null
    )


class PartnerContact(Table, tablename="pl_partner_contact"):
    """Binds a user with the role `partner` (a handläggare at an agency) to their agency."""

    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, unique=True)
    agency = ForeignKey(PartnerAgency, null=False, on_delete=OnDelete.restrict, index=True)


# --- the participant's own pages (issue 17) ---------------------------------------------------


class ParticipantSession(Table, tablename="pl_participant_session"):
    """A participant signed in to their own pages (/mina-sidor), apart from staff sessions.

    As `mp_session`: the ID is minted at sign-in and only its SHA-256 is stored; the idle and
    absolute timeouts of staff sessions apply."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    method = Varchar(length=20, default="", help_text="eid (e-legitimation) or link")
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())


class ParticipantLink(Table, tablename="pl_participant_link"):
    """A single-use sign-in link the coordinator sends a participant without e-ID.

    Only the token's SHA-256 is stored (`marketplace.kernel.tokens`); it works once, for
    PARTICIPANT_LINK_MINUTES, and a newer link replaces the older ones."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    channel = Varchar(length=10, default="email", help_text="email or sms")
    sent_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    replaced_at = Timestamptz(null=True, default=None)


class ParticipantLogin(Table, tablename="pl_participant_login"):
    """An e-ID sign-in under way: the OIDC state, nonce and PKCE verifier, found by the hash
    of a random value in the browser's cookie, and deleted when the provider answers."""

    id: Serial
    key_hash = Varchar(length=64, unique=True)
    state = Varchar(length=100)
    nonce = Varchar(length=100)
    code_verifier = Varchar(length=128)
    created_at = Timestamptz(default=TimestamptzNow())


class ParticipantInterest(Table, tablename="pl_participant_interest"):
    """A published slot a participant marked as interesting on their own pages."""

    id: Serial
    candidate = ForeignKey(Candidate, null=False, on_delete=OnDelete.cascade, index=True)
    slot = ForeignKey(Slot, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ParticipantAnswer(Table, tablename="pl_participant_answer"):
    """The participant's own answer to a proposal ("vill" / "vill inte", with a comment) on
    their own pages; the coordinator sees it on the booking."""

    id: Serial
    booking = ForeignKey(Booking, null=False, on_delete=OnDelete.cascade, unique=True)
    answer = Varchar(length=10, default="", help_text="yes, no, or empty while unanswered")
    comment = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
