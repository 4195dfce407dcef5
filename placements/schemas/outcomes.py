"""Structs for the end of a placement: the assessment, the outcome (Kolada's categories),
follow-ups, lock-in flags and the host's win-win ledger."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from marketplace.kernel.dates import DateBounded
from placements.vocabulary import Attendance, OutcomeCategory, Recommendation

Text = Annotated[str, msgspec.Meta(max_length=5000)]


class AssessmentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The supervisor's structured end-of-placement assessment."""

    attendance: Attendance
    tasks_mastered: Text = ""
    strengths: Text = ""
    recommendation: Recommendation
    comment: Text = ""


class ParticipantView(msgspec.Struct, forbid_unknown_fields=True):
    """The participant's own view of the placement, recorded by the coordinator."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class Assessment(msgspec.Struct, kw_only=True):
    booking_id: int
    submitted: bool
    attendance: str
    tasks_mastered: str
    strengths: str
    recommendation: str
    comment: str
    participant_view: str
    submitted_at: dt.datetime | None
    submitted_by: str


class OutcomeCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """The outcome at exit, with its date: the day the placement ended or a later day from
    which the outcome held (the first day of the job), never before the end.

    Kolada's rules: "arbete" is employment on the regular labour market for at least one
    continuous month (subsidised or not), and municipal labour-market jobs do not count;
    "studier" means studies that qualify for CSN.
    """

    category: OutcomeCategory
    outcome_date: dt.date
    subsidised: bool = False
    hired_by_host: bool = False
    lasts_at_least_one_month: bool = False
    municipal_labour_market_job: bool = False
    csn_eligible: bool = False
    note: Text = ""


class Outcome(msgspec.Struct, kw_only=True):
    id: int
    booking_id: int | None
    candidate_id: int
    category: str
    category_text: str
    subsidised: bool
    hired_by_host: bool
    outcome_date: dt.date
    note: str
    recorded_at: dt.datetime


class FollowUp(msgspec.Struct, kw_only=True):
    """A follow-up 90 or 180 days after exit and, once done, its answer: where the person
    was (`result_category`, in words `result_text`), the note, when and by whom."""

    id: int
    candidate_id: int
    candidate_name: str
    outcome_id: int
    days: int
    due_date: dt.date
    status: str
    result_category: str
    result_text: str
    note: str
    done_at: dt.datetime | None
    done_by: str


class FollowUpDone(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The result of a follow-up: where the person is now."""

    result_category: OutcomeCategory
    # Kolada's rules for "arbete" and "studier" hold at follow-ups too
    # (`outcomes.check_work_rule`, `outcomes.check_studies_rule`).
    lasts_at_least_one_month: bool = False
    municipal_labour_market_job: bool = False
    csn_eligible: bool = False
    note: Text = ""


class OutcomeCorrection(OutcomeCreate, kw_only=True, forbid_unknown_fields=True):
    """A coordinator's correction of a recorded outcome: the full new values and why.
    Checked by the same rules as a new outcome; the before and after are audited."""

    # Required: an empty one is reported with the other problems (`correct_outcome`).
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class LockInFlag(msgspec.Struct, kw_only=True):
    id: int
    candidate_id: int
    candidate_name: str
    kind: str
    reason: str
    flagged_at: dt.datetime
    resolved_at: dt.datetime | None


class SweepResult(msgspec.Struct):
    """What an idempotent sweep did this time."""

    created: int
    resolved: int = 0


class HostLedger(msgspec.Struct, kw_only=True):
    """What a host has given and received: the win-win ledger."""

    host_id: int
    host_name: str
    # For analysts and coordinators a figure resting on 1–4 persons is null and named in
    # `suppressed` (the small-cell rule, marketplace.kernel.disclosure), and when the
    # placement figures are, so are the host's gains (an empty list, named too); the host's
    # own users and admins see every figure.
    placements_hosted: int | None
    placements_active: int | None
    hours: int | None
    assessments_returned: int | None
    assessments_due: int | None
    went_to_work: int | None
    hired_by_host: int | None
    host_gains: list[str]
    suppressed: list[str] = msgspec.field(default_factory=list)
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)
