"""Partner agencies (issue 18, item 5): agencies, local agreements, participants' consents,
and the narrow view of a partner contact.

Arbetsförmedlingen and Försäkringskassan (and other agencies an admin adds) cooperate with
the municipality under local agreements (lokal överenskommelse). A coordinator records, per
participant, which agency also works with them, under which agreement, and with what
consent: the day it was given, how (skriftligt, muntligt, digitalt), and what it covers
beyond the placement summary (the outcome, the attendance). A withdrawn consent stays on
record with its day.

One consent per participant and agency is in force at a time (not withdrawn, under any of
the agency's agreements), so that what the agency sees, and what a withdrawal ends, is never
in doubt. Several in force once made the partner's page show the earliest day with the union
of their scopes (a consent nobody gave) and let a withdrawal of one say the agency had lost
access while another kept it. So a new consent to an agency replaces the one in force, which
ends on the day the new one was given and names it (`replaced_by`), audited
(`partner_consent.replace`), rather than being refused: a change of scope or method is a new
consent given by the participant, and the old one stays on record as it was. The very same
consent sent twice (a double click, a form sent again) is recorded once. A new consent given
before the one in force, or before its agreement began, is refused at its day (a consent
lets the agency see what the agreement sets up, and one given before it began was given to
no such thing; most often the year is mistyped). A withdrawal ends every consent in force for
the consent's agency, and says which agencies still see the participant.

A partner contact (role `partner`, bound to one agency by `PartnerContact`) sees only the
participants with an *active* consent for their agency, and of each only what the consent
covers. Active means, on today's Swedish date: not withdrawn, given on or before today, under
an agreement whose period holds today, of a participant not anonymised. Every check reads
the database at the moment of the request, so a withdrawal or an agreement's end takes
access away at once. Whatever is not shared answers 404, like anything that does not exist.

Secrecy (OSL 26:1, and the consent as the ground for disclosure, OSL 10:1): the partner
contact is told what the participant agreed to, nothing more. A name and the birth year
identify the person to the handläggare (who knows their own client's personnummer); the
personnummer itself, contact details, notes, plan and adaptations never leave here. Every
list and every read is audited against the participant (`partner.list`, `partner.read`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypedDict, cast

from marketplace.kernel import clock
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import swedish_key, swedish_order, write_transaction
from marketplace.kernel.errors import Conflict, Forbidden, NotFound, Problems, ValidationFailed
from marketplace.kernel.templating import label
from placements.attendance_figures import monday_of
from placements.booking_states import ENDED
from placements.date_rules import as_day
from placements.rows import (
    AgencyRef,
    AgreementValidity,
    AttendanceWeekRow,
    ConsentRow,
    LocalAgreementRow,
    OpenConsentRow,
    SharedConsentRow,
)
from placements.schemas import partners as schemas
from placements.services import candidates
from placements.services.booking_access import lock_candidate
from placements.tables import (
    AttendanceWeek,
    Booking,
    LocalAgreement,
    Outcome,
    PartnerAgency,
    PartnerConsent,
    PartnerContact,
)

AGENCY_NOT_FOUND = "Myndigheten finns inte."
AGREEMENT_NOT_FOUND = "Den lokala överenskommelsen finns inte."
CONSENT_NOT_FOUND = "Samtycket finns inte."
SHARED_NOT_FOUND = (
    "Deltagaren finns inte bland dem som har samtyckt till att din myndighet ser deras "
    "placeringar, eller så gäller samtycket inte längre."
)
# The placements a partner contact sees: the booking has become a placement (or will).
SHARED_STATUSES = ("accepted", "agreed", "active", "completed", "interrupted")
METHOD_TEXT = {"skriftligt": "Skriftligt", "muntligt": "Muntligt", "digitalt": "Digitalt"}


def _engine() -> Any:
    return PartnerConsent._meta.db


# --- agencies and local agreements (admins) ----------------------------------------------------


def _agreement_out(
    row: LocalAgreementRow, today: dt.date, active: int = 0
) -> schemas.LocalAgreement:
    return schemas.LocalAgreement(
        id=row["id"],
        agency_id=row["agency"],
        agency_name=row["agency.name"],
        name=row["name"],
        reference=row["reference"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        valid_now=agreement_valid(row, today),
        active_consents=active,
    )


def agreement_valid(row: AgreementValidity, today: dt.date) -> bool:
    return row["valid_from"] <= today and (row["valid_to"] is None or row["valid_to"] >= today)


_AGREEMENT_COLUMNS = (
    LocalAgreement.id,
    LocalAgreement.agency,
    LocalAgreement.agency.name,
    LocalAgreement.name,
    LocalAgreement.reference,
    LocalAgreement.valid_from,
    LocalAgreement.valid_to,
)


async def agencies() -> list[schemas.Agency]:
    """Every agency with its local agreements (newest first) and how many active consents
    each agreement carries today, for the back office. No person is named."""
    today = clock.today()
    agency_rows = await PartnerAgency.select().order_by(swedish_order(PartnerAgency.name))
    agreement_rows = cast(
        "list[LocalAgreementRow]",
        await LocalAgreement.select(*_AGREEMENT_COLUMNS).order_by(
            LocalAgreement.valid_from, ascending=False
        ),
    )
    consent_rows = await PartnerConsent.select(
        PartnerConsent.agreement, PartnerConsent.candidate
    ).where(
        PartnerConsent.withdrawn_on.is_null()
        & (PartnerConsent.given_on <= today)
        & PartnerConsent.candidate.anonymised_at.is_null()
    )
    # Participants, not rows: "5 aktiva samtycken" were once counted for 4 participants.
    per_agreement: dict[int, int] = {}
    for agreement_id, _ in {(int(r["agreement"]), int(r["candidate"])) for r in consent_rows}:
        per_agreement[agreement_id] = per_agreement.get(agreement_id, 0) + 1
    contact_rows = await PartnerContact.select(PartnerContact.agency)
    contacts: dict[int, int] = {}
    for r in contact_rows:
        contacts[int(r["agency"])] = contacts.get(int(r["agency"]), 0) + 1
    out = []
    for a in agency_rows:
        mine = [
            _agreement_out(
                r, today, per_agreement.get(int(r["id"]), 0) if agreement_valid(r, today) else 0
            )
            for r in agreement_rows
            if r["agency"] == a["id"]
        ]
        out.append(
            schemas.Agency(
                id=a["id"], name=a["name"], agreements=mine, contacts=contacts.get(a["id"], 0)
            )
        )
    return out


async def agency_choices() -> list[tuple[str, str]]:
    """(id, name) of every agency, for a select."""
    rows = await PartnerAgency.select(PartnerAgency.id, PartnerAgency.name).order_by(
        swedish_order(PartnerAgency.name)
    )
    return [(str(r["id"]), r["name"]) for r in rows]


def _name(value: str, field: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationFailed(f"Fyll i {what}.", fields=[field])
    return text


async def add_agency(actor: AuthUser, data: schemas.AgencyCreate) -> int:
    """Add an agency; a name already used is refused (409). Audited."""
    name = _name(data.agency_name, "agency_name", "myndighetens namn")
    async with write_transaction(_engine()):
        # Case makes no other agency ("arbetsförmedlingen" was added beside
        # "Arbetsförmedlingen", for good: agencies are neither renamed nor removed). The
        # agencies are few; compared here, as å ä ö fold on every engine.
        names = await PartnerAgency.select(PartnerAgency.name)
        same = next((r["name"] for r in names if r["name"].casefold() == name.casefold()), None)
        if same is not None:
            raise Conflict(f"Myndigheten {same} finns redan.", fields=["agency_name"])
        rows = await PartnerAgency.insert(PartnerAgency(name=name)).returning(PartnerAgency.id)
        agency_id = int(rows[0]["id"])
        await record(
            actor, "partner_agency.create", agency_id, subject_type="partner_agency", detail=name
        )
    return agency_id


def _period_problems(valid_from: dt.date, valid_to: dt.date | None) -> list[tuple[str, str]]:
    if valid_to is not None and valid_to < valid_from:
        return [
            (
                "valid_to",
                "Överenskommelsen kan inte sluta före den dag den börjar gälla. Ändra "
                "slutdagen, eller lämna den tom om överenskommelsen gäller tills vidare.",
            )
        ]
    return []


def agreement_rules(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The agreement's date rule for a form (`parse_form(rules=...)`)."""
    start, end = as_day(values.get("valid_from")), as_day(values.get("valid_to"))
    if start is not None and end is not None:
        return _period_problems(start, end)
    return []


def _checked_agreement(data: schemas.AgreementCreate | schemas.AgreementUpdate) -> str:
    """The agreement's name, stripped, once its name and its period pass (every problem of
    the two is named at once)."""
    problems = Problems()
    with problems:
        name = _name(data.name, "name", "överenskommelsens namn")
    for field, message in _period_problems(data.valid_from, data.valid_to):
        problems.errors[field] = message
    problems.raise_any()
    return name


async def add_agreement(actor: AuthUser, data: schemas.AgreementCreate) -> int:
    """Add a local agreement with an agency. Audited."""
    name = _checked_agreement(data)
    async with write_transaction(_engine()):
        if not await PartnerAgency.exists().where(PartnerAgency.id == data.agency_id):
            raise ValidationFailed("Välj en myndighet i listan.", fields=["agency_id"])
        rows = await LocalAgreement.insert(
            LocalAgreement(
                agency=data.agency_id,
                name=name,
                reference=data.reference.strip(),
                valid_from=data.valid_from,
                valid_to=data.valid_to,
            )
        ).returning(LocalAgreement.id)
        agreement_id = int(rows[0]["id"])
        await record(
            actor,
            "local_agreement.create",
            agreement_id,
            subject_type="local_agreement",
            detail=f"myndighet {data.agency_id}",
        )
    return agreement_id


async def _agreement_row(agreement_id: int) -> LocalAgreementRow | None:
    return cast(
        "LocalAgreementRow | None",
        await LocalAgreement.select(*_AGREEMENT_COLUMNS)
        .where(LocalAgreement.id == agreement_id)
        .first(),
    )


async def get_agreement(agreement_id: int) -> schemas.LocalAgreement:
    """One agreement, with how many active consents it carries today (0 when it does not
    hold today)."""
    row = await _agreement_row(agreement_id)
    if row is None:
        raise NotFound(AGREEMENT_NOT_FOUND)
    today = clock.today()
    valid = agreement_valid(row, today)
    return _agreement_out(row, today, await _open_consents(agreement_id) if valid else 0)


class AccessLossWarning(Conflict):
    """A change of an agreement's period that takes the agency's access away (409, field
    `confirm_end`): saved only once the admin confirms it, knowing what it does."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fields=["confirm_end"])


def _first_day_lost(
    old: AgreementValidity, valid_from: dt.date, valid_to: dt.date | None, today: dt.date
) -> dt.date | None:
    """The first day from today on that the old period covered and the new one does not."""
    old_from, old_to = old["valid_from"], old["valid_to"]
    lost: list[dt.date] = []
    if valid_to is not None and (old_to is None or old_to > valid_to):
        lost.append(max(today, old_from, valid_to + dt.timedelta(days=1)))
    if valid_from > old_from:
        first = max(today, old_from)
        if first < valid_from:
            lost.append(first)
    return min((d for d in lost if old_to is None or d <= old_to), default=None)


def _consents_text(n: int) -> str:
    return "1 aktivt samtycke" if n == 1 else f"{n} aktiva samtycken"


def access_loss(
    old: LocalAgreementRow,
    valid_from: dt.date,
    valid_to: dt.date | None,
    consents: int,
    today: dt.date,
) -> str | None:
    """What the new period takes away from the agency's access through the agreement, said
    for the admin to confirm, or None when there is nothing to confirm: the agreement ends
    (today or earlier) or no longer holds today, whatever the consents; it ends sooner than
    before while `consents` are active."""
    lost = _first_day_lost(old, valid_from, valid_to, today)
    if lost is None:
        return None
    agency = old["agency.name"]
    ask = "Kryssa i rutan om du vill spara ändringen ändå."
    what = _consents_text(consents)
    if lost == today or (valid_to is not None and valid_to <= today):
        if lost == today:
            head = "Med de nya datumen gäller överenskommelsen inte i dag"
            effect = f"{what} slutar genast ge {agency} tillgång"
        else:
            head = "Med den nya slutdagen gäller överenskommelsen bara i dag"
            effect = f"{what} slutar ge {agency} tillgång i morgon"
        if not consents:
            return (
                f"{head}. Ingen deltagare har ett aktivt samtycke under den, men inga nya "
                f"samtycken kan registreras under den. {ask}"
            )
        return (
            f"{head}: {effect}, och partnerkontakterna ser inte längre de deltagarnas "
            f"placeringar. {ask}"
        )
    if not consents:
        return None
    return (
        f"Med den nya slutdagen gäller överenskommelsen en kortare tid: {what} slutar ge "
        f"{agency} tillgång från och med {lost.isoformat()}, och partnerkontakterna ser inte "
        f"längre de deltagarnas placeringar från den dagen. {ask}"
    )


async def _open_consents(agreement_id: int) -> int:
    """How many participants, not anonymised, have a consent in force under the agreement."""
    rows = await PartnerConsent.select(PartnerConsent.candidate).where(
        (PartnerConsent.agreement == agreement_id)
        & PartnerConsent.withdrawn_on.is_null()
        & PartnerConsent.candidate.anonymised_at.is_null()
    )
    return len({int(r["candidate"]) for r in rows})


async def _access_warning(
    row: LocalAgreementRow, valid_from: dt.date, valid_to: dt.date | None
) -> AccessLossWarning | None:
    counted = await _open_consents(row["id"])
    warning = access_loss(row, valid_from, valid_to, counted, clock.today())
    return AccessLossWarning(warning) if warning is not None else None


async def period_change_warning(
    agreement_id: int, valid_from: Any, valid_to: Any
) -> AccessLossWarning | None:
    """The confirmation a change of the agreement's period to the days typed needs
    (`access_loss`), for a page to tell with the form's other problems at once; None when
    there is nothing to confirm or the start is not a day yet (the form says so). A blank
    end is no end."""
    start = as_day(valid_from)
    row = await _agreement_row(agreement_id)
    if row is None:
        raise NotFound(AGREEMENT_NOT_FOUND)
    if start is None:
        return None
    return await _access_warning(row, start, as_day(valid_to))


async def update_agreement(
    actor: AuthUser, agreement_id: int, data: schemas.AgreementUpdate
) -> None:
    """Change an agreement's name, reference or period. A period that takes access away
    (`access_loss`: ending the agreement today or earlier, or sooner while consents are
    active) is saved only with `confirm_end` (else `AccessLossWarning`, 409, naming how many
    consents lose access); once saved, access through it ends at once. Audited with the
    fields changed."""
    name = _checked_agreement(data)
    async with write_transaction(_engine()):
        row = await _agreement_row(agreement_id)
        if row is None:
            raise NotFound(AGREEMENT_NOT_FOUND)
        if not data.confirm_end:
            warning = await _access_warning(row, data.valid_from, data.valid_to)
            if warning is not None:
                raise warning
        new = {
            "name": name,
            "reference": data.reference.strip(),
            "valid_from": data.valid_from,
            "valid_to": data.valid_to,
        }
        before: dict[str, object] = {
            "name": row["name"],
            "reference": row["reference"],
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
        }
        changed = [k for k, v in new.items() if before[k] != v]
        if not changed:
            return
        await LocalAgreement.update(
            {LocalAgreement._meta.get_column_by_name(k): v for k, v in new.items()}
        ).where(LocalAgreement.id == agreement_id)
        await record(
            actor,
            "local_agreement.update",
            agreement_id,
            subject_type="local_agreement",
            detail=", ".join(changed),
        )


# --- partner contacts ----------------------------------------------------------------------------


async def bind_contact(user_id: int, agency_id: int | None) -> None:
    """Bind a partner contact to their agency (in the caller's transaction); an unknown
    agency is refused naming the field."""
    if agency_id is None or not await PartnerAgency.exists().where(PartnerAgency.id == agency_id):
        raise ValidationFailed(
            "Välj vilken myndighet partnerkontakten arbetar på.", fields=["agency_id"]
        )
    await PartnerContact.insert(PartnerContact(user=user_id, agency=agency_id))


async def agency_of(user_id: int) -> AgencyRef | None:
    """The agency (id, name) a partner contact belongs to, or None."""
    row = (
        await PartnerContact.select(PartnerContact.agency, PartnerContact.agency.name)
        .where(PartnerContact.user == user_id)
        .first()
    )
    return None if row is None else {"id": row["agency"], "name": row["agency.name"]}


# --- consents (coordinators) -------------------------------------------------------------------

_CONSENT_COLUMNS = (
    PartnerConsent.id,
    PartnerConsent.candidate,
    PartnerConsent.agreement,
    PartnerConsent.agreement.name,
    PartnerConsent.agreement.reference,
    PartnerConsent.agreement.valid_from,
    PartnerConsent.agreement.valid_to,
    PartnerConsent.agreement.agency,
    PartnerConsent.agreement._.agency._.name,
    PartnerConsent.given_on,
    PartnerConsent.method,
    PartnerConsent.shares_outcome,
    PartnerConsent.shares_attendance,
    PartnerConsent.withdrawn_on,
    PartnerConsent.replaced_by,
)


def _consent_state(row: ConsentRow, today: dt.date) -> tuple[bool, str]:
    if row["withdrawn_on"] is not None:
        if row["replaced_by"] is not None:
            return False, f"Ersatt {row['withdrawn_on'].isoformat()} av ett nytt samtycke"
        return False, f"Återkallat {row['withdrawn_on'].isoformat()}"
    valid_to = row["agreement.valid_to"]
    if valid_to is not None and valid_to < today:
        return False, "Överenskommelsen gäller inte längre"
    if row["agreement.valid_from"] > today:
        return False, "Överenskommelsen har inte börjat gälla"
    if row["given_on"] > today:
        return False, "Gäller från samtyckets dag"
    return True, "Gäller"


def consent_out(row: ConsentRow, today: dt.date | None = None) -> schemas.Consent:
    active, state = _consent_state(row, today or clock.today())
    return schemas.Consent(
        id=row["id"],
        candidate_id=row["candidate"],
        agreement_id=row["agreement"],
        agreement_name=row["agreement.name"],
        agreement_reference=row["agreement.reference"],
        agreement_valid_from=row["agreement.valid_from"],
        agreement_valid_to=row["agreement.valid_to"],
        agency_name=row["agreement.agency.name"],
        given_on=row["given_on"],
        method=row["method"],
        shares_outcome=bool(row["shares_outcome"]),
        shares_attendance=bool(row["shares_attendance"]),
        withdrawn_on=row["withdrawn_on"],
        replaced_by=row["replaced_by"],
        active=active,
        state=state,
    )


async def consents_of(candidate_id: int) -> list[schemas.Consent]:
    """A participant's consents, newest first, without an access check or audit: for callers
    that have done both (the coordinator's page, the register extract)."""
    rows = cast(
        "list[ConsentRow]",
        await PartnerConsent.select(*_CONSENT_COLUMNS)
        .where(PartnerConsent.candidate == candidate_id)
        .order_by(PartnerConsent.given_on, ascending=False)
        .order_by(PartnerConsent.id, ascending=False),
    )
    today = clock.today()
    return [consent_out(r, today) for r in rows]


async def agreement_choices() -> list[tuple[str, str]]:
    """(id, "Agency: agreement (reference)") of the agreements valid today, for the consent
    form: a consent under an agreement that no longer holds would give nobody anything."""
    today = clock.today()
    rows = cast(
        "list[LocalAgreementRow]",
        await LocalAgreement.select(*_AGREEMENT_COLUMNS).order_by(
            swedish_order(LocalAgreement.agency.name)
        ),
    )
    return [
        (
            str(r["id"]),
            f"{r['agency.name']}: {r['name']}" + (f" ({r['reference']})" if r["reference"] else ""),
        )
        for r in rows
        if agreement_valid(r, today)
    ]


def consent_rules(values: Mapping[str, Any], today: dt.date | None = None) -> list[tuple[str, str]]:
    """The consent's date rule: given today or earlier."""
    given = as_day(values.get("given_on"))
    if given is not None and given > (today or clock.today()):
        return [
            (
                "given_on",
                "Samtycket kan inte vara givet i framtiden. Ange dagen deltagaren gav det.",
            )
        ]
    return []


AGREEMENT_NOT_VALID = (
    "Välj en lokal överenskommelse som gäller i dag. En överenskommelse som har upphört eller "
    "inte börjat gälla ger ingen myndighet tillgång."
)


async def _in_force(candidate_id: int, agency_id: int) -> list[OpenConsentRow]:
    """The participant's consents in force for the agency (not withdrawn, under any of its
    agreements), newest first: one or none, several only in rows stored before the rule."""
    return cast(
        "list[OpenConsentRow]",
        await PartnerConsent.select(
            PartnerConsent.id,
            PartnerConsent.agreement,
            PartnerConsent.given_on,
            PartnerConsent.method,
            PartnerConsent.shares_outcome,
            PartnerConsent.shares_attendance,
        )
        .where(
            (PartnerConsent.candidate == candidate_id)
            & PartnerConsent.withdrawn_on.is_null()
            & (PartnerConsent.agreement.agency == agency_id)
        )
        .order_by(PartnerConsent.given_on, ascending=False)
        .order_by(PartnerConsent.id, ascending=False),
    )


def _given_problem(
    agreement: LocalAgreementRow, given_on: dt.date, in_force: list[OpenConsentRow]
) -> str | None:
    """What is wrong with the day a new consent under `agreement` was given, if anything:
    before the agreement began, or before the consent in force that it would replace."""
    agency = agreement["agency.name"]
    if given_on < agreement["valid_from"]:
        return (
            f"Överenskommelsen med {agency} gäller från {agreement['valid_from'].isoformat()}. "
            "Ett samtycke under den kan inte vara givet före den dagen. Kontrollera dagen, "
            "eller välj en annan överenskommelse."
        )
    if in_force and in_force[0]["given_on"] > given_on:
        return (
            f"{agency} har redan ett samtycke som gäller, givet "
            f"{in_force[0]['given_on'].isoformat()}. Ett nytt samtycke ersätter det och kan "
            "inte vara givet före den dagen. Ange dagen deltagaren gav det nya samtycket."
        )
    return None


def _same(row: OpenConsentRow, data: schemas.ConsentCreate) -> bool:
    return (
        row["agreement"],
        row["given_on"],
        row["method"],
        bool(row["shares_outcome"]),
        bool(row["shares_attendance"]),
    ) == (
        data.agreement_id,
        data.given_on,
        data.method,
        data.shares_outcome,
        data.shares_attendance,
    )


async def add_consent(
    user: AuthUser, candidate_id: int, data: schemas.ConsentCreate
) -> schemas.ConsentRecorded:
    """Record the participant's consent under a local agreement valid today, given on or
    after the day the agreement began; the coordinator who may see the participant records
    it (else 404). It replaces the consent in force for the agency, if any: that one ends
    on the day the new one was given and names it, audited as `partner_consent.replace`
    (a new consent given before it is refused at its day). The very same consent in force
    already is not written again (`already`). Every problem of the form is named at once."""
    problems = Problems()
    for field, message in consent_rules({"given_on": data.given_on}):
        problems.errors[field] = message
    async with write_transaction(_engine()):
        await candidates.staff_row(user, candidate_id)
        await lock_candidate(candidate_id)  # two registrations at once: one after the other
        agreement = await _agreement_row(data.agreement_id)
        in_force: list[OpenConsentRow] = []
        if agreement is None or not agreement_valid(agreement, clock.today()):
            problems.errors["agreement_id"] = AGREEMENT_NOT_VALID
        else:
            in_force = await _in_force(candidate_id, agreement["agency"])
            problem = _given_problem(agreement, data.given_on, in_force)
            if problem is not None:
                problems.errors.setdefault("given_on", problem)
        problems.raise_any()
        assert agreement is not None
        agency = agreement["agency.name"]
        if len(in_force) == 1 and _same(in_force[0], data):
            return schemas.ConsentRecorded(id=in_force[0]["id"], agency_name=agency, already=True)
        rows = await PartnerConsent.insert(
            PartnerConsent(
                candidate=candidate_id,
                agreement=data.agreement_id,
                given_on=data.given_on,
                method=data.method,
                shares_outcome=data.shares_outcome,
                shares_attendance=data.shares_attendance,
                recorded_by=user.id,
            )
        ).returning(PartnerConsent.id)
        consent_id = int(rows[0]["id"])
        await record(
            user,
            "partner_consent.create",
            candidate_id,
            detail=f"samtycke {consent_id}, överenskommelse {data.agreement_id}",
        )
        for old in in_force:
            await PartnerConsent.update(
                {PartnerConsent.withdrawn_on: data.given_on, PartnerConsent.replaced_by: consent_id}
            ).where(PartnerConsent.id == old["id"])
            await record(
                user,
                "partner_consent.replace",
                candidate_id,
                detail=f"samtycke {old['id']} ersatt av samtycke {consent_id}",
            )
        return schemas.ConsentRecorded(
            id=consent_id,
            agency_name=agency,
            replaced_given_on=in_force[0]["given_on"] if in_force else None,
        )


async def withdraw_consent(
    user: AuthUser, candidate_id: int, consent_id: int, data: schemas.ConsentWithdraw
) -> schemas.ConsentWithdrawn:
    """Record that the participant withdrew their consent to the consent's agency: every
    consent in force for that agency ends on the day given (one, but for rows stored before
    the rule; the agency's access ends at once), and stays on record with the day. A consent
    already ended is refused (409), as is a day before one of them was given. Audited with
    the consents ended; the answer names the agencies that still see the participant."""
    today = clock.today()
    async with write_transaction(_engine()):
        await candidates.staff_row(user, candidate_id)
        await lock_candidate(candidate_id)
        row = cast(
            "ConsentRow | None",
            await PartnerConsent.select(*_CONSENT_COLUMNS)
            .where((PartnerConsent.id == consent_id) & (PartnerConsent.candidate == candidate_id))
            .first(),
        )
        if row is None:
            raise NotFound(CONSENT_NOT_FOUND)
        if row["withdrawn_on"] is not None:
            ended = row["withdrawn_on"].isoformat()
            if row["replaced_by"] is not None:
                raise Conflict(
                    f"Samtycket ersattes redan {ended} av ett nytt samtycke. Registrera att "
                    "det nya samtycket är återkallat i stället.",
                    fields=["withdrawn_on"],
                )
            raise Conflict(f"Samtycket återkallades redan {ended}.", fields=["withdrawn_on"])
        if data.withdrawn_on > today:
            raise ValidationFailed(
                "Ange dagen deltagaren återkallade samtycket: i dag eller tidigare.",
                fields=["withdrawn_on"],
            )
        agency = row["agreement.agency.name"]
        in_force = await _in_force(candidate_id, row["agreement.agency"])
        latest = max(r["given_on"] for r in in_force)
        if data.withdrawn_on < latest:
            raise ValidationFailed(
                f"Samtycket till {agency} gavs {latest.isoformat()}; det kan inte ha "
                "återkallats före det.",
                fields=["withdrawn_on"],
            )
        ended_ids = sorted(r["id"] for r in in_force)
        await PartnerConsent.update({PartnerConsent.withdrawn_on: data.withdrawn_on}).where(
            PartnerConsent.id.is_in(ended_ids)
        )
        await record(
            user,
            "partner_consent.withdraw",
            candidate_id,
            detail=f"samtycke {', '.join(map(str, ended_ids))} ({agency})",
        )
        still = sorted(
            {r["agreement.agency.name"] for r in await _active_consents(None, candidate_id)},
            key=swedish_key,
        )
    return schemas.ConsentWithdrawn(agency_name=agency, ended=len(ended_ids), still_shared=still)


# --- what a partner contact sees ---------------------------------------------------------------


def _require_partner(user: AuthUser) -> None:
    if user.role != "partner":
        raise Forbidden("Bara partnerkontakter ser den här sidan.")


async def _active_consents(
    agency_id: int | None, candidate_id: int | None = None
) -> list[SharedConsentRow]:
    """The active consents today, for the agency (or every agency) and the participant (or
    every participant), newest first, read now (so a withdrawal or an agreement's end counts
    at once)."""
    today = clock.today()
    agreement = PartnerConsent.agreement
    where = (
        PartnerConsent.withdrawn_on.is_null()
        & (PartnerConsent.given_on <= today)
        & (agreement.valid_from <= today)
        & (agreement.valid_to.is_null() | (agreement.valid_to >= today))
        & PartnerConsent.candidate.anonymised_at.is_null()
    )
    if agency_id is not None:
        where = where & (agreement.agency == agency_id)
    if candidate_id is not None:
        where = where & (PartnerConsent.candidate == candidate_id)
    return cast(
        "list[SharedConsentRow]",
        await PartnerConsent.select(
            PartnerConsent.id,
            PartnerConsent.candidate,
            PartnerConsent.candidate.first_name,
            PartnerConsent.candidate.last_name,
            PartnerConsent.candidate.personnummer,
            PartnerConsent.given_on,
            PartnerConsent.shares_outcome,
            PartnerConsent.shares_attendance,
            agreement.name,
            agreement.reference,
            agreement._.agency._.name,
        )
        .where(where)
        .order_by(PartnerConsent.given_on, ascending=False)
        .order_by(PartnerConsent.id, ascending=False),
    )


def birth_year(personnummer: str) -> int | None:
    """The year of birth from a stored personnummer ("YYYYMMDD-NNNN"), nothing more."""
    head = personnummer[:4]
    return int(head) if len(personnummer) >= 8 and head.isdigit() else None


class SharedPerson(TypedDict):
    """A participant as a partner contact sees them: the name, the year of birth, and the
    day, scope and agreement of their one consent in force for the agency."""

    name: str
    birth_year: int | None
    given_on: dt.date
    outcome: bool
    attendance: bool
    agreement: str


def _current(rows: list[SharedConsentRow]) -> dict[int, SharedPerson]:
    """One entry per participant, from the newest of their active consents (`rows` come
    newest first): the one in force. Rows stored before the rule may hold several; their
    days and scopes were once merged, which showed the earliest day with the union of the
    scopes, a consent nobody gave."""
    people: dict[int, SharedPerson] = {}
    for r in rows:
        cid = int(r["candidate"])
        if cid in people:
            continue
        people[cid] = {
            "name": f"{r['candidate.first_name']} {r['candidate.last_name']}".strip(),
            "birth_year": birth_year(r["candidate.personnummer"] or ""),
            "given_on": r["given_on"],
            "outcome": bool(r["shares_outcome"]),
            "attendance": bool(r["shares_attendance"]),
            "agreement": r["agreement.name"]
            + (f" ({r['agreement.reference']})" if r["agreement.reference"] else ""),
        }
    return people


async def _partner_agency(user: AuthUser) -> AgencyRef | None:
    _require_partner(user)
    return await agency_of(user.id)


async def shared_participants(user: AuthUser) -> tuple[str, list[schemas.SharedParticipant]]:
    """The agency's name and the participants whose active consent covers it, by name. Each
    participant listed is audited (`partner.list`)."""
    agency = await _partner_agency(user)
    if agency is None:
        return "", []
    async with write_transaction(_engine()):
        people = _current(await _active_consents(int(agency["id"])))
        await record_many(user, "partner.list", sorted(people), detail=f"myndighet {agency['id']}")
    listed = [
        schemas.SharedParticipant(
            id=cid,
            name=p["name"],
            birth_year=p["birth_year"],
            shares_outcome=p["outcome"],
            shares_attendance=p["attendance"],
        )
        for cid, p in people.items()
    ]
    listed.sort(key=lambda p: (swedish_key(p.name), p.id))
    return str(agency["name"]), listed


_DAY = dt.timedelta(days=1)


def weeks_due(start: dt.date | None, end: dt.date | None, status: str, today: dt.date) -> int:
    """How many of a placement's weeks should have been reported by now: every week of an
    ended one; of a running one, those that have ended (this week may still be reported);
    none of one that has not started."""
    if start is None or status not in ("active", *ENDED):
        return 0
    last = (end or today) if status in ENDED else min(end or today, monday_of(today) - _DAY)
    if last < start:
        return 0
    return (monday_of(last) - monday_of(start)).days // 7 + 1


async def _attendance_by_booking(
    bookings: list[dict[str, Any]],
) -> dict[int, schemas.SharedAttendance]:
    booking_ids = [int(b["id"]) for b in bookings]
    if not booking_ids:
        return {}
    today = clock.today()
    due = {
        int(b["id"]): weeks_due(b["start_date"], b["end_date"], b["status"], today)
        for b in bookings
    }
    rows = cast(
        "list[AttendanceWeekRow]",
        await AttendanceWeek.select().where(AttendanceWeek.booking.is_in(booking_ids)),
    )
    out: dict[int, schemas.SharedAttendance] = {}
    for b in booking_ids:
        mine = [r for r in rows if int(r["booking"]) == b]
        out[b] = schemas.SharedAttendance(
            weeks_reported=len(mine),
            weeks_due=due[b],
            days_present=sum(r["days_present"] for r in mine),
            days_absent_excused=sum(
                r["days_sick"] + r["days_leave"] + r["days_other"] for r in mine
            ),
            days_unexcused=sum(r["days_unexcused"] for r in mine),
        )
    return out


async def shared_summary(user: AuthUser, candidate_id: int) -> schemas.SharedSummary:
    """What the participant agreed to share with the partner contact's agency: the placement
    summary, and the outcome and attendance if the consent covers them. Without an active
    consent for the agency: 404. Audited (`partner.read`, naming what was shown)."""
    agency = await _partner_agency(user)
    if agency is None:
        raise NotFound(SHARED_NOT_FOUND)
    async with write_transaction(_engine()):
        people = _current(await _active_consents(int(agency["id"]), candidate_id))
        if candidate_id not in people:
            raise NotFound(SHARED_NOT_FOUND)
        person = people[candidate_id]
        shown = ["placeringar"]
        if person["outcome"]:
            shown.append("utfall")
        if person["attendance"]:
            shown.append("närvaro")
        await record(
            user,
            "partner.read",
            candidate_id,
            detail=f"myndighet {agency['id']}: {', '.join(shown)}",
        )
        bookings = await (
            Booking.select(
                Booking.id,
                Booking.status,
                Booking.start_date,
                Booking.end_date,
                Booking.slot.title,
                Booking.slot._.host._.name,
            )
            .where(
                (Booking.candidate == candidate_id) & Booking.status.is_in(list(SHARED_STATUSES))
            )
            .order_by(Booking.start_date, ascending=False)
            .order_by(Booking.id, ascending=False)
        )
        attendance = await _attendance_by_booking(bookings) if person["attendance"] else {}
        outcomes = None
        if person["outcome"]:
            rows = (
                await Outcome.select(Outcome.category, Outcome.outcome_date)
                .where(Outcome.candidate == candidate_id)
                .order_by(Outcome.outcome_date, ascending=False)
            )
            outcomes = [
                schemas.SharedOutcome(
                    category=label(r["category"], "outcome"), outcome_date=r["outcome_date"]
                )
                for r in rows
            ]
    return schemas.SharedSummary(
        id=candidate_id,
        name=person["name"],
        birth_year=person["birth_year"],
        agency_name=str(agency["name"]),
        agreement=person["agreement"],
        consent_given_on=person["given_on"],
        shares_outcome=person["outcome"],
        shares_attendance=person["attendance"],
        placements=[
            schemas.SharedPlacement(
                host_name=b["slot.host.name"],
                slot_title=b["slot.title"],
                start_date=b["start_date"],
                end_date=b["end_date"],
                status=label(b["status"], "booking_status"),
                attendance=attendance.get(int(b["id"])),
                ended=b["status"] in ENDED,
            )
            for b in bookings
        ],
        outcomes=outcomes,
    )
