"""Partner agencies (issue 18, item 5): a partner contact sees only the participants whose
active consent covers their agency, and of each only what the consent covers; a withdrawn
consent or an ended agreement takes access away at once; every read is audited. Coordinators
record consents on the participant's page, admins agencies and local agreements in the back
office, all through the real app as a browser would.

Two agencies (Arbetsförmedlingen, Försäkringskassan). Participants: Aida (consent to
Arbetsförmedlingen, covering outcome and attendance), Bodil (consent to Försäkringskassan,
placements only), Cecilia (no consent), Dina (consent to Arbetsförmedlingen, withdrawn), Elin
(consent under Arbetsförmedlingen's expired agreement).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.kernel.tables import AuditEntry, User
from placements.schemas import partners as sp
from placements.services import partners
from placements.tables import (
    Candidate,
    LocalAgreement,
    PartnerConsent,
)
from tests.builders import (
    make_attendance_week,
    make_candidate,
    make_health_note,
    make_outcome,
    make_partner_contact,
    make_user,
)
from tests.placements.bookingdata import PNR, make_world, to_active
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}
TODAY = clock.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
HEALTH = "Hemlig hälsoanteckning om ryggen"


@dataclass
class Agencies:
    coordinator: AuthUser
    admin: AuthUser
    af: int
    fk: int
    af_agreement: int
    fk_agreement: int
    af_expired: int
    af_partner: AuthUser
    fk_partner: AuthUser
    people: dict[str, int]
    booking_id: int


async def _partner(agency_id: int, username: str) -> AuthUser:
    user = await make_user("partner", username=username)
    await make_partner_contact(user.id, agency_id)
    return user


async def _consent(
    coordinator: AuthUser, candidate_id: int, agreement_id: int, **covers: bool
) -> int:
    recorded = await partners.add_consent(
        coordinator,
        candidate_id,
        sp.ConsentCreate(
            agreement_id=agreement_id,
            given_on=TODAY - dt.timedelta(days=30),
            method="skriftligt",
            **covers,
        ),
    )
    return recorded.id


async def make_agencies() -> Agencies:
    w = await make_world()
    admin = await make_user("admin")
    af = await partners.add_agency(admin, sp.AgencyCreate(agency_name="Arbetsförmedlingen"))
    fk = await partners.add_agency(admin, sp.AgencyCreate(agency_name="Försäkringskassan"))
    since = TODAY - dt.timedelta(days=365)
    af_agreement = await partners.add_agreement(
        admin,
        sp.AgreementCreate(
            agency_id=af, name="Samverkan Vårgårda", reference="AF-2026-17", valid_from=since
        ),
    )
    fk_agreement = await partners.add_agreement(
        admin,
        sp.AgreementCreate(
            agency_id=fk, name="Lokal överenskommelse FK", valid_from=since, valid_to=TODAY
        ),
    )
    af_expired = await partners.add_agreement(
        admin,
        sp.AgreementCreate(
            agency_id=af, name="Gammal överenskommelse", valid_from=since, valid_to=TODAY
        ),
    )
    coordinator = w.coordinator
    people = {"Aida": w.candidate_id}
    for name in ("Bodil", "Cecilia", "Dina", "Elin"):
        people[name] = await make_candidate(coordinator, name, personnummer="")
    # Aida has a personnummer (born 1985) and a health note; neither may reach a partner.
    await Candidate.update({Candidate.personnummer: PNR}).where(Candidate.id == w.candidate_id)
    await make_health_note(w.candidate_id, coordinator.id, HEALTH)
    booking_id = await to_active(w)
    await _consent(
        coordinator, people["Aida"], af_agreement, shares_outcome=True, shares_attendance=True
    )
    await _consent(coordinator, people["Bodil"], fk_agreement)
    dina = await _consent(coordinator, people["Dina"], af_agreement)
    await partners.withdraw_consent(
        coordinator, people["Dina"], dina, sp.ConsentWithdraw(withdrawn_on=TODAY)
    )
    await _consent(coordinator, people["Elin"], af_expired)
    # Elin's agreement ended yesterday (it was valid when her consent was given).
    await LocalAgreement.update({LocalAgreement.valid_to: YESTERDAY}).where(
        LocalAgreement.id == af_expired
    )
    return Agencies(
        coordinator=coordinator,
        admin=admin,
        af=af,
        fk=fk,
        af_agreement=af_agreement,
        fk_agreement=fk_agreement,
        af_expired=af_expired,
        af_partner=await _partner(af, "handlaggare_af"),
        fk_partner=await _partner(fk, "handlaggare_fk"),
        people=people,
        booking_id=booking_id,
    )


async def _listed(user: AuthUser) -> list[str]:
    _, people = await partners.shared_participants(user)
    return [p.name for p in people]


# --- who sees whom ----------------------------------------------------------------------------


async def test_each_partner_sees_only_participants_whose_active_consent_covers_their_agency():
    a = await make_agencies()
    assert await _listed(a.af_partner) == ["Aida Andersson"]
    assert await _listed(a.fk_partner) == ["Bodil Andersson"]
    for name in ("Bodil", "Cecilia", "Dina", "Elin"):
        with pytest.raises(NotFound):
            await partners.shared_summary(a.af_partner, a.people[name])
    for name in ("Aida", "Cecilia", "Dina", "Elin"):
        with pytest.raises(NotFound):
            await partners.shared_summary(a.fk_partner, a.people[name])
    # Other roles never reach the partner's view, even of a shared participant.
    for other in (a.coordinator, a.admin):
        with pytest.raises(Forbidden):
            await partners.shared_summary(other, a.people["Aida"])


async def test_the_summary_shows_what_the_consent_covers_and_nothing_else():
    a = await make_agencies()
    await make_outcome(
        a.people["Aida"],
        "arbete",
        TODAY,
        booking_id=a.booking_id,
        note="Hemlig anteckning om utfallet",
    )
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    await make_attendance_week(a.booking_id, monday, days_present=3, days_sick=1, days_unexcused=1)
    summary = await partners.shared_summary(a.af_partner, a.people["Aida"])
    assert summary.name == "Aida Andersson" and summary.birth_year == 1985
    assert summary.agency_name == "Arbetsförmedlingen"
    assert summary.agreement == "Samverkan Vårgårda (AF-2026-17)"
    [placement] = summary.placements
    assert (placement.host_name, placement.slot_title, placement.status) == (
        "Hemtjänst Norra",
        "Lagerarbetare",
        "pågående",
    )
    assert placement.attendance == sp.SharedAttendance(
        weeks_reported=1, days_present=3, days_absent_excused=1, days_unexcused=1
    )
    assert summary.outcomes == [sp.SharedOutcome(category="Arbete", outcome_date=TODAY)]
    # Bodil's consent covers the placements only: no outcome, no attendance.
    bodil = await partners.shared_summary(a.fk_partner, a.people["Bodil"])
    assert bodil.outcomes is None and not bodil.shares_attendance
    assert bodil.birth_year is None  # no personnummer recorded: no year either
    encoded = repr(summary)
    for secret in (PNR, "0006", HEALTH, "070-123 45 67", "deltagare.example.se", "Hemlig"):
        assert secret not in encoded


async def test_withdrawal_and_the_end_of_an_agreement_remove_access_at_once():
    a = await make_agencies()
    aida = a.people["Aida"]
    await partners.shared_summary(a.af_partner, aida)
    consent = (
        await PartnerConsent.select(PartnerConsent.id)
        .where(PartnerConsent.candidate == aida)
        .first()
    )
    assert consent is not None
    await partners.withdraw_consent(
        a.coordinator, aida, consent["id"], sp.ConsentWithdraw(withdrawn_on=TODAY)
    )
    with pytest.raises(NotFound):
        await partners.shared_summary(a.af_partner, aida)
    assert await _listed(a.af_partner) == []
    with pytest.raises(Conflict):
        await partners.withdraw_consent(
            a.coordinator, aida, consent["id"], sp.ConsentWithdraw(withdrawn_on=TODAY)
        )
    # Försäkringskassan's agreement ends today: valid through today, gone tomorrow.
    assert await _listed(a.fk_partner) == ["Bodil Andersson"]
    ended = sp.AgreementUpdate(
        name="Lokal överenskommelse FK",
        valid_from=TODAY - dt.timedelta(days=365),
        valid_to=YESTERDAY,
    )
    with pytest.raises(partners.AccessLossWarning, match="1 aktivt samtycke slutar genast"):
        await partners.update_agreement(a.admin, a.fk_agreement, ended)  # asked first
    assert await _listed(a.fk_partner) == ["Bodil Andersson"]
    await partners.update_agreement(
        a.admin, a.fk_agreement, msgspec.structs.replace(ended, confirm_end=True)
    )
    assert await _listed(a.fk_partner) == []
    with pytest.raises(NotFound):
        await partners.shared_summary(a.fk_partner, a.people["Bodil"])


async def test_every_list_and_read_is_audited_against_the_participant():
    a = await make_agencies()
    await partners.shared_participants(a.af_partner)
    await partners.shared_summary(a.af_partner, a.people["Aida"])
    rows = await AuditEntry.select().where(
        AuditEntry.action.is_in(["partner.list", "partner.read"])
    )
    assert {(r["action"], r["subject_id"], r["actor_id"]) for r in rows} == {
        ("partner.list", a.people["Aida"], a.af_partner.id),
        ("partner.read", a.people["Aida"], a.af_partner.id),
    }
    read = next(r for r in rows if r["action"] == "partner.read")
    assert read["detail"] == f"myndighet {a.af}: placeringar, utfall, närvaro"
    # A refused read leaves no trace of a person it did not show.
    with pytest.raises(NotFound):
        await partners.shared_summary(a.af_partner, a.people["Cecilia"])
    assert not await AuditEntry.exists().where(
        (AuditEntry.actor_id == a.af_partner.id) & (AuditEntry.subject_id == a.people["Cecilia"])
    )


async def test_consent_rules_name_every_problem():
    a = await make_agencies()
    with pytest.raises(ValidationFailed) as caught:
        await partners.add_consent(
            a.coordinator,
            a.people["Cecilia"],
            sp.ConsentCreate(
                agreement_id=a.af_expired,
                given_on=TODAY + dt.timedelta(days=1),
                method="muntligt",
            ),
        )
    assert set(caught.value.errors) == {"agreement_id", "given_on"}
    consent = await _consent(a.coordinator, a.people["Cecilia"], a.af_agreement)
    with pytest.raises(ValidationFailed, match="före det"):
        await partners.withdraw_consent(
            a.coordinator,
            a.people["Cecilia"],
            consent,
            sp.ConsentWithdraw(withdrawn_on=TODAY - dt.timedelta(days=60)),
        )
    # Another coordinator's participant is not there for them.
    other = await make_user("coordinator")
    with pytest.raises(NotFound):
        await partners.add_consent(
            other,
            a.people["Cecilia"],
            sp.ConsentCreate(agreement_id=a.af_agreement, given_on=TODAY, method="digitalt"),
        )
    with pytest.raises(ValidationFailed, match="före den dag"):
        await partners.add_agreement(
            a.admin,
            sp.AgreementCreate(
                agency_id=a.af, name="Bakvänd", valid_from=TODAY, valid_to=YESTERDAY
            ),
        )
    with pytest.raises(Conflict):
        await partners.add_agency(a.admin, sp.AgencyCreate(agency_name="Arbetsförmedlingen"))
    # Nor in other letters' case or with spaces around (seen in the admin's browser walk:
    # "arbetsförmedlingen " became a second agency for good), å ä ö too.
    for same in ("arbetsförmedlingen ", "  ARBETSFÖRMEDLINGEN", "försäkringskassan"):
        with pytest.raises(Conflict) as refused:
            await partners.add_agency(a.admin, sp.AgencyCreate(agency_name=same))
        assert "finns redan" in str(refused.value)


# --- the pages --------------------------------------------------------------------------------


async def test_partner_pages_show_the_list_and_the_summary_never_cached(client):
    a = await make_agencies()
    await login(client, "handlaggare_af")
    listing = await client.get("/samverkan", headers=HTML)
    assert listing.status_code == 200, listing.text
    assert listing.headers["cache-control"] == "no-store"
    assert "Aida Andersson" in listing.text and "1985" in listing.text
    for hidden in ("Bodil", "Cecilia", "Dina", "Elin", PNR):
        assert hidden not in listing.text
    page = await client.get(f"/samverkan/deltagare/{a.people['Aida']}", headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    for shown in ("Aida Andersson, född 1985", "Lagerarbetare, Hemtjänst Norra", "Pågående"):
        assert shown in page.text
    for hidden in (PNR, "0006", HEALTH, "070-123", "Arbete inom lager", a.coordinator.name):
        assert hidden not in page.text
    # A running placement without reported weeks has none "yet"; an ended one had none.
    assert "Ingen vecka rapporterad ännu" in page.text
    from placements.tables import Booking

    await Booking.update({Booking.status: "completed"}).where(Booking.id == a.booking_id)
    ended = await client.get(f"/samverkan/deltagare/{a.people['Aida']}", headers=HTML)
    assert "rapporterad ännu" not in ended.text
    # Aida shares her attendance: the weeks that should have been reported are said.
    assert re.search(r"Ingen av placeringens \d+ veckor rapporterades", ended.text)
    booking = await Booking.select(Booking.start_date).where(Booking.id == a.booking_id)
    await make_attendance_week(a.booking_id, booking[0]["start_date"], days_present=2)
    partial = await client.get(f"/samverkan/deltagare/{a.people['Aida']}", headers=HTML)
    assert re.search(
        r"1 av \d+ veckor rapporterade; siffrorna gäller bara de rapporterade", partial.text
    )
    refused = await client.get(f"/samverkan/deltagare/{a.people['Bodil']}", headers=HTML)
    assert refused.status_code == 404
    # Nothing else is theirs: the workbench, a participant's page, the back office.
    for path in ("/arbetsbord", f"/arbetsbord/deltagare/{a.people['Aida']}", "/drift/samverkan"):
        assert (await client.get(path, headers=HTML)).status_code in (403, 404)


async def test_coordinator_records_and_withdraws_a_consent_on_the_participant_page(client):
    a = await make_agencies()
    cecilia = a.people["Cecilia"]
    await login(client, a.coordinator.username)
    shown = await client.get(f"/arbetsbord/deltagare/{cecilia}", headers=HTML)
    assert "Ingen myndighet ser deltagarens placeringar." in shown.text
    url = f"/arbetsbord/deltagare/{cecilia}/samverkan"
    form = await client.get(url, headers=HTML)
    assert form.status_code == 200
    # Elin's expired agreement is not offered.
    assert "Gammal överenskommelse" not in form.text
    wrong = await client.post(
        url,
        data={"_csrf_token": csrf_of(form.text), "given_on": "2999-01-01"},
        headers=HTML,
    )
    assert wrong.status_code == 400
    for message in ("Lokal överenskommelse", "Hur samtycket gavs", "Dag då samtycket gavs"):
        assert message in wrong.text
    saved = await client.post(
        url,
        data={
            "_csrf_token": csrf_of(form.text),
            "agreement_id": str(a.af_agreement),
            "given_on": TODAY.isoformat(),
            "method": "digitalt",
            "shares_outcome": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert "Cecilia Andersson" in await _listed(a.af_partner)
    consent = (
        await PartnerConsent.select(PartnerConsent.id)
        .where(PartnerConsent.candidate == cecilia)
        .first()
    )
    assert consent is not None
    page = await client.get(url, headers=HTML)
    assert "Gäller" in page.text and "utfall" in page.text
    withdrawn = await client.post(
        f"{url}/{consent['id']}/aterkalla",
        data={
            "_csrf_token": csrf_of(page.text),
            "withdrawn_on": TODAY.isoformat(),
            "confirm_withdraw": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    assert "Cecilia Andersson" not in await _listed(a.af_partner)
    actions = {
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action).where(AuditEntry.subject_id == cecilia)
    }
    assert {"candidate.read", "partner_consent.create", "partner_consent.withdraw"} <= actions


async def test_admin_manages_agencies_agreements_and_partner_contacts(client):
    a = await make_agencies()
    await login(client, a.admin.username)
    page = await client.get("/drift/samverkan", headers=HTML)
    assert page.status_code == 200
    assert "Arbetsförmedlingen" in page.text and "AF-2026-17" in page.text
    assert "gäller inte i dag" in page.text  # the expired agreement says so
    token = csrf_of(page.text)
    added = await client.post(
        "/drift/samverkan/myndigheter",
        data={"_csrf_token": token, "agency_name": "Migrationsverket"},
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303
    wrong = await client.post(
        "/drift/samverkan/overenskommelser",
        data={
            "_csrf_token": token,
            "agency_id": str(a.fk),
            "name": "",
            "valid_from": TODAY.isoformat(),
            "valid_to": YESTERDAY.isoformat(),
        },
        headers=HTML,
    )
    assert wrong.status_code == 400
    assert "före den dag den börjar gälla" in wrong.text
    assert "Överenskommelsens namn" in wrong.text
    edit = await client.get(f"/drift/samverkan/overenskommelser/{a.af_agreement}", headers=HTML)
    assert edit.status_code == 200
    ending = {
        "_csrf_token": csrf_of(edit.text),
        "name": "Samverkan Vårgårda",
        "reference": "AF-2026-17",
        "valid_from": (TODAY - dt.timedelta(days=365)).isoformat(),
        "valid_to": YESTERDAY.isoformat(),
    }
    asked = await client.post(
        f"/drift/samverkan/overenskommelser/{a.af_agreement}", data=ending, headers=HTML
    )
    assert asked.status_code == 409
    assert "1 aktivt samtycke slutar genast ge Arbetsförmedlingen tillgång" in asked.text
    assert await _listed(a.af_partner) == ["Aida Andersson"]
    ended = await client.post(
        f"/drift/samverkan/overenskommelser/{a.af_agreement}",
        data={**ending, "confirm_end": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert await _listed(a.af_partner) == []
    # A partner contact is created bound to an agency; without one the form says so.
    new = await client.get("/drift/anvandare/ny", headers=HTML)
    assert "Partnerkontakt" in new.text
    person = {
        "_csrf_token": csrf_of(new.text),
        "username": "ny.handlaggare",
        "first_name": "Nora",
        "last_name": "Handläggare",
        "email": "nora@af.example.se",
        "role": "partner",
    }
    refused = await client.post("/drift/anvandare/ny", data=person, headers=HTML)
    assert refused.status_code == 400
    assert "Välj vilken myndighet partnerkontakten arbetar på." in refused.text
    created = await client.post(
        "/drift/anvandare/ny",
        data={**person, "agency_id": str(a.fk)},
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    user = await User.select(User.id, User.role).where(User.username == "ny.handlaggare").first()
    assert user is not None and user["role"] == "partner"
    assert await partners.agency_of(user["id"]) == {"id": a.fk, "name": "Försäkringskassan"}
    shown = await client.get(f"/drift/anvandare/{user['id']}", headers=HTML)
    assert "Partnerkontakt" in shown.text and "Försäkringskassan" in shown.text
    # A partner contact keeps the role: it cannot become a coordinator, nor anyone a partner.
    changed = await client.post(
        f"/drift/anvandare/{user['id']}",
        data={
            "_csrf_token": csrf_of(shown.text),
            "first_name": "Nora",
            "last_name": "Handläggare",
            "email": "nora@af.example.se",
            "role": "coordinator",
        },
        headers=HTML,
    )
    assert changed.status_code == 400
    assert "partnerkontakt hör till en myndighet" in changed.text


def _error_at(html: str, field: str) -> str:
    found = re.search(rf'<span class="error" id="f-{field}-error">([^<]*)</span>', html)
    return found.group(1) if found else ""


async def test_an_agreement_change_that_takes_access_away_asks_first_naming_the_effect(client):
    a = await make_agencies()
    await login(client, a.admin.username)
    address = f"/drift/samverkan/overenskommelser/{a.af_agreement}"
    edit = await client.get(address, headers=HTML)
    assert "1 aktivt samtycke ger myndigheten tillgång genom den" in edit.text
    assert 'name="confirm_end"' not in edit.text  # nothing to confirm yet
    since = (TODAY - dt.timedelta(days=365)).isoformat()
    fields = {
        "_csrf_token": csrf_of(edit.text),
        "name": "Samverkan Vårgårda",
        "reference": "AF-2026-17",
        "valid_from": since,
    }

    async def post(**changed: str):
        return await client.post(address, data={**fields, **changed}, headers=HTML)

    # Ending today: valid today only, the consent's access ends tomorrow.
    today = await post(valid_to=TODAY.isoformat())
    assert today.status_code == 409
    assert "gäller överenskommelsen bara i dag: 1 aktivt samtycke slutar ge" in today.text
    assert 'name="confirm_end"' in today.text and f'value="{TODAY.isoformat()}"' in today.text
    assert "<h2>Bekräfta ändringen</h2>" in today.text
    # A start moved past today: the agreement no longer holds, access ends at once.
    later = await post(valid_from=(TODAY + dt.timedelta(days=3)).isoformat())
    assert later.status_code == 409 and "inte i dag: 1 aktivt samtycke" in later.text
    # Shortened but still running: the day access ends is named.
    soon = TODAY + dt.timedelta(days=10)
    shorter = await post(valid_to=soon.isoformat())
    assert shorter.status_code == 409
    first_lost = (soon + dt.timedelta(days=1)).isoformat()
    assert f"1 aktivt samtycke slutar ge Arbetsförmedlingen tillgång från och med {first_lost}" in (
        shorter.text
    )
    # A wrong name and an end to confirm: both at once, each at its field.
    both = await post(name="", valid_to=YESTERDAY.isoformat())
    assert both.status_code == 400
    assert _error_at(both.text, "name")
    assert "slutar genast" in _error_at(both.text, "confirm_end")
    # Nothing was changed by any of these.
    row = (
        await LocalAgreement.select(LocalAgreement.valid_from, LocalAgreement.valid_to)
        .where(LocalAgreement.id == a.af_agreement)
        .first()
    )
    assert row == {"valid_from": TODAY - dt.timedelta(days=365), "valid_to": None}
    assert await _listed(a.af_partner) == ["Aida Andersson"]
    # A change that takes nothing away (a new name) saves at once.
    renamed = await client.post(
        address,
        data={**fields, "name": "Samverkan Vårgårda 2027"},
        headers=HTML,
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    # Confirmed, the shorter end is saved.
    confirmed = await client.post(
        address,
        data={**fields, "valid_to": soon.isoformat(), "confirm_end": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert await _listed(a.af_partner) == ["Aida Andersson"]  # until the new end


def test_what_a_new_period_takes_away():
    since = TODAY - dt.timedelta(days=100)
    row: Any = {"agency.name": "Arbetsförmedlingen", "valid_from": since, "valid_to": None}
    far = TODAY + dt.timedelta(days=200)
    # Without consents, only an end today or earlier is asked about.
    assert partners.access_loss(row, since, far, 0, TODAY) is None
    assert "Ingen deltagare har ett aktivt samtycke" in (
        partners.access_loss(row, since, TODAY, 0, TODAY) or ""
    )
    assert "2 aktiva samtycken" in (partners.access_loss(row, since, far, 2, TODAY) or "")
    # Longer, or the same, takes nothing away.
    assert partners.access_loss(row, since, None, 5, TODAY) is None
    assert partners.access_loss(row, since - dt.timedelta(days=9), None, 5, TODAY) is None
    # An agreement that already ended loses nothing more by ending earlier still.
    ended: Any = {**row, "valid_to": YESTERDAY}
    assert partners.access_loss(ended, since, YESTERDAY - dt.timedelta(days=5), 5, TODAY) is None


async def test_register_extract_includes_the_partner_consents(client):
    a = await make_agencies()
    await login(client, a.coordinator.username)
    response = await client.get(
        f"/api/v1/register/{a.people['Dina']}", params={"reason": "Begäran från den registrerade"}
    )
    assert response.status_code == 200, response.text
    sections = {s["table"]: s for s in response.json()["sections"]}
    [row] = sections["pl_partner_consent"]["rows"]
    fields: dict[str, Any] = {f["name"]: f["value"] for f in row["fields"]}
    assert fields["agreement"] == a.af_agreement
    assert fields["withdrawn_on"] == TODAY.isoformat()
    assert sections["pl_partner_consent"]["title"] == "Samtycken till samverkan med myndigheter"


async def test_the_audit_review_names_partner_reads_in_swedish(client):
    a = await make_agencies()
    await partners.shared_summary(a.af_partner, a.people["Aida"])
    await login(client, a.admin.username)
    review = await client.get("/loggkontroll", headers=HTML)
    assert review.status_code == 200
    assert "Deltagarens placeringar lästa av en partnerkontakt" in review.text
    assert "partnerkontakt" in re.sub(r"\s+", " ", review.text)


def test_the_weeks_due_are_those_that_have_ended():
    """Seen in a partner's walk: "3 veckor rapporterade" of a placement that had run for
    eight read as the whole; the page now says how many weeks should have been reported."""
    from placements.services.partners import weeks_due

    wednesday = dt.date(2026, 12, 2)  # a Wednesday
    started = dt.date(2026, 11, 2)  # a Monday, five weeks earlier
    # Running: the weeks before this one (this week may still be reported).
    assert weeks_due(started, dt.date(2027, 3, 1), "active", wednesday) == 4
    # Started this week: none yet; not started: none.
    assert weeks_due(dt.date(2026, 11, 30), None, "active", wednesday) == 0
    assert weeks_due(started, None, "agreed", wednesday) == 0
    # Ended: every week it had, the last one too, even if it ended midweek.
    assert weeks_due(started, dt.date(2026, 11, 18), "interrupted", wednesday) == 3
    assert weeks_due(None, None, "completed", wednesday) == 0
