"""What the participant did on their own pages (/mina-sidor), as the coordinator sees it on
the participant's page: the slots they marked as interesting (to propose from) and their
"vill" / "vill inte" answers to proposals. The caller has read the participant's record
(and so audited the read) before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from placements.tables import ParticipantAnswer, ParticipantInterest


@dataclass(frozen=True)
class Interest:
    slot_id: int
    title: str
    host_name: str
    town: str
    published: bool
    marked_at: dt.datetime


@dataclass(frozen=True)
class Answer:
    answer: str  # "yes" or "no"
    comment: str
    answered_at: dt.datetime | None


@dataclass(frozen=True)
class OwnPages:
    interests: list[Interest]
    answers: dict[int, Answer]  # by booking id


async def own_pages_of(candidate_id: int) -> OwnPages:
    rows = (
        await ParticipantInterest.select(
            ParticipantInterest.slot,
            ParticipantInterest.created_at,
            ParticipantInterest.slot._.title.as_alias("title"),
            ParticipantInterest.slot._.town.as_alias("town"),
            ParticipantInterest.slot._.status.as_alias("status"),
            ParticipantInterest.slot._.host._.name.as_alias("host_name"),
        )
        .where(ParticipantInterest.candidate == candidate_id)
        .order_by(ParticipantInterest.created_at, ascending=False)
    )
    answers = await ParticipantAnswer.select(
        ParticipantAnswer.booking,
        ParticipantAnswer.answer,
        ParticipantAnswer.comment,
        ParticipantAnswer.answered_at,
    ).where(ParticipantAnswer.booking._.candidate == candidate_id)
    return OwnPages(
        interests=[
            Interest(
                int(r["slot"]),
                r["title"],
                r["host_name"] or "",
                r["town"],
                r["status"] == "published",
                r["created_at"],
            )
            for r in rows
        ],
        answers={
            int(a["booking"]): Answer(a["answer"], a["comment"], a["answered_at"])
            for a in answers
            if a["answer"]
        },
    )
