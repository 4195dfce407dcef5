"""At most one consent in force per participant and agency (a tester's findings A4 and A5).

The same consent could be registered several times; revoking one of them said the agency had
lost access while it still saw the participant through another; the partner's page showed the
earliest consent's day with the union of every consent's scope, a consent no one gave; and a
consent dated before its agreement began was taken without a word. Now a new consent to an
agency replaces the one in force (which ends the day the new one was given, audited, and the
page says so), the very same consent twice is recorded once, revoking ends every consent in
force for the agency and says which agencies still see the participant, the partner sees the
day and scope of the one consent in force, and a day before the agreement began is refused at
the field. A migration repairs the rows already stored.

The agencies and participants are those of `tests/placements/test_partners.py`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest

from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.tables import AuditEntry
from placements.schemas import partners as sp
from placements.services import partners
from placements.tables import PartnerConsent
from tests.placements.test_attacks_signatures import csrf_of, login
from tests.placements.test_partners import TODAY, Agencies, make_agencies

HTML = {"accept": "text/html"}
MONTH_AGO = TODAY - dt.timedelta(days=30)  # the day make_agencies' consents were given


def _new(agreement_id: int, given_on: dt.date, **covers: Any) -> sp.ConsentCreate:
    return sp.ConsentCreate(
        agreement_id=agreement_id,
        given_on=given_on,
        method=covers.pop("method", "skriftligt"),
        **covers,
    )


async def _rows(candidate_id: int) -> list[dict[str, Any]]:
    return list(
        await PartnerConsent.select(
            PartnerConsent.id,
            PartnerConsent.given_on,
            PartnerConsent.withdrawn_on,
            PartnerConsent.replaced_by,
            PartnerConsent.shares_outcome,
        )
        .where(PartnerConsent.candidate == candidate_id)
        .order_by(PartnerConsent.id)
    )


async def _stored_twice(a: Agencies, candidate_id: int, *, older: dt.date) -> tuple[int, int]:
    """Two consents in force for Arbetsförmedlingen, as the service stored them before this
    change: an older one covering the placements only, and the one make_agencies gave."""
    [row] = [r for r in await _rows(candidate_id) if r["withdrawn_on"] is None]
    rows = await PartnerConsent.insert(
        PartnerConsent(
            candidate=candidate_id,
            agreement=a.af_agreement,
            given_on=older,
            method="muntligt",
            shares_outcome=False,
            shares_attendance=False,
        )
    ).returning(PartnerConsent.id)
    return int(rows[0]["id"]), int(row["id"])


# --- registering ---------------------------------------------------------------------------------


async def test_a_new_consent_to_an_agency_replaces_the_one_in_force():
    a = await make_agencies()
    aida = a.people["Aida"]
    [old] = await _rows(aida)
    day = TODAY - dt.timedelta(days=5)
    recorded = await partners.add_consent(a.coordinator, aida, _new(a.af_agreement, day))
    assert (recorded.agency_name, recorded.replaced_given_on, recorded.already) == (
        "Arbetsförmedlingen",
        MONTH_AGO,
        False,
    )
    assert await _rows(aida) == [
        {**old, "withdrawn_on": day, "replaced_by": recorded.id},  # ends the new one's day
        {
            "id": recorded.id,
            "given_on": day,
            "withdrawn_on": None,
            "replaced_by": None,
            "shares_outcome": False,
        },
    ]
    replaced = await AuditEntry.select(AuditEntry.detail).where(
        (AuditEntry.action == "partner_consent.replace") & (AuditEntry.subject_id == aida)
    )
    assert replaced == [{"detail": f"samtycke {old['id']} ersatt av samtycke {recorded.id}"}]
    # The partner sees the new consent's day and scope only: no outcome any more.
    summary = await partners.shared_summary(a.af_partner, aida)
    assert (summary.consent_given_on, summary.shares_outcome, summary.outcomes) == (
        day,
        False,
        None,
    )
    # The coordinator's page reads the old one as replaced, not withdrawn by the participant.
    consents = await partners.consents_of(aida)
    assert [(c.active, c.state) for c in consents] == [
        (True, "Gäller"),
        (False, f"Ersatt {day.isoformat()} av ett nytt samtycke"),
    ]
    # Another agency's consent is not touched by one to Arbetsförmedlingen.
    bodil = a.people["Bodil"]
    await partners.add_consent(a.coordinator, bodil, _new(a.af_agreement, TODAY))
    assert [r["withdrawn_on"] for r in await _rows(bodil)] == [None, None]
    assert (await partners.shared_summary(a.fk_partner, bodil)).name == "Bodil Andersson"


async def test_a_consent_under_an_ended_agreement_is_replaced_by_one_under_the_new():
    """Elin's consent is open under Arbetsförmedlingen's expired agreement: were that
    agreement lengthened again, she would have two in force. The new one ends it."""
    a = await make_agencies()
    elin = a.people["Elin"]
    recorded = await partners.add_consent(a.coordinator, elin, _new(a.af_agreement, TODAY))
    assert recorded.replaced_given_on == MONTH_AGO
    assert [r["withdrawn_on"] for r in await _rows(elin)] == [TODAY, None]


async def test_the_same_consent_sent_twice_is_recorded_once():
    a = await make_agencies()
    aida = a.people["Aida"]
    before = await _rows(aida)
    again = await partners.add_consent(
        a.coordinator,
        aida,
        _new(a.af_agreement, MONTH_AGO, shares_outcome=True, shares_attendance=True),
    )
    assert again.already and again.id == before[0]["id"]
    assert await _rows(aida) == before


async def test_a_new_consent_given_before_the_one_in_force_is_refused():
    a = await make_agencies()
    aida = a.people["Aida"]
    before = await _rows(aida)
    with pytest.raises(ValidationFailed) as refused:
        await partners.add_consent(
            a.coordinator, aida, _new(a.af_agreement, MONTH_AGO - dt.timedelta(days=1))
        )
    assert refused.value.errors == {
        "given_on": (
            f"Arbetsförmedlingen har redan ett samtycke som gäller, givet "
            f"{MONTH_AGO.isoformat()}. Ett nytt samtycke ersätter det och kan inte vara givet "
            "före den dagen. Ange dagen deltagaren gav det nya samtycket."
        )
    }
    assert await _rows(aida) == before


async def test_a_consent_given_before_its_agreement_began_is_refused_at_the_field():
    """A consent lets the agency see what the agreement sets up; one given before the
    agreement began was given to no such thing (and is most often a year mistyped)."""
    a = await make_agencies()
    cecilia = a.people["Cecilia"]
    began = TODAY - dt.timedelta(days=365)
    with pytest.raises(ValidationFailed) as refused:
        await partners.add_consent(
            a.coordinator, cecilia, _new(a.af_agreement, began - dt.timedelta(days=1))
        )
    assert refused.value.errors == {
        "given_on": (
            f"Överenskommelsen med Arbetsförmedlingen gäller från {began.isoformat()}. Ett "
            "samtycke under den kan inte vara givet före den dagen. Kontrollera dagen, eller "
            "välj en annan överenskommelse."
        )
    }
    assert await _rows(cecilia) == []
    # Its first day is fine.
    await partners.add_consent(a.coordinator, cecilia, _new(a.af_agreement, began))
    assert await partners.shared_summary(a.af_partner, cecilia)


# --- revoking ------------------------------------------------------------------------------------


async def test_revoking_ends_every_consent_in_force_for_the_agency_and_names_what_remains():
    a = await make_agencies()
    aida = a.people["Aida"]
    older, newer = await _stored_twice(a, aida, older=MONTH_AGO - dt.timedelta(days=60))
    await partners.add_consent(a.coordinator, aida, _new(a.fk_agreement, TODAY))
    ended = await partners.withdraw_consent(
        a.coordinator, aida, older, sp.ConsentWithdraw(withdrawn_on=TODAY)
    )
    assert (ended.agency_name, ended.ended, ended.still_shared) == (
        "Arbetsförmedlingen",
        2,
        ["Försäkringskassan"],
    )
    assert {r["id"]: r["withdrawn_on"] for r in await _rows(aida) if r["id"] in (older, newer)} == {
        older: TODAY,
        newer: TODAY,
    }
    with pytest.raises(NotFound):
        await partners.shared_summary(a.af_partner, aida)
    assert (await partners.shared_summary(a.fk_partner, aida)).name == "Aida Andersson"
    detail = await AuditEntry.select(AuditEntry.detail).where(
        (AuditEntry.action == "partner_consent.withdraw") & (AuditEntry.subject_id == aida)
    )
    assert detail == [{"detail": f"samtycke {newer}, {older} (Arbetsförmedlingen)"}]
    # A replaced consent is not revoked again: the one that replaced it is.
    bodil = a.people["Bodil"]
    [first] = await _rows(bodil)
    await partners.add_consent(a.coordinator, bodil, _new(a.fk_agreement, TODAY))
    with pytest.raises(Conflict, match="ersattes redan"):
        await partners.withdraw_consent(
            a.coordinator, bodil, first["id"], sp.ConsentWithdraw(withdrawn_on=TODAY)
        )


async def test_a_revocation_dated_before_a_consent_in_force_is_refused():
    a = await make_agencies()
    aida = a.people["Aida"]
    older, _ = await _stored_twice(a, aida, older=MONTH_AGO - dt.timedelta(days=60))
    with pytest.raises(ValidationFailed, match=f"gavs {MONTH_AGO.isoformat()}"):
        await partners.withdraw_consent(
            a.coordinator,
            aida,
            older,
            sp.ConsentWithdraw(withdrawn_on=MONTH_AGO - dt.timedelta(days=1)),
        )
    assert [r["withdrawn_on"] for r in await _rows(aida)] == [None, None]


# --- what the partner and the back office see ----------------------------------------------------


async def test_the_partner_sees_the_day_and_scope_of_the_newest_consent_in_force():
    """Stored twice (before the migration): an older consent covering the placements, the
    newer one also the outcome. The page showed the older day with the newer scope."""
    a = await make_agencies()
    aida = a.people["Aida"]
    await _stored_twice(a, aida, older=MONTH_AGO - dt.timedelta(days=60))
    summary = await partners.shared_summary(a.af_partner, aida)
    assert (summary.consent_given_on, summary.shares_outcome, summary.shares_attendance) == (
        MONTH_AGO,
        True,
        True,
    )
    assert summary.agreement == "Samverkan Vårgårda (AF-2026-17)"
    # And the other way round: the newer one covers less, so the partner sees less.
    outcome_shared = PartnerConsent.shares_outcome == True  # noqa: E712
    earlier = MONTH_AGO - dt.timedelta(days=90)
    await PartnerConsent.update({PartnerConsent.given_on: earlier}).where(outcome_shared)
    summary = await partners.shared_summary(a.af_partner, aida)
    assert summary.consent_given_on == MONTH_AGO - dt.timedelta(days=60)
    assert (summary.shares_outcome, summary.outcomes) == (False, None)


async def test_an_agreement_counts_participants_not_rows():
    """Seen in the back office: "5 aktiva samtycken" for 4 participants."""
    a = await make_agencies()
    await _stored_twice(a, a.people["Aida"], older=MONTH_AGO - dt.timedelta(days=60))
    assert (await partners.get_agreement(a.af_agreement)).active_consents == 1
    [af] = [x for x in await partners.agencies() if x.name == "Arbetsförmedlingen"]
    assert {g.id: g.active_consents for g in af.agreements}[a.af_agreement] == 1


# --- the migration that repairs stored rows ------------------------------------------------------

REPAIR = "placements.piccolo_migrations.placements_2026_12_08t10_00_00_000002"


async def test_the_migration_keeps_the_newest_consent_in_force_and_ends_the_others():
    a = await make_agencies()
    aida, bodil, dina = a.people["Aida"], a.people["Bodil"], a.people["Dina"]
    older, newest = await _stored_twice(a, aida, older=MONTH_AGO - dt.timedelta(days=60))
    # A third in force (under the agency's other agreement), given the same day as `newest`
    # and registered after it: the newest of the three.
    same_day = (
        await PartnerConsent.insert(
            PartnerConsent(
                candidate=aida, agreement=a.af_expired, given_on=MONTH_AGO, method="digitalt"
            )
        ).returning(PartnerConsent.id)
    )[0]["id"]
    fk = await partners.add_consent(a.coordinator, aida, _new(a.fk_agreement, TODAY))
    untouched = {r["id"]: r for r in await _rows(bodil) + await _rows(dina)}
    migration = importlib.import_module(REPAIR)
    for _ in range(2):  # a second run finds nothing to repair
        manager = await migration.forwards()
        for raw in manager.raw:
            await raw()
        rows = {r["id"]: r for r in await _rows(aida)}
        assert rows[same_day]["withdrawn_on"] is None
        assert (rows[newest]["withdrawn_on"], rows[newest]["replaced_by"]) == (
            MONTH_AGO,
            same_day,
        )
        assert (rows[older]["withdrawn_on"], rows[older]["replaced_by"]) == (MONTH_AGO, same_day)
        assert rows[fk.id]["withdrawn_on"] is None  # another agency's
        assert {r["id"]: r for r in await _rows(bodil) + await _rows(dina)} == untouched


# --- the coordinator's page ----------------------------------------------------------------------


def _status(html: str) -> str:
    found = re.search(r'role="status"[^>]*>(.*?)</', html, re.S)
    return " ".join(found.group(1).split()) if found else ""


async def test_the_consent_page_replaces_says_so_and_asks_before_revoking(client):
    a = await make_agencies()
    aida = a.people["Aida"]
    await login(client, a.coordinator.username)
    url = f"/arbetsbord/deltagare/{aida}/samverkan"
    page = await client.get(url, headers=HTML)
    # The form says what a new consent to the same agency does.
    assert "ersätter det nya samtycket det gamla" in page.text
    same = {
        "agreement_id": str(a.af_agreement),
        "given_on": MONTH_AGO.isoformat(),
        "method": "skriftligt",
        "shares_outcome": "1",
        "shares_attendance": "1",
    }
    twice = await client.post(
        url,
        data={"_csrf_token": csrf_of(page.text), **same},
        headers=HTML,
        follow_redirects=False,
    )
    assert twice.status_code == 303
    landing = await client.get(twice.headers["location"], headers=HTML)
    assert _status(landing.text) == (
        "Samtycket var redan registrerat med samma dag, sätt och omfattning. Inget är ändrat."
    )
    assert landing.text.count("Registrera att samtycket är återkallat") == 1
    replaced = await client.post(
        url,
        data={"_csrf_token": csrf_of(page.text), **same, "given_on": TODAY.isoformat()},
        headers=HTML,
        follow_redirects=False,
    )
    assert replaced.status_code == 303
    landing = await client.get(replaced.headers["location"], headers=HTML)
    assert _status(landing.text) == (
        "Samtycket är registrerat och ersätter samtycket till Arbetsförmedlingen från "
        f"{MONTH_AGO.isoformat()}, som slutade gälla {TODAY.isoformat()} och finns kvar i "
        "historiken. "
        "Myndighetens partnerkontakter ser nu det som det nya samtycket omfattar."
    )
    assert f"Ersatt {TODAY.isoformat()} av ett nytt samtycke" in landing.text
    [current] = [r for r in await _rows(aida) if r["withdrawn_on"] is None]
    # Revoking asks first: unticked, a 400 at that consent's box, nothing done.
    revoke = f"{url}/{current['id']}/aterkalla"
    unticked = await client.post(
        revoke,
        data={"_csrf_token": csrf_of(landing.text), "withdrawn_on": TODAY.isoformat()},
        headers=HTML,
    )
    assert unticked.status_code == 400
    box = f"f-confirm_withdraw-{current['id']}"
    assert (
        f'<span class="error" id="{box}-error">Kryssa i rutan ”Ja, deltagaren har återkallat '
        "samtycket” för att registrera att det är återkallat.</span>"
    ) in unticked.text
    assert f'id="f-withdrawn_on-{current["id"]}" name="withdrawn_on" type="date" value="' in (
        unticked.text
    )
    assert (await partners.shared_summary(a.af_partner, aida)).name == "Aida Andersson"
    ticked = await client.post(
        revoke,
        data={
            "_csrf_token": csrf_of(landing.text),
            "withdrawn_on": TODAY.isoformat(),
            "confirm_withdraw": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert ticked.status_code == 303
    landing = await client.get(ticked.headers["location"], headers=HTML)
    assert _status(landing.text) == (
        "Samtycket till Arbetsförmedlingen är återkallat. Myndighetens partnerkontakter ser "
        "inte längre deltagaren."
    )
    with pytest.raises(NotFound):
        await partners.shared_summary(a.af_partner, aida)
    # With another agency's consent in force, the message says that it remains.
    await partners.add_consent(a.coordinator, aida, _new(a.fk_agreement, TODAY))
    await partners.add_consent(a.coordinator, aida, _new(a.af_agreement, TODAY))
    [af] = [c for c in await partners.consents_of(aida) if c.active and c.agency_name[0] == "A"]
    page = await client.get(url, headers=HTML)
    ticked = await client.post(
        f"{url}/{af.id}/aterkalla",
        data={
            "_csrf_token": csrf_of(page.text),
            "withdrawn_on": TODAY.isoformat(),
            "confirm_withdraw": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    landing = await client.get(ticked.headers["location"], headers=HTML)
    assert _status(landing.text) == (
        "Samtycket till Arbetsförmedlingen är återkallat: myndighetens partnerkontakter ser "
        "inte längre deltagaren. Samtycke till Försäkringskassan gäller fortfarande."
    )


async def test_the_consent_form_refuses_a_day_before_the_agreement_at_the_field(client):
    a = await make_agencies()
    cecilia = a.people["Cecilia"]
    await login(client, a.coordinator.username)
    url = f"/arbetsbord/deltagare/{cecilia}/samverkan"
    page = await client.get(url, headers=HTML)
    early = (TODAY - dt.timedelta(days=400)).isoformat()
    refused = await client.post(
        url,
        data={
            "_csrf_token": csrf_of(page.text),
            "agreement_id": str(a.af_agreement),
            "given_on": early,
            "method": "muntligt",
            "shares_attendance": "1",
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    assert re.search(
        r'<span class="error" id="f-given_on-error">Överenskommelsen med Arbetsförmedlingen '
        r"gäller från \d{4}-\d\d-\d\d\.",
        refused.text,
    )
    assert f'value="{early}"' in refused.text  # nothing typed is lost
    assert await _rows(cecilia) == []
