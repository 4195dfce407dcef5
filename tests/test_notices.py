"""After every action a person takes in a form, the page they land on says, in Swedish, what
happened (role="status"): one mechanism, `marketplace.kernel.notices`.

The forms are the app's own HTML POST routes, each posted by a caller allowed to, with a valid
form, on the access matrix's world (tests/test_access_matrix.py), so a new form cannot slip
past. A form that redirects must name a notice in the address it redirects to, and the page
there must show that notice's text; a form listed in `OWN_PAGE` answers with a page of its own
that says what happened, and a form in `NO_NOTICE` is no action (with the reason).

Run: `pytest tests/test_notices.py` (on either engine).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import auth, clock, notices
from marketplace.kernel.tables import User
from participants.sessions import SESSION_COOKIE
from placements.schemas import outcomes as so
from placements.schemas.attendance import WeekReport
from placements.services import (
    agreement_versions,
    agreements,
    attendance,
    booking_access,
    bookings,
    outcomes,
)
from placements.tables import Booking, Slot
from tests.builders import make_contact, make_host, make_slot
from tests.conftest import DEMO_PASSWORD
from tests.inloop import InLoopClient
from tests.test_access_matrix import (
    EXPECTED,
    FORMS,
    PARTICIPANTS,
    SESSION_ROUTES,
    People,
    World,
    all_routes,
    make_people,
    make_world,
    participant_session,
    url_for,
)

HTML = {"accept": "text/html"}
# The authenticator secret of an enrolment the forms of two-step sign-in act on.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Who posts a form: the first of these the access matrix allows.
CALLERS = ("host_a", "coord", "admin", "analyst", "anon", "part_a")
# Forms that redirect without a notice, each with the reason.
NO_NOTICE = {
    "/arbetsbord/deltagare/sok": "a search, posted so that a personnummer stays out of the "
    "address; it lands on the list or the participant found, which is the answer",
}
# Forms that answer with a page of their own, and what that page says.
OWN_PAGE = {
    "/erbjud": "Tack för er anmälan",
    "/ansok": "Tack för din ansökan",
    "/vard/inbjudan": 'role="status"',
    "/underteckna/{token}": "Du har godkänt",
    "/bedomning/{token}": "Tack",
    "/narvaro/{token}": "är registrerad",
    "/forslag/{booking_id}/svar/{token}/acceptera": "är accepterat",
    "/forslag/{booking_id}/svar/{token}/avboj": "Ni har avböjt förslaget",
    "/konto/nytt-losenord/{token}": "Lösenordet är sparat",
    # A new key's secret and a new authenticator's key are shown once, on the answer itself.
    "/konto/api-nycklar": "Den visas bara nu",
    "/konto/tvasteg": "otpauth://",
    # Not an action: the occupations suggested for the form's text, to pick from (htmx).
    "/vard/yrkesforslag": 'name="occupation_id"',
}
# Forms whose valid post needs more than the access matrix's form.
EXTRA_FORM: dict[str, dict[str, str]] = {
    "/erbjud": {"contact_email": "fia@formular.example.se"},
    "/bedomning/{token}": {"attendance": "god", "recommendation": "would_hire"},
    "/arbetsbord/bokningar/{booking_id}/utfall": {
        "category": "annan_insats",
        "outcome_date": clock.today().isoformat(),
        "lasts_at_least_one_month": "",
    },
    "/vard/bokningar/{booking_id}/underteckna": {"version": "1"},
    "/arbetsbord/bokningar/{booking_id}/underteckna": {"version": "1"},
    "/vard/platser/{slot_id}/stang": {"confirm": "1"},
    "/vard/kontakter/{contact_id}/avsluta": {"confirm": "1"},
    "/underteckna/{token}": {"version": "1"},
    "/forslag/{booking_id}/svar/{token}/avboj": {"reason": "Vi har fullt just nu."},
    "/konto/losenord": {
        "current_password": DEMO_PASSWORD,
        "password": "ett långt nytt lösenord 2028",
        "repeat": "ett långt nytt lösenord 2028",
    },
    "/konto/nytt-losenord/{token}": {
        "password": "ett långt nytt lösenord 2027",
        "repeat": "ett långt nytt lösenord 2027",
    },
    "/glomt-losenord": {"adress": "ingen@kommun.example.se"},
    "/drift/anvandare/ny": {
        "username": "ny.analytiker",
        "first_name": "Nils",
        "last_name": "Nyberg",
        "email": "nils.nyberg@kommun.example.se",
        "role": "analyst",
    },
    "/drift/anvandare/{user_id}": {
        "first_name": "Reserv",
        "last_name": "Person",
        "email": "reserv.person@matrix.example.se",
        "role": "host",
    },
    "/drift/anvandare/{user_id}/stang-av": {"confirm_disable": "1"},
    "/drift/anvandare/{user_id}/tvasteg": {"confirm_totp": "1"},
}


def _caller(method: str, path: str) -> str:
    if path == "/logga-in":
        return "anon"  # signing in is what a caller without an account does
    allowed = EXPECTED[(method, path)]
    return next(who for who in CALLERS if who in allowed)


async def _prepare(path: str, p: People, w: World) -> None:
    """Put the world's objects in the state the form acts on, the way people would."""
    coord, host = p.users["coord"], p.users["host_a"]
    accepted = w.ids["booking_id"]
    withdraws_week = path.endswith("/narvaro/{week}/ta-bort")
    reports_attendance = path.endswith("/narvaro") or path == "/narvaro/{token}" or withdraws_week
    if reports_attendance or path.endswith(("/starta", "/avsluta", "/utfall", "/ratta-utfall")):
        # A placement that started a fortnight ago, so that it may also end today; one that
        # reports attendance runs on past this week, whose days it reports (a planned end
        # today would leave a Monday's week one day).
        today = clock.today()
        end = today + dt.timedelta(days=14) if reports_attendance else today
        await Booking.update(
            {Booking.start_date: today - dt.timedelta(days=14), Booking.end_date: end}
        ).where(Booking.id == accepted)
        version = 1
        await agreements.sign_in_app(coord, accepted, seen_version=version)
        await agreements.sign_in_app(host, accepted, seen_version=version)
        for link in (await agreements.issue_signing_links(coord, accepted)).links:
            await agreements.sign_by_link(link.url.rsplit("/", 1)[1], seen_version=version)
    if reports_attendance or path.endswith(("/avsluta", "/utfall", "/ratta-utfall")):
        await bookings.start(host, accepted)
    if withdraws_week:
        # This week reported (today counts), to be withdrawn.
        report = WeekReport(week_start=clock.today(), days_present=1)
        await attendance.record_week(host, accepted, report, source="host")
    if path.endswith(("/utfall", "/ratta-utfall")):
        await bookings.end(host, accepted, "completed")
    if path.endswith("/ratta-utfall"):
        # A recorded outcome to correct.
        await outcomes.record_outcome(
            coord,
            accepted,
            so.OutcomeCreate(category="okant", outcome_date=clock.today()),
        )
    if path == "/vard/bokningar/{booking_id}/bedomning":
        # The access matrix's ended booking was written directly, without its agreement.
        row = await booking_access.booking_row(w.ids["ended_booking"])
        assert row is not None
        await agreement_versions.draft_agreement(row, coord)
    if path == "/vard/platser/{slot_id}/publicera":
        await Slot.update({Slot.status: "paused"}).where(Slot.id == w.ids["slot_id"])
    if path == "/vard/platser/{slot_id}/oppna":
        await Slot.update({Slot.status: "closed"}).where(Slot.id == w.ids["slot_id"])
    if path in ("/konto/tvasteg", "/konto/tvasteg/bekrafta"):
        # The caller's enrolment begun (with a secret the test knows), the factor still off.
        await User.update(
            {User.totp_enabled: False, User.totp_secret: TOTP_SECRET, User.totp_last_step: 0}
        ).where(User.id == p.users[_caller("POST", path)].id)
    if path == "/drift/anvandare/{user_id}/tvasteg":
        await User.update({User.totp_enabled: True, User.totp_secret: "JBSWY3DPEHPK3PXP"}).where(
            User.id == w.ids["user_id"]
        )
    if path == "/arbetsbord/bokningar/{booking_id}/svarslankar":
        # Answer links go only to a host without users: move the proposal to such a host.
        host_id = await make_host(f"Utan konto {w.ids['slot_id']}", "company")
        await make_contact(
            host_id,
            "Karin Kontakt",
            email=f"karin{host_id}@utan-konto.example.se",
            supervisor=False,
            public=True,
        )
        supervisor = await make_contact(
            host_id, "Sam Handledare", email=f"sam{host_id}@utan.example.se"
        )
        slot = await make_slot(
            host_id,
            supervisor,
            capacity=2,
            external_id=f"utan-konto-{host_id}",
            hours=None,
            description="",
            occupation_id="DLEi_bTh_oLA",
        )
        await Booking.update({Booking.slot: slot, Booking.supervisor: supervisor}).where(
            Booking.id == w.ids["proposed_booking"]
        )


async def _post(
    client: AsyncTestClient[Litestar], path: str, who: str, p: People, w: World, csrf: str
) -> Any:
    client.cookies.clear()
    client.cookies.set("mp_csrf", csrf)
    headers = {**HTML, "x-csrftoken": csrf}
    await sign_in_as(client, headers, who, "POST", path, p, w)
    form = {**FORMS.get(path, {}), **EXTRA_FORM.get(path, {})}
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
    if path == "/konto/tvasteg/bekrafta":
        form["code"] = pyotp.TOTP(TOTP_SECRET).now()  # the app's code of `_prepare`'s secret
    url = url_for("POST", path, p, w)
    return await client.post(url, data=form, headers=headers, follow_redirects=False), headers


async def sign_in_as(
    client: AsyncTestClient[Litestar],
    headers: dict[str, str],
    who: str,
    method: str,
    path: str,
    p: People,
    w: World,
) -> None:
    """A user's token in the headers (a signed-in session for a form no token may post, as
    making a key), or a participant's session in the cookies."""
    if who in PARTICIPANTS:
        client.cookies.set(SESSION_COOKIE, await participant_session(who, method, path, w))
    elif who != "anon" and (method, path) in SESSION_ROUTES:
        raw, _ = await auth.start_session(p.users[who].id)
        client.cookies.set(auth.SESSION_COOKIE, raw)
    elif who != "anon":
        headers["authorization"] = f"Bearer {p.tokens[who]}"


def _errors(page: str) -> str:
    """The error messages on a page that refused a form, for the failure report."""
    found = re.findall(r'class="error[^"]*"[^>]*>(.*?)</', page, re.S)
    found += re.findall(r'role="alert"[^>]*>(.*?)</(?:div|section|p)>', page, re.S)
    text = " | ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found)
    return html.unescape(text)[:500] or page[:300]


def _status_texts(page: str) -> list[str]:
    found = re.findall(r'<(\w+)[^>]*role="status"[^>]*>(.*?)</\1>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for _, text in found]


async def test_every_form_that_redirects_lands_on_a_swedish_confirmation(app):
    people = await make_people()
    forms = sorted(
        path
        for method, path in all_routes(app)
        if method == "POST" and not path.startswith(("/api/", "/health"))
    )
    assert len(forms) > 30, forms
    problems: list[str] = []
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        await client.get("/", headers=HTML)
        csrf = client.cookies.get("mp_csrf") or ""
        for path in forms:
            who = _caller("POST", path)
            world = await make_world(people)
            await _prepare(path, people, world)
            answer, headers = await _post(client, path, who, people, world, csrf)
            if path in OWN_PAGE:
                if answer.status_code != 200 or OWN_PAGE[path] not in answer.text:
                    problems.append(
                        f"{path} as {who}: {answer.status_code}, not its own page: "
                        f"{_errors(answer.text)}"
                    )
                continue
            if answer.status_code != 303:
                problems.append(f"{path} as {who}: {answer.status_code} {_errors(answer.text)}")
                continue
            location = answer.headers["location"]
            code = parse_qs(urlsplit(location).query).get(notices.PARAM, [""])[0]
            if path in NO_NOTICE:
                if code:
                    problems.append(f"{path}: listed in NO_NOTICE but names {code!r}")
                continue
            if code not in notices.NOTICES:
                problems.append(f"{path} as {who}: lands on {location} with no notice")
                continue
            # The landing page, as the browser would open it (a sign-in's session cookie,
            # a sign-out's ended session: the cookies the answer set).
            landing = await client.get(location, headers={**HTML, **_auth(headers, path)})
            expected = notices.notice_for(_Query(location))
            assert expected is not None
            shown = _status_texts(landing.text)
            if landing.status_code != 200 or not any(expected["text"] in s for s in shown):
                problems.append(
                    f"{path} as {who}: {location} answers {landing.status_code} and shows "
                    f"{shown}, not {expected['text']!r}"
                )
    assert not problems, f"{len(problems)} of {len(forms)} forms:\n" + "\n".join(problems)


def _auth(headers: dict[str, str], path: str) -> dict[str, str]:
    """The caller's credentials for the landing page; after signing out, none."""
    if path == "/logga-ut":
        return {}
    return {k: v for k, v in headers.items() if k == "authorization"}


class _Query:
    """Just enough of a request for `notice_for`: the query of an address."""

    def __init__(self, location: str) -> None:
        self.query_params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_done_keeps_the_query_and_the_fragment():
    assert notices.done("/vard#forslag", "forslag-avbojt") == "/vard?klart=forslag-avbojt#forslag"
    assert (
        notices.done("/arbetsbord?status=&sida=2", "inloggad")
        == "/arbetsbord?status=&sida=2&klart=inloggad"
    )
    assert (
        notices.done("/drift/vardagsord", "ord-tillagt", ord="fika & bulle")
        == "/drift/vardagsord?klart=ord-tillagt&ord=fika%20%26%20bulle"
    )


def test_an_unknown_notice_is_a_programming_error():
    try:
        notices.done("/", "sparat-kanske")
    except KeyError as exc:
        assert "sparat-kanske" in str(exc)
    else:
        raise AssertionError("an unknown code must not pass")


def test_a_notice_fills_in_its_values_and_ignores_unknown_codes():
    shown = notices.notice_for(_Query("/drift/vardagsord?klart=ord-tillagt&ord=fika%20bulle"))
    assert shown == {
        "text": "Ordet ”fika bulle” är tillagt.",
        "link_text": "Prova att söka på det",
        "link": "/platser?q=fika%20bulle",
        "params": "klart ord",  # what app.js takes out of the address once it is shown
    }
    assert notices.notice_for(_Query("/?klart=%3Cscript%3E")) is None
    assert notices.notice_for(_Query("/")) is None


def test_every_notice_is_swedish_prose():
    for code, notice in notices.NOTICES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code), code
        assert notice.text[0].isupper() and notice.text.endswith((".", "!")), code
        assert "_" not in notice.text, code


async def test_a_value_in_a_notice_is_escaped(client):
    await client.get("/", headers=HTML)
    page = await client.get(
        "/?klart=ord-borttaget&ord=%3Cscript%3Ealert(1)%3C/script%3E", headers=HTML
    )
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text


async def test_an_answer_sent_twice_lands_on_a_neutral_notice(client):
    """A host's yes or no to a proposal, sent again (Back and resubmit, a second tab), lands on
    the booking with "forslag-redan-accepterat" / "forslag-redan-avbojt" in role="status"."""
    from tests.placements.bookingdata import make_world as booking_world
    from tests.placements.bookingdata import propose
    from tests.placements.test_attacks_signatures import csrf_of, login

    for action, data, code in (
        ("acceptera", {}, "forslag-redan-accepterat"),
        ("avboj", {"reason": "Fullt den veckan"}, "forslag-redan-avbojt"),
    ):
        w = await booking_world()
        booking_id = await propose(w)
        client.cookies.clear()
        await login(client, w.host_user.username)
        url = f"/vard/bokningar/{booking_id}"
        form = {"_csrf_token": csrf_of((await client.get(url, headers=HTML)).text), **data}
        first = await client.post(f"{url}/{action}", data=form, follow_redirects=False)
        assert first.status_code == 303, action
        again = await client.post(f"{url}/{action}", data=form, follow_redirects=False)
        assert again.status_code == 303, action
        location = again.headers["location"]
        assert location == f"{url}?klart={code}"
        landing = await client.get(location, headers=HTML)
        assert notices.NOTICES[code].text in _status_texts(landing.text)


def test_the_consent_notices_say_what_happened_to_which_agency():
    """A consent form lands on one of several notices (tests/placements/
    test_partner_consents.py posts each): revoking names the agency that lost access and
    those that still have it; a new consent says which one it replaced, from and to when."""
    replaced = notices.done(
        "/s", "samtycke-ersatt", myndighet="Arbetsförmedlingen", dag="2026-06-01", slut="2026-12-07"
    )
    shown = notices.notice_for(_Query(replaced))
    assert shown is not None and shown["text"] == (
        "Samtycket är registrerat och ersätter samtycket till Arbetsförmedlingen från "
        "2026-06-01, som slutade gälla 2026-12-07 och finns kvar i historiken. Myndighetens "
        "partnerkontakter ser nu det som det nya samtycket omfattar."
    )
    revoked = notices.done(
        "/s", "samtycke-aterkallat-andra-kvar", myndighet="Arbetsförmedlingen", andra="FK"
    )
    shown = notices.notice_for(_Query(revoked))
    assert shown is not None and shown["text"] == (
        "Samtycket till Arbetsförmedlingen är återkallat: myndighetens partnerkontakter ser "
        "inte längre deltagaren. Samtycke till FK gäller fortfarande."
    )
    shown = notices.notice_for(_Query(notices.done("/s", "samtycke-redan-registrerat")))
    assert shown is not None and "Inget är ändrat." in shown["text"]
