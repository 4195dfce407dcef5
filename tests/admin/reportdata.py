"""A small, hand-checkable data set for the report tests (period January–March 2026).

Every figure the tests expect is worked out by hand in their comments from the rows here.
All timestamps are 12:00 UTC, so each falls on the same day in Europe/Stockholm.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from admin.schemas import ReportFilters
from tests.builders import (
    make_agreement,
    make_assessment,
    make_booking,
    make_booking_event,
    make_candidate_row,
    make_follow_up,
    make_health_note,
    make_host,
    make_lock_in_flag,
    make_outbox_message,
    make_outcome,
    make_plan_activity,
    make_signature,
    make_slot,
    make_unit_target,
)

PERIOD = ReportFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
TODAY = dt.date(2026, 4, 15)
# By then every follow-up of the period's exits has fallen due (the last, C's 180 days, on
# 09-06); on TODAY none has, so the follow-up report counts nothing yet.
FOLLOW_UPS_DUE = dt.date(2026, 9, 30)

# What identifies candidate A; none of it may reach an analyst, or survive anonymisation.
A_FIRST, A_LAST = "Zlatan", "Ekströmsson"
A_PNR = "19850315-1239"
A_EMAIL = "zlatan.ekstromsson@example.org"
A_PHONE = "070-123 45 67"
SECRET_TEXTS = (
    "Ryggbesvär efter trafikolycka",  # health note
    "Hälsa Zlatan från verkstaden",  # booking message
    "Fick jobb via sin morbror",  # outcome note
    "Mycket punktlig och noggrann",  # assessment comment
    "Vill bli svetsare till hösten",  # plan goal
)


def noon(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 12, 0, tzinfo=dt.UTC)


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)


@dataclass
class Data:
    coordinators: dict[str, int] = field(default_factory=dict)
    hosts: dict[str, int] = field(default_factory=dict)
    slots: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)
    bookings: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


async def _save(row: Any) -> int:
    await row.save()
    return int(row.id)


async def build(make_user: Any) -> Data:
    data = Data()
    c1 = await make_user("coordinator", username="sara", first_name="Sara", last_name="Ek")
    c2 = await make_user("coordinator", username="omar", first_name="Omar", last_name="Oskarsson")
    data.coordinators = {"c1": c1.id, "c2": c2.id}

    h1 = await make_host("Verkstaden AB", "company")
    h2 = await make_host("Kostenheten", "municipal_unit")
    h3 = await make_host("Föreningen Gemenskap", "association")
    data.hosts = {"H1": h1, "H2": h2, "H3": h3}
    await make_unit_target(h2, 2026, 8, set_at=noon(2026, 1, 2))
    await make_unit_target(h2, 2026, 10, set_at=noon(2026, 2, 2))
    await make_unit_target(h2, 2025, 99, set_at=noon(2025, 2, 2))

    async def slot(host: int, ext: str, setting: str, hours: int, cap: int, status: str) -> int:
        return await make_slot(
            host,
            capacity=cap,
            title=f"Plats {ext}",
            status=status,
            hours=hours,
            description="",
            external_id=ext,
            setting=setting,
        )

    data.slots = {
        "S1": await slot(h1, "S1", "open_workplace", 20, 2, "published"),
        "S2": await slot(h2, "S2", "municipal_workplace", 30, 3, "published"),
        "S3": await slot(h3, "S3", "sheltered", 10, 1, "published"),
        "S4": await slot(h2, "S4", "municipal_workplace", 30, 2, "draft"),
    }

    async def candidate(
        first: str, last: str, track: str, coord: int, reg: dt.date, **kw: Any
    ) -> int:
        return await make_candidate_row(
            coord,
            first,
            last_name=last,
            email=kw.pop("email", ""),
            track=track,
            registered_at=reg,
            **kw,
        )

    data.candidates = {
        "A": await candidate(
            A_FIRST,
            A_LAST,
            "kompetens",
            c1.id,
            d(2026, 1, 5),
            personnummer=A_PNR,
            email=A_EMAIL,
            phone=A_PHONE,
            address="Storgatan 12",
            plan_goal=SECRET_TEXTS[4],
            exited_at=d(2026, 2, 25),
            status="exited",
        ),
        "B": await candidate("Birgitta", "Lindqvistberg", "hälsa", c1.id, d(2026, 1, 10)),
        "C": await candidate("Cecilia", "Nordanstig", "kompetens", c2.id, d(2025, 12, 20)),
        "D": await candidate("Dawit", "Haileselassie", "vägledning", c2.id, d(2026, 2, 1)),
    }
    cand = data.candidates
    S = data.slots

    async def booking(c: str, s: str, status: str, proposed: dt.datetime, **kw: Any) -> int:
        return await make_booking(S[s], cand[c], c1.id, status=status, proposed_at=proposed, **kw)

    data.bookings = {
        "b1": await booking(
            "A",
            "S1",
            "completed",
            noon(2026, 1, 15),
            started_at=noon(2026, 1, 20),
            start_date=d(2026, 1, 20),
            end_date=d(2026, 2, 19),
            ended_at=noon(2026, 2, 19),
            message=SECRET_TEXTS[1],
        ),
        "b2": await booking(
            "B",
            "S3",
            "active",
            noon(2026, 1, 20),
            started_at=noon(2026, 2, 1),
            start_date=d(2026, 2, 1),
            end_date=d(2026, 5, 1),
        ),
        "b3": await booking(
            "C",
            "S2",
            "interrupted",
            noon(2026, 1, 2),
            started_at=noon(2026, 1, 12),
            start_date=d(2026, 1, 12),
            end_date=d(2026, 3, 10),
            ended_at=noon(2026, 3, 10),
        ),
        "b4": await booking("D", "S2", "declined", noon(2026, 2, 10)),
        "b5": await booking(
            "D",
            "S1",
            "completed",
            noon(2026, 2, 20),
            started_at=noon(2026, 3, 1),
            start_date=d(2026, 3, 1),
            end_date=d(2026, 3, 31),
            ended_at=noon(2026, 3, 31),
        ),
        "b6": await booking("A", "S2", "accepted", noon(2026, 2, 25), start_date=d(2026, 4, 10)),
    }
    B = data.bookings
    await make_assessment(
        B["b1"],
        attendance="god",
        recommendation="would_hire",
        comment=SECRET_TEXTS[3],
        submitted_at=noon(2026, 2, 20),
        submitted_by="Handledare Hans",
        participant_view="Roligt att jobba med Zlatan",
    )
    await make_assessment(B["b3"], attendance="", recommendation="")

    async def outcome(c: str, b: str | None, category: str, day: dt.date, **kw: Any) -> int:
        return await make_outcome(cand[c], category, day, booking_id=B[b] if b else None, **kw)

    data.outcomes = {
        "o1": await outcome(
            "A", "b1", "arbete", d(2026, 2, 25), hired_by_host=True, note=SECRET_TEXTS[2]
        ),
        "o2": await outcome("C", "b3", "studier", d(2026, 3, 15)),
        "o3": await outcome("D", "b5", "annan_insats", d(2026, 3, 31)),
        "o4": await outcome("B", None, "okant", d(2025, 12, 15)),
        "o5": await outcome("C", "b3", "arbete", d(2026, 3, 20)),
    }
    outs = data.outcomes

    async def follow(c: str, o: str, days: int, due: dt.date, status: str, result: str = "") -> int:
        return await make_follow_up(
            cand[c], outs[o], days, due, status=status, result_category=result
        )

    # Due 90 and 180 days after the placement ended (b1 02-19, b3 03-10, b5 03-31), or
    # after the outcome's date when it has no placement (o4 2025-12-15).
    await follow("A", "o1", 90, d(2026, 5, 20), "done", "arbete")
    await follow("C", "o2", 90, d(2026, 6, 8), "done", "okant")
    await follow("D", "o3", 90, d(2026, 6, 29), "due")
    await follow("A", "o1", 180, d(2026, 8, 18), "done", "studier")
    await follow("C", "o2", 180, d(2026, 9, 6), "due")
    await follow("B", "o4", 90, d(2026, 3, 15), "due")

    async def flag(c: str, kind: str, at: dt.datetime, resolved: dt.datetime | None = None) -> int:
        return await make_lock_in_flag(
            cand[c], kind, "Regel uppfylld", flagged_at=at, resolved_at=resolved
        )

    await flag("B", "long_placement", noon(2026, 3, 5))
    await flag("C", "repeated_placements", noon(2026, 1, 10), noon(2026, 2, 1))
    await flag("A", "long_placement", noon(2025, 11, 1))
    await flag("D", "repeated_placements", noon(2026, 4, 2))

    # Personal data of A in the other places it lives, for the privacy and erasure tests.
    await make_health_note(cand["A"], c1.id, SECRET_TEXTS[0])
    await make_plan_activity(cand["A"], "Svetskurs för Zlatan", follow_up="Gick bra")
    await make_booking_event(
        B["b1"],
        "agreed",
        "active",
        actor_label=f"{A_FIRST} {A_LAST} (deltagare)",
        note="Zlatan kom i tid",
    )
    agreement = await make_agreement(
        B["b1"],
        "signed",
        participant_goals="Zlatan vill lära sig svetsa",
        host_gains="Hjälp i verkstaden",
        tasks="Svetsning",
        adaptations_shared='["Ryggvänliga lyft"]',
    )
    await make_signature(
        agreement,
        "participant",
        signer_label=f"{A_FIRST} {A_LAST}",
        signed_at=noon(2026, 1, 18),
    )
    await make_outbox_message(
        A_EMAIL,
        f"Underteckna överenskommelsen, {A_FIRST}",
        f"Hej {A_FIRST} {A_LAST}! Följ länken.",
        candidate=cand["A"],  # as queue_mail keys mail about a participant
        body_html="",
        kind="sign_link",
    )
    return data


def csv_table(content: bytes) -> list[list[str]]:
    """The table of a report's Swedish CSV export: the rows after its title rows (title,
    definition, period, filters and the small-cell rule, then an empty row)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    return rows[rows.index([]) + 1 :]


def csv_title_rows(content: bytes) -> list[list[str]]:
    """The title rows above the table of a report's Swedish CSV export."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    return rows[: rows.index([])]
