"""The placement domain's codes that several layers share, each declared once: the type the
schemas validate with, the tuple the tables, import and filters check against, and the
Swedish labels pages and reports show.

The labels are added to the kernel's page labels (`marketplace.kernel.templating.LABELS`) when this
module is imported, which `placements.tables` does, so no template or text needs the kernel to
know this domain. tests/placements/test_vocabulary.py pins that each code has one label.
"""

from __future__ import annotations

from typing import Literal, get_args

from marketplace.kernel.i18n import N_
from marketplace.kernel.templating import add_labels

# The strategy's three tracks (spår).
Track = Literal["kompetens", "hälsa", "vägledning"]
TRACKS: tuple[str, ...] = get_args(Track)
TRACK_LABELS: dict[str, str] = {
    "kompetens": "Kompetens",
    "hälsa": "Hälsa",
    "vägledning": "Vägledning",
}

# What a slot offers.
SlotKind = Literal["praktik", "arbetsträning"]
SLOT_KINDS: tuple[str, ...] = get_args(SlotKind)
SLOT_KIND_LABELS: dict[str, str] = {"praktik": "Praktik", "arbetsträning": "Arbetsträning"}

SlotStatus = Literal["draft", "published", "paused", "closed"]
SLOT_STATUSES: tuple[str, ...] = get_args(SlotStatus)
SLOT_STATUS_LABELS: dict[str, str] = {
    "draft": "Utkast",
    "published": "Publicerad",
    "paused": "Pausad",
    "closed": "Stängd",
}

# A booking's status (the moves between them: placements/booking_states.py). Lower case: a
# status is mostly said inside a sentence ("Bokningen är avböjd").
BookingStatus = Literal[
    "awaiting_participant",
    "proposed",
    "accepted",
    "declined",
    "withdrawn",
    "agreed",
    "active",
    "completed",
    "interrupted",
]
BOOKING_STATUSES: tuple[str, ...] = get_args(BookingStatus)
BOOKING_STATUS_LABELS: dict[str, str] = {
    "awaiting_participant": "väntar på deltagarens svar",
    "proposed": "föreslagen",
    "accepted": "accepterad",
    "declined": "avböjd",
    "withdrawn": "återkallad",
    "agreed": "överenskommen",
    "active": "pågående",
    "completed": "avslutad",
    "interrupted": "avbruten",
}

# A participant's case.
CaseStatus = Literal["active", "paused", "exited"]
CASE_STATUS_LABELS: dict[str, str] = {"active": "Aktiv", "exited": "Avslutad", "paused": "Vilande"}

# An activity of the participant's plan.
ActivityStatus = Literal["planned", "ongoing", "done", "cancelled"]
ACTIVITY_STATUS_LABELS: dict[str, str] = {
    "planned": "Planerad",
    "ongoing": "Pågår",
    "done": "Genomförd",
    "cancelled": "Inställd",
}

# How a participant gave consent (to a partner agency's sharing, to a health note);
# "digitalt" is with e-legitimation.
ConsentMethod = Literal["muntligt", "skriftligt", "digitalt"]
# How a participant gave consent to being registered: also by ticking the box of the public
# application form (`/ansok`), which asks for no sign-in and no e-legitimation.
ParticipantConsentMethod = Literal["muntligt", "skriftligt", "digitalt", "webbformular"]
CONSENT_METHOD_LABELS: dict[str, str] = {
    "muntligt": "Muntligt",
    "skriftligt": "Skriftligt",
    "digitalt": "Digitalt",
    "webbformular": "I webbformuläret, utan e-legitimation",
}

# The supervisor's end-of-placement assessment.
Attendance = Literal["mycket_god", "god", "varierande", "bristande"]
# Marked for the participant pages' catalogs (participants/babel.cfg): the participant reads
# the word in their own language beside the supervisor's assessment.
ATTENDANCE_LABELS: dict[str, str] = {
    "mycket_god": N_("Mycket god"),
    "god": N_("God"),
    "varierande": N_("Varierande"),
    "bristande": N_("Bristande"),
}
Recommendation = Literal[
    "would_hire", "recommend_further_training", "recommend_other_placement", "not_ready_yet"
]
RECOMMENDATION_LABELS: dict[str, str] = {
    "would_hire": "Vi skulle vilja anställa",
    "recommend_further_training": "Rekommenderar vidare utbildning",
    "recommend_other_placement": "Rekommenderar en annan plats",
    "not_ready_yet": "Inte redo ännu",
}

# Kolada's outcome categories at exit, plus the other exits municipalities record. One
# wording for the outcome form, the participant's page, the audit text and the reports.
OutcomeCategory = Literal[
    "arbete",
    "studier",
    "annan_insats",
    "arbetsformedlingen",
    "sjukskrivning",
    "flyttat",
    "avbrutet",
    "okant",
]
OUTCOME_CATEGORIES: tuple[str, ...] = get_args(OutcomeCategory)
# The outcomes that are a step out of the placements (Kolada's work or studies): after one,
# the placements before it no longer count towards lock-in.
PROGRESS: tuple[str, ...] = ("arbete", "studier")
OUTCOME_LABELS: dict[str, str] = {
    "arbete": "Arbete",
    "studier": "Studier",
    "annan_insats": "Annan insats",
    "arbetsformedlingen": "Till Arbetsförmedlingen",
    "sjukskrivning": "Sjukskrivning",
    "flyttat": "Flyttat",
    "avbrutet": "Avbrutet",
    "okant": "Okänt",
}

# Who signs a win-win agreement (a signature on paper names its party).
PARTY_LABELS: dict[str, str] = {
    "coordinator": "samordnaren",
    "host": "värden",
    "supervisor": "handledaren",
    "participant": "deltagaren",
}

# The parts of a win-win agreement a change names (the form's labels, the booking's timeline).
AGREEMENT_FIELD_LABELS: dict[str, str] = {
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "weekly_schedule": "Schema per vecka",
    "tasks": "Uppgifter",
    "participant_goals": "Deltagarens mål",
    "host_gains": "Vad värden får ut av placeringen",
    "follow_up_meetings": "Uppföljningsmöten",
    "adaptations_shared": "Anpassningar som delas med värden",
    "supervisor": "Handledare",
}

add_labels(
    {
        "track": TRACK_LABELS,
        "slot_kind": SLOT_KIND_LABELS,
        "slot_status": SLOT_STATUS_LABELS,
        "booking_status": BOOKING_STATUS_LABELS,
        "candidate_status": CASE_STATUS_LABELS,
        "activity_status": ACTIVITY_STATUS_LABELS,
        "consent_method": CONSENT_METHOD_LABELS,
        "attendance": ATTENDANCE_LABELS,
        "recommendation": RECOMMENDATION_LABELS,
        "outcome": OUTCOME_LABELS,
        "party": PARTY_LABELS,
    }
)
