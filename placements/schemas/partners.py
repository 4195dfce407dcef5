"""Structs for partner agencies (issue 18, item 5): agencies, local agreements, a participant's
consent to share with an agency, and the narrow summary a partner contact sees.

What a partner contact receives (`SharedParticipant`, `SharedSummary`) carries a name and a
birth year, never a personnummer, contact details, notes, the plan or adaptations.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from marketplace.kernel.dates import DateBounded
from placements.vocabulary import ConsentMethod

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Reference = Annotated[str, msgspec.Meta(max_length=100)]


class AgencyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # Not "name": the agencies page also has the agreement form, whose name field is "name".
    agency_name: Name


class AgreementCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A local agreement (lokal överenskommelse) with one agency; no end day: until further
    notice."""

    agency_id: int
    name: Name
    reference: Reference = ""
    valid_from: dt.date
    valid_to: dt.date | None = None


class AgreementUpdate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A change of an agreement; one that takes the agency's access away (it ends today or
    earlier, or ends sooner while consents are active) is saved only with `confirm_end`."""

    name: Name
    reference: Reference = ""
    valid_from: dt.date
    valid_to: dt.date | None = None
    confirm_end: bool = False


class ConsentCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """The participant's consent that the agreement's agency sees the placement summary, and
    the outcome and attendance if ticked."""

    agreement_id: int
    given_on: dt.date
    method: ConsentMethod
    shares_outcome: bool = False
    shares_attendance: bool = False


class ConsentWithdraw(DateBounded, kw_only=True, forbid_unknown_fields=True):
    withdrawn_on: dt.date


class LocalAgreement(msgspec.Struct, kw_only=True):
    id: int
    agency_id: int
    agency_name: str
    name: str
    reference: str
    valid_from: dt.date
    valid_to: dt.date | None
    valid_now: bool
    active_consents: int = 0


class Agency(msgspec.Struct, kw_only=True):
    id: int
    name: str
    agreements: list[LocalAgreement]
    contacts: int = 0


class Consent(msgspec.Struct, kw_only=True):
    id: int
    candidate_id: int
    agreement_id: int
    agreement_name: str
    agreement_reference: str
    agreement_valid_from: dt.date
    agreement_valid_to: dt.date | None
    agency_name: str
    given_on: dt.date
    method: str
    shares_outcome: bool
    shares_attendance: bool
    withdrawn_on: dt.date | None
    replaced_by: int | None = None  # the newer consent that ended this one on `withdrawn_on`
    active: bool
    state: str  # in Swedish: "Gäller", "Återkallat …", "Ersatt …", "Överenskommelsen gäller …"


class ConsentRecorded(msgspec.Struct, kw_only=True):
    """What registering a consent did: the consent in force now, its agency, and the day
    the consent it replaced had been given (None when there was none); `already` when the
    very same consent was in force and nothing was written."""

    id: int
    agency_name: str
    replaced_given_on: dt.date | None = None
    already: bool = False


class ConsentWithdrawn(msgspec.Struct, kw_only=True):
    """What a withdrawal did: the agency that lost access, how many consents in force for it
    ended (one, but for rows stored before the rule), and the agencies that still see the
    participant through a consent in force."""

    agency_name: str
    ended: int
    still_shared: list[str]


class SharedParticipant(msgspec.Struct, kw_only=True):
    """A row of the partner contact's list: who, and what their consent covers."""

    id: int
    name: str
    birth_year: int | None
    shares_outcome: bool
    shares_attendance: bool


class SharedAttendance(msgspec.Struct, kw_only=True):
    weeks_reported: int
    weeks_due: int = 0
    """The placement's weeks that should have been reported by now (every week of an ended
    placement; of a running one, those that have ended)."""
    days_present: int
    days_absent_excused: int
    days_unexcused: int


class SharedPlacement(msgspec.Struct, kw_only=True):
    host_name: str
    slot_title: str
    start_date: dt.date | None
    end_date: dt.date | None
    status: str
    attendance: SharedAttendance | None = None
    ended: bool = False  # completed or interrupted


class SharedOutcome(msgspec.Struct, kw_only=True):
    category: str
    outcome_date: dt.date


class SharedSummary(msgspec.Struct, kw_only=True):
    id: int
    name: str
    birth_year: int | None
    agency_name: str
    agreement: str
    consent_given_on: dt.date
    shares_outcome: bool
    shares_attendance: bool
    placements: list[SharedPlacement]
    outcomes: list[SharedOutcome] | None
