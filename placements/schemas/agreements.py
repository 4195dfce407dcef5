"""Structs for the win-win agreement (trepartsöverenskommelse) and its signatures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from marketplace.kernel.dates import DateBounded

Party = Literal["coordinator", "host", "supervisor", "participant"]
Text = Annotated[str, msgspec.Meta(max_length=5000)]


class FollowUpMeeting(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A planned follow-up meeting during the placement."""

    date: dt.date
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class AgreementUpdate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A change to the agreement: only the fields sent change. After any signature, a change
    makes a new version and every party signs again."""

    start_date: dt.date | UnsetType = UNSET
    end_date: dt.date | UnsetType = UNSET
    weekly_schedule: Text | UnsetType = UNSET
    tasks: Text | UnsetType = UNSET
    participant_goals: Text | UnsetType = UNSET
    host_gains: Text | UnsetType = UNSET
    follow_up_meetings: (
        Annotated[list[FollowUpMeeting], msgspec.Meta(max_length=20)] | UnsetType
    ) = UNSET
    adaptations_shared: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=300)]], msgspec.Meta(max_length=30)]
        | UnsetType
    ) = UNSET


class Signature(msgspec.Struct, kw_only=True):
    party: str
    party_text: str
    signed: bool
    signed_at: dt.datetime | None
    signer: str
    method: str = ""
    """How it was signed: app, link or paper ("" while unsigned)."""
    recorded_by: str = ""
    """For a paper signature: the staff member who recorded it."""


class SignRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Signing names the agreement version the signer read; another version is refused."""

    version: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class PaperSignature(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Staff record that the supervisor, the participant or the host (its contact person)
    signed the version on paper."""

    party: Literal["host", "supervisor", "participant"]
    version: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    # Who signed for the host: required for the host party (a host has several contacts,
    # and the signature is in this name); the supervisor and the participant are named by
    # the booking, so it is not read for them.
    signer_name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class Agreement(msgspec.Struct, kw_only=True):
    id: int
    booking_id: int
    version: int
    status: str
    participant_name: str
    host_name: str
    slot_title: str
    start_date: dt.date | None
    end_date: dt.date | None
    weekly_schedule: str
    tasks: str
    participant_goals: str
    host_gains: str
    supervisor_name: str
    coordinator_name: str
    follow_up_meetings: list[FollowUpMeeting]
    adaptations_shared: list[str]
    insurance_text: str
    signatures: list[Signature]
    fully_signed: bool


class SigningLink(msgspec.Struct, kw_only=True):
    """A signed, expiring, single-use link for a party without an account."""

    party: str
    url: str
    mailed_to: str
    expires_at: dt.datetime


class SigningLinks(msgspec.Struct):
    links: list[SigningLink]


class SigningLinkSent(msgspec.Struct, kw_only=True):
    """To whom a signing link was mailed. The link itself goes only to its party."""

    party: str
    party_text: str
    mailed_to: str
    sent: bool
    expires_at: dt.datetime


class SigningLinksSent(msgspec.Struct):
    sent: list[SigningLinkSent]
