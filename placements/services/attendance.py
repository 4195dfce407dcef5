"""Attendance during a placement (issue 18): weekly reports, the absence alert and the
monthly statement.

The supervisor reports each week of a placement in the host portal: days present and days
absent with the reason (sick, granted leave, unexcused, other). The coordinator can record a
week too, on the workbench. A week is named by its Monday; a new report of the same week
replaces the figures (the audit log keeps who reported what, when). A week that has not
begun, or that lies before the week the placement started, is refused (`date_rules`), and
so is one after the week it ended or is planned to end in; in the first and last week only
the placement's days may be reported, and in the week that is running no day after today
(Swedish time) as present or unexcused, while absence known ahead may be (`week_problems`,
which the forms and the API ask alike). A placement whose agreement's weekly schedule names
no Saturday or Sunday works weekdays, as the statement plans it, and a week holds at most
its weekdays (`works_weekends_for`). A placement is not ended on a day before days
already reported (`end_problems`: correct the week first, or choose a later end). Weeks that
still hold days past the end (reported before that rule) are named by ending to the
coordinator (`misfits`), the page marks them, and a week's report may be withdrawn
(`withdraw_week`; the audit log keeps the figures it held). More than HOST_CONTACT_DAYS
after a placement ended the host (and the week's link) reports and withdraws nothing more
(`host_reports_closed`); the coordinator still may.

When the unexcused absence days of a placement reach `ATTENDANCE_ALERT_ABSENCES`, the
coordinator is mailed once (the outbox's dedupe key) and the workbench shows the alert. The
mail names the slot, never the participant.

The monthly statement (`statement_for`) puts planned days (the agreement's period, hours per
week from the slot) against the reported ones, per week, as evidence for the handläggning of
försörjningsstöd; the figures are counted by `placements.attendance_figures`. The service
records and shows; it decides nothing about försörjningsstöd.

Every read and every report is audited against the participant. Hosts reach only bookings
on their own slots, staff only the participants they may see (`booking_access.booking_row_for`,
`candidates.read_row_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec
from itsdangerous import URLSafeTimedSerializer
from piccolo.columns import Column

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound
from marketplace.kernel.mail import queue_template_mail
from marketplace.kernel.settings import Settings, get_settings
from marketplace.kernel.tables import User
from placements import booking_states, date_rules
from placements.attendance_figures import (
    MAX_DAYS,
    Counts,
    MonthStatement,
    days_in_period,
    days_within,
    monday_of,
    month_statement,
    months_of_period,
    unexcused_total,
    weekday_date,
    working_days,
    works_weekends,
)
from placements.errors import LINK_INVALID, LinkRefused, link_payload
from placements.rows import (
    AgreementPeriod,
    AttendanceWeekRow,
    BookingRow,
    PlacementMonthRow,
    UserAddress,
    WeekCounts,
)
from placements.schemas import attendance as schemas
from placements.services import (
    agreement_versions,
    booking_access,
    booking_moves,
    candidates,
)
from placements.tables import AttendanceWeek, Booking, Candidate, Slot

REPORTABLE = booking_states.REPORTABLE
ENDED = booking_states.ENDED
SOURCE_TEXT = {"host": "värden", "coordinator": "samordnaren", "link": "handledaren via länk"}
NOT_STARTED = (
    "Närvaro rapporteras när placeringen har startat. Starta placeringen först, eller vänta "
    "till startdagen."
)
TOO_MANY_DAYS = (
    f"En vecka har {MAX_DAYS} dagar: närvaro och frånvaro får tillsammans vara högst "
    f"{MAX_DAYS} dagar."
)
OTHER_NEEDS_NOTE = "Skriv vad den andra frånvaron var."
# A report without a single day would replace the week's report with nothing (a form sent
# with its boxes empty wiped a week already reported).
NO_DAYS = (
    "Ange minst en dag, på plats eller frånvaro. En vecka utan dagar sparas inte; är veckan "
    "redan rapporterad står den kvar som den är."
)
ALERT_DEDUPE = "attendance-alert:"
HOST_REPORTS_CLOSED = (
    "Placeringen slutade {day}, för mer än {days} dagar sedan, så värden rapporterar inte "
    "längre närvaro för den. Behöver närvaron rättas, kontakta samordnaren."
)


def staff_attendance_link(booking_id: int) -> str:
    return f"/arbetsbord/bokningar/{booking_id}#narvaro"


def host_attendance_link(booking_id: int) -> str:
    return f"/vard/bokningar/{booking_id}#narvaro"


def counts_of(row: WeekCounts) -> Counts:
    return Counts(
        present=row["days_present"],
        sick=row["days_sick"],
        leave=row["days_leave"],
        unexcused=row["days_unexcused"],
        other=row["days_other"],
    )


def ended_on(booking: BookingRow) -> dt.date | None:
    """The last day of an ended placement (None while it runs): ending writes the real last
    day to `end_date` (`bookings.end`); `ended_at` is only when someone pressed the button."""
    return booking_access.ended_on(booking)


def last_day_of(booking: BookingRow) -> dt.date | None:
    """The last day attendance may be reported for: the day the placement ended, else its
    planned end (None: no end planned)."""
    return ended_on(booking) or booking["end_date"]


def host_reports_closed(booking: BookingRow, now: dt.datetime | None = None) -> str:
    """Why a host (a host user, or a supervisor through the week's link) may no longer report
    or withdraw a week of the placement ("" while they may): it ended more than
    HOST_CONTACT_DAYS ago, the rule that also leaves the host the participant's first name
    only (`booking_states.long_ended`). Attendance that late serves nothing the host does;
    the coordinator can still correct it."""
    if not booking_states.long_ended(booking["status"], booking["ended_at"], now or clock.now()):
        return ""
    day = ended_on(booking)
    return HOST_REPORTS_CLOSED.format(
        day=day.isoformat() if day else "", days=booking_states.HOST_CONTACT_DAYS
    )


def _check_host_may_report(user: AuthUser, booking: BookingRow) -> None:
    if not user.is_staff and (closed := host_reports_closed(booking)):
        raise Conflict(closed)


def open_weeks(booking: BookingRow, today: dt.date) -> list[dt.date]:
    """The weeks that may be reported, newest first: from the week the placement started to
    this week (or the week it ended, or is planned to end, when that came before)."""
    start = booking_access.actual_start_of(booking)
    if booking["status"] not in REPORTABLE or start is None:
        return []
    last = min(today, last_day_of(booking) or today)
    monday, first = monday_of(last), monday_of(start)
    weeks = []
    while monday >= first:
        weeks.append(monday)
        monday -= dt.timedelta(days=7)
    return weeks


def _days(count: int) -> str:
    return f"{count} dag" if count == 1 else f"{count} dagar"


def _end_clause(booking: BookingRow, last: dt.date, *, weekday: bool) -> str:
    """How the placement's last day is said: the day it ended, or its planned end."""
    text = weekday_date(last) if weekday else last.isoformat()
    return f"slutade {text}" if ended_on(booking) else f"har sitt planerade slut {text}"


def _span_text(first: dt.date, last: dt.date) -> str:
    """Days from `first` to `last` as a message names them, each with its weekday."""
    if first == last:
        return weekday_date(first)
    return f"{weekday_date(first)} – {weekday_date(last)}"


def days_not_yet(
    monday: dt.date, span: tuple[dt.date, dt.date] | None, days: Mapping[str, int], today: dt.date
) -> list[tuple[str, str]]:
    """A day that has not come yet cannot have been attended, nor missed without notice: in
    the week that is running, the days present and the days of unexcused absence together
    are at most the days of the week (of the placement, `span`) that have passed, today
    included. Absence known ahead (sick, granted leave, other) may be reported for the rest
    of the week: leave is granted before it is taken and a sick note names the days ahead,
    and the plan behind försörjningsstöd records planned activity as well as actual. A week
    that has not begun is `date_rules`' to refuse, and a week that has ended has no day to
    come."""
    first, last = span or (monday, monday + dt.timedelta(days=6))
    if not monday <= today < last:
        return []
    # A placement that starts later this week has had none of its days yet.
    passed = max(0, (today - first).days + 1)
    happened = days.get("days_present", 0) + days.get("days_unexcused", 0)
    if happened <= passed:
        return []
    coming = _span_text(max(first, today + dt.timedelta(days=1)), last)
    field = "days_present" if days.get("days_present", 0) > passed else "days_unexcused"
    so_far = (
        f"har {_days(passed)} hittills: {_span_text(first, today)}"
        if passed
        else "har inte haft någon av placeringens dagar än"
    )
    return [
        (
            field,
            f"{coming[0].upper()}{coming[1:]} har inte varit än, så veckan som börjar "
            f"{monday.isoformat()} {so_far}. "
            "Dagar på plats och dagar med ogiltig eller oanmäld frånvaro får tillsammans vara "
            f"högst {_days(passed)} nu, inte {happened}. "
            "Rapportera de andra dagarna när de har varit; sjukdom, beviljad ledighet och annan "
            "frånvaro som är känd i förväg går att ange redan nu.",
        )
    ]


def week_problems(
    booking: BookingRow | None,
    week: dt.date | None,
    days: Mapping[str, int],
    note: str,
    *,
    today: dt.date | None = None,
    weekends: bool = True,
) -> list[tuple[str, str]]:
    """The week's own rules, every broken one as (field, Swedish message): the days add up
    to one day at least and a week at most, and other absence says what it was; given the placement and the week,
    the reported days lie within the placement too: no week after the one it ended or is
    planned to end in, and in its first and last week no more days than it ran then (a
    placement that started on a Wednesday has five days in that week, Wednesday to Sunday);
    and in the week that is running, no more days present or unexcused than have passed,
    today included (`days_not_yet`; `today` is the Swedish day, `date_rules.rules_today`).
    Without `weekends` (the agreement's schedule names no Saturday or Sunday,
    `works_weekends_for`) a week holds at most its weekdays in the placement: four days
    present and three sick in a Monday–Friday placement inflated its absence.
    The week's place in time is `date_rules`' (`check_report`). The service and the page's
    form both ask this, so that a form names every problem at once."""
    found: list[tuple[str, str]] = []
    total = sum(days.values())
    span: tuple[dt.date, dt.date] | None = None
    not_yet: list[tuple[str, str]] = []
    monday = monday_of(week) if week is not None else None
    start = booking_access.actual_start_of(booking) if booking is not None else None
    last = last_day_of(booking) if booking is not None else None
    if booking is not None and monday is not None and last is not None and monday > last:
        advice = (
            "kom efter det. Välj en vecka då placeringen pågick."
            if ended_on(booking)
            else "kommer efter det. Välj en vecka inom placeringens period, eller flytta "
            "slutdatumet i överenskommelsen om placeringen pågår längre."
        )
        found.append(
            (
                "week_start",
                f"Placeringen {_end_clause(booking, last, weekday=False)}; veckan som börjar "
                f"{monday.isoformat()} {advice}",
            )
        )
    elif monday is not None:
        if start is not None and monday >= monday_of(start):
            span = days_within(monday, start, last)
        not_yet = days_not_yet(monday, span, days, today or date_rules.rules_today())
    allowed = (span[1] - span[0]).days + 1 if span is not None else MAX_DAYS
    # A placement on weekdays is held to the week's weekdays before any other limit: told
    # "högst 7" first (or the five days Wednesday to Sunday of a first week), a host who
    # lowered the days as told was refused again with the weekdays.
    working = weekdays_in(monday, span) if not weekends and monday is not None else None
    if monday is not None and working is not None and total > working:
        found.append(("days_present", weekdays_only_text(monday, span, working, total)))
    elif span is not None and allowed < MAX_DAYS and total > allowed:
        assert booking is not None and monday is not None  # a span needs both
        # The placement's first or last week, with fewer days than a whole week (a whole
        # week allows MAX_DAYS, said below).
        first_day, last_day = span
        clauses: list[str] = []
        if first_day > monday:
            clauses.append(f"startade {weekday_date(first_day)}")
        if last_day < monday + dt.timedelta(days=6):
            clauses.append(_end_clause(booking, last_day, weekday=True))
        named = _span_text(first_day, last_day)
        found.append(
            (
                "days_present",
                f"Placeringen {' och '.join(clauses)}, så veckan som börjar "
                f"{monday.isoformat()} har {_days(allowed)} i placeringen: {named}. Närvaro "
                f"och frånvaro får tillsammans vara högst {_days(allowed)} den veckan, inte "
                f"{total}.",
            )
        )
    elif total > MAX_DAYS:
        found.append(("days_present", TOO_MANY_DAYS))
    elif total == 0:
        found.append(("days_present", NO_DAYS))
    found += not_yet
    if days.get("days_other") and not note.strip():
        found.append(("absence_note", OTHER_NEEDS_NOTE))
    return found


def weekdays_in(monday: dt.date, span: tuple[dt.date, dt.date] | None) -> int:
    """The weekdays (Monday to Friday) of the week in the placement (`span`; the whole week
    when the placement runs through it)."""
    return working_days(span or (monday, monday + dt.timedelta(days=6)), weekends=False)


def weekdays_only_text(
    monday: dt.date, span: tuple[dt.date, dt.date] | None, working: int, total: int
) -> str:
    """The refusal of a week with more days than its weekdays in a placement that works no
    weekend, naming the days and how to say that the placement works weekends."""
    days = f" ({_span_text(*span)})" if span is not None and working < 5 else ""
    return (
        f"Placeringen är på vardagar: överenskommelsens schema nämner ingen lördag eller "
        f"söndag. Närvaro och frånvaro får tillsammans vara högst {_days(working)} veckan "
        f"som börjar {monday.isoformat()}{days}, inte {total}. Arbetar deltagaren även helger, skriv det i "
        "överenskommelsens schema (till exempel Måndag–lördag 9–15) först."
    )


async def works_weekends_for(booking_id: int) -> bool:
    """Whether the placement's current agreement puts it on weekends too (`works_weekends`).
    A booking without an agreement has no schedule to say so, and is not held to weekdays."""
    agreement = await agreement_versions.current_agreement_row(booking_id)
    return agreement is None or works_weekends(agreement["weekly_schedule"])


def report_days(data: schemas.WeekReport) -> dict[str, int]:
    """The report's days by field."""
    return {
        "days_present": data.days_present,
        "days_sick": data.days_sick,
        "days_leave": data.days_leave,
        "days_unexcused": data.days_unexcused,
        "days_other": data.days_other,
    }


def check_report(
    data: schemas.WeekReport,
    booking: BookingRow,
    today: dt.date | None = None,
    *,
    weekends: bool = True,
) -> dt.date:
    """The Monday of the reported week, or `DateRulesFailed` naming every problem."""
    monday = monday_of(data.week_start)
    extra = week_problems(
        booking, monday, report_days(data), data.absence_note, today=today, weekends=weekends
    )
    start = booking_access.actual_start_of(booking)
    date_rules.check(
        "attendance",
        {"week_start": monday},
        {"placement_week": monday_of(start) if start else None},
        today=today,
        extra=extra,
    )
    return monday


async def _rows(booking_id: int) -> list[AttendanceWeekRow]:
    return cast(
        "list[AttendanceWeekRow]",
        await AttendanceWeek.select()
        .where(AttendanceWeek.booking == booking_id)
        .order_by(AttendanceWeek.week_start, ascending=False),
    )


def placement_days(booking: BookingRow, monday: dt.date) -> int:
    """The days of the week (Monday to Sunday) that lie within the placement: from the day
    it started to the day it ended or is planned to end."""
    return days_in_period(monday, booking_access.actual_start_of(booking), last_day_of(booking))


def week_total(row: WeekCounts) -> int:
    counts = counts_of(row)
    return counts.present + counts.absent


def misfits(booking: BookingRow, rows: list[AttendanceWeekRow]) -> list[AttendanceWeekRow]:
    """The reported weeks that hold more days than the placement had in them: a week
    reported before the placement was ended early (ending moves its last day, and the
    days reported after it stay until someone corrects or withdraws the week)."""
    return [r for r in rows if week_total(r) > placement_days(booking, r["week_start"])]


async def misfit_weeks(booking_id: int) -> list[dt.date]:
    """Inside the transaction that ended the placement: the Mondays of its reported weeks
    that now hold more days than it had (`misfits`), oldest first, for the coordinator's
    mail."""
    booking = await booking_access.booking_row(booking_id)
    if booking is None:
        return []
    return sorted(r["week_start"] for r in misfits(booking, await _rows(booking_id)))


def reported_through(booking: BookingRow, row: WeekCounts, monday: dt.date) -> dt.date:
    """The last day a reported week's days reach, counted as `misfits` counts them: from the
    week's first day in the placement, one calendar day per day reported. A week holds days,
    not dates, so this is the earliest last day the report fits."""
    start = booking_access.actual_start_of(booking)
    first = monday if start is None else max(monday, start)
    return first + dt.timedelta(days=max(week_total(row), 1) - 1)


async def end_problems(booking: BookingRow, last: dt.date, today: dt.date) -> list[tuple[str, str]]:
    """Inside the transaction that ends the placement on `last`: the end date is refused
    (field `end_date`) when weeks already reported hold more days than the placement would
    have had in them. Accepted, the weeks stayed with days past the end and someone had to
    clean up afterwards; the message names the last reported day and what to do instead.
    A week that was already over its days before (reported before this rule) does not stop
    the end: ending would not make it any less right."""
    rows = await _rows(int(booking["id"]))
    already = {r["week_start"] for r in misfits(booking, rows)}
    ended = cast("BookingRow", {**booking, "status": ENDED[0], "end_date": last})
    over = [r for r in misfits(ended, rows) if r["week_start"] not in already]
    if not over:
        return []
    reach = max(reported_through(booking, r, r["week_start"]) for r in over)
    numbers = sorted(r["week_start"].isocalendar().week for r in over)
    weeks = (
        f"vecka {numbers[0]}"
        if len(numbers) == 1
        else f"veckorna {', '.join(map(str, numbers[:-1]))} och {numbers[-1]}"
    )
    instead = (
        f"Välj {reach.isoformat()} eller en senare dag som slutdatum, eller rätta eller ta bort "
        f"närvarorapporten för {weeks} under Närvaro först."
        if reach <= today
        else f"Rätta eller ta bort närvarorapporten för {weeks} under Närvaro först, eller "
        f"avsluta placeringen när {reach.isoformat()} har varit."
    )
    return [
        (
            "end_date",
            f"Närvaro är redan rapporterad till och med {weekday_date(reach)} ({weeks}), "
            f"efter slutdatumet {weekday_date(last)}. {instead}",
        )
    ]


def misfit_text(mondays: list[dt.date]) -> str:
    """What the end's mail says of weeks reported beyond the end ("" when none)."""
    if not mondays:
        return ""
    weeks = ", ".join(str(m.isocalendar().week) for m in mondays)
    which = f"vecka {weeks} har" if len(mondays) == 1 else f"veckorna {weeks} har"
    return (
        f"\n\nNärvaron för {which} fler dagar rapporterade än placeringen hade. Rätta "
        "veckan eller ta bort rapporten på bokningens sida."
    )


def _week_out(
    row: AttendanceWeekRow, booking: BookingRow, reading: booking_access.HostReading | None
) -> schemas.ReportedWeek:
    """One reported week, as a host may read it when `reading` says so (a week the
    coordinator reported keeps its note to staff: `booking_access.HostReading`)."""

    def shown(text: str, *, staff_wrote: bool = False) -> str:
        return reading.text(text, staff_wrote=staff_wrote) if reading else text

    return schemas.ReportedWeek(
        week_start=row["week_start"],
        week_number=row["week_start"].isocalendar().week,
        days_present=row["days_present"],
        days_sick=row["days_sick"],
        days_leave=row["days_leave"],
        days_unexcused=row["days_unexcused"],
        days_other=row["days_other"],
        note=shown(row["note"], staff_wrote=row["source"] == "coordinator"),
        source=SOURCE_TEXT.get(row["source"], row["source"]),
        reported_by=shown(row["reported_by"]),
        reported_at=row["reported_at"],
        placement_days=placement_days(booking, row["week_start"]),
    )


async def _out(
    booking: BookingRow, settings: Settings, viewer: AuthUser | None
) -> schemas.Attendance:
    """The placement's attendance as `viewer` may read it (`booking_access.host_reading`)."""
    rows = await _rows(int(booking["id"]))
    reading = await booking_access.host_reading(viewer, booking)
    unexcused = unexcused_total({r["week_start"]: counts_of(r) for r in rows})
    threshold = settings.attendance_alert_absences
    closed = host_reports_closed(booking) if reading is not None else ""
    return schemas.Attendance(
        booking_id=int(booking["id"]),
        weeks=[_week_out(r, booking, reading) for r in rows],
        open_weeks=[] if closed else open_weeks(booking, clock.today()),
        reports_closed=closed,
        first_day=booking_access.actual_start_of(booking),
        last_day=last_day_of(booking),
        unexcused_days=unexcused,
        alert_threshold=threshold,
        alert=unexcused >= threshold,
    )


async def attendance_for(user: AuthUser, booking_id: int) -> schemas.Attendance:
    """A placement's attendance, for its host or the staff who see the participant; the read
    is audited."""
    async with write_transaction(booking_access.engine()):
        booking = await booking_access.booking_row_for(user, booking_id)
        await record(user, "attendance.read", booking["candidate"], detail=f"bokning {booking_id}")
        return await _out(booking, get_settings(), user)


async def alerts_among(user: AuthUser, booking_ids: list[int]) -> dict[int, int]:
    """Of placements the caller has already been allowed to list, those whose unexcused
    absence days reach the alert's threshold, with the days (for the workbench). Each alert
    shown is a read of attendance data, audited."""
    if not booking_ids:
        return {}
    threshold = get_settings().attendance_alert_absences
    rows = await AttendanceWeek.select(AttendanceWeek.booking, AttendanceWeek.days_unexcused).where(
        AttendanceWeek.booking.is_in(booking_ids)
    )
    totals: dict[int, int] = {}
    for row in rows:
        totals[int(row["booking"])] = totals.get(int(row["booking"]), 0) + row["days_unexcused"]
    alerted = {b: days for b, days in totals.items() if days >= threshold}
    if not alerted:
        return {}
    async with write_transaction(booking_access.engine()):
        owners = await Booking.select(Booking.id, Booking.candidate).where(
            Booking.id.is_in(list(alerted))
        )
        await record_many(
            user,
            "attendance.read",
            [owner["candidate"] for owner in owners],
            details=[f"bokning {owner['id']}, larm på arbetsbordet" for owner in owners],
        )
    return alerted


async def _save(
    booking_id: int, monday: dt.date, data: schemas.WeekReport, source: str, label: str
) -> AttendanceWeekRow | None:
    """Save the week's report; return the report it replaced (None: the week was new)."""
    values: dict[Column | str, Any] = {
        AttendanceWeek.days_present: data.days_present,
        AttendanceWeek.days_sick: data.days_sick,
        AttendanceWeek.days_leave: data.days_leave,
        AttendanceWeek.days_unexcused: data.days_unexcused,
        AttendanceWeek.days_other: data.days_other,
        AttendanceWeek.note: data.absence_note.strip(),
        AttendanceWeek.source: source,
        AttendanceWeek.reported_by: label[:200],
        AttendanceWeek.reported_at: booking_access.now(),
    }
    where = (AttendanceWeek.booking == booking_id) & (AttendanceWeek.week_start == monday)
    earlier = cast("AttendanceWeekRow | None", await AttendanceWeek.select().where(where).first())
    if earlier is not None:
        await AttendanceWeek.update(values).where(AttendanceWeek.id == earlier["id"])
        return earlier
    row = AttendanceWeek(booking=booking_id, week_start=monday)
    for column, value in values.items():
        setattr(row, column if isinstance(column, str) else column._meta.name, value)
    await AttendanceWeek.insert(row)
    return None


def _week_name(monday: dt.date) -> str:
    return f"vecka {monday.isocalendar().week} (från {monday.isoformat()})"


async def _coordinator(booking: BookingRow) -> UserAddress | None:
    """The participant's coordinator (or the booking's), active and with an address."""
    owner = (
        await Candidate.select(Candidate.coordinator)
        .where(Candidate.id == booking["candidate"])
        .first()
    )
    user_id = (owner or {}).get("coordinator") or booking["coordinator"]
    if not user_id:
        return None
    return cast(
        "UserAddress | None",
        await User.select(User.id, User.email)
        .where((User.id == user_id) & User.active.eq(True) & (User.email != ""))
        .first(),
    )


async def alert_if_due(booking: BookingRow, settings: Settings) -> bool:
    """Inside the report's transaction: mail the coordinator once when the placement's
    unexcused absence days reach the threshold. True when a mail was queued now."""
    rows = await _rows(int(booking["id"]))
    days = unexcused_total({r["week_start"]: counts_of(r) for r in rows})
    if days < settings.attendance_alert_absences:
        return False
    coordinator = await _coordinator(booking)
    if coordinator is None:
        return False
    slot = await Slot.select(Slot.title).where(Slot.id == booking["slot"]).first()
    return await queue_template_mail(
        coordinator["email"],
        "attendance_alert",
        settings,
        recipient_user_id=coordinator["id"],
        candidate_id=booking["candidate"],
        dedupe_key=f"{ALERT_DEDUPE}{booking['id']}",
        slot_title=(slot or {}).get("title", ""),
        days=days,
        threshold=settings.attendance_alert_absences,
        link=staff_attendance_link(int(booking["id"])),
    )


async def record_week(
    user: AuthUser, booking_id: int, data: schemas.WeekReport, *, source: str
) -> schemas.Attendance:
    """Report one week of a started placement (host users of its host, or staff who see the
    participant). Replaces an earlier report of the same week; audited; may alert."""
    settings = get_settings()
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if booking["status"] not in REPORTABLE:
            raise Conflict(NOT_STARTED)
        _check_host_may_report(user, booking)
        weekends = await works_weekends_for(booking_id)
        monday = check_report(data, booking, weekends=weekends)
        label = booking_moves.actor_label(user)
        earlier = await _save(booking_id, monday, data, source, label)
        figures = _figures_text(_report_counts(data))
        detail = f"bokning {booking_id}, vecka {monday.isoformat()}: {figures}"
        if earlier is not None:
            # The earlier figures stay in sight: who reported what is the placement's
            # evidence (a host's 3 days replaced a coordinator's 5 without a trace).
            before = _figures_text(earlier)
            detail += f"; ersatte {before} ({earlier['reported_by']})"
            await booking_moves.note_event(
                user,
                booking,
                f"Närvaron för {_week_name(monday)} ändrad: {before} "
                f"(rapporterad av {earlier['reported_by']}) → {figures}",
            )
        await record(user, "attendance.report", booking["candidate"], detail=detail)
        await alert_if_due(booking, settings)
        return await _out(booking, settings, user)


NOTHING_REPORTED = "Placeringen har inte startat, så ingen vecka är rapporterad."
NOT_REPORTED = (
    "Veckan som börjar {monday} är inte rapporterad, så det finns ingen rapport att ta bort."
)


def _report_counts(data: schemas.WeekReport) -> WeekCounts:
    return cast("WeekCounts", report_days(data))


def _figures_text(row: WeekCounts) -> str:
    """A week's figures as the history and the audit log keep them."""
    counts = counts_of(row)
    return (
        f"på plats {counts.present}, sjuk {counts.sick}, ledig {counts.leave}, "
        f"ogiltig frånvaro {counts.unexcused}, annat {counts.other}"
    )


async def withdraw_week(user: AuthUser, booking_id: int, week: dt.date) -> schemas.Attendance:
    """Withdraw a week's report (its host's users, or staff who see the participant): a week
    reported by mistake, or one that lies after the day the placement ended early and so can
    no longer be reported again (`misfits`). Audited with the figures it held, so that
    nothing reported is lost; the absence alert, once mailed, is not taken back."""
    monday = monday_of(week)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if booking["status"] not in REPORTABLE:
            raise Conflict(NOTHING_REPORTED)
        _check_host_may_report(user, booking)
        row = await (
            AttendanceWeek.select()
            .where((AttendanceWeek.booking == booking_id) & (AttendanceWeek.week_start == monday))
            .first()
        )
        if row is None:
            raise NotFound(NOT_REPORTED.format(monday=monday.isoformat()))
        await AttendanceWeek.delete().where(AttendanceWeek.id == row["id"])
        figures = _figures_text(cast("WeekCounts", row))
        await booking_moves.note_event(
            user,
            booking,
            f"Närvarorapporten för {_week_name(monday)} borttagen: {figures} "
            f"(rapporterad av {row['reported_by']})",
        )
        await record(
            user,
            "attendance.withdraw",
            booking["candidate"],
            detail=f"bokning {booking_id}, vecka {monday.isoformat()}: {figures}",
        )
        return await _out(booking, get_settings(), user)


# --- the supervisor's link -------------------------------------------------------------------
# A supervisor without an account reports a week through a signed link in the reminder, the
# same mechanism as the assessment link (`assessment_links.assessment_token`): the token names the
# placement and the week, expires after SIGNING_LINK_DAYS, and works once: when the week is
# reported (by anyone), the link is refused.

_SALT = "attendance-link"
LINK_GONE = "Placeringen finns inte längre, eller så har den inte startat."
# A reported week's link (through it, or by anyone else): when, not "the link does not work",
# which read as if the report was lost (`agreements/used.html` says whom to ask).
LINK_USED = "Närvaron för vecka {week} är redan rapporterad ({day})."


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT)


def link_token(booking_id: int, monday: dt.date) -> str:
    return _serializer().dumps({"b": booking_id, "w": monday.isoformat()})


def link_path(booking_id: int, monday: dt.date) -> str:
    return f"/narvaro/{link_token(booking_id, monday)}"


@dataclass(frozen=True)
class LinkWeek:
    """What the link's page shows: the slot, the week, and of the participant only the first
    name (a link can be forwarded)."""

    slot_title: str
    first_name: str
    supervisor_name: str
    week_start: dt.date
    week_number: int


async def _load_link(token: str) -> tuple[BookingRow, dt.date]:
    payload = link_payload(_serializer(), token, get_settings().signing_link_days * 86400)
    if not isinstance(payload.get("b"), int) or not isinstance(payload.get("w"), str):
        raise LinkRefused(LINK_INVALID, status_code=400)
    try:
        monday = dt.date.fromisoformat(payload["w"])
    except ValueError:
        raise LinkRefused(LINK_INVALID, status_code=400) from None
    booking = await booking_access.booking_row(payload["b"])
    if booking is None or booking["status"] not in REPORTABLE:
        raise LinkRefused(LINK_GONE, status_code=410)
    reported = (
        await AttendanceWeek.select(AttendanceWeek.reported_at)
        .where((AttendanceWeek.booking == booking["id"]) & (AttendanceWeek.week_start == monday))
        .first()
    )
    if reported is not None:
        # Said before a placement long ended: the week is reported, whatever came after.
        raise LinkRefused(
            LINK_USED.format(
                week=monday.isocalendar().week,
                day=clock.local_date(reported["reported_at"]).isoformat(),
            ),
            status_code=410,
            used="attendance",
            coordinator=await booking_access.coordinator_contact(booking["coordinator"]),
        )
    if closed := host_reports_closed(booking):
        raise LinkRefused(closed, status_code=410)
    return booking, monday


async def _supervisor_name(booking: BookingRow) -> str:
    if booking["supervisor"] is None:
        return ""
    contact = await Contact.select(Contact.name).where(Contact.id == booking["supervisor"]).first()
    return contact["name"] if contact else ""


async def link_week(token: str) -> tuple[BookingRow, dt.date]:
    """The link's placement and week (for the form's rules), or `LinkRefused` when it may not
    be used (nothing is shown or logged)."""
    return await _load_link(token)


async def link_page(token: str) -> LinkWeek:
    """What the link's page shows; the read names the participant, so it is audited."""
    booking, monday = await _load_link(token)
    async with write_transaction(booking_access.engine()):
        candidate = (
            await Candidate.select(Candidate.first_name)
            .where(Candidate.id == booking["candidate"])
            .first()
        )
        slot = await Slot.select(Slot.title).where(Slot.id == booking["slot"]).first()
        await record(
            None,
            "attendance.read",
            booking["candidate"],
            detail=f"bokning {booking['id']}, vecka {monday.isoformat()} via länk (handledare)",
        )
        return LinkWeek(
            slot_title=(slot or {}).get("title", ""),
            first_name=(candidate or {}).get("first_name", ""),
            supervisor_name=await _supervisor_name(booking),
            week_start=monday,
            week_number=monday.isocalendar().week,
        )


async def record_week_by_link(token: str, data: schemas.WeekReport) -> LinkWeek:
    """The supervisor reports the link's week, once (the claim is checked again under the
    booking's lock, so two uses cannot both succeed)."""
    settings = get_settings()
    async with write_transaction(booking_access.engine()):
        booking, monday = await _load_link(token)
        await booking_access.lock_booking(int(booking["id"]))
        booking, monday = await _load_link(token)
        report = msgspec.structs.replace(data, week_start=monday)
        check_report(report, booking, weekends=await works_weekends_for(int(booking["id"])))
        name = await _supervisor_name(booking)
        await _save(
            int(booking["id"]), monday, report, "link", f"{name} (handledare, via länk)".strip()
        )
        await record(
            None,
            "attendance.report",
            booking["candidate"],
            detail=f"bokning {booking['id']}, vecka {monday.isoformat()} via länk",
        )
        await alert_if_due(booking, settings)
        slot = await Slot.select(Slot.title).where(Slot.id == booking["slot"]).first()
        return LinkWeek(
            slot_title=(slot or {}).get("title", ""),
            first_name="",
            supervisor_name=name,
            week_start=monday,
            week_number=monday.isocalendar().week,
        )


# --- the monthly statement -------------------------------------------------------------------


@dataclass
class PlacementMonth:
    booking_id: int
    slot_title: str
    host_name: str
    start: dt.date | None
    end: dt.date | None
    hours_per_week: int | None
    statement: MonthStatement


@dataclass
class Statement:
    candidate_id: int
    name: str
    year: int
    month: int
    placements: list[PlacementMonth]
    months: list[tuple[int, int]]


def _period(
    booking: BookingRow, agreement: AgreementPeriod | None
) -> tuple[dt.date | None, dt.date | None]:
    """The planned period: the agreement's (else the booking's), cut at a real end."""
    start = (agreement["start_date"] if agreement else None) or booking["start_date"]
    end = (agreement["end_date"] if agreement else None) or booking["end_date"]
    ended = ended_on(booking)
    if ended is not None and (end is None or ended < end):
        end = ended
    return start, end


async def statement_for(user: AuthUser, candidate_id: int, year: int, month: int) -> Statement:
    """The participant's attendance in one month, per placement: planned against reported
    days week by week. Staff who see the participant; the read is audited."""
    row = await candidates.read_row_for(
        user, candidate_id, "attendance.statement", detail=f"{year}-{month:02d}"
    )
    rows = cast(
        "list[PlacementMonthRow]",
        await Booking.select(
            *Booking.all_columns(),
            Booking.slot.title.as_alias("slot_title"),
            Booking.hours_per_week,
            Booking.slot._.host._.name.as_alias("host_name"),
        ).where((Booking.candidate == candidate_id) & Booking.status.is_in(list(REPORTABLE))),
    )
    today = clock.today()
    found: list[PlacementMonth] = []
    months: set[tuple[int, int]] = set()
    for booking in sorted(rows, key=lambda r: (r["start_date"] or today, r["id"])):
        start, end = _period(booking, await agreement_versions.current_agreement_row(booking["id"]))
        reports = {r["week_start"]: counts_of(r) for r in await _rows(int(booking["id"]))}
        if start is not None:
            months.update(months_of_period(start, min(end or today, today)))
        for week in reports:
            months.update(months_of_period(week, week))
        statement = month_statement(
            year,
            month,
            start=start,
            end=end,
            hours_per_week=booking["hours_per_week"],
            reports=reports,
            today=today,
        )
        if statement.weeks:
            found.append(
                PlacementMonth(
                    booking_id=int(booking["id"]),
                    slot_title=booking["slot_title"],
                    host_name=booking["host_name"],
                    start=start,
                    end=end,
                    hours_per_week=booking["hours_per_week"],
                    statement=statement,
                )
            )
    return Statement(
        candidate_id=candidate_id,
        name=candidates.display_name(row),
        year=year,
        month=month,
        placements=found,
        months=sorted(months, reverse=True),
    )
