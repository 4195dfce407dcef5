"""Scheduled sweeps of the placements package. Each is idempotent: run twice at the same
moment, it has its effect once. State checks guard every change, and every reminder carries
a dedupe key (item, recipient, reminder number) so that the outbox holds it once.

Reminders never name the participant: mail is not a safe channel for data under secrecy
(OSL 26:1), so they name the slot and link to the page where the signed-in reader sees more.

`JOBS` maps each job name to its function and the setting naming its interval; the
composition root's scheduler runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from employers.tables import Contact, HostMembership
from marketplace.kernel import clock
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import starts_with, write_transaction
from marketplace.kernel.mail import absolute_url, queue_sms, queue_template_mail
from marketplace.kernel.settings import Settings
from marketplace.kernel.sms import sms_number
from marketplace.kernel.sweeps import RowGuard
from marketplace.kernel.tables import OutboxMessage, User
from placements import booking_states
from placements.attendance_figures import monday_of, planned_days
from placements.rows import (
    AgreementHead,
    BookingRow,
    ContactCard,
    HostUserAddress,
    SlotHosting,
    UserGreeting,
)
from placements.services import (
    answer_links,
    assessment_links,
    attendance,
    booking_access,
    bookings,
    bump_slot_change,
    bump_slot_changes,
    lockin,
    outcomes,
)
from placements.tables import (
    Agreement,
    Assessment,
    AttendanceWeek,
    Booking,
    BookingEvent,
    FollowUp,
    LockInFlag,
    Signature,
    Slot,
)

PARTIES = ("coordinator", "host", "supervisor", "participant")
# Parties who sign through a personal link, without an account.
LINK_PARTIES = {"supervisor": "handledaren", "participant": "deltagaren"}
ENDED = booking_states.ENDED
ASSESSMENT_REMINDER_EVERY_DAYS = 7


def reminder_number(age_days: int, first_after: int, every: int, most: int) -> int:
    """Which reminder is due for an item waiting `age_days`: 0 (none yet), 1, 2 … `most`."""
    if age_days < first_after:
        return 0
    return min(1 + (age_days - first_after) // max(every, 1), most)


# --- links to the pages of the service -------------------------------------------------------


def host_booking_link(booking_id: int) -> str:
    return f"/vard/bokningar/{booking_id}"


def staff_booking_link(booking_id: int) -> str:
    return f"/arbetsbord/bokningar/{booking_id}"


def agreement_link(booking_id: int, *, staff: bool) -> str:
    """The agreement's section of the booking page the recipient can open (there is no page
    of its own to GET: `/…/overenskommelse` under a booking is the form's POST target)."""
    base = staff_booking_link(booking_id) if staff else host_booking_link(booking_id)
    return f"{base}#overenskommelse"


def assessment_link(booking_id: int) -> str:
    """The supervisor's signed link to the assessment form (no account needed)."""
    return f"/bedomning/{assessment_links.assessment_token(booking_id)}"


def candidate_link(candidate_id: int) -> str:
    return f"/arbetsbord/deltagare/{candidate_id}"


def follow_up_link(candidate_id: int, follow_up_id: int) -> str:
    return f"{candidate_link(candidate_id)}#uppfoljning-{follow_up_id}"


# --- recipients ------------------------------------------------------------------------------


async def _host_users(host_ids: Iterable[int]) -> dict[int, list[HostUserAddress]]:
    """Active host users with an e-mail address, per host."""
    ids = sorted(set(host_ids))
    if not ids:
        return {}
    rows = cast(
        "list[HostUserAddress]",
        await HostMembership.select(
            HostMembership.host,
            HostMembership.user.id.as_alias("user_id"),
            HostMembership.user.email.as_alias("email"),
        ).where(
            HostMembership.host.is_in(ids)
            & HostMembership.user._.active.eq(True)
            & (HostMembership.user.email != "")
        ),
    )
    found: dict[int, list[HostUserAddress]] = {}
    for row in rows:
        found.setdefault(int(row["host"]), []).append(row)
    return found


async def _users(user_ids: Iterable[int | None]) -> dict[int, UserGreeting]:
    """Active users with an e-mail address, by id."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    rows = cast(
        "list[UserGreeting]",
        await User.select(User.id, User.email, User.first_name).where(
            User.id.is_in(ids) & User.active.eq(True) & (User.email != "")
        ),
    )
    return {int(r["id"]): r for r in rows}


async def _contacts(
    contact_ids: Iterable[int | None], *, with_email: bool = True
) -> dict[int, ContactCard]:
    """The contacts by id; only those with an e-mail address unless `with_email` is False."""
    ids = sorted({i for i in contact_ids if i})
    if not ids:
        return {}
    query = Contact.select(Contact.id, Contact.name, Contact.email, Contact.phone, Contact.host)
    query = query.where(Contact.id.is_in(ids))
    if with_email:
        query = query.where(Contact.email != "")
    rows = cast("list[ContactCard]", await query)
    return {int(r["id"]): r for r in rows}


async def _queued_keys(prefix: str) -> set[str]:
    """Dedupe keys already in the outbox under `prefix` (one query instead of one per item)."""
    rows = await OutboxMessage.select(OutboxMessage.dedupe_key).where(
        starts_with(OutboxMessage.dedupe_key, prefix)
    )
    return {r["dedupe_key"] for r in rows}


# --- expire slots ----------------------------------------------------------------------------


async def expire_slots(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Close published slots whose end date has passed (search stops showing them)."""
    today = clock.local_date(now)
    due = await Slot.select(Slot.id).where(
        (Slot.status == "published") & Slot.end_date.is_not_null() & (Slot.end_date < today)
    )
    closed = 0
    engine = Slot._meta.db
    guard = RowGuard("expire-slots")
    for row in due:
        with guard.row(row["id"]):
            async with write_transaction(engine):
                changed = await (
                    Slot.update({Slot.status: "closed", Slot.updated_at: now})
                    .where((Slot.id == row["id"]) & (Slot.status == "published"))
                    .returning(Slot.id)
                )
                if changed:
                    await bump_slot_change(row["id"])
                    closed += 1
    recounted = await _recount_passed_placements(today)
    return guard.counts({"closed": closed, "recounted": recounted})


async def _recount_passed_placements(today: dt.date) -> int:
    """Re-index the slots whose free places grew because a placement's period has passed.

    Free places count the places used from today on (`placements.services.seats_taken`), so
    a placement past its end date (still running until someone ends it) frees its place the
    day after, with no change to the slot: the search's "only free places" would go on
    leaving the slot out until its next change. A slot not changed since its placement's
    last day is stamped once (`bump_slot_changes`; every worker's index follows); stamped,
    it is newer than that day and not taken again."""
    rows = await Booking.select(
        Booking.slot, Booking.end_date, Booking.slot.updated_at.as_alias("slot_updated")
    ).where(
        Booking.status.is_in(list(booking_states.SEAT_HOLDING))
        & Booking.end_date.is_not_null()
        & (Booking.end_date < today)
    )
    stale = {
        int(r["slot"])
        for r in rows
        if r["slot_updated"] is not None
        and r["slot_updated"]
        < dt.datetime.combine(r["end_date"] + dt.timedelta(days=1), dt.time(), STOCKHOLM)
    }
    if stale:
        await bump_slot_changes(sorted(stale))
    return len(stale)


# --- activate placements on their start date -------------------------------------------------


async def activate_placements(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Start agreed, fully signed placements whose start date has come."""
    guard = RowGuard("activate-due")
    started = await bookings.activate_due(clock.local_date(now), guard)
    return guard.counts({"started": started})


# --- proposals left unanswered ---------------------------------------------------------------


async def remind_proposals(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Remind the host of a proposal left unanswered for PROPOSAL_REMINDER_DAYS.

    Host users are linked to the proposal's page in the host portal. A host without users
    cannot open that page: its contact person and the slot's supervisor each get a fresh
    single-use answer link instead (replacing the one mailed before), in the same
    transaction as the reminder, so a link is never issued without its mail."""
    days = settings.proposal_reminder_days
    rows = await Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.proposed_at,
        Booking.slot.title.as_alias("slot_title"),
        Booking.slot.host.as_alias("host_id"),
        Booking.slot.supervisor.as_alias("supervisor_id"),
    ).where((Booking.status == "proposed") & (Booking.proposed_at <= now - dt.timedelta(days=days)))
    # A proposal the participant answered first reached the host only when it was sent on:
    # its age counts from then, not from when the coordinator made it.
    reached = await _sent_on(int(r["id"]) for r in rows)
    for row in rows:
        row["proposed_at"] = reached.get(int(row["id"]), row["proposed_at"])
    rows = [r for r in rows if r["proposed_at"] <= now - dt.timedelta(days=days)]
    users = await _host_users(r["host_id"] for r in rows)
    sent_keys = await _queued_keys("proposal-reminder:")
    queued = 0
    guard = RowGuard("remind-proposals")
    for row in rows:
        with guard.row(row["id"]):
            age = (now - row["proposed_at"]).days
            number = reminder_number(age, days, days, settings.reminder_max_count)

            def key_of(email: str, booking_id: int = row["id"], n: int = number) -> str:
                return f"proposal-reminder:{booking_id}:{email.casefold()}:{n}"

            host_users = users.get(int(row["host_id"]), [])
            for user in host_users:
                key = key_of(user["email"])
                if key in sent_keys:
                    continue
                queued += await queue_template_mail(
                    user["email"],
                    "proposal_reminder",
                    settings,
                    recipient_user_id=user["user_id"],
                    candidate_id=row["candidate"],
                    dedupe_key=key,
                    digest=True,
                    slot_title=row["slot_title"],
                    days=age,
                    link=host_booking_link(row["id"]),
                )
            if host_users:
                continue
            slot: SlotHosting = {"host": row["host_id"], "supervisor": row["supervisor_id"]}
            for recipient in await answer_links.link_recipients(slot):
                key = key_of(recipient.email)
                if key in sent_keys:
                    continue
                async with write_transaction(Booking._meta.db):
                    if await OutboxMessage.exists().where(OutboxMessage.dedupe_key == key):
                        continue
                    path, expires = await answer_links.issue_link(row["id"], recipient)
                    queued += await queue_template_mail(
                        recipient.email,
                        "proposal_reminder",
                        settings,
                        candidate_id=row["candidate"],
                        dedupe_key=key,
                        digest=True,
                        slot_title=row["slot_title"],
                        days=age,
                        link=path,
                        single_use_until=clock.local_date(expires).isoformat(),
                    )
    return guard.counts({"waiting": len(rows), "queued": queued})


async def _sent_on(booking_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each proposal the participant answered first was sent on to the host."""
    ids = list(booking_ids)
    if not ids:
        return {}
    rows = await BookingEvent.select(BookingEvent.booking, BookingEvent.at).where(
        BookingEvent.booking.is_in(ids)
        & (BookingEvent.from_status == booking_states.AWAITING)
        & (BookingEvent.to_status == "proposed")
    )
    return {int(r["booking"]): r["at"] for r in rows}


# --- agreements left unsigned ----------------------------------------------------------------


async def _current_agreements(booking_ids: list[int]) -> dict[int, AgreementHead]:
    """The newest agreement version of each booking."""
    if not booking_ids:
        return {}
    rows = cast(
        "list[AgreementHead]",
        await Agreement.select(
            Agreement.id,
            Agreement.booking,
            Agreement.version,
            Agreement.created_at,
            Agreement.coordinator,
        ).where(Agreement.booking.is_in(booking_ids) & (Agreement.status != "superseded")),
    )
    newest: dict[int, AgreementHead] = {}
    for row in rows:
        booking = int(row["booking"])
        if booking not in newest or row["version"] > newest[booking]["version"]:
            newest[booking] = row
    return newest


async def remind_signatures(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Remind the parties of an agreement left unsigned for SIGNATURE_REMINDER_DAYS.

    The coordinator and the host users sign in the app and are reminded directly. The
    supervisor and the participant sign through personal links, which only the coordinator
    can send again, so the coordinator is told whose signature is missing.
    """
    days = settings.signature_reminder_days
    bookings = await Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.coordinator,
        Booking.slot.title.as_alias("slot_title"),
        Booking.slot.host.as_alias("host_id"),
        Booking.slot._.host._.name.as_alias("host_name"),
    ).where(Booking.status == "accepted")
    agreements = await _current_agreements([b["id"] for b in bookings])
    signed: dict[int, set[str]] = {}
    if agreements:
        sig_rows = await Signature.select(Signature.agreement, Signature.party).where(
            Signature.agreement.is_in([a["id"] for a in agreements.values()])
            & Signature.signed_at.is_not_null()
        )
        for sig in sig_rows:
            signed.setdefault(int(sig["agreement"]), set()).add(sig["party"])
    host_users = await _host_users(b["host_id"] for b in bookings)
    coordinators = await _users(
        [a["coordinator"] for a in agreements.values()] + [b["coordinator"] for b in bookings]
    )
    sent_keys = await _queued_keys("sign-reminder:")
    queued = waiting = 0
    guard = RowGuard("remind-signatures")
    for booking in bookings:
        with guard.row(booking["id"]):
            agreement = agreements.get(booking["id"])
            if agreement is None or agreement["created_at"] > now - dt.timedelta(days=days):
                continue
            missing = [p for p in PARTIES if p not in signed.get(int(agreement["id"]), set())]
            if not missing:
                continue
            waiting += 1
            age = (now - agreement["created_at"]).days
            number = reminder_number(age, days, days, settings.reminder_max_count)
            coordinator = coordinators.get(agreement["coordinator"] or 0) or coordinators.get(
                booking["coordinator"] or 0
            )
            staff_link = agreement_link(booking["id"], staff=True)
            # (recipient, user id, template, extra context, may wait for the host's digest)
            mails: list[tuple[str, int | None, str, dict[str, Any], bool]] = []
            if "coordinator" in missing and coordinator:
                mails.append(
                    (
                        coordinator["email"],
                        coordinator["id"],
                        "signature_reminder",
                        {"link": staff_link},
                        False,
                    )
                )
            if "host" in missing:
                host_link = agreement_link(booking["id"], staff=False)
                for user in host_users.get(int(booking["host_id"]), []):
                    mails.append(
                        (
                            user["email"],
                            user["user_id"],
                            "signature_reminder",
                            {"link": host_link},
                            True,
                        )
                    )
            by_link = [LINK_PARTIES[p] for p in missing if p in LINK_PARTIES]
            if "host" in missing and not host_users.get(int(booking["host_id"])):
                by_link.insert(0, "värden")  # no one signs in for it: it signs by link
            if by_link and coordinator:
                names = ", ".join(by_link[:-1]) + " och " if len(by_link) > 1 else ""
                extra = {"link": staff_link, "parties": names + by_link[-1]}
                mails.append(
                    (coordinator["email"], coordinator["id"], "signature_missing", extra, False)
                )
            for email, user_id, template, extra, digest in mails:
                key = f"sign-reminder:{agreement['id']}:{template}:{email.casefold()}:{number}"
                if key in sent_keys:
                    continue
                queued += await queue_template_mail(
                    email,
                    template,
                    settings,
                    recipient_user_id=user_id,
                    candidate_id=booking["candidate"],
                    dedupe_key=key,
                    digest=digest,
                    slot_title=booking["slot_title"],
                    host_name=booking["host_name"] or "",
                    days=age,
                    **extra,
                )
    return guard.counts({"waiting": waiting, "queued": queued})


# --- follow-ups at +90 and +180 days ---------------------------------------------------------


async def create_follow_ups(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Create the follow-ups at 90 and 180 days after each exit, and remind the coordinator
    of each one when it falls due."""
    today = clock.local_date(now)
    guard = RowGuard("follow-ups")
    created = await outcomes.create_due_follow_ups(today, guard)
    reminded = await _remind_follow_ups(now, settings, today, guard)
    return guard.counts({"created": created, "reminded": reminded})


async def _remind_follow_ups(
    now: dt.datetime, settings: Settings, today: dt.date, guard: RowGuard
) -> int:
    rows = await FollowUp.select(
        FollowUp.id,
        FollowUp.days,
        FollowUp.due_date,
        FollowUp.candidate,
        FollowUp.candidate.coordinator.as_alias("coordinator_id"),
    ).where(
        (FollowUp.status == "due") & FollowUp.reminded_at.is_null() & (FollowUp.due_date <= today)
    )
    coordinators = await _users(r["coordinator_id"] for r in rows)
    reminded = 0
    for row in rows:
        with guard.row(row["id"]):
            async with write_transaction(FollowUp._meta.db):
                marked = await (
                    FollowUp.update({FollowUp.reminded_at: now})
                    .where((FollowUp.id == row["id"]) & FollowUp.reminded_at.is_null())
                    .returning(FollowUp.id)
                )
                if not marked:
                    continue
                coordinator = coordinators.get(row["coordinator_id"] or 0)
                if coordinator is None:
                    continue  # no coordinator to tell; the item is listed on the workbench
                reminded += await queue_template_mail(
                    coordinator["email"],
                    "follow_up_due",
                    settings,
                    recipient_user_id=coordinator["id"],
                    candidate_id=row["candidate"],
                    dedupe_key=f"follow-up:{row['id']}",
                    days=row["days"],
                    # Due `days` after the day the placement ended (`outcomes.exit_day`).
                    exit_date=(row["due_date"] - dt.timedelta(days=row["days"])).isoformat(),
                    due_date=row["due_date"].isoformat(),
                    link=follow_up_link(row["candidate"], row["id"]),
                )
    return reminded


# --- end-of-placement assessments ------------------------------------------------------------


async def remind_assessments(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Remind the supervisor of an ended placement that has no assessment yet."""
    today = clock.local_date(now)
    first_after = settings.assessment_reminder_days
    rows = await Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.end_date,
        Booking.ended_at,
        Booking.supervisor,
        Booking.slot.title.as_alias("slot_title"),
        Booking.slot.supervisor.as_alias("slot_supervisor"),
    ).where(Booking.status.is_in(list(ENDED)))
    if not rows:
        return {"waiting": 0, "queued": 0}
    assessed = {
        int(r["booking"])
        for r in await Assessment.select(Assessment.booking).where(
            Assessment.submitted_at.is_not_null()
            & Assessment.booking.is_in([r["id"] for r in rows])
        )
    }
    contacts = await _contacts([r["supervisor"] or r["slot_supervisor"] for r in rows])
    sent_keys = await _queued_keys("assessment-reminder:")
    queued = waiting = 0
    guard = RowGuard("remind-assessments")
    for row in rows:
        with guard.row(row["id"]):
            if row["id"] in assessed:
                continue
            ended = (
                row["ended_at"].astimezone(STOCKHOLM).date() if row["ended_at"] else row["end_date"]
            )
            if ended is None:
                continue
            age = (today - ended).days
            number = reminder_number(
                age, first_after, ASSESSMENT_REMINDER_EVERY_DAYS, settings.reminder_max_count
            )
            supervisor = contacts.get(row["supervisor"] or row["slot_supervisor"] or 0)
            if number == 0 or supervisor is None:
                continue
            waiting += 1
            key = f"assessment-reminder:{row['id']}:{number}"
            if key in sent_keys:
                continue
            queued += await queue_template_mail(
                supervisor["email"],
                "assessment_reminder",
                settings,
                candidate_id=row["candidate"],
                dedupe_key=key,
                digest=True,
                name=supervisor["name"],
                slot_title=row["slot_title"],
                end_date=ended.isoformat(),
                link=assessment_link(row["id"]),
            )
    return guard.counts({"waiting": waiting, "queued": queued})


# --- weekly attendance ----------------------------------------------------------------------


async def remind_attendance(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Remind the host of a running placement whose last week is not reported: its users
    (who report in the host portal), or the supervisor, with a signed link to the week, when
    no one at the host signs in: by mail, and by SMS too when the supervisor has a mobile
    number and SMS is set up (`SMS_URL`).
    One reminder per placement, week and address or number (the dedupe key), so a second run,
    or a second worker, sends nothing more."""
    today = clock.local_date(now)
    last_week = monday_of(today) - dt.timedelta(days=7)
    rows = await Booking.select(
        *Booking.all_columns(),
        Booking.slot.title.as_alias("slot_title"),
        Booking.slot.host.as_alias("host_id"),
        Booking.slot.supervisor.as_alias("slot_supervisor"),
    ).where(Booking.status == "active")
    if not rows:
        return {"waiting": 0, "queued": 0}
    reported = {
        int(r["booking"])
        for r in await AttendanceWeek.select(AttendanceWeek.booking).where(
            (AttendanceWeek.week_start == last_week)
            & AttendanceWeek.booking.is_in([r["id"] for r in rows])
        )
    }
    users = await _host_users(r["host_id"] for r in rows)
    contacts = await _contacts(
        [r["supervisor"] or r["slot_supervisor"] for r in rows], with_email=False
    )
    sent_keys = await _queued_keys("attendance-reminder")
    queued = waiting = 0
    guard = RowGuard("remind-attendance")
    for row in rows:
        with guard.row(row["id"]):
            if row["id"] in reported:
                continue
            start = booking_access.actual_start_of(cast("BookingRow", row))  # every column
            if planned_days(last_week, start, row["end_date"]) == 0:
                continue
            waiting += 1
            supervisor = contacts.get(row["supervisor"] or row["slot_supervisor"] or 0)
            # Host users report in the portal; a supervisor without an account gets a signed
            # link to the week (`attendance.link_path`).
            portal = attendance.host_attendance_link(row["id"])
            recipients: list[tuple[str, int | None, str, str]] = [
                (u["email"], u["user_id"], "", portal) for u in users.get(row["host_id"], [])
            ]
            if not recipients and supervisor is not None:
                link = attendance.link_path(row["id"], last_week)
                if supervisor["email"]:
                    recipients = [(supervisor["email"], None, supervisor["name"], link)]
                number = sms_number(supervisor["phone"], settings)
                if number:
                    key = f"attendance-reminder-sms:{row['id']}:{last_week.isoformat()}:{number}"
                    if key not in sent_keys:
                        week = last_week.isocalendar().week
                        queued += await queue_sms(
                            number,
                            f"Hej! Närvaron för vecka {week} på ”{row['slot_title']}” är inte "
                            f"rapporterad ännu. Rapportera här: {absolute_url(settings, link)}",
                            kind="attendance_reminder",
                            candidate_id=row["candidate"],
                            dedupe_key=key,
                        )
            for email, user_id, name, link in recipients:
                key = f"attendance-reminder:{row['id']}:{last_week.isoformat()}:{email.casefold()}"
                if key in sent_keys:
                    continue
                queued += await queue_template_mail(
                    email,
                    "attendance_reminder",
                    settings,
                    recipient_user_id=user_id,
                    candidate_id=row["candidate"],
                    dedupe_key=key,
                    digest=True,
                    name=name,
                    slot_title=row["slot_title"],
                    week_number=last_week.isocalendar().week,
                    week_start=last_week.isoformat(),
                    link=link,
                )
    return guard.counts({"waiting": waiting, "queued": queued})


# --- lock-in (inlåsning) ---------------------------------------------------------------------


async def flag_lock_in(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Flag participants at risk of lock-in (LOCK_IN_MONTHS, LOCK_IN_PLACEMENTS), resolve
    flags that no longer hold, and tell the coordinator once per new flag."""
    guard = RowGuard("flag-lock-in")
    result = await lockin.flag_lock_in(clock.local_date(now), guard)
    notified = await _notify_flags(settings, guard)
    return guard.counts(
        {"flagged": result.created, "resolved": result.resolved, "notified": notified}
    )


async def _notify_flags(settings: Settings, guard: RowGuard) -> int:
    flags = await LockInFlag.select(
        LockInFlag.id,
        LockInFlag.candidate,
        LockInFlag.reason,
        LockInFlag.candidate.coordinator.as_alias("coordinator_id"),
    ).where(LockInFlag.resolved_at.is_null())
    coordinators = await _users(f["coordinator_id"] for f in flags)
    sent_keys = await _queued_keys("lock-in:")
    notified = 0
    for flag in flags:
        with guard.row(flag["id"]):
            key = f"lock-in:{flag['id']}"
            coordinator = coordinators.get(flag["coordinator_id"] or 0)
            if key in sent_keys or coordinator is None:
                continue
            notified += await queue_template_mail(
                coordinator["email"],
                "lock_in_flag",
                settings,
                recipient_user_id=coordinator["id"],
                candidate_id=flag["candidate"],
                dedupe_key=key,
                reason=flag["reason"],
                link=candidate_link(flag["candidate"]),
            )
    return notified


JOBS = {
    "expire-slots": (expire_slots, "sweep_interval_seconds"),
    "activate-placements": (activate_placements, "sweep_interval_seconds"),
    "remind-proposals": (remind_proposals, "sweep_interval_seconds"),
    "remind-signatures": (remind_signatures, "sweep_interval_seconds"),
    "follow-ups": (create_follow_ups, "sweep_interval_seconds"),
    "remind-assessments": (remind_assessments, "sweep_interval_seconds"),
    "flag-lock-in": (flag_lock_in, "sweep_interval_seconds"),
    "remind-attendance": (remind_attendance, "sweep_interval_seconds"),
}
# Each job's name for people (the code name stays for the CLI: `jobs run NAME`).
JOB_TITLE = {
    "expire-slots": "Stäng platser som gått ut",
    "activate-placements": "Starta placeringar på startdagen",
    "remind-proposals": "Påminn om obesvarade förslag",
    "remind-signatures": "Påminn om underskrifter",
    "follow-ups": "Skapa uppföljningar",
    "remind-assessments": "Påminn om bedömningar",
    "flag-lock-in": "Flagga risk för inlåsning",
    "remind-attendance": "Påminn om närvarorapporter",
}
JOB_TEXT = {
    "expire-slots": "Stänger publicerade platser vars slutdatum har passerat, så att sökningen "
    "slutar visa dem, och räknar om de lediga platserna när en placering har passerat sitt "
    "slutdatum.",
    "activate-placements": "Startar överenskomna placeringar som alla har skrivit under, när "
    "startdagen har kommit.",
    "remind-proposals": "Påminner värden om ett förslag som inte har besvarats på "
    "{proposal_reminder_days} dagar.",
    "remind-signatures": "Påminner parterna om en överenskommelse som inte har skrivits under på "
    "{signature_reminder_days} dagar.",
    "follow-ups": "Skapar uppföljningarna 90 och 180 dagar efter varje avslut och påminner "
    "samordnaren när de ska göras.",
    "remind-assessments": "Påminner handledaren om en avslutad placering som ännu saknar "
    "bedömning.",
    "flag-lock-in": "Flaggar deltagare som riskerar inlåsning (en pågående placering längre än "
    "{lock_in_months} månader, eller {lock_in_placements} placeringar i rad utan steg till "
    "arbete eller studier) och löser flaggor som inte längre gäller.",
    "remind-attendance": "Påminner värden om en pågående placering vars närvaro för förra "
    "veckan inte är rapporterad.",
}
