"""JSON API of bookings and what hangs on them: the agreement and its signatures, the
end-of-placement assessment and the outcome; plus follow-ups, lock-in flags and the host's
win-win ledger.

Host users act only on bookings at their own organisations (another's answers 404);
coordinators and admins act for any host. Analysts have no route here except the ledger,
which holds figures, never a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.kernel.auth import AuthUser, requires, staff
from marketplace.kernel.dates import check_date
from marketplace.kernel.paging import Limit, Offset
from placements import vocabulary
from placements.schemas import agreements as sa
from placements.schemas import attendance as sat
from placements.schemas import bookings as sb
from placements.schemas import outcomes as so
from placements.services import (
    agreements,
    answers,
    attendance,
    bookings,
    ledger,
    lockin,
    outcomes,
    supervisors,
)

host_side = requires("host", "coordinator", "admin")
Req = Request[AuthUser, Any, Any]


class BookingController(Controller):
    """Proposals and placements. Coordinators propose and withdraw; the host (or staff on
    its behalf) accepts, declines, starts and ends."""

    path = "/api/v1/bookings"
    guards = [host_side]
    tags = ["bookings"]

    @get("/", operation_id="listBookings")
    async def list_bookings(
        self,
        request: Req,
        status: FromQuery[vocabulary.BookingStatus | None] = None,
        slot_id: FromQuery[int | None] = None,
        candidate_id: FromQuery[int | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> sb.BookingPage:
        """The bookings the caller may see, newest first."""
        return await bookings.list_bookings_for(
            request.user,
            status=status,
            slot_id=slot_id,
            candidate_id=candidate_id,
            limit=limit,
            offset=offset,
        )

    @post("/", operation_id="proposeBooking", guards=[staff], status_code=HTTP_201_CREATED)
    async def propose(self, request: Req, data: JSONBody[sb.BookingCreate]) -> sb.Booking:
        """Propose a participant for a published slot, with a message to the host. A host
        whose users sign in is told in the portal; one without users gets single-use answer
        links by mail. When the slot has no free seat, or its supervisor no room, during the
        period, the answer is 409 with a Swedish warning naming the earliest period with
        room (field `confirm_capacity`); send `confirm_capacity: true` to propose anyway.
        When the participant can work fewer hours a week than the slot asks, the answer is
        409 naming both (field `confirm_hours`); with `confirm_hours: true` it is sent, and
        the placement is for the participant's hours. With `participant_first: true` the participant answers first on their own pages and
        the host hears of it only when they say "vill" (status `awaiting_participant` until
        then)."""
        return await bookings.propose(request.user, data)

    @get("/{booking_id:int}", operation_id="getBooking")
    async def get_booking(self, request: Req, booking_id: FromPath[int]) -> sb.Booking:
        """One booking with its timeline."""
        return await bookings.get_booking_for(request.user, booking_id)

    @post("/{booking_id:int}/accept", operation_id="acceptBooking", status_code=HTTP_200_OK)
    async def accept(
        self,
        request: Req,
        booking_id: FromPath[int],
        data: JSONBody[sb.AcceptRequest | None] = None,
    ) -> sb.Booking:
        """Accept a proposal, optionally with another supervisor of the host or another
        period (409 naming the field, and what would fit, when no seat or supervisor
        capacity is left; `acceptOptions` lists the choices)."""
        return await bookings.accept(request.user, booking_id, data)

    @get("/{booking_id:int}/accept-options", operation_id="acceptOptions")
    async def accept_options(self, request: Req, booking_id: FromPath[int]) -> sb.AcceptOptions:
        """What a proposal can be accepted with: the host's supervisors and their room
        during the period, and, when it does not fit, why and the earliest period that does."""
        return await answers.accept_options_for(request.user, booking_id)

    @post(
        "/{booking_id:int}/phone-answer",
        operation_id="recordPhoneAnswer",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def phone_answer(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sb.PhoneAnswer]
    ) -> sb.Booking:
        """Record the host's answer given by phone: who answered, a note, and (for an accept)
        optionally another supervisor or period. Audited; shown in the timeline."""
        return await answers.record_phone_answer(request.user, booking_id, data)

    @get("/{booking_id:int}/answer-links", operation_id="listAnswerLinks", guards=[staff])
    async def answer_links(
        self, request: Req, booking_id: FromPath[int]
    ) -> list[sb.AnswerLinkSent]:
        """The single-use answer links mailed to a host without an account: to whom, when,
        until when, and whether used (never the links themselves)."""
        return await answers.links_for(request.user, booking_id)

    @post(
        "/{booking_id:int}/answer-links",
        operation_id="resendAnswerLinks",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def resend_answer_links(
        self, request: Req, booking_id: FromPath[int]
    ) -> list[sb.AnswerLinkSent]:
        """Mail fresh answer links for an open proposal to a host without an account; the
        earlier links stop working."""
        return await answers.resend_links(request.user, booking_id)

    @post("/{booking_id:int}/decline", operation_id="declineBooking", status_code=HTTP_200_OK)
    async def decline(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sb.DeclineRequest]
    ) -> sb.Booking:
        """Decline a proposal with a reason."""
        return await bookings.decline(request.user, booking_id, data.reason)

    @post(
        "/{booking_id:int}/withdraw",
        operation_id="withdrawBooking",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def withdraw(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sb.WithdrawRequest]
    ) -> sb.Booking:
        """Withdraw a booking before the placement is active."""
        return await bookings.withdraw(request.user, booking_id, data.reason)

    @post(
        "/{booking_id:int}/send-to-host",
        operation_id="sendBookingToHost",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def send_to_host(
        self,
        request: Req,
        booking_id: FromPath[int],
        data: JSONBody[sb.SendToHostRequest | None] = None,
    ) -> sb.Booking:
        """Send a proposal made with `participant_first` on to the host without waiting for
        the participant's answer (409 unless it is `awaiting_participant`)."""
        note = data.note if data else ""
        return await bookings.send_to_host(request.user, booking_id, note)

    @post("/{booking_id:int}/start", operation_id="startBooking", status_code=HTTP_200_OK)
    async def start(self, request: Req, booking_id: FromPath[int]) -> sb.Booking:
        """Start an agreed placement now."""
        return await bookings.start(request.user, booking_id)

    @post("/{booking_id:int}/end", operation_id="endBooking", status_code=HTTP_200_OK)
    async def end(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sb.EndRequest]
    ) -> sb.Booking:
        """End an active placement as completed or interrupted."""
        return await bookings.end(request.user, booking_id, data.result, data.end_date, data.reason)

    @post("/{booking_id:int}/supervisor", operation_id="changeSupervisor", status_code=HTTP_200_OK)
    async def change_supervisor(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sb.SupervisorChange]
    ) -> sb.Booking:
        """Give an accepted, agreed or running placement another supervisor of the host with
        room during its period. Before the start the agreement names them (a new version if
        anyone had signed); a running placement keeps its signed agreement. A change that
        would void signatures given answers 409 naming them (field `confirm_resign`); send
        `confirm_resign: true` to change anyway, as the page's box asks."""
        return await supervisors.change_supervisor(
            request.user, booking_id, data.supervisor_id, confirm_resign=data.confirm_resign
        )

    @get("/{booking_id:int}/agreement", operation_id="getAgreement")
    async def get_agreement(self, request: Req, booking_id: FromPath[int]) -> sa.Agreement:
        """The current version of the win-win agreement, with its signatures."""
        return await agreements.get_agreement_for(request.user, booking_id)

    @patch("/{booking_id:int}/agreement", operation_id="updateAgreement")
    async def update_agreement(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sa.AgreementUpdate]
    ) -> sa.Agreement:
        """Change the agreement; after any signature this makes a new version."""
        return await agreements.update_agreement(request.user, booking_id, data)

    @post(
        "/{booking_id:int}/agreement/sign",
        operation_id="signAgreement",
        status_code=HTTP_200_OK,
    )
    async def sign(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sa.SignRequest]
    ) -> sa.Agreement:
        """Sign as the coordinator (staff) or as the host (host user). `version` is the
        agreement version you read; if it has changed since, nothing is signed (409)."""
        return await agreements.sign_in_app(request.user, booking_id, seen_version=data.version)

    @post(
        "/{booking_id:int}/agreement/links",
        operation_id="sendSigningLinks",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def links(self, request: Req, booking_id: FromPath[int]) -> sa.SigningLinksSent:
        """Mail single-use signing links to the supervisor and the participant. The answer
        says to whom they were mailed; the links go to those parties only."""
        return await agreements.send_signing_links(request.user, booking_id)

    @post(
        "/{booking_id:int}/agreement/paper-signature",
        operation_id="recordPaperSignature",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def paper_signature(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sa.PaperSignature]
    ) -> sa.Agreement:
        """Record that the supervisor or the participant signed the agreement on paper
        (shown as "på papper, registrerad av …", audited)."""
        return await agreements.record_paper_signature(request.user, booking_id, data)

    @get("/{booking_id:int}/attendance", operation_id="getAttendance")
    async def get_attendance(self, request: Req, booking_id: FromPath[int]) -> sat.Attendance:
        """The placement's reported weeks, the weeks still open for a report, and the
        unexcused absence days against the alert's threshold (the read is audited)."""
        return await attendance.attendance_for(request.user, booking_id)

    @put("/{booking_id:int}/attendance", operation_id="reportAttendanceWeek")
    async def report_attendance(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[sat.WeekReport]
    ) -> sat.Attendance:
        """Report one week of a started placement: days present and days absent by reason.
        A new report of the same week replaces the earlier one (hence PUT)."""
        source = "host" if request.user.role == "host" else "coordinator"
        return await attendance.record_week(request.user, booking_id, data, source=source)

    @delete(
        "/{booking_id:int}/attendance/{week:date}",
        operation_id="withdrawAttendanceWeek",
        status_code=HTTP_200_OK,
    )
    async def withdraw_attendance(
        self, request: Req, booking_id: FromPath[int], week: FromPath[dt.date]
    ) -> sat.Attendance:
        """Withdraw one week's report (any day of the week names it): a week reported by
        mistake, or one after the day the placement ended early. The audit log keeps the
        figures it held."""
        return await attendance.withdraw_week(request.user, booking_id, week)

    @get("/{booking_id:int}/assessment", operation_id="getAssessment")
    async def get_assessment(self, request: Req, booking_id: FromPath[int]) -> so.Assessment:
        """The end-of-placement assessment (empty until submitted)."""
        return await outcomes.get_assessment_for(request.user, booking_id)

    @post(
        "/{booking_id:int}/assessment",
        operation_id="submitAssessment",
        status_code=HTTP_200_OK,
    )
    async def submit_assessment(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[so.AssessmentCreate]
    ) -> so.Assessment:
        """Submit the supervisor's structured assessment (once)."""
        return await outcomes.submit_assessment(request.user, booking_id, data)

    @post(
        "/{booking_id:int}/assessment/participant-view",
        operation_id="recordParticipantView",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def participant_view(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[so.ParticipantView]
    ) -> so.Assessment:
        """Record the participant's own view of the placement."""
        return await outcomes.record_participant_view(request.user, booking_id, data)

    @get("/{booking_id:int}/outcome", operation_id="getOutcome", guards=[staff])
    async def get_outcome(self, request: Req, booking_id: FromPath[int]) -> list[so.Outcome]:
        """The recorded outcome (an empty list until it is recorded)."""
        return await outcomes.outcomes_of_booking(request.user, booking_id)

    @post(
        "/{booking_id:int}/outcome",
        operation_id="recordOutcome",
        guards=[staff],
        status_code=HTTP_201_CREATED,
    )
    async def record_outcome(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[so.OutcomeCreate]
    ) -> so.Outcome:
        """Record the outcome of an ended placement in Kolada's categories, dated no earlier
        than the day the placement ended; its follow-ups fall due 90 and 180 days after that
        end."""
        return await outcomes.record_outcome(request.user, booking_id, data)

    @put("/{booking_id:int}/outcome", operation_id="correctOutcome", guards=[staff])
    async def correct_outcome(
        self, request: Req, booking_id: FromPath[int], data: JSONBody[so.OutcomeCorrection]
    ) -> so.Outcome:
        """Correct a recorded outcome (category, date, details) with a reason; the same
        rules as a new outcome hold, and the change is audited with its before and after."""
        return await outcomes.correct_outcome(request.user, booking_id, data)


class FollowUpController(Controller):
    """Follow-ups at 90 and 180 days after exit, for the coordinators."""

    path = "/api/v1/follow-ups"
    guards = [staff]
    tags = ["outcomes"]

    @get("/", operation_id="listFollowUps")
    async def list_follow_ups(
        self,
        request: Req,
        # A Literal: a pattern inside FromQuery was dropped, and "?status=abc" listed nothing.
        status: FromQuery[Literal["due", "done"] | None] = "due",
        due_by: FromQuery[dt.date | None] = None,
    ) -> list[so.FollowUp]:
        """Follow-ups of the caller's candidates, by due date."""
        check_date(due_by, "due_by")
        return await outcomes.list_follow_ups_for(request.user, status=status, due_by=due_by)

    @post("/{follow_up_id:int}/done", operation_id="completeFollowUp", status_code=HTTP_200_OK)
    async def done(
        self, request: Req, follow_up_id: FromPath[int], data: JSONBody[so.FollowUpDone]
    ) -> so.FollowUp:
        """Record where the person is at the follow-up."""
        return await outcomes.complete_follow_up(request.user, follow_up_id, data)


class LockInController(Controller):
    """Lock-in (inlåsning) flags, each with its reason, for the coordinators."""

    path = "/api/v1/lock-in-flags"
    guards = [staff]
    tags = ["outcomes"]

    @get("/", operation_id="listLockInFlags")
    async def list_flags(
        self, request: Req, include_resolved: FromQuery[bool] = False
    ) -> list[so.LockInFlag]:
        """Open lock-in flags of the caller's candidates."""
        return await lockin.list_lock_in_flags_for(request.user, include_resolved=include_resolved)


class LedgerController(Controller):
    """The host's win-win ledger: figures and the host's own words, never a person."""

    path = "/api/v1/hosts"
    # Hosts, staff and analysts; not a partner contact, who sees only what a consent shares.
    guards = [requires("admin", "coordinator", "host", "analyst")]
    tags = ["outcomes"]

    @get("/{host_id:int}/ledger", operation_id="getHostLedger")
    async def get_ledger(self, request: Req, host_id: FromPath[int]) -> so.HostLedger:
        """Placements hosted, hours, assessments, who went on to work, what the host gained."""
        return await ledger.host_ledger_for(request.user, host_id)


ROUTES = [BookingController, FollowUpController, LockInController, LedgerController]
