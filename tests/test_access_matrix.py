"""The access matrix: every route, called as every kind of caller, against a declared table.

Routes come from the OpenAPI schema (the JSON API) and from the app's routes that are left out
of it (the HTML pages). Every path parameter points at a real object owned by host A and
coordinator 1, so a route that forgets its ownership check lets host B or coordinator 2 in,
and the test fails. A caller is *denied* when the answer is 401, 403 or 404 and *allowed*
when it is anything else below 500; a 500 always fails. A route missing from `EXPECTED`
fails, and so does an entry whose route no longer exists, so the table stays true.

One test per route (`test_access_matrix[GET /...]`), all on one world. Run:
`pytest tests/test_access_matrix.py` (on either engine).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from employers.tables import Host, HostApplication, HostInvitation
from marketplace.kernel import auth, clock
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.tables import PasswordLink, User
from marketplace.kernel.tokens import new_token
from participants import sessions as participant_sessions
from participants.sessions import SESSION_COOKIE, SIGN_IN_PATH
from placements.attendance_figures import monday_of
from placements.services import (
    agreement_versions,
    agreements,
    assessment_links,
    attendance,
    booking_access,
)
from placements.tables import (
    Agreement,
    AnswerLink,
    Application,
    Booking,
    LocalAgreement,
    ParticipantInterest,
    ParticipantLink,
    PartnerAgency,
    PartnerConsent,
    PlanningMeeting,
)
from search.tables import EverydayWord
from tests import dbutil
from tests.builders import (
    add_member,
    make_booking,
    make_candidate_row,
    make_contact,
    make_follow_up,
    make_health_note,
    make_host,
    make_lock_in_flag,
    make_outbox_message,
    make_outcome,
    make_partner_contact,
    make_plan_activity,
    make_slot,
    make_user_row,
)
from tests.conftest import DEMO_PASSWORD, cached_app
from tests.inloop import InLoopClient

IDENTITIES = (
    "anon",
    "host_a",
    "host_b",
    "coord",
    "coord2",
    "analyst",
    "admin",
    "partner",
    "partner_b",
    # Participants signed in to their own pages (issue 17): A owns the objects a route points
    # at, B is another participant. They have no user and no token, only their own session.
    "part_a",
    "part_b",
)
DENIED = frozenset({401, 403, 404})
THIS_WEEK = monday_of(clock.today()).isoformat()
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Who is allowed, by name. Host A's objects are what every path parameter points at.
ALL = frozenset(IDENTITIES)
PARTICIPANTS = frozenset({"part_a", "part_b"})
PART_A = frozenset({"part_a"})
SIGNED_IN = ALL - {"anon"} - PARTICIPANTS  # signed in as a user
NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"admin"})
STAFF = frozenset({"coord", "coord2", "admin"})  # act for any host
OWN_STAFF = frozenset({"coord", "admin"})  # coordinator 1 owns the participant
HOST_A = frozenset({"host_a"})
HOST_A_AND_STAFF = HOST_A | STAFF  # host A's organisation and slots
HOST_A_AND_OWN_STAFF = HOST_A | OWN_STAFF  # bookings of coordinator 1's participant
REPORTING = frozenset({"coord", "coord2", "analyst", "admin"})
# Partner contacts (issue 18): `partner` works at agency P, under whose local agreement
# coordinator 1's participant has consented; `partner_b` works at agency Q, with no consent.
PARTNERS = frozenset({"partner", "partner_b"})
PARTNER_P = frozenset({"partner"})

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    # --- system, sign-in, the caller's own account and tokens
    ("GET", "/health"): ALL,
    ("GET", "/health/ready"): ALL,
    ("POST", "/api/v1/auth/login"): ALL,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    # A second factor for those who see participants' data (partner contacts too).
    ("POST", "/api/v1/me/totp"): frozenset({"coord", "coord2", "admin"}) | PARTNERS,
    ("POST", "/api/v1/me/totp/confirm"): frozenset({"coord", "coord2", "admin"}) | PARTNERS,
    # A partner contact has pages only: no API token that could reach further.
    ("GET", "/api/v1/tokens"): SIGNED_IN - PARTNERS,
    ("POST", "/api/v1/tokens"): SIGNED_IN - PARTNERS,
    # Host A's spare token: only its owner and an admin may revoke it.
    ("DELETE", "/api/v1/tokens/{token_id}"): frozenset({"host_a", "admin"}),
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/disable"): ADMIN,
    ("GET", "/api/v1/jobs"): ADMIN,
    ("GET", "/api/v1/jobs/runs"): ADMIN,
    # --- public search and matching
    ("GET", "/api/v1/slots/search"): ALL,
    ("GET", "/api/v1/taxonomy/occupations"): ALL,
    ("GET", "/api/v1/taxonomy"): ALL,
    # Suggestions for the slot a host writes: those who write slots (hosts, staff).
    ("POST", "/api/v1/taxonomy/occupation-suggestions"): frozenset(
        {"host_a", "host_b", "coord", "coord2", "admin"}
    ),
    ("GET", "/api/v1/matching/candidates/{candidate_id}/slots"): OWN_STAFF,
    ("GET", "/api/v1/matching/slots/{slot_id}/candidates"): STAFF,
    # --- hosts, contacts, invitations, applications, targets
    ("GET", "/api/v1/hosts"): frozenset({"host_a", "host_b", "coord", "coord2", "admin"}),
    # A host user may register another organisation and becomes its member.
    ("POST", "/api/v1/hosts"): frozenset({"host_a", "host_b", "coord", "coord2", "admin"}),
    ("GET", "/api/v1/hosts/{host_id}"): HOST_A_AND_STAFF,
    ("PATCH", "/api/v1/hosts/{host_id}"): HOST_A_AND_STAFF,
    ("GET", "/api/v1/hosts/{host_id}/contacts"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/hosts/{host_id}/contacts"): HOST_A_AND_STAFF,
    ("GET", "/api/v1/hosts/{host_id}/invitations"): STAFF,
    ("POST", "/api/v1/hosts/{host_id}/invitations"): STAFF,
    ("PUT", "/api/v1/hosts/{host_id}/targets/{year}"): ADMIN,
    ("POST", "/api/v1/hosts/{host_id}/pause"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/hosts/{host_id}/resume"): HOST_A_AND_STAFF,
    ("GET", "/api/v1/hosts/{host_id}/ledger"): HOST_A_AND_STAFF | {"analyst"},
    ("PATCH", "/api/v1/contacts/{contact_id}"): HOST_A_AND_STAFF,
    ("DELETE", "/api/v1/contacts/{contact_id}"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/host-invitations/check"): ALL,
    ("POST", "/api/v1/host-invitations/accept"): ALL,
    ("GET", "/api/v1/host-applications"): STAFF,
    ("POST", "/api/v1/host-applications"): ALL,
    ("POST", "/api/v1/host-applications/{application_id}/approve"): STAFF,
    ("POST", "/api/v1/host-applications/{application_id}/reject"): STAFF,
    ("GET", "/api/v1/unit-targets"): frozenset({"coord", "coord2", "analyst", "admin"}),
    ("GET", "/api/v1/coverage"): frozenset({"coord", "coord2", "analyst", "admin"}),
    # --- slots
    ("GET", "/api/v1/slots"): ALL,
    ("GET", "/api/v1/slots/{slot_id}"): ALL,
    ("POST", "/api/v1/slots"): HOST_A_AND_STAFF,
    ("GET", "/api/v1/slots/managed"): frozenset({"host_a", "host_b", "coord", "coord2", "admin"}),
    ("GET", "/api/v1/slots/{slot_id}/edit"): HOST_A_AND_STAFF,
    ("PATCH", "/api/v1/slots/{slot_id}"): HOST_A_AND_STAFF,
    ("DELETE", "/api/v1/slots/{slot_id}"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/slots/{slot_id}/publish"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/slots/{slot_id}/pause"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/slots/{slot_id}/close"): HOST_A_AND_STAFF,
    ("POST", "/api/v1/slots/{slot_id}/reopen"): HOST_A_AND_STAFF,
    ("GET", "/api/v1/slots/export"): STAFF,
    ("POST", "/api/v1/slots/import"): STAFF,
    # --- candidates (coordinator 1's participant; strong secrecy)
    ("GET", "/api/v1/candidates"): STAFF,
    ("POST", "/api/v1/candidates"): STAFF,
    ("POST", "/api/v1/candidates/search"): STAFF,
    ("GET", "/api/v1/candidates/{candidate_id}"): OWN_STAFF,
    ("PATCH", "/api/v1/candidates/{candidate_id}"): OWN_STAFF,
    ("GET", "/api/v1/candidates/{candidate_id}/health-notes"): frozenset({"coord"}),
    ("POST", "/api/v1/candidates/{candidate_id}/health-notes"): frozenset({"coord"}),
    ("GET", "/api/v1/candidates/{candidate_id}/plan"): OWN_STAFF,
    ("POST", "/api/v1/candidates/{candidate_id}/plan/activities"): OWN_STAFF,
    ("PATCH", "/api/v1/candidates/{candidate_id}/plan/activities/{activity_id}"): OWN_STAFF,
    ("DELETE", "/api/v1/candidates/{candidate_id}/plan/activities/{activity_id}"): OWN_STAFF,
    ("GET", "/api/v1/participants/{candidate_id}"): HOST_A,
    # --- bookings, agreements, assessments, outcomes, follow-ups
    ("GET", "/api/v1/bookings"): frozenset({"host_a", "host_b", "coord", "coord2", "admin"}),
    ("POST", "/api/v1/bookings"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/accept"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/decline"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/withdraw"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/accept-options"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/phone-answer"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/answer-links"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/answer-links"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/start"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/end"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/supervisor"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/send-to-host"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/agreement"): HOST_A_AND_OWN_STAFF,
    ("PATCH", "/api/v1/bookings/{booking_id}/agreement"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/agreement/sign"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/agreement/links"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/agreement/paper-signature"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/attendance"): HOST_A_AND_OWN_STAFF,
    ("PUT", "/api/v1/bookings/{booking_id}/attendance"): HOST_A_AND_OWN_STAFF,
    ("DELETE", "/api/v1/bookings/{booking_id}/attendance/{week}"): HOST_A_AND_OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/assessment"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/assessment"): HOST_A_AND_OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/assessment/participant-view"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/outcome"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/outcome"): OWN_STAFF,
    ("PUT", "/api/v1/bookings/{booking_id}/outcome"): OWN_STAFF,
    ("GET", "/api/v1/follow-ups"): STAFF,
    ("POST", "/api/v1/follow-ups/{follow_up_id}/done"): OWN_STAFF,
    ("GET", "/api/v1/lock-in-flags"): STAFF,
    # --- HTML pages: public
    ("GET", "/"): ALL,
    ("GET", "/tillganglighet"): ALL,
    ("GET", "/logga-in"): ALL,
    ("POST", "/logga-in"): ALL,
    ("POST", "/logga-ut"): SIGNED_IN,
    ("GET", "/platser"): ALL,
    ("GET", "/platser/{slot_id}"): ALL,
    ("GET", "/erbjud"): ALL,
    ("POST", "/erbjud"): ALL,
    ("GET", "/vard/inbjudan"): ALL,
    ("POST", "/vard/inbjudan"): ALL,
    ("GET", "/underteckna/{token}"): ALL,
    ("POST", "/underteckna/{token}"): ALL,
    ("GET", "/bedomning/{token}"): ALL,
    ("POST", "/bedomning/{token}"): ALL,
    # The supervisor's signed link to report a week (issue 18): whoever holds it.
    ("GET", "/narvaro/{token}"): ALL,
    ("POST", "/narvaro/{token}"): ALL,
    # A host without an account answers a proposal through its single-use link.
    ("GET", "/forslag/{booking_id}/svar/{token}"): ALL,
    ("POST", "/forslag/{booking_id}/svar/{token}/acceptera"): ALL,
    ("POST", "/forslag/{booking_id}/svar/{token}/avboj"): ALL,
    # --- HTML pages: host portal
    ("GET", "/vard"): frozenset({"host_a", "host_b"}),
    # The slot form serves hosts and admins (the back office's slot edits moved here).
    ("GET", "/vard/yrken"): frozenset({"host_a", "host_b", "admin"}),
    ("GET", "/vard/kompetenser"): frozenset({"host_a", "host_b", "admin"}),
    ("POST", "/vard/yrkesforslag"): frozenset({"host_a", "host_b", "admin"}),
    ("GET", "/vard/platser/ny"): frozenset({"host_a", "host_b", "admin"}),
    ("POST", "/vard/platser/ny"): HOST_A | ADMIN,  # the form names host A
    ("GET", "/vard/platser/{slot_id}"): HOST_A | ADMIN,
    ("POST", "/vard/platser/{slot_id}"): HOST_A | ADMIN,
    # One route per status action (no action hides behind a string in the path).
    ("POST", "/vard/platser/{slot_id}/publicera"): HOST_A | ADMIN,
    ("POST", "/vard/platser/{slot_id}/pausa"): HOST_A | ADMIN,
    ("POST", "/vard/platser/{slot_id}/stang"): HOST_A | ADMIN,
    ("POST", "/vard/platser/{slot_id}/oppna"): HOST_A | ADMIN,
    ("GET", "/vard/bokningar/{booking_id}"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/acceptera"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/avboj"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/underteckna"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/overenskommelse"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/handledare"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/bedomning"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/avsluta"): HOST_A,
    # Attendance (issue 18): the host reports its own placements' weeks.
    ("POST", "/vard/bokningar/{booking_id}/narvaro"): HOST_A,
    ("POST", "/vard/bokningar/{booking_id}/narvaro/{week}/ta-bort"): HOST_A,
    ("GET", "/vard/organisation/{host_id}"): HOST_A_AND_STAFF,
    ("GET", "/vard/organisation/{host_id}/uppgifter"): HOST_A_AND_STAFF,
    ("POST", "/vard/organisation/{host_id}/uppgifter"): HOST_A_AND_STAFF,
    ("POST", "/vard/organisation/{host_id}/mal"): ADMIN,  # a municipal unit's target
    ("POST", "/vard/organisation/{host_id}/kontakter"): HOST_A_AND_STAFF,
    # Inviting a host's users is the staff's (the API's rule too): a host user invites no one.
    ("POST", "/vard/organisation/{host_id}/inbjudan"): STAFF,
    ("GET", "/vard/kontakter/{contact_id}"): HOST_A_AND_STAFF,
    ("POST", "/vard/kontakter/{contact_id}"): HOST_A_AND_STAFF,
    ("POST", "/vard/kontakter/{contact_id}/avsluta"): HOST_A_AND_STAFF,
    ("POST", "/vard/kontakter/{contact_id}/ateraktivera"): HOST_A_AND_STAFF,
    ("GET", "/bokningar/{booking_id}/overenskommelse"): HOST_A_AND_OWN_STAFF,
    ("GET", "/bokningar/{booking_id}/overenskommelse.pdf"): HOST_A_AND_OWN_STAFF,
    # --- HTML pages: coordinator workbench and operations
    ("GET", "/arbetsbord"): STAFF,
    ("GET", "/arbetsbord/platser"): STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}"): OWN_STAFF,
    ("GET", "/arbetsbord/platser/{slot_id}/foresla"): STAFF,
    ("POST", "/arbetsbord/platser/{slot_id}/foresla"): OWN_STAFF,
    ("GET", "/arbetsbord/bokningar/{booking_id}"): OWN_STAFF,
    # One route per booking action; each is coordinator 1's (and an admin's) alone.
    ("POST", "/arbetsbord/bokningar/{booking_id}/overenskommelse"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/handledare"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/underteckna"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/lankar"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/papper"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/starta"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/avsluta"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/utfall"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/ratta-utfall"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/aterkalla"): OWN_STAFF,
    # A proposal the participant answers first goes on to the host (issue 17).
    ("POST", "/arbetsbord/bokningar/{booking_id}/skicka-till-vard"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/telefonsvar"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/svarslankar"): OWN_STAFF,
    # Attendance (issue 18): the participant's coordinator records a week and reads the
    # monthly statement, on the page and as a PDF.
    ("POST", "/arbetsbord/bokningar/{booking_id}/narvaro"): OWN_STAFF,
    ("POST", "/arbetsbord/bokningar/{booking_id}/narvaro/{week}/ta-bort"): OWN_STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/narvaro"): OWN_STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/narvaro.pdf"): OWN_STAFF,
    ("POST", "/arbetsbord/uppfoljningar/{follow_up_id}"): OWN_STAFF,
    ("GET", "/arbetsbord/ansokningar"): STAFF,
    ("GET", "/arbetsbord/yrken"): STAFF,
    ("GET", "/arbetsbord/kompetenser"): STAFF,
    ("GET", "/arbetsbord/deltagare/ny"): STAFF,
    ("POST", "/arbetsbord/deltagare/sok"): STAFF,
    ("POST", "/arbetsbord/deltagare/ny"): STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/profil"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/profil"): OWN_STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/plan"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/plan"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter"): OWN_STAFF,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}/ta-bort"): (
        OWN_STAFF
    ),
    ("POST", "/arbetsbord/ansokningar/{application_id}/godkann"): STAFF,
    ("POST", "/arbetsbord/ansokningar/{application_id}/avsla"): STAFF,
    # Intake (issue 18): the public application form; the team's queue of applications and
    # each application's actions are every coordinator's and admin's (the queue is shared).
    ("GET", "/ansok"): ALL,
    ("POST", "/ansok"): ALL,
    ("GET", "/arbetsbord/intag"): STAFF,
    ("GET", "/arbetsbord/intag/ny"): STAFF,
    ("POST", "/arbetsbord/intag/ny"): STAFF,
    ("GET", "/arbetsbord/intag/{intake_id}"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/mote"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/avboka"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/uteblev"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/plan"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/personnummer"): STAFF,
    ("POST", "/arbetsbord/intag/{intake_id}/avsluta"): STAFF,
    # The municipality's e-service sends applications with a staff account's API token.
    ("POST", "/api/v1/applications/import"): STAFF,
    ("GET", "/drift"): ADMIN,
    ("GET", "/drift/jobb"): ADMIN,
    ("GET", "/drift/vardar"): ADMIN,
    ("GET", "/drift/utkorg"): ADMIN,
    # --- user management (admins) and the link to choose a password (its holder, anyone)
    ("GET", "/drift/anvandare"): ADMIN,
    ("GET", "/drift/anvandare/ny"): ADMIN,
    ("POST", "/drift/anvandare/ny"): ADMIN,
    ("GET", "/drift/anvandare/{user_id}"): ADMIN,
    ("POST", "/drift/anvandare/{user_id}"): ADMIN,
    ("POST", "/drift/anvandare/{user_id}/stang-av"): ADMIN,
    ("POST", "/drift/anvandare/{user_id}/aktivera"): ADMIN,
    ("POST", "/drift/anvandare/{user_id}/tvasteg"): ADMIN,
    ("POST", "/drift/anvandare/{user_id}/losenordslank"): ADMIN,
    # The spare user's own key (`{token_id}` of a user's page is that user's).
    ("POST", "/drift/anvandare/{user_id}/api-nycklar/{token_id}/aterkalla"): ADMIN,
    ("GET", "/konto/nytt-losenord/{token}"): ALL,
    ("POST", "/konto/nytt-losenord/{token}"): ALL,
    # A forgotten password: anyone may ask for a link, which goes to the account's own address.
    ("GET", "/glomt-losenord"): ALL,
    ("POST", "/glomt-losenord"): ALL,
    # --- Mitt konto, every user's own: API keys for the roles with an API (made in a session
    # only, `SESSION_ROUTES`), revoked by their owner only (host A's spare key: an admin
    # revokes another user's key on that user's page, not here); two-step sign-in for the
    # roles that may enrol, as at /api/v1/me/totp.
    ("GET", "/konto"): SIGNED_IN,
    ("POST", "/konto/api-nycklar"): SIGNED_IN - PARTNERS,
    ("POST", "/konto/losenord"): SIGNED_IN,
    ("POST", "/konto/api-nycklar/{token_id}/aterkalla"): HOST_A,
    ("POST", "/konto/tvasteg"): frozenset({"coord", "coord2", "admin"}) | PARTNERS,
    ("POST", "/konto/tvasteg/bekrafta"): frozenset({"coord", "coord2", "admin"}) | PARTNERS,
    ("GET", "/drift/utkorg/{message_id}"): ADMIN,
    ("GET", "/drift/vardagsord"): ADMIN,
    ("POST", "/drift/vardagsord"): ADMIN,
    ("GET", "/drift/vardagsord/{word}/ta-bort"): ADMIN,
    ("POST", "/drift/vardagsord/{word}/ta-bort"): ADMIN,
    ("GET", "/drift/sokningar"): ADMIN,
    ("POST", "/drift/sokningar/lar"): ADMIN,
    ("GET", "/drift/sokningar/lyft"): ADMIN,
    ("POST", "/drift/sokningar/lyft"): ADMIN,
    ("GET", "/api/v1/search/everyday-words"): ADMIN,
    ("POST", "/api/v1/search/everyday-words"): ADMIN,
    ("DELETE", "/api/v1/search/everyday-words/{word}"): ADMIN,
    # --- reports, audit review, register extracts (admin/)
    ("GET", "/api/v1/reports"): REPORTING,
    ("GET", "/api/v1/reports/assessments"): REPORTING,
    ("GET", "/api/v1/reports/exits"): REPORTING,
    ("GET", "/api/v1/reports/follow-ups"): REPORTING,
    ("GET", "/api/v1/reports/host-ledger"): REPORTING,
    ("GET", "/api/v1/reports/lead-times"): REPORTING,
    ("GET", "/api/v1/reports/intake-clock"): REPORTING,
    ("GET", "/api/v1/reports/lock-in"): REPORTING,
    ("GET", "/api/v1/reports/real-workplaces"): REPORTING,
    ("GET", "/api/v1/reports/snapshots"): REPORTING,
    ("GET", "/api/v1/reports/to-work-or-studies"): REPORTING,
    ("GET", "/api/v1/reports/unit-coverage"): REPORTING,
    ("GET", "/api/v1/reports/{name}/export"): REPORTING,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/audit/export"): ADMIN,
    ("GET", "/api/v1/register/{candidate_id}"): OWN_STAFF,
    ("POST", "/api/v1/register/{candidate_id}/anonymise"): ADMIN,
    ("GET", "/oversikt"): REPORTING,
    ("GET", "/rapporter"): REPORTING,
    ("GET", "/loggkontroll"): ADMIN,
    ("GET", "/registerutdrag/{candidate_id}"): OWN_STAFF,
    # --- the participant's own pages (issue 17): each participant reaches their own only
    ("GET", "/mina-sidor/logga-in"): ALL,
    # Off unless OIDC_ISSUER is set (it is not here): tests/participants/test_sign_in.py.
    ("GET", "/mina-sidor/logga-in/e-legitimation"): NOBODY,
    ("GET", "/mina-sidor/logga-in/e-legitimation/klar"): NOBODY,
    ("GET", "/mina-sidor/logga-in/lank/{token}"): ALL,
    ("POST", "/mina-sidor/logga-in/lank/{token}"): ALL,  # whoever holds the link, once
    ("POST", "/mina-sidor/logga-ut"): PARTICIPANTS,
    ("POST", "/mina-sidor/sprak"): ALL,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/inloggningslank"): OWN_STAFF,
    ("GET", "/mina-sidor"): PARTICIPANTS,
    ("GET", "/mina-sidor/plan"): PARTICIPANTS,
    ("GET", "/mina-sidor/forslag"): PARTICIPANTS,
    ("POST", "/mina-sidor/forslag/{booking_id}/svar"): PART_A,
    ("GET", "/mina-sidor/platser"): PARTICIPANTS,
    ("POST", "/mina-sidor/platser/{slot_id}/intresse"): PARTICIPANTS,
    ("POST", "/mina-sidor/platser/{slot_id}/intresse/ta-bort"): PART_A,
    ("GET", "/mina-sidor/overenskommelse"): PARTICIPANTS,
    ("POST", "/mina-sidor/overenskommelse/{booking_id}/underteckna"): PART_A,
    ("GET", "/mina-sidor/avslutade"): PARTICIPANTS,
    ("POST", "/mina-sidor/avslutade/{booking_id}"): PART_A,
    ("GET", "/mina-sidor/mina-uppgifter"): PARTICIPANTS,
    ("POST", "/registerutdrag/{candidate_id}/anonymisera"): ADMIN,
    # --- partner agencies (issue 18): the partner contact's own pages, the coordinator's
    # consents of a participant, the back office's agencies and local agreements
    ("GET", "/samverkan"): PARTNERS,  # each sees their own agency's list (Q's is empty)
    ("GET", "/samverkan/deltagare/{candidate_id}"): PARTNER_P,
    ("GET", "/arbetsbord/deltagare/{candidate_id}/samverkan"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/samverkan"): OWN_STAFF,
    ("POST", "/arbetsbord/deltagare/{candidate_id}/samverkan/{consent_id}/aterkalla"): OWN_STAFF,
    ("GET", "/drift/samverkan"): ADMIN,
    ("POST", "/drift/samverkan/myndigheter"): ADMIN,
    ("POST", "/drift/samverkan/overenskommelser"): ADMIN,
    ("GET", "/drift/samverkan/overenskommelser/{agreement_id}"): ADMIN,
    ("POST", "/drift/samverkan/overenskommelser/{agreement_id}"): ADMIN,
}

# Routes left out of the matrix, each with the reason.
NOT_IN_MATRIX = {
    # The schema and its viewers are public in development and off in production.
    "/schema",
    # Static files are public by design; traversal is tested in tests/marketplace/test_app.py.
    "/static",
}

# Which booking a route's {booking_id} points at, when it is not the accepted one.
PROPOSED_BOOKING_ROUTES = {
    ("POST", "/api/v1/bookings/{booking_id}/accept"),
    ("POST", "/api/v1/bookings/{booking_id}/decline"),
    ("POST", "/api/v1/bookings/{booking_id}/withdraw"),
    ("POST", "/vard/bokningar/{booking_id}/acceptera"),
    ("POST", "/vard/bokningar/{booking_id}/avboj"),
    ("POST", "/arbetsbord/bokningar/{booking_id}/aterkalla"),
    ("POST", "/api/v1/bookings/{booking_id}/phone-answer"),
    ("POST", "/api/v1/bookings/{booking_id}/answer-links"),
    ("POST", "/arbetsbord/bokningar/{booking_id}/telefonsvar"),
    ("POST", "/arbetsbord/bokningar/{booking_id}/svarslankar"),
    ("GET", "/forslag/{booking_id}/svar/{token}"),
    ("POST", "/forslag/{booking_id}/svar/{token}/acceptera"),
    ("POST", "/forslag/{booking_id}/svar/{token}/avboj"),
    ("POST", "/mina-sidor/forslag/{booking_id}/svar"),
}
# Routes that act on a proposal the participant answers first (`awaiting_participant`).
AWAITING_BOOKING_ROUTES = {
    ("POST", "/api/v1/bookings/{booking_id}/send-to-host"),
    ("POST", "/arbetsbord/bokningar/{booking_id}/skicka-till-vard"),
}
ENDED_BOOKING_ROUTES = {
    ("GET", "/api/v1/bookings/{booking_id}/assessment"),
    ("POST", "/api/v1/bookings/{booking_id}/assessment"),
    ("POST", "/api/v1/bookings/{booking_id}/assessment/participant-view"),
    ("GET", "/api/v1/bookings/{booking_id}/outcome"),
    ("POST", "/api/v1/bookings/{booking_id}/outcome"),
    ("POST", "/vard/bokningar/{booking_id}/bedomning"),
    ("POST", "/mina-sidor/avslutade/{booking_id}"),
}


# --- the world -------------------------------------------------------------------------------


@dataclass
class People:
    users: dict[str, AuthUser]
    tokens: dict[str, str]
    host_a: int
    host_b: int
    spare_hash: str
    agency_p: int = 0
    agency_q: int = 0


@dataclass
class World:
    """Objects owned by host A and coordinator 1, made afresh after any allowed write."""

    ids: dict[str, int] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)


_seq = {"n": 0}


def _n() -> int:
    _seq["n"] += 1
    return _seq["n"]


async def make_people() -> People:
    users: dict[str, AuthUser] = {}
    tokens: dict[str, str] = {}
    roles = {
        "host_a": "host",
        "host_b": "host",
        "coord": "coordinator",
        "coord2": "coordinator",
        "analyst": "analyst",
        "admin": "admin",
        "partner": "partner",
        "partner_b": "partner",
    }
    for name, role in roles.items():
        user = await auth.create_user(
            f"matrix_{name}",
            DEMO_PASSWORD,
            role,
            email=f"{name}@matrix.example.se",
            first_name=name.capitalize(),
            last_name="Matrisson",
        )
        users[name] = auth.to_auth_user(user.to_dict(), "token", None)
        tokens[name] = (await auth.create_token(f"matrix_{name}", "matris"))[1]
    host_a = await make_host("Värd A")
    host_b = await make_host("Värd B", "company", town="Alingsås")
    await add_member(users["host_a"].id, host_a)
    await add_member(users["host_b"].id, host_b)
    agency_p = await _insert(PartnerAgency(name="Myndighet P"))
    agency_q = await _insert(PartnerAgency(name="Myndighet Q"))
    await make_partner_contact(users["partner"].id, agency_p)
    await make_partner_contact(users["partner_b"].id, agency_q)
    return People(
        users,
        tokens,
        host_a,
        host_b,
        User.hash_password(DEMO_PASSWORD),
        agency_p,
        agency_q,
    )


async def _insert(row: Any) -> int:
    rows = await type(row).insert(row).returning(type(row)._meta.primary_key)
    return int(rows[0]["id"])


async def _candidate(p: People, first_name: str) -> int:
    return await make_candidate_row(
        p.users["coord"].id,
        first_name,
        last_name="Matrisson",
        email=f"{first_name.lower()}{_n()}@deltagare.example.se",
        registered_at=dt.date(2030, 1, 2),
        plan_goal="Arbete inom lager",
    )


async def make_world(p: People) -> World:
    """A supervisor and slots of host A; coordinator 1's participants with a proposed, an
    accepted and an ended booking; an outcome with a follow-up; a plan activity, a health
    note, a lock-in flag, a pending application, an open invitation, a spare user and token.

    In one transaction: ~40 commits of their own were most of the time of the ~300 worlds
    the matrix and the notices build (PostgreSQL: 149 -> 63 ms a world)."""
    async with User._meta.db.transaction():
        return await _fill_world(p)


async def _fill_world(p: People) -> World:
    w = World()
    coord, host = p.users["coord"], p.users["host_a"]
    # A pause of host A or B by an earlier route must not carry over.
    await Host.update({Host.active: True}).where(Host.id.is_in([p.host_a, p.host_b]))
    n = _n()
    w.ids["contact_id"] = await make_contact(
        p.host_a, "Hanna Handledare", email=f"handledare{n}@vard.example.se", capacity=10
    )

    async def slot(title: str) -> int:
        return await make_slot(
            p.host_a,
            w.ids["contact_id"],
            capacity=5,
            title=title,
            external_id=f"matrix-{_n()}",
            occupation_id="DLEi_bTh_oLA",  # Lagerarbetare/Terminalarbetare
        )

    w.ids["slot_id"] = await slot("Lagerarbetare")
    w.ids["free_slot"] = await slot("Butiksbiträde")
    w.ids["candidate_id"] = await _candidate(p, "Aida")
    w.ids["free_candidate"] = await _candidate(p, "Bodil")
    ended_candidate = await _candidate(p, "Cecilia")

    async def booking(candidate_id: int, status: str) -> int:
        return await make_booking(
            w.ids["slot_id"],
            candidate_id,
            coord.id,
            supervisor=w.ids["contact_id"],
            status=status,
            start_date=dt.date(2030, 3, 2),
            end_date=dt.date(2030, 5, 29),
        )

    w.ids["proposed_booking"] = await booking(w.ids["candidate_id"], "proposed")
    # A proposal the participant answers first: host A must not see it at all.
    w.ids["awaiting_booking"] = await booking(await _candidate(p, "Elsa"), "awaiting_participant")
    # A single-use answer link to the proposal (host A's contact person, as if host A had
    # no users): any caller who holds it may answer, once.
    answer_token, answer_hash = new_token()
    await _insert(
        AnswerLink(
            booking=w.ids["proposed_booking"],
            contact=w.ids["contact_id"],
            name="Hanna Handledare",
            email=f"handledare{n}@vard.example.se",
            token_hash=answer_hash,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
        )
    )
    w.strings["answer_token"] = answer_token
    accepted_candidate = await _candidate(p, "Dina")
    w.ids["booking_id"] = await booking(accepted_candidate, "accepted")
    row = await booking_access.booking_row(w.ids["booking_id"])
    assert row is not None
    await agreement_versions.draft_agreement(row, coord)
    # Its win-win written, as links go out only for an agreement that says what both gain.
    await Agreement.update(
        {Agreement.participant_goals: "Pröva yrket", Agreement.host_gains: "Hjälp i lagret"}
    ).where(Agreement.booking == w.ids["booking_id"])
    links = await agreements.issue_signing_links(coord, w.ids["booking_id"])
    w.strings["sign_token"] = links.links[0].url.rsplit("/", 1)[1]
    ended = await booking(ended_candidate, "completed")
    w.ids["ended_booking"] = ended
    w.strings["assessment_token"] = assessment_links.assessment_token(ended)
    # This week of the accepted booking (a link is refused until the placement starts).
    w.strings["attendance_token"] = attendance.link_token(
        w.ids["booking_id"], monday_of(clock.today())
    )

    outcome_id = await make_outcome(
        ended_candidate, "arbete", dt.date(2030, 6, 1), booking_id=ended, recorded_by=coord.id
    )
    w.ids["follow_up_id"] = await make_follow_up(
        ended_candidate, outcome_id, 90, dt.date(2030, 8, 30)
    )
    w.ids["activity_id"] = await make_plan_activity(w.ids["candidate_id"], "Studiebesök")
    await make_health_note(w.ids["candidate_id"], coord.id, "Anteckning")
    await make_lock_in_flag(w.ids["candidate_id"], "long_placement", "Länge")
    # Agency P's local agreement and coordinator 1's participant's consent under it.
    w.ids["agreement_id"] = await _insert(
        LocalAgreement(
            agency=p.agency_p,
            name=f"Överenskommelse {n}",
            valid_from=clock.today() - dt.timedelta(days=30),
        )
    )
    w.ids["consent_id"] = await _insert(
        PartnerConsent(
            candidate=w.ids["candidate_id"],
            agreement=w.ids["agreement_id"],
            given_on=clock.today() - dt.timedelta(days=7),
            method="skriftligt",
        )
    )
    w.ids["application_id"] = await _insert(
        HostApplication(
            org_name=f"Sökande AB {n}",
            kind="company",
            contact_name="Siv Sökande",
            contact_email=f"siv{n}@sokande.example.se",
        )
    )
    # An application with a planning meeting that began an hour ago (so that a no-show may
    # be recorded, the meeting moved or cancelled, the plan started).
    w.ids["intake_id"] = await _insert(
        Application(
            first_name="Ines",
            last_name="Intag",
            personnummer="19850101-0006",
            phone="0701-234567",
            email=f"ines{n}@sokande.example.se",
            state="meeting_booked",
        )
    )
    await _insert(
        PlanningMeeting(
            application=w.ids["intake_id"],
            uid=f"matris-{n}-{secrets.token_hex(4)}@example.se",
            starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
            place="Kompetenscentret",
        )
    )
    # A queued mail about the participant (the outbox page opens it).
    w.ids["message_id"] = await make_outbox_message(
        f"matris{n}@example.se",
        "Placeringen har startat",
        "Hej!",
        candidate=w.ids["candidate_id"],
    )
    invitation = secrets.token_urlsafe(24)
    await _insert(
        HostInvitation(
            host=p.host_a,
            email=f"inbjuden{n}@vard.example.se",
            token_hash=hashlib.sha256(invitation.encode()).hexdigest(),
            invited_by=coord.id,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
        )
    )
    w.strings["invitation_token"] = invitation
    # An everyday word added in the back office (letters only, unique per world).
    word = "matris" + "".join(chr(ord("a") + int(d)) for d in str(n))
    await _insert(EverydayWord(word=word, targets="städare"))
    w.strings["everyday_word"] = word
    w.ids["user_id"] = await make_user_row(
        f"matrix_spare{n}", "host", p.spare_hash, email=f"spare{n}@matrix.example.se"
    )
    w.ids["token_id"] = (await auth.create_token(host.username, f"reserv{n}"))[0]
    w.ids["spare_token_id"] = (await auth.create_token(f"matrix_spare{n}", f"reserv{n}"))[0]
    # A link to choose a password for the spare user (a POST without a password spends nothing).
    password_token = f"matrix-password-{n}-{secrets.token_urlsafe(8)}"
    await _insert(
        PasswordLink(
            user=w.ids["user_id"],
            token_hash=hashlib.sha256(password_token.encode()).hexdigest(),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        )
    )
    w.strings["password_token"] = password_token
    # Participant A's single-use sign-in link, and a slot A marked as interesting.
    link_token, link_hash = new_token()
    await _insert(
        ParticipantLink(
            candidate=w.ids["candidate_id"],
            token_hash=link_hash,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30),
        )
    )
    w.strings["participant_link_token"] = link_token
    await _insert(ParticipantInterest(candidate=w.ids["candidate_id"], slot=w.ids["slot_id"]))
    return w


# --- the routes ------------------------------------------------------------------------------


def template(path: str) -> str:
    """`/x/{id:int}` (Litestar) and `/x/{id}` (OpenAPI) are the same template."""
    return re.sub(r"\{([^}:]+):[^}]+\}", r"{\1}", path)


def all_routes(app: Litestar) -> set[tuple[str, str]]:
    """Every (method, path template): the OpenAPI operations, plus the HTML pages."""
    found: set[tuple[str, str]] = set()
    schema = app.openapi_schema.to_schema()
    for path, item in schema["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                found.add((method.upper(), path))
    for route in app.routes:
        if any(route.path.startswith(prefix) for prefix in NOT_IN_MATRIX):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema:
                continue
            for method in handler.http_methods:
                if method not in {"HEAD", "OPTIONS"}:
                    found.add((method, template(route.path)))
    return found


def url_for(method: str, path: str, p: People, w: World) -> str:
    key = (method, path)
    ids = dict(w.ids)
    if key in PROPOSED_BOOKING_ROUTES:
        ids["booking_id"] = w.ids["proposed_booking"]
    if key in AWAITING_BOOKING_ROUTES:
        ids["booking_id"] = w.ids["awaiting_booking"]
    if key in ENDED_BOOKING_ROUTES:
        ids["booking_id"] = w.ids["ended_booking"]
    ids["host_id"] = p.host_a
    ids["year"] = 2030
    if path.startswith("/drift/anvandare/"):
        ids["token_id"] = w.ids["spare_token_id"]  # a key of the user the page is of
    token = w.strings[
        "assessment_token"
        if path.startswith("/bedomning")
        else "attendance_token"
        if path.startswith("/narvaro/")
        else "answer_token"
        if path.startswith("/forslag")
        else "password_token"
        if path.startswith("/konto/nytt-losenord")
        else "participant_link_token"
        if path.startswith("/mina-sidor/logga-in/lank/")
        else "sign_token"
    ]
    strings = {
        "token": token,
        "name": "exits",
        "word": w.strings["everyday_word"],
        "week": THIS_WEEK,
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(ids[name]) if name in ids else strings[name]

    url = re.sub(r"\{([^}]+)\}", fill, path)
    queries = {
        "/api/v1/taxonomy/occupations": "?q=lager",
        "/api/v1/unit-targets": "?year=2030",
        "/api/v1/coverage": "?year=2030",
        "/api/v1/slots/search": "?q=lager",
        "/platser": "?q=lager",
        "/vard/inbjudan": f"?token={w.strings['invitation_token']}",
    }
    return url + queries.get(path, "")


def body_for(method: str, path: str, p: People, w: World) -> dict[str, Any] | None:
    """A valid body for the route, so that a caller gets past validation to the access check."""
    n = _n()
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/auth/login"): {"username": "matrix_admin", "password": DEMO_PASSWORD},
        ("POST", "/api/v1/me/totp/confirm"): {"code": "123456"},
        ("POST", "/api/v1/bookings/{booking_id}/agreement/paper-signature"): {
            "party": "participant",
            "version": 1,
        },
        ("POST", "/api/v1/bookings/{booking_id}/agreement/sign"): {"version": 1},
        ("POST", "/api/v1/users"): {
            "username": f"ny{n}",
            "password": "ett-annat-långt-lösenord-77",
            "role": "analyst",
        },
        ("POST", "/api/v1/tokens"): {"name": "integration"},
        ("POST", "/api/v1/hosts"): {"name": f"Ny värd {n}", "kind": "association"},
        ("PATCH", "/api/v1/hosts/{host_id}"): {"needs": "Fler händer i lagret"},
        ("POST", "/api/v1/hosts/{host_id}/contacts"): {"name": "Kim Kontakt"},
        ("POST", "/api/v1/hosts/{host_id}/invitations"): {
            "email": f"ny{n}@vard.example.se",
            "name": "Ny Värd",
        },
        ("PUT", "/api/v1/hosts/{host_id}/targets/{year}"): {"target": 12},
        ("PATCH", "/api/v1/contacts/{contact_id}"): {"phone": "0322-600 000"},
        ("POST", "/api/v1/host-invitations/check"): {"token": w.strings["invitation_token"]},
        ("POST", "/api/v1/host-invitations/accept"): {
            "token": w.strings["invitation_token"],
            "password": "ett-annat-långt-lösenord-77",
            "username": f"inbjuden{n}",
        },
        ("POST", "/api/v1/host-applications"): {
            "org_name": f"Sökande {n}",
            "kind": "company",
            "contact_name": "Siv",
            "contact_email": f"siv{n}@sokande.example.se",
        },
        ("POST", "/api/v1/host-applications/{application_id}/approve"): {"note": "Välkommen"},
        ("POST", "/api/v1/host-applications/{application_id}/reject"): {"note": "Nej tack"},
        ("POST", "/api/v1/slots"): {
            "host_id": p.host_a,
            "kind": "praktik",
            "title": "Kock",
            "supervisor_id": w.ids["contact_id"],
        },
        ("PATCH", "/api/v1/slots/{slot_id}"): {"description": "Ny beskrivning."},
        ("POST", "/api/v1/slots/import"): {
            "file": "external_id,title\n",
            "format": "csv",
            "source": "matris",
        },
        ("POST", "/api/v1/candidates"): {"first_name": "Ny", "last_name": "Deltagare"},
        ("POST", "/api/v1/candidates/search"): {"personnummer": "19850101-0006"},
        ("PATCH", "/api/v1/candidates/{candidate_id}"): {"interests": "Trädgård"},
        ("POST", "/api/v1/candidates/{candidate_id}/health-notes"): {"text": "Ny anteckning"},
        ("POST", "/api/v1/candidates/{candidate_id}/plan/activities"): {"title": "Kurs"},
        ("PATCH", "/api/v1/candidates/{candidate_id}/plan/activities/{activity_id}"): {
            "status": "done"
        },
        ("POST", "/api/v1/bookings"): {
            "slot_id": w.ids["free_slot"],
            "candidate_id": w.ids["free_candidate"],
        },
        ("POST", "/api/v1/bookings/{booking_id}/decline"): {"reason": "Ingen handledare ledig"},
        ("POST", "/api/v1/bookings/{booking_id}/withdraw"): {"reason": "Annan plats"},
        ("POST", "/api/v1/bookings/{booking_id}/phone-answer"): {
            "answer": "decline",
            "answered_by": "Hanna Handledare",
            "note": "Ingen handledare ledig i mars",
        },
        ("POST", "/api/v1/bookings/{booking_id}/end"): {"result": "completed"},
        ("POST", "/api/v1/bookings/{booking_id}/supervisor"): {
            "supervisor_id": w.ids["contact_id"]
        },
        ("PATCH", "/api/v1/bookings/{booking_id}/agreement"): {"tasks": "Plocka varor"},
        ("PUT", "/api/v1/bookings/{booking_id}/attendance"): {
            "week_start": clock.today().isoformat(),
            "days_present": 1,  # today counts: valid on every weekday
        },
        ("POST", "/api/v1/bookings/{booking_id}/assessment"): {
            "attendance": "god",
            "recommendation": "would_hire",
        },
        ("POST", "/api/v1/bookings/{booking_id}/assessment/participant-view"): {
            "text": "Det var lärorikt."
        },
        ("POST", "/api/v1/bookings/{booking_id}/outcome"): {
            "category": "arbete",
            "outcome_date": "2030-06-01",
            "lasts_at_least_one_month": True,
        },
        ("PUT", "/api/v1/bookings/{booking_id}/outcome"): {
            "category": "studier",
            "outcome_date": clock.today().isoformat(),
            "csn_eligible": True,
            "reason": "Fel kategori vid registreringen",
        },
        ("POST", "/api/v1/follow-ups/{follow_up_id}/done"): {
            "result_category": "arbete",
            "lasts_at_least_one_month": True,
        },
        ("POST", "/api/v1/search/everyday-words"): {"word": "matrisapiord", "targets": ["städare"]},
        ("POST", "/api/v1/applications/import"): {
            "external_id": f"matris-{n}",
            "received_at": dt.datetime.now(dt.UTC).isoformat(),
            "first_name": "Erik",
            "last_name": "Etjänst",
            "personnummer": "19850101-0006",
            "email": f"erik{n}@example.se",
        },
        ("POST", "/api/v1/taxonomy/occupation-suggestions"): {
            "title": "Lagerarbetare",
            "description": "Plocka och packa varor på lagret.",
        },
    }
    return bodies.get((method, path), {} if method in UNSAFE else None)


FORMS: dict[str, dict[str, str]] = {
    "/konto/api-nycklar": {"key_name": "Integration", "key_days": "30"},
    "/konto/api-nycklar/{token_id}/aterkalla": {"confirm": "1"},
    "/drift/anvandare/{user_id}/api-nycklar/{token_id}/aterkalla": {"confirm": "1"},
    "/konto/tvasteg/bekrafta": {"code": "123456"},
    "/ansok": {
        "first_name": "Amina",
        "last_name": "Sökande",
        "personnummer": "19850101-0006",
        "phone": "0701-234567",
        "consent": "1",
    },
    "/arbetsbord/intag/ny": {
        "channel": "phone",
        "first_name": "Amina",
        "last_name": "Sökande",
        "personnummer": "19850101-0006",
        "phone": "0701-234567",
    },
    "/arbetsbord/intag/{intake_id}/mote": {
        "day": (clock.today() + dt.timedelta(days=2)).isoformat(),
        "time": "10:00",
        "place": "Kompetenscentret",
    },
    "/arbetsbord/intag/{intake_id}/avboka": {"confirm_cancel": "1"},
    "/arbetsbord/intag/{intake_id}/personnummer": {"personnummer": "19900101-0009"},
    "/arbetsbord/intag/{intake_id}/avsluta": {"reason": "Tog tillbaka ansökan"},
    "/logga-in": {"username": "matrix_analyst", "password": DEMO_PASSWORD},
    "/erbjud": {"org_name": "Formulär AB", "kind": "company", "contact_name": "Fia"},
    "/vard/platser/ny": {"kind": "praktik", "title": "Kock"},  # + host A's id
    "/vard/yrkesforslag": {"title": "Lagerarbetare", "description": "Plocka varor på lagret."},
    "/vard/bokningar/{booking_id}/bedomning": {"attendance": "god", "recommendation": "would_hire"},
    "/arbetsbord/uppfoljningar/{follow_up_id}": {
        "result_category": "arbete",
        "lasts_at_least_one_month": "1",
    },
    "/arbetsbord/bokningar/{booking_id}/overenskommelse": {"tasks": "Plocka varor"},
    "/arbetsbord/bokningar/{booking_id}/handledare": {"supervisor_id": "1"},
    "/vard/bokningar/{booking_id}/handledare": {"supervisor_id": "1"},
    "/arbetsbord/bokningar/{booking_id}/avsluta": {"result": "completed", "confirm_end": "1"},
    "/vard/bokningar/{booking_id}/avsluta": {"result": "completed", "confirm_end": "1"},
    "/arbetsbord/bokningar/{booking_id}/papper": {"party": "supervisor", "version": "1"},
    "/arbetsbord/bokningar/{booking_id}/utfall": {
        "category": "arbete",
        "outcome_date": clock.today().isoformat(),
        "lasts_at_least_one_month": "1",
    },
    "/arbetsbord/bokningar/{booking_id}/ratta-utfall": {
        "category": "studier",
        "outcome_date": clock.today().isoformat(),
        "csn_eligible": "1",
        "reason": "Fel kategori vid registreringen",
    },
    "/arbetsbord/bokningar/{booking_id}/aterkalla": {
        "reason": "Annan plats",
        "confirm_withdraw": "on",
    },
    "/arbetsbord/bokningar/{booking_id}/narvaro": {
        "week_start": clock.today().isoformat(),
        "days_present": "1",
    },
    "/vard/bokningar/{booking_id}/narvaro": {
        "week_start": clock.today().isoformat(),
        "days_present": "1",
    },
    "/narvaro/{token}": {"days_present": "1"},
    # The accepted booking has not started: an allowed caller gets past the access check
    # to the 409 that nothing is reported yet.
    "/arbetsbord/bokningar/{booking_id}/narvaro/{week}/ta-bort": {f"confirm-{THIS_WEEK}": "1"},
    "/vard/bokningar/{booking_id}/narvaro/{week}/ta-bort": {f"confirm-{THIS_WEEK}": "1"},
    "/arbetsbord/bokningar/{booking_id}/telefonsvar": {
        "answer": "decline",
        "answered_by": "Hanna Handledare",
        "note": "Ingen handledare ledig i mars",
    },
    "/forslag/{booking_id}/svar/{token}/acceptera": {"confirm": "1"},
    "/forslag/{booking_id}/svar/{token}/avboj": {"reason": "Ingen plats"},
    "/arbetsbord/ansokningar/{application_id}/avsla": {"note": "Nej tack"},
    "/registerutdrag/{candidate_id}/anonymisera": {"confirm": "ja"},
    "/arbetsbord/deltagare/ny": {"first_name": "Ny", "last_name": "Deltagare"},
    "/arbetsbord/deltagare/sok": {"q": "Aida"},
    "/arbetsbord/deltagare/{candidate_id}/profil": {"first_name": "Aida", "last_name": "Ek"},
    "/arbetsbord/deltagare/{candidate_id}/plan": {"plan_goal": "Arbete inom lager"},
    "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter": {"title": "Kurs"},
    "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}": {
        "title": "Kurs",
        "status": "done",
    },
    "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}/ta-bort": {"confirm": "1"},
    "/vard/platser/{slot_id}": {"kind": "praktik", "title": "Lagerarbetare 2"},
    "/vard/bokningar/{booking_id}/avboj": {"reason": "Ingen plats"},
    "/vard/bokningar/{booking_id}/overenskommelse": {"tasks": "Plocka varor"},
    "/vard/organisation/{host_id}/kontakter": {"name": "Kim Kontakt"},
    "/vard/organisation/{host_id}/inbjudan": {"email": "inbjuden@vard.example.se", "name": "Ida"},
    "/vard/kontakter/{contact_id}": {"name": "Hanna Handledare", "phone": "0322-600 000"},
    "/vard/organisation/{host_id}/uppgifter": {"name": "Värd A", "kind": "municipal_unit"},
    "/vard/organisation/{host_id}/mal": {"year": "2030", "target": "12"},
    "/arbetsbord/platser/{slot_id}/foresla": {"candidate_id": "0"},
    "/drift/vardagsord": {"word": "matrisformord", "targets": "städare"},
    "/drift/vardagsord/{word}/ta-bort": {"confirm": "1"},
    "/drift/sokningar/lar": {"word": "matrislarord", "targets": "städare"},
    "/drift/sokningar/lyft": {"enabled": "0"},
    "/arbetsbord/deltagare/{candidate_id}/samverkan": {
        "given_on": clock.today().isoformat(),
        "method": "muntligt",
        "shares_outcome": "1",
    },  # + the world's agreement
    "/arbetsbord/deltagare/{candidate_id}/samverkan/{consent_id}/aterkalla": {
        "withdrawn_on": clock.today().isoformat(),
        "confirm_withdraw": "1",
    },
    "/drift/samverkan/myndigheter": {"agency_name": "Matrismyndigheten"},
    "/drift/samverkan/overenskommelser": {
        "name": "Ny överenskommelse",
        "valid_from": clock.today().isoformat(),
    },  # + agency P
    "/drift/samverkan/overenskommelser/{agreement_id}": {
        "name": "Ändrad överenskommelse",
        "reference": "Dnr 1",
        "valid_from": clock.today().isoformat(),
    },
    "/mina-sidor/sprak": {"sprak": "sv", "tillbaka": "/mina-sidor/logga-in"},
    "/mina-sidor/forslag/{booking_id}/svar": {"answer": "yes", "comment": "Gärna"},
    "/mina-sidor/overenskommelse/{booking_id}/underteckna": {"version": "1"},
    "/mina-sidor/avslutade/{booking_id}": {"text": "Det var lärorikt."},
}


# Routes a token may not call (a token makes no tokens, changes no password): the caller signs
# in instead.
SESSION_ROUTES = {
    ("POST", "/api/v1/tokens"),
    ("POST", "/konto/api-nycklar"),
    ("POST", "/konto/losenord"),  # a key changes no password either
}


@dataclass
class Answer:
    status: int
    body: str


async def call(
    client: AsyncTestClient[Litestar],
    method: str,
    path: str,
    who: str,
    p: People,
    w: World,
    csrf: str,
) -> Answer:
    # Cookies from an earlier answer (sign-in, sign-out) must not carry over.
    client.cookies.clear()
    client.cookies.set("mp_csrf", csrf)
    headers = {}
    if who in PARTICIPANTS:
        client.cookies.set(SESSION_COOKIE, await participant_session(who, method, path, w))
    elif who != "anon" and (method, path) in SESSION_ROUTES:
        raw, session_csrf = await auth.start_session(p.users[who].id)
        client.cookies.set(auth.SESSION_COOKIE, raw)
        headers["x-csrftoken"] = session_csrf
    elif who != "anon":
        headers["authorization"] = f"Bearer {p.tokens[who]}"
    url = url_for(method, path, p, w)
    if path.startswith(("/api/", "/health")):
        response = await client.request(
            method, url, json=body_for(method, path, p, w), headers=headers
        )
    else:
        headers["accept"] = "text/html"
        if method in UNSAFE:
            headers["x-csrftoken"] = csrf
            form = dict(FORMS.get(path, {}))
            if path == "/arbetsbord/platser/{slot_id}/foresla":
                form["candidate_id"] = str(w.ids["free_candidate"])
            if path == "/vard/platser/ny":
                form["host_id"] = str(p.host_a)
            if path == "/arbetsbord/deltagare/{candidate_id}/samverkan":
                form["agreement_id"] = str(w.ids["agreement_id"])
            if path == "/drift/samverkan/overenskommelser":
                form["agency_id"] = str(p.agency_p)
            if path == "/vard/inbjudan":
                form = {
                    "token": w.strings["invitation_token"],
                    "password": "ett-annat-långt-lösenord-77",
                    "password2": "ett-annat-långt-lösenord-77",
                }
            response = await client.request(
                method, url, data=form, headers=headers, follow_redirects=False
            )
        else:
            response = await client.request(method, url, headers=headers, follow_redirects=False)
            # A participant page asked for without a participant's session opens the sign-in
            # page (`participants.views.error_page`): the 401 as a browser meets it.
            if response.status_code == 303 and response.headers["location"] == SIGN_IN_PATH:
                return Answer(401, f"303 to {SIGN_IN_PATH}")
    return Answer(response.status_code, response.text[:300])


async def participant_session(who: str, method: str, path: str, w: World) -> str:
    """A fresh session of participant A (who owns the booking the route points at, or the
    world's first participant) or B (another participant of the same coordinator)."""
    candidate_id = w.ids["candidate_id"]
    if who == "part_b":
        candidate_id = w.ids["free_candidate"]
    elif "{booking_id}" in path:
        booking_id = w.ids["booking_id"]
        if (method, path) in PROPOSED_BOOKING_ROUTES:
            booking_id = w.ids["proposed_booking"]
        if (method, path) in AWAITING_BOOKING_ROUTES:
            booking_id = w.ids["awaiting_booking"]
        if (method, path) in ENDED_BOOKING_ROUTES:
            booking_id = w.ids["ended_booking"]
        row = await Booking.select(Booking.candidate).where(Booking.id == booking_id).first()
        assert row is not None
        candidate_id = int(row["candidate"])
    return await participant_sessions.start_session(candidate_id, "link")


# --- the tests -------------------------------------------------------------------------------


async def test_every_route_has_an_expectation_and_every_expectation_a_route(app):
    routes = all_routes(app)
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"routes without an expectation in EXPECTED: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


# Host A's routes to a proposal, pointed at one the participant answers first instead: host A
# is refused everywhere (as if it did not exist); only participant A answers it; the
# coordinator reaches it (an answer in the host's stead is a 409, not a denial).
AWAITING_HIDDEN: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/bookings/{booking_id}"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/accept"): OWN_STAFF,
    ("POST", "/api/v1/bookings/{booking_id}/decline"): OWN_STAFF,
    ("GET", "/api/v1/bookings/{booking_id}/accept-options"): OWN_STAFF,
    ("GET", "/vard/bokningar/{booking_id}"): NOBODY,
    ("POST", "/vard/bokningar/{booking_id}/acceptera"): NOBODY,
    ("POST", "/vard/bokningar/{booking_id}/avboj"): NOBODY,
    ("GET", "/arbetsbord/bokningar/{booking_id}"): OWN_STAFF,
    ("POST", "/mina-sidor/forslag/{booking_id}/svar"): PART_A,
}


async def test_an_awaiting_proposal_is_hidden_from_the_host(app):
    people = await make_people()
    problems: list[str] = []
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        await client.get("/", headers={"accept": "text/html"})
        csrf = client.cookies.get("mp_csrf") or ""
        for (method, path), allowed in sorted(AWAITING_HIDDEN.items()):
            # One world per route, as in the matrix: denials change nothing, and after an
            # allowed write the next caller gets a fresh world.
            world: World | None = None
            for who in sorted(IDENTITIES, key=lambda who: who in allowed):
                if world is None:
                    world = await make_world(people)
                    # Every {booking_id} points at the awaiting proposal.
                    for key in ("proposed_booking", "booking_id", "ended_booking"):
                        world.ids[key] = world.ids["awaiting_booking"]
                result = await call(client, method, path, who, people, world, csrf)
                reached = result.status not in DENIED
                if reached and method in UNSAFE:
                    world = None
                if result.status >= 500 or reached != (who in allowed):
                    problems.append(f"{method} {path} as {who}: {result.status} {result.body}")
                host_route = path.startswith(("/api/", "/vard/"))
                if who == "host_a" and host_route and result.status != 404:
                    problems.append(f"{method} {path} as host A: {result.status}, not 404")
    assert not problems, "\n".join(problems)


# --- the matrix: one test per route, on one world -------------------------------------------


@dataclass
class Matrix:
    """What the matrix's tests share: the people, the world that reads share, one client and
    its CSRF token. Made once per module (its rows outlive each test: `shares_module_rows`),
    as when the matrix was one test: people and a world of its own per route cost 0.2–0.4 s
    each (SQLite–PostgreSQL)."""

    people: People
    shared: World
    client: InLoopClient[Litestar]
    csrf: str
    stale: bool = False  # a write was let through since the shared world was made


@pytest.fixture(scope="module")
async def matrix() -> AsyncIterator[Matrix]:
    people = await make_people()
    async with InLoopClient(app=cached_app(), base_url="http://testserver.local") as client:
        await client.get("/", headers={"accept": "text/html"})
        csrf = client.cookies.get("mp_csrf") or ""
        assert csrf, "the CSRF cookie is needed for the HTML forms"
        yield Matrix(people, await make_world(people), client, csrf)
    await dbutil.truncate_all()


# By path, then method: one test each, so that coverage's tracer follows only the routes whose
# denials no other test reaches (tests/coverage_runs.py).
ROUTES = sorted(EXPECTED, key=lambda route: (route[1], route[0]))


@pytest.mark.shares_module_rows
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_access_matrix(matrix: Matrix, method: str, path: str) -> None:
    """The route as every kind of caller, against its row of `EXPECTED`."""
    people, client, csrf = matrix.people, matrix.client, matrix.csrf
    unsafe = method in UNSAFE
    # Reads change nothing, so they share one world; a write gets a world of its own.
    if unsafe:
        world = await make_world(people)
    else:
        if matrix.stale:
            # A write may reach past its own world (pausing host A pauses all its slots).
            matrix.shared, matrix.stale = await make_world(people), False
        world = matrix.shared
    allowed = EXPECTED[(method, path)]
    problems: list[str] = []
    # Expected denials first: they must change nothing. An allowed write may change the
    # objects (a deleted slot, a revoked token), so an expected caller who is denied after an
    # earlier write is asked again on a fresh world.
    dirty = False
    for who in sorted(IDENTITIES, key=lambda who: who in allowed):
        result = await call(client, method, path, who, people, world, csrf)
        if dirty and who in allowed and result.status in DENIED:
            world = await make_world(people)
            result = await call(client, method, path, who, people, world, csrf)
        got_allowed = result.status not in DENIED
        if result.status >= 500:
            problems.append(f"{method} {path} as {who}: {result.status} {result.body}")
        elif got_allowed and who not in allowed:
            problems.append(
                f"UNEXPECTED ALLOW {method} {path} as {who}: {result.status} {result.body}"
            )
        elif not got_allowed and who in allowed:
            problems.append(
                f"unexpected deny {method} {path} as {who}: {result.status} {result.body}"
            )
        dirty = dirty or (got_allowed and unsafe)
    matrix.stale = matrix.stale or dirty
    assert not problems, "\n".join(problems)
