"""Candidates (deltagare): identity numbers, who may see whom, the record, health notes and the
arbetsmarknadsplan.

Secrecy (OSL 26:1) shapes everything here:
- every read or change of a candidate writes an audit row in the same transaction;
- a coordinator sees their own candidates, and their team's only when `TEAM_SHARING` is on;
  admins see every candidate; analysts never see a person;
- a host sees only participants proposed to or placed with its organisations, and only what
  the booking's status allows (`booking_states.host_view`): for a proposal the first name and
  the shareable adaptations, once the host has accepted also the last name and contact
  details (`HostParticipant`);
- health notes are readable only by the candidate's own coordinator;
- a personnummer never leaves this module except in the full record, masked in lists.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

import msgspec

from employers.tables import HostMembership
from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser, name_of_user
from marketplace.kernel.db import label_order, sort_term, write_transaction
from marketplace.kernel.errors import Forbidden, NotFound, ValidationFailed
from marketplace.kernel.i18n import N_
from marketplace.kernel.luhn import luhn_ok
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User
from marketplace.reference import places, taxonomy
from placements import date_rules
from placements.booking_states import HOST_VIEWS, HostView, host_view
from placements.host_texts import host_text_problems
from placements.rows import (
    CandidateAdaptations,
    CandidateName,
    CandidateRow,
    HealthNoteRow,
    PlanActivityRow,
)
from placements.schemas import candidates as schemas
from placements.services import people_search
from placements.tables import Booking, Candidate, HealthNote, PlanActivity
from placements.vocabulary import CASE_STATUS_LABELS

CANDIDATE_NOT_FOUND = "Deltagaren finns inte, eller så har du inte tillgång till hen."
# Bookings in these statuses are not shown to the host at all: withdrawn proposals leave the
# host's view; one the participant answers first never enters it until they say "vill"
# (`placements.booking_states.HOST_VIEWS`, the one rule of what a host sees).
HIDDEN_FROM_HOST = tuple(s for s, view in HOST_VIEWS.items() if view == HostView.HIDDEN)


# --- personnummer and samordningsnummer -----------------------------------------------------


# What is wrong with a personnummer, also shown on the public application form in English and
# Arabic (marked for the participant pages' catalogs).
PNR_FORM = N_(
    "Personnumret har fel form. Ange 10 eller 12 siffror, t.ex. 19121212-1212 eller 121212-1212."
)
PNR_CHECK_DIGIT = N_("Personnumret har fel kontrollsiffra. Kontrollera siffrorna.")
PNR_NO_DATE = N_("Personnumret innehåller ett datum som inte finns. Kontrollera födelsedatumet.")
PNR_IMPOSSIBLE = N_("Personnumret har ett födelsedatum som inte är möjligt.")


def normalise_personnummer(raw: str, today: dt.date | None = None) -> str:
    """Validate a personnummer or samordningsnummer and return it as "YYYYMMDD-NNNN".

    Accepts 12 digits (with or without "-") or 10 digits with "-", "+" (aged 100 or more) or
    no separator; any kind of dash counts as "-", and spaces anywhere are dropped. A samordningsnummer has the day plus 60. Raises `ValidationFailed`; the
    message never repeats the number, since errors end up in logs.
    """
    today = today or clock.today()
    text = "".join(people_search.plain_dashes(raw).split())
    separator = "-"
    if len(text) in (11, 13) and text[-5] in "-+":
        separator = text[-5]
        text = text[:-5] + text[-4:]
    if not text.isdigit() or len(text) not in (10, 12) or not text.isascii():
        raise ValidationFailed(PNR_FORM, fields=["personnummer"])
    if not luhn_ok(text[-10:]):
        raise ValidationFailed(PNR_CHECK_DIGIT, fields=["personnummer"])
    month, day = int(text[-8:-6]), int(text[-6:-4])
    birth_day = day - 60 if day > 60 else day
    if len(text) == 12:
        year = int(text[:4])
    else:
        yy = int(text[:2])
        year = (today.year // 100) * 100 + yy
        try:
            if dt.date(year, month, birth_day) > today:
                year -= 100
        except ValueError:
            pass  # the date check below reports it
        if separator == "+":
            year -= 100
    try:
        born = dt.date(year, month, birth_day)
    except ValueError:
        raise ValidationFailed(PNR_NO_DATE, fields=["personnummer"]) from None
    if born > today or year < 1880:
        raise ValidationFailed(PNR_IMPOSSIBLE, fields=["personnummer"])
    return f"{year:04d}{text[-8:-4]}-{text[-4:]}"


def mask_personnummer(value: str) -> str:
    """The list form: date part kept, the last four digits hidden ("19850101-****")."""
    if not value:
        return ""
    return value[:8] + "-****"


# --- who may see whom ------------------------------------------------------------------------


async def host_ids_of(user: AuthUser) -> list[int]:
    """The host organisations a host user belongs to."""
    rows = await HostMembership.select(HostMembership.host).where(HostMembership.user == user.id)
    return sorted({int(r["host"]) for r in rows})


async def visible_coordinator_ids(user: AuthUser) -> list[int] | None:
    """Whose candidates a staff user sees: None for every candidate (admins), else user ids."""
    if user.role == "admin":
        return None
    if user.role != "coordinator":
        return []
    ids = {user.id}
    if get_settings().team_sharing and user.team:
        rows = await User.select(User.id).where(
            (User.team == user.team) & (User.role == "coordinator")
        )
        ids |= {int(r["id"]) for r in rows}
    return sorted(ids)


def _require_staff(user: AuthUser) -> None:
    if not user.is_staff:
        raise Forbidden("Bara samordnare och administratörer ser deltagarnas uppgifter.")


async def candidate_row(candidate_id: int) -> CandidateRow | None:
    """The participant's row, every column (None if there is none); no access check."""
    return cast(
        "CandidateRow | None", await Candidate.select().where(Candidate.id == candidate_id).first()
    )


async def staff_row(user: AuthUser, candidate_id: int) -> CandidateRow:
    """The participant's row for staff who may see it; NotFound otherwise (not audited)."""
    _require_staff(user)
    row = await candidate_row(candidate_id)
    if row is None:
        raise NotFound(CANDIDATE_NOT_FOUND)
    allowed = await visible_coordinator_ids(user)
    if allowed is not None and row["coordinator"] not in allowed:
        raise NotFound(CANDIDATE_NOT_FOUND)
    return row


async def host_view_of(
    user: AuthUser, candidate_id: int, booking_id: int | None = None
) -> HostView:
    """How much the user's host organisations may see of the participant: what the booking
    `booking_id` allows, or without one the most that any of their bookings of the
    participant allows (`booking_states.host_view`). HIDDEN for anyone but a host user."""
    if user.role != "host":
        return HostView.HIDDEN
    hosts = await host_ids_of(user)
    if not hosts:
        return HostView.HIDDEN
    query = Booking.select(Booking.status, Booking.ended_at).where(
        (Booking.candidate == candidate_id) & Booking.slot.host.is_in(hosts)
    )
    if booking_id is not None:
        query = query.where(Booking.id == booking_id)
    now = clock.now()
    return max(
        (host_view(r["status"], r["ended_at"], now) for r in await query),
        default=HostView.HIDDEN,
    )


async def host_may_see(user: AuthUser, candidate_id: int) -> bool:
    """True when the candidate is proposed to or placed with one of the user's hosts (a
    declined proposal no longer counts)."""
    return await host_view_of(user, candidate_id) >= HostView.PROPOSAL


async def staff_may_see(user: AuthUser, candidate_id: int) -> bool:
    """True when a coordinator or admin may see this candidate's record."""
    try:
        await staff_row(user, candidate_id)
    except (NotFound, Forbidden):
        return False
    return True


def engine() -> Any:
    """The database engine of the participant's tables (for `write_transaction`)."""
    return Candidate._meta.db


# --- converting rows -------------------------------------------------------------------------


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


def adaptations_of(row: CandidateAdaptations) -> list[schemas.Adaptation]:
    return [
        schemas.Adaptation(text=str(a.get("text", "")), shareable=bool(a.get("shareable")))
        for a in _json_list(row["adaptations"])
        if isinstance(a, dict) and a.get("text")
    ]


def shareable_adaptations(row: CandidateAdaptations) -> list[str]:
    """The adaptations the participant agreed to share with a host."""
    return [a.text for a in adaptations_of(row) if a.shareable]


def consent_problems(consent_date: dt.date | None, method: str) -> list[tuple[str, str]]:
    """A consent has a day and a way it was given, both or neither."""
    problems: list[tuple[str, str]] = []
    if consent_date is not None and not method:
        problems.append(("consent_method", "Ange hur deltagaren gav sitt samtycke."))
    if method and consent_date is None:
        problems.append(("consent_date", "Ange vilken dag deltagaren gav sitt samtycke."))
    return problems


def check_consent(
    consent_date: dt.date | None, method: str, registered_at: dt.date | None = None
) -> None:
    """A consent has a day and a way it was given, both or neither; the consent day and the
    registration day are not in the future (the date table, `placements.date_rules`)."""
    date_rules.check(
        "candidate",
        {"consent_date": consent_date, "registered_at": registered_at},
        extra=consent_problems(consent_date, method),
    )


def home_town_problem(home_town: str, latitude: float | None, longitude: float | None) -> str:
    """Why no commute distance can be worked out from a participant's home town, in the slot
    search's words ("Orten X finns inte i ortslistan"), or "" when one can: no town, a town
    the gazetteer knows, or coordinates given. The town is saved as typed either way; this
    only says what it does not give."""
    town = home_town.strip()
    if not town or (latitude is not None and longitude is not None) or places.place(town):
        return ""
    question = places.did_you_mean(town)
    return (
        f"Orten {town} finns inte i ortslistan, så avståndet till platserna kan inte räknas "
        "ut. " + (f"{question} " if question else "") + "Rätta stavningen eller skriv en "
        "närliggande ort."
    )


def candidate_warnings(row: CandidateRow) -> dict[str, str]:
    """What is saved on the record but needs looking at, by field (see `schemas.Candidate`)."""
    problem = home_town_problem(row["home_town"], row["latitude"], row["longitude"])
    return {"home_town": problem} if problem else {}


async def candidate_out(row: CandidateRow) -> schemas.Candidate:
    return schemas.Candidate(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        personnummer=row["personnummer"],
        email=row["email"],
        phone=row["phone"],
        address=row["address"],
        track=row["track"],
        wished_occupations=_json_list(row["wished_occupations"]),
        skills=_json_list(row["skills"]),
        languages=_json_list(row["languages"]),
        interests=row["interests"],
        experience=row["experience"],
        driving_licence=row["driving_licence"],
        hours_available=row["hours_available"],
        home_town=row["home_town"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        max_commute_km=row["max_commute_km"],
        adaptations=adaptations_of(row),
        plan_goal=row["plan_goal"],
        plan_goal_shareable=bool(row["plan_goal_shareable"]),
        status=row["status"],
        consent_date=row["consent_date"],
        consent_method=row["consent_method"] or "",
        coordinator_id=row["coordinator"],
        coordinator_name=await name_of_user(row["coordinator"]),
        registered_at=row["registered_at"],
        exited_at=row["exited_at"],
        updated_at=row["updated_at"],
        warnings=candidate_warnings(row),
    )


def list_item(row: CandidateRow) -> schemas.CandidateListItem:
    return schemas.CandidateListItem(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        personnummer_masked=mask_personnummer(row["personnummer"]),
        track=row["track"],
        status=row["status"],
        home_town=row["home_town"],
        coordinator_id=row["coordinator"],
        registered_at=row["registered_at"],
        updated_at=row["updated_at"],
        consented=row["consent_date"] is not None,
    )


def host_participant_out(row: CandidateRow, view: HostView) -> schemas.HostParticipant:
    """The participant as a host sees them at `view` (`booking_states.host_view`): every
    host path builds what it shows of a participant here. The last name, e-mail and phone
    are None until the host has accepted; the adaptations are only the shareable ones, and
    none once the host declined."""
    placed = view >= HostView.PLACEMENT
    return schemas.HostParticipant(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"] if placed else None,
        email=row["email"] if placed else None,
        phone=row["phone"] if placed else None,
        shared_adaptations=shareable_adaptations(row) if view >= HostView.PROPOSAL else [],
    )


def display_name(row: CandidateName) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def name_for_host(row: CandidateName, view: HostView) -> str:
    """The participant's name as a host sees it at `view`: the first name only until the
    host has accepted (`host_participant_out`'s rule, for the lists and page titles)."""
    if view >= HostView.PLACEMENT:
        return display_name(row)
    return row["first_name"] if view >= HostView.FIRST_NAME else ""


# --- the record ------------------------------------------------------------------------------


async def get_candidate_for(user: AuthUser, candidate_id: int) -> schemas.Candidate:
    """The full record, if the caller may see it (else NotFound); the read is audited."""
    async with write_transaction(engine()):
        row = await staff_row(user, candidate_id)
        await record(user, "candidate.read", candidate_id)
        return await candidate_out(row)


async def read_row_for(
    user: AuthUser, candidate_id: int, action: str, detail: str = ""
) -> CandidateRow:
    """The raw row of a candidate the caller may see (else NotFound), for matching; the read
    is audited under ``action``. No decryption: matching never needs the identity number."""
    async with write_transaction(engine()):
        row = await staff_row(user, candidate_id)
        await record(user, action, candidate_id, detail=detail)
        return row


# The orders a candidate list can take: key -> columns, first to last (the id breaks ties);
# names in Swedish alphabetical order, the status in the order of the words the list shows.
SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Candidate.last_name, Candidate.first_name),
    "registered": (Candidate.registered_at, Candidate.last_name, Candidate.first_name),
    "status": (
        label_order(Candidate.status, CASE_STATUS_LABELS),
        Candidate.last_name,
        Candidate.first_name,
    ),
    "updated": (Candidate.updated_at, Candidate.last_name, Candidate.first_name),
}
SortKey = Literal[
    "name", "-name", "registered", "-registered", "status", "-status", "updated", "-updated"
]
IDENTITY_NUMBER_IN_NAME_SEARCH = (
    "Ett personnummer söks inte bland namnen och får inte stå i en adress. Sök på hela "
    "numret i sökrutan på arbetsbordet, eller med POST /api/v1/candidates/search."
)


async def _page_of(
    user: AuthUser,
    where: list[Any],
    *,
    sort: str,
    limit: int,
    offset: int,
    action: str,
) -> schemas.CandidatePage:
    """One page of the candidates the caller may see among `where`; each row shown is audited
    under `action`, since a list is a read of every record in it."""
    allowed = await visible_coordinator_ids(user)
    if allowed is not None:
        where = [Candidate.coordinator.is_in(allowed or [0]), *where]
    query = Candidate.select()
    count = Candidate.count()
    for condition in where:
        query = query.where(condition)
        count = count.where(condition)
    descending = sort.startswith("-")
    for column in (*SORTS[sort.lstrip("-")], Candidate.id):
        query = query.order_by(sort_term(column), ascending=not descending)
    rows = cast("list[CandidateRow]", await query.limit(limit).offset(offset))
    total = await count
    await record_many(user, action, [row["id"] for row in rows])
    return schemas.CandidatePage(
        total=total, limit=limit, offset=offset, items=[list_item(r) for r in rows]
    )


async def list_candidates_for(
    user: AuthUser,
    *,
    status: str | None = None,
    q: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
    only_ids: Iterable[int] | None = None,
) -> schemas.CandidatePage:
    """The candidates the caller may see, with personnummer masked, in the order `sort`
    (a key of `SORTS`, "-" first for descending).

    `q` finds by name (see `people_search`: å/ä/ö optional, words in any order, part of a
    name). A `q` written like a personnummer is refused: that search is exact and audited, in
    `find_by_personnummer`, and a number must not travel in a URL. `only_ids` narrows the list
    to those ids (the workbench's "flagged only").
    """
    _require_staff(user)
    if sort.lstrip("-") not in SORTS:
        raise ValidationFailed("Okänd sortering.", fields=["sort"])
    where: list[Any] = []
    if status:
        where.append(Candidate.status == status)
    if q and people_search.looks_like_identity_number(q):
        raise ValidationFailed(IDENTITY_NUMBER_IN_NAME_SEARCH, fields=["q"])
    words = people_search.query_words(q or "")
    if words:
        where.append(people_search.name_matches(Candidate.first_name, Candidate.last_name, words))
    if only_ids is not None:
        where.append(Candidate.id.is_in(sorted(set(only_ids)) or [0]))
    async with write_transaction(engine()):
        return await _page_of(
            user, where, sort=sort, limit=limit, offset=offset, action="candidate.list"
        )


async def count_by_name_for(
    user: AuthUser, q: str, *, only_ids: Iterable[int] | None = None
) -> int:
    """How many candidates the caller may see have a name that holds every word of `q`
    (`people_search`), whatever their status: a name search that found nobody under the
    status filter says whether others match ("astrom" finds no active Kevin Åström, who is
    paused). A count only: no record is read, so nothing is audited."""
    _require_staff(user)
    words = people_search.query_words(q)
    if not words or people_search.looks_like_identity_number(q):
        return 0
    count = Candidate.count().where(
        people_search.name_matches(Candidate.first_name, Candidate.last_name, words)
    )
    allowed = await visible_coordinator_ids(user)
    if allowed is not None:
        count = count.where(Candidate.coordinator.is_in(allowed or [0]))
    if only_ids is not None:
        count = count.where(Candidate.id.is_in(sorted(set(only_ids)) or [0]))
    return int(await count)


NAME_SUGGESTION = "candidate.name_suggestion"


async def similar_name_for(
    user: AuthUser, q: str, *, only_ids: Iterable[int] | None = None
) -> str | None:
    """A name query that finds someone, for a `q` that found nobody the caller may see under
    any status because of a slip ("hadad" → "haddad", `people_search.corrected_words`); None
    when there is no such neighbour. The words offered are those of names the caller may
    see; the participants they lead to are audited as read (`NAME_SUGGESTION`), since the
    suggestion tells that they exist."""
    _require_staff(user)
    words = people_search.query_words(q)
    if not words or people_search.looks_like_identity_number(q):
        return None
    allowed = await visible_coordinator_ids(user)
    query = Candidate.select(Candidate.id, Candidate.first_name, Candidate.last_name)
    if allowed is not None:
        query = query.where(Candidate.coordinator.is_in(allowed or [0]))
    if only_ids is not None:
        query = query.where(Candidate.id.is_in(sorted(set(only_ids)) or [0]))
    names: dict[int, list[str]] = {}
    written: dict[str, str] = {}  # a folded word as a name writes it ("astrom": "Åström")
    for r in await query:
        folded = people_search.name_words(r["first_name"], r["last_name"])
        names[int(r["id"])] = folded
        as_written = people_search.name_words_as_written(r["first_name"], r["last_name"])
        for word, shown in zip(folded, as_written, strict=False):
            written.setdefault(word, shown)
    corrected = people_search.corrected_words(words, (w for ws in names.values() for w in ws))
    if corrected is None:
        return None
    found = [i for i, ws in names.items() if all(any(c in w for w in ws) for c in corrected)]
    if not found:
        return None
    async with write_transaction(engine()):
        await record_many(user, NAME_SUGGESTION, sorted(found))
    return " ".join(written.get(c, c) for c in corrected)


PERSONNUMMER_SEARCH = "candidate.search_personnummer"


async def find_by_personnummer(
    user: AuthUser, raw: str, *, limit: int = 50, offset: int = 0
) -> schemas.CandidatePage:
    """The candidates the caller may see whose personnummer (or samordningsnummer) is exactly
    `raw`, written in any accepted form (12 or 10 digits, with or without "-").

    Never a partial match: anything that is not a whole, valid number finds nothing. Another
    coordinator's participant is not there either, which reads the same as no match. Every
    search writes an audit row: one per record found, or one without a subject when nothing
    was found. No audit row or error holds the number.
    """
    _require_staff(user)
    try:
        pnr = normalise_personnummer(raw) if raw.strip() else ""
    except ValidationFailed:
        pnr = ""
    async with write_transaction(engine()):
        if not pnr:
            await record(user, PERSONNUMMER_SEARCH, None, detail="inte ett helt personnummer")
            return schemas.CandidatePage(total=0, limit=limit, offset=offset, items=[])
        result = await _page_of(
            user,
            [Candidate.personnummer == pnr, Candidate.anonymised_at.is_null()],
            sort="name",
            limit=limit,
            offset=offset,
            action=PERSONNUMMER_SEARCH,
        )
        if not result.items:
            await record(user, PERSONNUMMER_SEARCH, None, detail="ingen träff")
        return result


async def _check_coordinator(user: AuthUser, coordinator_id: int | None) -> int:
    if coordinator_id is None or coordinator_id == user.id:
        if user.role != "coordinator":
            raise ValidationFailed(
                "Ange vilken samordnare som ansvarar för deltagaren.",
                fields=["coordinator_id"],
            )
        return user.id
    row = await User.select(User.role, User.active).where(User.id == coordinator_id).first()
    if row is None or row["role"] != "coordinator" or not row["active"]:
        raise ValidationFailed(
            "Den ansvariga måste vara en aktiv samordnare. Välj en annan person.",
            fields=["coordinator_id"],
        )
    return coordinator_id


def adaptations_json(items: Iterable[schemas.Adaptation]) -> str:
    """Adaptations as the `adaptations` column stores them."""
    return json.dumps([msgspec.to_builtins(a) for a in items], ensure_ascii=False)


def check_taxonomy_ids(data: schemas.CandidateCreate | schemas.CandidateUpdate) -> None:
    """Wished occupations, skills and languages must be the taxonomy's own IDs."""
    known: dict[str, tuple[str, Any]] = {
        "wished_occupations": ("yrke", taxonomy.occupations()),
        "skills": ("kompetens", taxonomy.skills()),
        "languages": ("språk", taxonomy.languages()),
    }
    for field, (noun, ids) in known.items():
        value = getattr(data, field)
        if value is msgspec.UNSET:
            continue
        unknown = [v for v in value if v not in ids]
        if unknown:
            raise ValidationFailed(
                f"Okänt {noun} i taxonomin: {unknown[0]}. Välj bland förslagen i formuläret, "
                f"eller ange id:n ur JobTechs taxonomi.",
                fields=[field],
            )


# --- duplicates: told to whoever may see the other record, else routed to the admins ------
#
# Saying "that personnummer is already registered" to a coordinator who may not see the other
# record confirms that the person is a participant (an oracle on OSL 26:1 data). So the
# caller hears of a duplicate only among the records they may already see (their own, their
# team's with team sharing, every record for admins). Any other match is registered like a
# normal record and routed to the admins: an audit row `candidate.possible_duplicate` (their
# list: the audit review filtered on that action) and a mail to every active admin, neither
# holding the personnummer.

POSSIBLE_DUPLICATE = "candidate.possible_duplicate"


async def same_personnummer(
    user: AuthUser, pnr: str, exclude_id: int | None = None
) -> tuple[list[int], list[int]]:
    """Ids of other records with `pnr`: (those the caller may see, the rest)."""
    query = Candidate.select(Candidate.id, Candidate.coordinator).where(
        Candidate.personnummer == pnr
    )
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    allowed = await visible_coordinator_ids(user)
    seen: list[int] = []
    hidden: list[int] = []
    for row in await query.order_by(Candidate.id):
        mine = allowed is None or row["coordinator"] in allowed
        (seen if mine else hidden).append(int(row["id"]))
    return seen, hidden


async def route_possible_duplicate(user: AuthUser, candidate_id: int, others: list[int]) -> None:
    """Record and mail the admins that `candidate_id` may be the same person as `others`."""
    ids = ", ".join(str(i) for i in others)
    await record(
        user,
        POSSIBLE_DUPLICATE,
        candidate_id,
        detail=f"Samma personnummer som deltagare {ids} (som registreraren inte ser).",
    )
    admins = await User.select(User.id, User.email).where(
        (User.role == "admin") & (User.active == True)  # noqa: E712
    )
    for admin in admins:
        await queue_mail(
            admin["email"],
            "Möjlig dubblett bland deltagarna",
            f"Hej!\n\n{user.username} har registrerat deltagare {candidate_id} med samma "
            f"personnummer som deltagare {ids}, som hen inte har tillgång till. Se över om det "
            "är samma person och slå i så fall ihop eller rätta uppgifterna.\n\n"
            "Händelsen finns i loggkontrollen: "
            f"{get_settings().base_url.rstrip('/')}/loggkontroll?subject_id={candidate_id}\n",
            kind="possible_duplicate",
            recipient_user_id=int(admin["id"]),
            dedupe_key=f"possible_duplicate:{candidate_id}:{ids}:{admin['id']}",
        )


SHARED_GOAL = (
    "Målet visas för värden när det får delas. {problem} Eller dela inte målet med värden."
)
SHARED_ADAPTATION = (
    "Anpassningen ”{text}” visas för värden när den får delas. {problem} Eller dela inte "
    "anpassningen med värden."
)


def shared_text_problems(
    goal: str, shareable: bool, adaptations: Iterable[schemas.Adaptation]
) -> list[tuple[str, str]]:
    """A plan goal and the adaptations the participant lets hosts see are copied into the
    agreement the host reads: they may say no more than the coordinator's other texts to the
    host (`host_texts`: no personnummer, nothing about health; "behöver pauser", not why).
    Checked where they and the choice to share are written, so that the host's copy never
    needs it; what is kept from hosts may say what it needs."""
    problems = [
        (field, SHARED_GOAL.format(problem=message))
        for field, message in (host_text_problems("plan_goal", goal) if shareable else [])
    ]
    for item in adaptations:
        if item.shareable:
            problems += [
                (field, SHARED_ADAPTATION.format(text=item.text, problem=message))
                for field, message in host_text_problems("adaptations", item.text)
            ]
    return problems


async def create_candidate(user: AuthUser, data: schemas.CandidateCreate) -> schemas.Candidate:
    """Register a participant; the personnummer is validated and stored normalised.

    A personnummer already registered is refused only when the caller may see that record;
    otherwise the registration goes through as usual and is routed to the admins as a
    possible duplicate (see above), so that the answer never confirms someone's existence.
    """
    _require_staff(user)
    check_taxonomy_ids(data)
    shared = shared_text_problems(data.plan_goal, data.plan_goal_shareable, data.adaptations)
    if shared:
        raise ValidationFailed.listed(shared)
    pnr = normalise_personnummer(data.personnummer) if data.personnummer.strip() else ""
    async with write_transaction(engine()):
        check_consent(data.consent_date, data.consent_method, data.registered_at)
        coordinator_id = await _check_coordinator(user, data.coordinator_id)
        seen, hidden = await same_personnummer(user, pnr) if pnr else ([], [])
        if seen:
            raise ValidationFailed(
                "Det finns redan en deltagare med det personnumret. Sök upp henne eller honom "
                "i stället för att registrera en gång till.",
                fields=["personnummer"],
            )
        today = clock.today()
        candidate = Candidate(
            first_name=one_line_name(data.first_name, "first_name"),
            last_name=one_line_name(data.last_name, "last_name"),
            personnummer=pnr,
            email=normalise_email(data.email, required=False),
            phone=data.phone.strip(),
            address=data.address,
            track=data.track,
            wished_occupations=json.dumps(data.wished_occupations),
            skills=json.dumps(data.skills),
            languages=json.dumps(data.languages),
            interests=data.interests,
            experience=data.experience,
            driving_licence=data.driving_licence,
            hours_available=data.hours_available,
            home_town=data.home_town,
            latitude=data.latitude,
            longitude=data.longitude,
            max_commute_km=data.max_commute_km,
            adaptations=adaptations_json(data.adaptations),
            plan_goal=data.plan_goal,
            plan_goal_shareable=data.plan_goal_shareable,
            status=data.status,
            consent_date=data.consent_date,
            consent_method=data.consent_method,
            coordinator=coordinator_id,
            registered_at=data.registered_at or today,
            exited_at=today if data.status == "exited" else None,
        )
        await candidate.save()
        candidate_id = int(candidate.id)
        await record(user, "candidate.create", candidate_id)
        if hidden:
            await route_possible_duplicate(user, candidate_id, hidden)
        row = await candidate_row(candidate_id)
        assert row is not None
        return await candidate_out(row)


_NAME_LABELS = {"first_name": "Förnamnet", "last_name": "Efternamnet"}


def one_line_name(value: str, field: str) -> str:
    """A first or last name as stored: one line, trimmed, in composed form (NFC), so that "Å"
    typed as "A" plus a ring is folded like any "Å"."""
    text = unicodedata.normalize("NFC", value.strip())
    return single_line(text, field, label=_NAME_LABELS[field])


async def get_participant_for_host(
    user: AuthUser, candidate_id: int, booking_id: int | None = None
) -> schemas.HostParticipant:
    """What a host may see of a participant proposed to or placed with it
    (`host_participant_out`): on the booking `booking_id`, or without one the most any of
    the host's bookings of the participant allows. NotFound when no booking lets the host
    see more than the first name (never proposed, declined, withdrawn); audited."""
    async with write_transaction(engine()):
        view = await host_view_of(user, candidate_id, booking_id)
        if view < HostView.PROPOSAL:
            raise NotFound(CANDIDATE_NOT_FOUND)
        row = await candidate_row(candidate_id)
        if row is None:
            raise NotFound(CANDIDATE_NOT_FOUND)
        await record(user, "participant.read", candidate_id)
        return host_participant_out(row, view)


# --- health notes ----------------------------------------------------------------------------


async def _own_coordinator_row(user: AuthUser, candidate_id: int) -> CandidateRow:
    row = await staff_row(user, candidate_id)
    if row["coordinator"] != user.id:
        raise Forbidden(
            "Hälsoanteckningar kan bara läsas av deltagarens egen samordnare.",
        )
    return row


def _health_out(row: HealthNoteRow) -> schemas.HealthNote:
    return schemas.HealthNote(
        id=row["id"],
        candidate_id=row["candidate"],
        author_id=row["author"],
        text=row["text"],
        created_at=row["created_at"],
    )


async def list_health_notes(user: AuthUser, candidate_id: int) -> list[schemas.HealthNote]:
    """The candidate's health notes, newest first; only for the candidate's own coordinator."""
    async with write_transaction(engine()):
        await _own_coordinator_row(user, candidate_id)
        rows = cast(
            "list[HealthNoteRow]",
            await HealthNote.select()
            .where(HealthNote.candidate == candidate_id)
            .order_by(HealthNote.created_at, ascending=False)
            .order_by(HealthNote.id, ascending=False),
        )
        await record(user, "health_note.read", candidate_id)
        return [_health_out(r) for r in rows]


async def add_health_note(
    user: AuthUser, candidate_id: int, data: schemas.HealthNoteCreate
) -> schemas.HealthNote:
    """Add a health note; only the candidate's own coordinator may."""
    async with write_transaction(engine()):
        await _own_coordinator_row(user, candidate_id)
        note = HealthNote(candidate=candidate_id, author=user.id, text=data.text)
        await note.save()
        await record(user, "health_note.create", candidate_id)
        row = cast(
            "HealthNoteRow | None",
            await HealthNote.select().where(HealthNote.id == note.id).first(),
        )
        assert row is not None
        return _health_out(row)


# --- the arbetsmarknadsplan ------------------------------------------------------------------


def _activity_out(row: PlanActivityRow) -> schemas.PlanActivity:
    return schemas.PlanActivity(
        id=row["id"],
        candidate_id=row["candidate"],
        title=row["title"],
        planned_start=row["planned_start"],
        planned_end=row["planned_end"],
        status=row["status"],
        follow_up=row["follow_up"],
        created_at=row["created_at"],
    )


async def _activity_row(activity_id: int) -> PlanActivityRow | None:
    return cast(
        "PlanActivityRow | None",
        await PlanActivity.select().where(PlanActivity.id == activity_id).first(),
    )


def _check_dates(
    values: Mapping[str, dt.date | None], context: Mapping[str, dt.date | None] | None = None
) -> None:
    """The date table's rules for a plan activity's dates sent, with the stored ones."""
    date_rules.check(
        "plan_activity",
        {k: values.get(k) for k in ("planned_start", "planned_end")},
        {k: (context or {}).get(k) for k in ("planned_start", "planned_end")},
    )


async def get_plan_for(user: AuthUser, candidate_id: int) -> schemas.Plan:
    """The goal and the planned activities, in date order; audited."""
    async with write_transaction(engine()):
        row = await staff_row(user, candidate_id)
        rows = cast(
            "list[PlanActivityRow]",
            await PlanActivity.select()
            .where(PlanActivity.candidate == candidate_id)
            .order_by(PlanActivity.planned_start)
            .order_by(PlanActivity.id),
        )
        await record(user, "plan.read", candidate_id)
        return schemas.Plan(
            candidate_id=candidate_id,
            goal=row["plan_goal"],
            activities=[_activity_out(r) for r in rows],
            goal_shareable=bool(row["plan_goal_shareable"]),
        )


async def add_plan_activity(
    user: AuthUser, candidate_id: int, data: schemas.PlanActivityCreate
) -> schemas.PlanActivity:
    """Add a planned activity to the candidate's plan."""
    _check_dates({"planned_start": data.planned_start, "planned_end": data.planned_end})
    async with write_transaction(engine()):
        await staff_row(user, candidate_id)
        activity = PlanActivity(
            candidate=candidate_id,
            title=data.title,
            planned_start=data.planned_start,
            planned_end=data.planned_end,
            status=data.status,
            follow_up=data.follow_up,
        )
        await activity.save()
        await record(user, "plan.create", candidate_id, detail=f"aktivitet {activity.id}")
        row = await _activity_row(activity.id)
        assert row is not None
        return _activity_out(row)


async def delete_plan_activity(user: AuthUser, candidate_id: int, activity_id: int) -> None:
    """Remove a planned activity from the candidate's plan (NotFound if it is not there)."""
    async with write_transaction(engine()):
        await staff_row(user, candidate_id)
        exists = await PlanActivity.exists().where(
            (PlanActivity.id == activity_id) & (PlanActivity.candidate == candidate_id)
        )
        if not exists:
            raise NotFound("Aktiviteten finns inte i den här deltagarens plan.")
        await PlanActivity.delete().where(PlanActivity.id == activity_id)
        await record(user, "plan.delete", candidate_id, detail=f"aktivitet {activity_id}")


async def update_plan_activity(
    user: AuthUser, candidate_id: int, activity_id: int, data: schemas.PlanActivityUpdate
) -> schemas.PlanActivity:
    """Change a planned activity: dates, status or the follow-up note."""
    async with write_transaction(engine()):
        await staff_row(user, candidate_id)
        row = await _activity_row(activity_id)
        if row is None or row["candidate"] != candidate_id:
            raise NotFound("Aktiviteten finns inte i den här deltagarens plan.")
        changes: dict[Any, Any] = {}
        sent: dict[str, Any] = {}
        for field in data.__struct_fields__:
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                changes[PlanActivity._meta.get_column_by_name(field)] = value
                sent[field] = value
        # The dates as they will be: those sent, else the stored ones.
        dates = {k: sent.get(k, row[k]) for k in ("planned_start", "planned_end")}
        _check_dates({k: v for k, v in sent.items() if k in dates}, dates)
        if changes:
            await PlanActivity.update(changes).where(PlanActivity.id == activity_id)
        await record(user, "plan.update", candidate_id, detail=f"aktivitet {activity_id}")
        fresh = await _activity_row(activity_id)
        assert fresh is not None
        return _activity_out(fresh)
