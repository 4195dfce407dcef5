"""The participant's own pages: what a participant reads and does, only for themselves, audited,
in Swedish, English and Arabic."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import clock
from marketplace.kernel.audit import record
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from participants import sessions
from placements.schemas import agreements as sa
from placements.services import agreements, bookings, bump_slot_change, bump_slot_changes
from placements.tables import (
    Assessment,
    Booking,
    ParticipantAnswer,
    ParticipantInterest,
    Signature,
)
from tests.builders import make_assessment, make_candidate, make_lock_in_flag, make_plan_activity
from tests.participants.conftest import form_post
from tests.placements.bookingdata import (
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    START,
    World,
    give_adaptations,
    make_world,
    propose,
    write_win_win,
)

HTML = {"accept": "text/html"}


async def _signed_in(client: AsyncTestClient[Litestar], candidate_id: int) -> None:
    raw = await sessions.start_session(candidate_id, "link")
    client.cookies.set(sessions.SESSION_COOKIE, raw)


async def test_plan_and_meetings(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    start = clock.today() + dt.timedelta(days=3)
    await make_plan_activity(
        w.candidate_id,
        "Svenska för vuxna",
        planned_start=start,
        planned_end=start + dt.timedelta(days=30),
    )
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/plan", headers=HTML)
    assert page.status_code == 200
    assert "Arbete inom lager och logistik" in page.text
    assert "Svenska för vuxna" in page.text and start.isoformat() in page.text
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "participant.plan") & (AuditEntry.subject_id == w.candidate_id)
    )
    row = await AuditEntry.select().where(AuditEntry.action == "participant.plan").first()
    assert row is not None and row["actor_label"].startswith("deltagaren själv")


async def test_answer_a_proposal_with_reasons(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    home = await client.get("/mina-sidor", headers=HTML)
    assert "Förslag som väntar på ditt svar: 1" in home.text
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "Lagerarbetare" in page.text and "Vill du ha platsen?" in page.text
    # "Vill inte" needs a comment; every problem is said at once, and nothing is saved.
    refused = await form_post(client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "no"})
    assert refused.status_code == 400
    assert "Skriv kort varför du inte vill" in refused.text
    # The summary names the proposal (a page may hold several) and links to its field.
    assert (
        f'<li><a href="#comment-{booking_id}"><span lang="sv" dir="ltr">Lagerarbetare</span>: '
        "Skriv kort varför du inte vill" in refused.text
    )
    assert not await ParticipantAnswer.exists()
    both = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"comment": "x" * 1001}
    )
    assert both.status_code == 400
    assert "Välj om du vill" in both.text and "Skriv högst 1000 tecken" in both.text
    ok = await form_post(
        client,
        f"/mina-sidor/forslag/{booking_id}/svar",
        {"answer": "yes", "comment": "Jag gillar lager"},
    )
    assert ok.status_code == 303
    answer = await ParticipantAnswer.select().first()
    assert answer is not None and answer["answer"] == "yes"
    assert answer["comment"] == "Jag gillar lager"
    assert await OutboxMessage.exists().where(OutboxMessage.kind == "participant.answer")
    again = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "Jag gillar lager" in again.text
    home = await client.get("/mina-sidor", headers=HTML)
    assert "Förslag som väntar på ditt svar: 0" in home.text  # answered, it waits for the host
    # Answered, the form's button says it changes the answer, not that it is still unsent.
    assert "Ändra mitt svar" in again.text and "Skicka mitt svar" not in again.text
    # Once the host has said yes, the proposal points on to the agreement.
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    accepted = await client.get("/mina-sidor/forslag", headers=HTML)
    assert '<p><a href="/mina-sidor/overenskommelse">Din överenskommelse</a></p>' in accepted.text
    # Settled, it moves from the current proposals to the earlier ones.
    assert "<h2>Aktuella förslag</h2>" in again.text and "Tidigare förslag" not in again.text
    assert "<h2>Tidigare förslag</h2>" in accepted.text
    assert "<h2>Aktuella förslag</h2>" not in accepted.text
    assert "Du har inga förslag just nu." in accepted.text


async def test_an_answer_to_a_proposal_withdrawn_meanwhile_is_told_it_is_settled(
    client: AsyncTestClient[Litestar],
) -> None:
    """Seen in the browser: the coordinator withdrew a proposal while the participant had
    the page open; the participant's "yes" got "there is no such thing among yours" and the
    comment was lost. It is told the proposal is settled, with what was typed kept."""
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    await bookings.withdraw(w.coordinator, booking_id, "Annan plats")
    late = await form_post(
        client,
        f"/mina-sidor/forslag/{booking_id}/svar",
        {"answer": "yes", "comment": "Jag kan börja på måndag"},
    )
    assert late.status_code == 409
    assert "Förslaget är redan avgjort" in late.text
    assert not await ParticipantAnswer.exists()


async def test_another_participants_booking_is_not_found(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await propose(w)
    other = await make_candidate(w.coordinator, "Bodil")
    await _signed_in(client, other)
    response = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": ""}
    )
    assert response.status_code == 404
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "Lagerarbetare" not in page.text
    assert not await ParticipantAnswer.exists()


async def test_mark_and_remove_interest(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    await bump_slot_change(w.slot_id)  # the search index sees the slot
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/platser?q=lager", headers=HTML)
    assert page.status_code == 200 and "Lagerarbetare" in page.text
    marked = await form_post(client, f"/mina-sidor/platser/{w.slot_id}/intresse")
    assert marked.status_code == 303
    again = await form_post(client, f"/mina-sidor/platser/{w.slot_id}/intresse")
    assert again.status_code == 303
    assert await ParticipantInterest.count() == 1
    removed = await form_post(client, f"/mina-sidor/platser/{w.slot_id}/intresse/ta-bort")
    assert removed.status_code == 303
    assert await ParticipantInterest.count() == 0


def _titles(page: str) -> list[str]:
    """The slots' titles on a page of my slot search, in their order."""
    return re.findall(r'<h3><span lang="sv" dir="ltr">([^<]+)</span></h3>', page)


async def _many_slots(w: World) -> None:
    """22 slots the word "lager" finds: a page of 20 and a page of 2."""
    from tests.builders import make_slot

    more = [
        await make_slot(w.host_id, w.supervisor_id, title=f"Lagerarbetare {n}") for n in range(21)
    ]
    await bump_slot_changes([w.slot_id, *more])


async def test_my_slot_search_pages_on_with_my_words(client: AsyncTestClient[Litestar]) -> None:
    """More slots match than a page shows: the page says how many, shows 20, and links on to
    the rest with my words kept ("sida"); the next page shows other slots and the last page
    has no link on. Marking (or unmarking) a slot lands on the same search and page."""
    w = await make_world()
    await _many_slots(w)
    await _signed_in(client, w.candidate_id)
    first = (await client.get("/mina-sidor/platser?q=lager", headers=HTML)).text
    assert "Platser (22)" in first and "Sida 1 av 2" in first
    assert "De platser som passar bäst visas först, 20 per sida." in first
    assert len(_titles(first)) == 20
    assert '<a href="/mina-sidor/platser?q=lager&amp;sida=2" rel="next">Nästa sida</a>' in first
    assert 'rel="prev"' not in first
    assert '<input type="hidden" name="q" value="lager">' in first
    second = (await client.get("/mina-sidor/platser?q=lager&sida=2", headers=HTML)).text
    assert "Platser (22)" in second and "Sida 2 av 2" in second
    assert len(_titles(second)) == 2
    assert not set(_titles(first)) & set(_titles(second))
    assert len(set(_titles(first)) | set(_titles(second))) == 22  # every slot, once
    assert '<a href="/mina-sidor/platser?q=lager" rel="prev">Föregående sida</a>' in second
    assert 'rel="next"' not in second and "Nästa sida" not in second
    assert '<input type="hidden" name="sida" value="2">' in second
    marked = await form_post(
        client, f"/mina-sidor/platser/{w.slot_id}/intresse", {"q": "lager", "sida": "2"}
    )
    assert marked.headers["location"] == "/mina-sidor/platser?q=lager&sida=2&klart=intresse-sparat"
    removed = await form_post(
        client, f"/mina-sidor/platser/{w.slot_id}/intresse/ta-bort", {"q": "lager kök"}
    )
    assert removed.headers["location"] == (
        "/mina-sidor/platser?q=lager+k%C3%B6k&klart=intresse-borttaget"
    )
    bare = await form_post(client, f"/mina-sidor/platser/{w.slot_id}/intresse")
    assert bare.headers["location"] == "/mina-sidor/platser?klart=intresse-sparat"
    # A search that fits on one page has no pager.
    one = (await client.get("/mina-sidor/platser?q=lagerarbetare+7", headers=HTML)).text
    if "Platser (1)" in one:
        assert "Sida 1" not in one and 'class="pager"' not in one


async def test_a_bad_page_number_shows_the_nearest_page(
    client: AsyncTestClient[Litestar],
) -> None:
    """A page number that is not one (typed, cut, or past the end) is never an error: below
    1 or not a number is the first page, past the last page redirects to the last."""
    w = await make_world()
    await _many_slots(w)
    await _signed_in(client, w.candidate_id)
    for raw in ("abc", "0", "-1", "1.5", "", "%20", "٢", "²", "9" * 40):
        page = await client.get(f"/mina-sidor/platser?q=lager&sida={raw}", headers=HTML)
        assert page.status_code == 200, raw
        assert "Sida 1 av 2" in page.text or "Sida 2 av 2" in page.text, raw
        if raw != "9" * 40:
            assert "Sida 1 av 2" in page.text and len(_titles(page.text)) == 20, raw
    for raw in ("3", "1000", "1001", "9" * 40):
        moved = await client.get(
            f"/mina-sidor/platser?q=lager&sida={raw}", headers=HTML, follow_redirects=False
        )
        assert moved.status_code == 303, raw
        assert moved.headers["location"] == "/mina-sidor/platser?q=lager&sida=2", raw
        page = await client.get(f"/mina-sidor/platser?q=lager&sida={raw}", headers=HTML)
        assert page.status_code == 200 and "Sida 2 av 2" in page.text, raw
        assert len(_titles(page.text)) == 2 and 'rel="next"' not in page.text
    # No hits at all: page 1 of 1, whatever was asked.
    none = await client.get("/mina-sidor/platser?q=zzzyxw&sida=5", headers=HTML)
    assert none.status_code == 200 and "Platser (0)" in none.text
    assert "Inga platser hittades." in none.text and 'class="pager"' not in none.text


async def test_the_pager_speaks_my_language(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    await _many_slots(w)
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = (await client.get("/mina-sidor/platser?q=lager&sida=2", headers=HTML)).text
    assert "Places (22)" in english and "Page 2 of 2" in english
    assert "The places that fit best are shown first, 20 per page." in english
    assert '<nav class="pager" aria-label="Pages of places">' in english
    assert '<a href="/mina-sidor/platser?q=lager" rel="prev">Previous page</a>' in english
    assert "Föregående" not in english and "Sida" not in english
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor/platser?q=lager", headers=HTML)).text
    assert "الصفحة 1 من 2" in arabic and ">الصفحة التالية</a>" in arabic


LONG_DESCRIPTION = (
    "Du plockar och packar varor i lagret, tar emot leveranser och håller ordning på "
    "hyllorna. Vi arbetar i lag om fyra, och du har en handledare vid din sida hela tiden. "
    "Skyddsskor får du av oss. Sista meningen står bara bakom Läs mer: kaffe finns alltid."
)


async def test_each_hit_of_my_slot_search_shows_hours_period_and_description(
    client: AsyncTestClient[Litestar],
) -> None:
    """Two slots of one title at one workplace were told apart by nothing: each hit now shows
    its kind, hours a week and period (or that it runs on), and the start of its description
    with the whole of it behind "Läs mer om platsen"; the words are mine, the host's text stays
    Swedish (lang="sv")."""
    from tests.builders import make_slot

    w = await make_world()
    dated = await make_slot(
        w.host_id,
        w.supervisor_id,
        kind="arbetsträning",
        hours=20,
        start=dt.date(2027, 1, 11),
        end=dt.date(2027, 3, 19),
        description=LONG_DESCRIPTION,
    )
    await bump_slot_changes([w.slot_id, dated])
    await _signed_in(client, w.candidate_id)
    swedish = (await client.get("/mina-sidor/platser?q=lagerarbetare", headers=HTML)).text
    assert "Platser (2)" in swedish
    # The slot with dates: its kind, hours and period, the description's start and the whole.
    assert "Arbetsträning" in swedish and "Praktik" in swedish
    assert "20 timmar i veckan · Period: <bdi>2027-01-11</bdi> – <bdi>2027-03-19</bdi>" in swedish
    opening = '<p class="pre"><span lang="sv" dir="ltr">Du plockar och packar varor'
    assert opening in swedish and "…</span></p>" in swedish
    assert "<summary>Läs mer om platsen<span" in swedish
    whole = f'<p class="pre"><span lang="sv" dir="ltr">{LONG_DESCRIPTION}</span></p>'
    assert whole in swedish and swedish.count("kaffe finns alltid") == 1
    # The slot of make_world: no dates, a short description shown whole, nothing to open.
    assert "30 timmar i veckan · Period: löpande, datum efter överenskommelse" in swedish
    assert '<span lang="sv" dir="ltr">Plocka och packa varor.</span>' in swedish
    assert swedish.count("<details>") == 1
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = (await client.get("/mina-sidor/platser?q=lagerarbetare", headers=HTML)).text
    assert "20 hours a week · Period: <bdi>2027-01-11</bdi> – <bdi>2027-03-19</bdi>" in english
    assert "30 hours a week · Period: ongoing, dates by agreement" in english
    assert "Work training" in english and "Work placement" in english
    assert "<summary>Read more about the place<span" in english
    assert opening in english and whole in english  # the host's words, marked Swedish
    for word in ("timmar", "löpande", "Läs mer om", "Arbetsträning", "Praktik"):
        assert word not in english, word
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor/platser?q=lagerarbetare", headers=HTML)).text
    assert "20 ساعة في الأسبوع" in arabic and "مستمر، المواعيد حسب الاتفاق" in arabic
    assert "<summary>اقرأ المزيد عن المكان<span" in arabic and whole in arabic


async def test_sign_the_agreement_in_the_app(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(tasks="Plocka varor")
    )
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/overenskommelse", headers=HTML)
    # The agreement's terms are Swedish in every language of the page, and marked so.
    assert '<dd lang="sv" dir="ltr">Plocka varor</dd>' in page.text
    # A term not yet written says so, instead of a label beside nothing.
    assert "<dd>Inte angivna</dd>" in page.text and '<dd lang="sv" dir="ltr"></dd>' not in page.text
    # Not yet saying what I and the host gain, the agreement offers me nothing to sign.
    assert 'name="version"' not in page.text
    await write_win_win(booking_id)
    page = await client.get("/mina-sidor/overenskommelse", headers=HTML)
    assert 'name="version"' in page.text
    assert 'id="kept-in-swedish"' not in page.text
    # In English the page says the agreement is shown as written, in Swedish.
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = await client.get("/mina-sidor/overenskommelse", headers=HTML)
    assert "The agreement is written in Swedish and shown as it was written." in english.text
    version = int(page.text.split('name="version" value="')[1].split('"')[0])
    signed = await form_post(
        client,
        f"/mina-sidor/overenskommelse/{booking_id}/underteckna",
        {"version": str(version)},
    )
    assert signed.status_code == 303, signed.text
    sig = await Signature.select().where(Signature.party == "participant").first()
    assert sig is not None and sig["signed_at"] is not None and sig["method"] == "app"
    twice = await form_post(
        client,
        f"/mina-sidor/overenskommelse/{booking_id}/underteckna",
        {"version": str(version)},
    )
    assert twice.status_code == 409


async def test_the_agreement_i_sign_shows_all_the_host_sees(
    client: AsyncTestClient[Litestar], make_client, sign_in
) -> None:
    """Before I sign, my page shows every term of that version the host reads: what the host
    gains, the adaptations shared with the host (saying that the host sees them) and the
    follow-up meetings, in each of my languages. It showed neither the adaptations, often
    about my health, nor what the host gains, while the coordinator's and host's pages did."""
    w = await make_world()
    await give_adaptations(w)
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    meeting = START + dt.timedelta(days=7)
    await agreements.update_agreement(
        w.coordinator,
        booking_id,
        sa.AgreementUpdate(
            host_gains="Hjälp med inleveranser",
            follow_up_meetings=[sa.FollowUpMeeting(date=meeting, note="Trepartssamtal")],
        ),
    )
    host = await make_client()
    await sign_in(host, w.host_user.username)
    hosts = (await host.get(f"/vard/bokningar/{booking_id}", headers=HTML)).text
    assert SHARED_ADAPTATION in hosts and "Hjälp med inleveranser" in hosts
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/overenskommelse", headers=HTML)).text
    assert "Jag har läst och skriver under version" in page
    assert (
        '<dt>Vad värden får ut av placeringen</dt><dd lang="sv" dir="ltr">Hjälp med inleveranser'
        in page
    )
    assert "<dt>Anpassningar som delas med värden</dt>" in page
    assert f'<ul lang="sv" dir="ltr"><li>{SHARED_ADAPTATION}</li></ul>' in page
    assert "Värden och handledaren ser de här anpassningarna." in page
    assert SECRET_ADAPTATION not in page  # not in the agreement, so not for the host either
    assert f"<li><bdi>{meeting.isoformat()}</bdi>: " in page and ">Trepartssamtal<" in page
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = (await client.get("/mina-sidor/overenskommelse", headers=HTML)).text
    assert "<dt>Adaptations shared with the host</dt>" in english
    assert "<dt>What the host gains from the placement</dt>" in english
    assert "The host and the supervisor see these adaptations." in english
    assert "<dt>Follow-up meetings</dt>" in english and "Värden" not in english
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor/overenskommelse", headers=HTML)).text
    assert "<dt>التسهيلات التي تتم مشاركتها مع جهة الاستقبال</dt>" in arabic
    assert "<dt>ما تستفيده جهة الاستقبال من التدريب</dt>" in arabic
    assert "ترى جهة الاستقبال والمشرف هذه التسهيلات." in arabic
    assert f'<ul lang="sv" dir="ltr"><li>{SHARED_ADAPTATION}</li></ul>' in arabic


async def test_an_agreement_without_adaptations_says_so(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/overenskommelse", headers=HTML)).text
    assert "<dt>Anpassningar som delas med värden</dt>\n    <dd>Inga anpassningar.</dd>" in page
    assert "<dt>Vad värden får ut av placeringen</dt><dd>Inte angivet</dd>" in page
    assert "<dt>Uppföljningsmöten</dt>\n    <dd>Inga bokade ännu.</dd>" in page
    assert "ser de här anpassningarna" not in page


async def test_end_view_beside_the_assessment(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await Booking.update({Booking.status: "completed"}).where(Booking.id == booking_id)
    await make_assessment(
        booking_id, attendance="god", strengths="Noggrann", submitted_at=dt.datetime.now(dt.UTC)
    )
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/avslutade", headers=HTML)
    assert "Noggrann" in page.text
    # The attendance is the word, in the participant's language, never its code.
    assert "<dd>God</dd>" in page.text and ">god<" not in page.text
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = await client.get("/mina-sidor/avslutade", headers=HTML)
    assert "<dd>جيد</dd>" in arabic.text
    assert '<dd class="pre" lang="sv" dir="ltr">Noggrann</dd>' in arabic.text
    # What the supervisor left empty says so, or is left out, rather than a bare label.
    assert f"<dt>{'المهام التي أنجزتها'}</dt><dd>غير محددة</dd>" in arabic.text
    assert "<dt>تعليق</dt>" not in arabic.text and "<dd></dd>" not in arabic.text
    await form_post(client, "/mina-sidor/sprak", {"sprak": "sv"})
    empty = await form_post(client, f"/mina-sidor/avslutade/{booking_id}", {"text": " "})
    assert empty.status_code == 400
    # A file in a crafted post is no text (it was stored as "hostname - application/…").
    filed = await client.post(
        f"/mina-sidor/avslutade/{booking_id}",
        files={"text": ("hostname", b"\x00\x01", "application/octet-stream")},
        headers={"x-csrftoken": client.cookies.get("mp_csrf") or "", "accept": "text/html"},
        follow_redirects=False,
    )
    assert filed.status_code == 400
    view = await Assessment.select(Assessment.participant_view).first()
    assert view is not None and not view["participant_view"]
    saved = await form_post(
        client, f"/mina-sidor/avslutade/{booking_id}", {"text": "Jag lärde mig mycket."}
    )
    assert saved.status_code == 303
    row = await Assessment.select().first()
    assert row is not None and row["participant_view"] == "Jag lärde mig mycket."


async def test_my_data_and_who_read_it(
    client: AsyncTestClient[Litestar], make_client, sign_in
) -> None:
    w = await make_world()
    staff = await make_client()
    await sign_in(staff, w.coordinator.username)
    await staff.get(f"/api/v1/candidates/{w.candidate_id}")
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/mina-uppgifter", headers=HTML)
    assert page.status_code == 200
    assert "Vem har läst mina uppgifter" in page.text
    assert "samordnare" in page.text and "Dina uppgifter lästa" in page.text
    assert "Förnamn" in page.text and "Aida" in page.text
    # No internal column names, and no hashes.
    assert "first_name" not in page.text and "token_hash" not in page.text
    assert ">active<" not in page.text and ">kompetens<" not in page.text


SV = '<span lang="sv" dir="ltr">'


def fact(name: str, value: str) -> str:
    """A term and my data in the extract on my page: the term in the page's language, the
    value as stored, in Swedish, isolated left to right."""
    return f"<dt>{name}</dt><dd>{SV}{value}</span></dd>"


def word(name: str, value: str) -> str:
    """A term and one of the service's words for a stored code, both in the page's language."""
    return f"<dt>{name}</dt><dd>{value}</dd>"


async def test_my_data_names_things_in_words_not_codes(client: AsyncTestClient[Litestar]) -> None:
    """The extract on my page says what is stored in words: occupations and languages by
    name (not taxonomy ids), a mail by its subject and whether it was sent (not its kind or
    'pending'), an agreement's and a signature's state in Swedish, times to the minute, and
    no staff user's number; and it holds my languages, home town and interests."""
    from marketplace.reference import taxonomy
    from placements.tables import Candidate

    occupation_id, occupation = next(iter(taxonomy.occupations().items()))
    arabic = next(k for k, v in taxonomy.languages().items() if v == "Arabiska")
    w = await make_world()
    await Candidate.update(
        {
            Candidate.wished_occupations: [occupation_id],
            Candidate.languages: [arabic],
            Candidate.home_town: "Vårgårda",
            Candidate.interests: "Cyklar och lager",
        }
    ).where(Candidate.id == w.candidate_id)
    await give_adaptations(w)
    await make_lock_in_flag(w.candidate_id, "long_placement", "Länge")
    booking_id = await propose(w)
    await bookings.accept(w.coordinator, booking_id)
    await write_win_win(booking_id)
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    # Adaptations as words, not as the stored list (seen in the browser: '[{"text": …'),
    # and a lock-in flag's kind in words, not "long_placement".
    assert f"{SHARED_ADAPTATION} (får visas för värden); {SECRET_ADAPTATION}" in page
    assert '{"text"' not in page and "&#34;text&#34;" not in page
    assert "Lång placering" in page and "long_placement" not in page
    assert fact("Önskade yrken", occupation.label) in page
    assert fact("Språk jag talar", "Arabiska") in page
    assert fact("Hemort", "Vårgårda") in page
    assert fact("Intressen", "Cyklar och lager") in page
    assert occupation_id not in page and arabic not in page and '["' not in page
    assert "<dt>Ämne</dt>" in page and word("Status", "Väntar på att skickas") in page
    assert ">pending<" not in page and "participant.link" not in page
    assert "booking.accepted" not in page and ">Typ<" not in page
    assert word("Part", "samordnaren") in page and ">coordinator<" not in page
    assert word("Status", "Utkast") in page and ">draft<" not in page
    assert ">Användare<" not in page
    # My coordinator by name, not by a number ("Samordnare: 2", seen in the browser).
    assert fact("Samordnare", w.coordinator.name) in page
    assert not re.search(r"<dt>Samordnare</dt><dd>(<span[^>]*>)?\d+<", page)
    assert not re.search(r">\d{4}-\d\d-\d\dT", page)  # no ISO timestamps
    assert 'id="kept-in-swedish"' not in page
    # In English or Arabic, the page says what was written about me is shown in Swedish.
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert "يظهر ما كُتب عنك كما هو محفوظ، باللغة السويدية." in arabic
    # The section's title and the term are Arabic; the stored value is Swedish, isolated
    # left to right, so that its full stop stays at its end.
    assert '<h2 id="s-1">معلومات عنك (1)</h2>' in arabic
    assert fact("مكان السكن", "Vårgårda") in arabic
    assert word("الحالة", "مسودة") in arabic
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "candidate.extract") & (AuditEntry.subject_id == w.candidate_id)
    )


async def test_my_data_in_english_and_arabic(
    client: AsyncTestClient[Litestar], make_client, sign_in
) -> None:
    """My data in English or Arabic: every heading, term, word for a code, empty section and
    line of who read my data is in that language (it showed "Deltagaren", "Förnamn" and
    "Deltagaren läst" in English); what is stored about me stays as stored."""
    from admin.services.register import SECTION_TITLES

    w = await make_world()
    staff = await make_client()
    await sign_in(staff, w.coordinator.username)
    await staff.get(f"/api/v1/candidates/{w.candidate_id}")
    await propose(w)
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    main = english.split('<main id="main"')[1].split("</main>")[0]
    assert '<h2 id="s-1">About you (1)</h2>' in main
    assert '<h2 id="s-2">Health notes (0)</h2>' in main
    assert "Notes about health are not shown here." in main
    assert "<p>No data.</p>" in main  # a section with nothing in it
    assert fact("First name", "Aida") in main and word("Status", "Active") in main
    assert word("Track", "Building skills") in main and word("Driving licence", "No") in main
    assert "Proposals and placements (1)" in main and "Events in the placements (1)" in main
    # A staff member by their name as stored, marked Swedish, and their role in English.
    assert re.search(
        r'<span lang="sv" dir="ltr">[^<]+</span>, coordinator · Your data read</li>', main
    )
    # My own reads are audited but not listed; the list says so in my language.
    assert "Register extract taken</li>" not in main
    assert "What you read and do on My pages yourself is logged too" in main
    for title in SECTION_TITLES.values():
        assert f">{title} (" not in main, title
    terms = re.findall(r"<dt>([^<]*)</dt>", main)
    assert terms and not {"Förnamn", "Meddelande", "Spår", "Körkort", "Tid"} & set(terms)
    for swedish in ("Dina uppgifter", "samordnare ·", "Det du själv", "Inga uppgifter", "Aktiv<"):
        assert swedish not in main, swedish
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<h2 id="s-2">ملاحظات صحية (0)</h2>' in arabic
    assert fact("الاسم الأول", "Aida") in arabic and "منسق · تمت قراءة بياناتك</li>" in arabic
    assert "تم استخراج نسخة من السجل</li>" not in arabic
    assert "ما تقرؤه وتفعله بنفسك في صفحاتي يُسجَّل أيضًا" in arabic


async def test_my_data_says_what_each_row_is_about_in_my_words(
    client: AsyncTestClient[Litestar],
) -> None:
    """The extract on my page named a mail's channel "Hur kom ansökan in? mail", a
    signature's way "Hur samtycket gavs: app", a follow-up "Status: done", left the consent's
    "skriftligt" in Swedish in English and Arabic and did not say which agency it was given
    to, showed two proposals as two identical rows, left "Mejl i utkorgen läst" in Swedish,
    and spoke of me as "Deltagaren". Each now says what it is, to me, in my language."""
    from placements.tables import Candidate, LocalAgreement, PartnerAgency, PartnerConsent
    from tests.builders import (
        make_follow_up,
        make_host,
        make_outbox_message,
        make_outcome,
        make_slot,
    )

    w = await make_world()
    await Candidate.update({Candidate.plan_goal_shareable: True}).where(
        Candidate.id == w.candidate_id
    )
    booking_id = await propose(w)
    other_host = await make_host("Kostenheten")
    await propose(w, slot_id=await make_slot(other_host, title="Kockbiträde"), confirm=True)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    agency = PartnerAgency(name="Arbetsförmedlingen")
    await agency.save()
    local = LocalAgreement(
        agency=agency.id, name="DUA Vårgårda", valid_from=clock.today() - dt.timedelta(days=9)
    )
    await local.save()
    await PartnerConsent(
        candidate=w.candidate_id,
        agreement=local.id,
        given_on=clock.today(),
        method="skriftligt",
        shares_outcome=True,
    ).save()
    outcome = await make_outcome(w.candidate_id, "arbete", clock.today(), booking_id=booking_id)
    await make_follow_up(
        w.candidate_id, outcome, 90, clock.today(), status="done", result_category="arbete"
    )
    await make_outbox_message("0701234567", channel="sms", subject="", candidate=w.candidate_id)
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/overenskommelse", headers=HTML)).text
    version = page.split('name="version" value="')[1].split('"')[0]
    signed = await form_post(
        client, f"/mina-sidor/overenskommelse/{booking_id}/underteckna", {"version": version}
    )
    assert signed.status_code == 303
    await record(w.coordinator, "outbox.read", w.candidate_id, detail="utkorgens meddelande 1")
    sv = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<h2 id="s-1">Om dig (1)</h2>' in sv and "Deltagaren (" not in sv
    assert word("Du godkänner att värden får se målet", "Ja") in sv
    assert "Deltagaren godkänner" not in sv and "Deltagarens mål" not in sv
    assert re.search(r'<h2 id="s-\d+">E-post och sms till dig eller om dig \(\d+\)</h2>', sv)
    # Two proposals, each by its place and workplace.
    assert fact("Plats", "Lagerarbetare, Hemtjänst Norra") in sv
    assert fact("Plats", "Kockbiträde, Kostenheten") in sv
    # A mail or an SMS by the way it went; never the intake form's question.
    assert word("Skickat som", "E-post") in sv and word("Skickat som", "Sms") in sv
    assert "Hur kom ansökan in?" not in sv and ">mail<" not in sv and ">sms<" not in sv
    # My signature by how I made it; the consent's question only on the consent.
    assert word("Hur underskriften gjordes", "På Mina sidor") in sv and ">app<" not in sv
    assert sv.count("Hur samtycket gavs") == 1
    assert word("Status", "Genomförd") in sv and ">done<" not in sv
    assert word("Din sysselsättning vid uppföljningen", "Arbete") in sv
    # The consent names the agency and the local agreement it was given under.
    assert (
        fact("Myndighet", "Arbetsförmedlingen") + fact("Lokal överenskommelse", "DUA Vårgårda")
        in sv
    )
    assert word("Hur samtycket gavs", "Skriftligt") in sv
    assert word("Myndigheten får se ditt utfall efter placeringen", "Ja") in sv
    # And how a consent ends: it said nothing of it (only the consents' section says so).
    assert sv.count("Du kan när som helst återkalla ett samtycke.") == 1
    # Who read my data, said to me.
    assert "samordnare · Mejl i utkorgen läst</li>" in sv
    assert "Du registrerades</li>" in sv and "Deltagaren registrerad" not in sv
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    en = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<h2 id="s-1">About you (1)</h2>' in en
    assert word("You agree that the host may see the goal", "Yes") in en
    assert word("Sent as", "Email") in en and word("Sent as", "Text message") in en
    assert word("How it was signed", "On My pages") in en
    assert word("Status", "Done") in en
    assert fact("Agency", "Arbetsförmedlingen") in en
    assert word("How the consent was given", "In writing") in en and ">Skriftligt<" not in en
    assert "You can withdraw a consent at any time." in en
    assert fact("Place", "Kockbiträde, Kostenheten") in en
    assert "coordinator · An email in the outbox read</li>" in en and "Mejl i" not in en
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    ar = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<h2 id="s-1">معلومات عنك (1)</h2>' in ar
    assert word("كيف أُعطيت الموافقة", "كتابيًا") in ar and ">Skriftligt<" not in ar
    assert fact("الجهة الحكومية", "Arbetsförmedlingen") in ar
    assert "يمكنك سحب موافقتك في أي وقت." in ar
    assert word("أُرسلت كـ", "رسالة نصية") in ar
    assert "تمت قراءة رسالة بريد إلكتروني في صندوق الصادر</li>" in ar


async def test_my_data_comes_first_and_who_read_it_is_paged(
    client: AsyncTestClient[Litestar],
) -> None:
    """Who has read my data came first and unpaged: at 375 px the page ran some 7,600
    pixels before anything about me (and the list stopped at 200 without saying so). My
    data comes first now, a link at the top leads to the list, and the list is paged,
    newest first, in my language."""
    from marketplace.kernel.audit import record_many

    w = await make_world()  # registering me is the first read
    for n in range(45):  # reads of two kinds by turns: 45 lines (a run of one kind is one)
        await record_many(w.coordinator, ("candidate.read", "plan.read")[n % 2], [w.candidate_id])
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text  # 46 reads
    main = page.split('<main id="main"')[1]
    assert '<a href="#who-title">Se vem som har läst dina uppgifter</a>' in main
    assert main.index('<a href="#who-title">Se vem som har läst dina uppgifter</a>') < main.index(
        '<h2 id="s-1">Om dig (1)</h2>'
    )
    assert main.index('<h2 id="s-1">') < main.index('<h2 id="who-title">')
    who = main.split('<h2 id="who-title">')[1].split("</section>")[0]
    assert who.startswith("Vem har läst mina uppgifter (46)</h2>")
    assert who.count("<li>") == 20
    assert "Det senaste visas först, 20 per sida." in who
    assert (
        '<nav class="pager" aria-label="Sidor i listan över vem som har läst dina uppgifter">'
        in (who)
    )
    assert "<span>Sida 1 av 3</span>" in who and 'rel="prev"' not in who
    assert '<a href="/mina-sidor/mina-uppgifter?sida=2#who-title" rel="next">Nästa sida</a>' in who
    assert "Registerutdrag taget</li>" not in who and "Du registrerades" not in who
    last = (await client.get("/mina-sidor/mina-uppgifter?sida=3", headers=HTML)).text
    who = last.split('<h2 id="who-title">')[1].split("</section>")[0]
    # 46 − 40: my visit to the first page added no line (it added one before, and the list
    # shifted under me between pages).
    assert who.count("<li>") == 6 and who.rstrip().endswith("</nav>")
    assert "Du registrerades</li>" in who  # the oldest, last
    assert '<a href="/mina-sidor/mina-uppgifter?sida=2#who-title" rel="prev">' in who
    assert 'rel="next"' not in who
    # A page past the end is the last; one that is not a number, the first.
    past = (await client.get("/mina-sidor/mina-uppgifter?sida=99", headers=HTML)).text
    assert "<span>Sida 3 av 3</span>" in past
    odd = (await client.get("/mina-sidor/mina-uppgifter?sida=x", headers=HTML)).text
    assert "<span>Sida 1 av 3</span>" in odd
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    en = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<a href="#who-title">See who has read your data</a>' in en
    assert "The latest is shown first, 20 per page." in en and "<span>Page 1 of 3</span>" in en
    assert 'aria-label="Pages of the list of who has read your data"' in en
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    ar = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert '<a href="#who-title">اعرف من قرأ بياناتك</a>' in ar and "الصفحة 1 من 3" in ar


async def test_my_own_visits_are_audited_but_not_listed_as_who_read_my_data(
    client: AsyncTestClient[Litestar], make_client, sign_in
) -> None:
    """Each of my visits to my pages is a read of my record, audited, and each one was a line
    of "who has read my data": after a week of visits the staff who read my data were pages
    back. My own reads stay in the audit log but not in the list, which names the staff
    (and the service) who read it; its count and pages are of what it lists."""
    from marketplace.kernel.audit import record_many

    w = await make_world()  # registering me is the first line
    staff = await make_client()
    await sign_in(staff, w.coordinator.username)
    assert (await staff.get(f"/api/v1/candidates/{w.candidate_id}")).status_code == 200
    for n in range(19):  # 21 lines: reads of two kinds by turns, each a line of its own
        await record_many(w.coordinator, ("plan.read", "candidate.read")[n % 2], [w.candidate_id])
    await _signed_in(client, w.candidate_id)
    for _ in range(8):
        for url in ("/mina-sidor", "/mina-sidor/plan", "/mina-sidor/mina-uppgifter"):
            assert (await client.get(url, headers=HTML)).status_code == 200
    own = await AuditEntry.count().where(
        (AuditEntry.subject_id == w.candidate_id)
        & (AuditEntry.actor_label == f"deltagaren själv (deltagare {w.candidate_id})")
    )
    assert own >= 24  # every visit is audited still
    page = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    who = page.split('<h2 id="who-title">')[1].split("</section>")[0]
    assert who.startswith("Vem har läst mina uppgifter (21)</h2>")
    assert "Det du själv läser och gör på Mina sidor loggas också" in who
    assert who.count("<li>") == 20 and "<span>Sida 1 av 2</span>" in who
    assert "samordnare · Dina uppgifter lästa</li>" in who
    for mine in ("Du läste", "Registerutdrag taget", "Du loggade in", "Du själv"):
        assert mine not in who, mine
    last = (await client.get("/mina-sidor/mina-uppgifter?sida=2", headers=HTML)).text
    who = last.split('<h2 id="who-title">')[1].split("</section>")[0]
    assert who.count("<li>") == 1 and "Du registrerades</li>" in who
    assert "<span>Sida 2 av 2</span>" in who and 'rel="next"' not in who
    assert (
        await AuditEntry.count().where(
            (AuditEntry.subject_id == w.candidate_id)
            & (AuditEntry.actor_label == f"deltagaren själv (deltagare {w.candidate_id})")
        )
        == own + 2
    )  # the two pages just shown were audited as well


async def test_a_run_of_one_readers_same_reads_is_one_line_with_how_many(
    client: AsyncTestClient[Litestar],
) -> None:
    """A coordinator's list of bookings reads every participant on it each time it is
    opened: in the demo 119 lines for seven participants, and a participant's list of who
    read their data was pages of the same line. One reader's reads of one kind in a row are
    one line, from when to when and how many times; another read between starts a new line."""
    from marketplace.kernel.audit import record_many

    w = await make_world()  # registering me is the first line
    await record_many(w.coordinator, "booking.list", [w.candidate_id] * 30)
    await record_many(w.coordinator, "candidate.read", [w.candidate_id])
    await record_many(w.coordinator, "booking.list", [w.candidate_id] * 4)
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    who = page.split('<h2 id="who-title">')[1].split("</section>")[0]
    assert who.startswith("Vem har läst mina uppgifter (4)</h2>")
    lines = re.findall(r"<li>(.*?)</li>", who, re.S)
    assert len(lines) == 4 and "<nav" not in who
    assert "(4 gånger)" in lines[0] and "gånger" not in lines[1] and "(30 gånger)" in lines[2]
    assert lines[2].count("<bdi>") == 2 and " – " in lines[2]  # from when to when
    assert "Du registrerades" in lines[3]
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    en = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert "(30 times)" in en
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    ar = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    assert "(عدد المرات: 30)" in ar


def test_every_word_my_data_can_show_is_translated(app: Litestar) -> None:
    """Each section title, term, word for a stored code and line of the log that my data can
    show has its English and Arabic (the page shows them through the catalogs; one missing
    would stand in Swedish in an English page). With the app built, as a worker has it: every
    page form's labels are then known (run alone, without it, the test saw fewer words and
    passed while 18 of them had no English or Arabic)."""
    from admin.services import audit_text, register
    from marketplace.kernel.forms import FIELD_LABELS
    from marketplace.kernel.i18n import translations
    from marketplace.kernel.tables import OutboxMessage
    from marketplace.kernel.templating import LABELS
    from participants import services
    from placements import tables

    extracted = [
        tables.Candidate,
        tables.HealthNote,
        tables.PlanActivity,
        tables.Booking,
        tables.Outcome,
        tables.FollowUp,
        tables.LockInFlag,
        tables.PartnerConsent,
        tables.BookingEvent,
        tables.Agreement,
        tables.Assessment,
        tables.AttendanceWeek,
        tables.Signature,
        OutboxMessage,
    ]
    shown = {register.OWN_HEALTH_NOTE, "Ja", "Nej", "Personal", "Inga uppgifter."}
    shown |= {"Uppgifterna lästa eller ändrade", "Tjänsten, automatiskt"}
    # What a row is about (a place, a consent's agency), and my own titles and actions.
    shown |= {"Plats", "Myndighet", "Lokal överenskommelse"}
    shown |= set(services.OWN_TITLES.values()) | set(services.OWN_ACTIONS.values())
    for table in extracted:
        name = table._meta.tablename
        shown.add(register.SECTION_TITLES[name])
        labels = {**FIELD_LABELS, **services.MORE_LABELS.get(name, {})}
        hidden = services.SKIPPED_FIELDS | services.INTERNAL.get(name, set())
        shown |= {
            labels[c._meta.name]
            for c in table._meta.columns
            if c._meta.name in labels and c._meta.name not in hidden
        }
    for vocabularies in services.CODED.values():
        for vocabulary in vocabularies.values():
            words = LABELS.get(vocabulary) or services.EXTRACT_LABELS[vocabulary]
            shown |= {str(w) for w in words.values()}
    shown |= set(LABELS["role"].values())
    about_a_participant = (
        "agreement.", "assessment.", "attendance.", "booking.", "candidate.", "follow_up.",
        "health_note.", "intake.", "lock_in.", "outcome.", "outbox.", "participant.", "partner.",
        "partner_consent.", "plan.",
    )  # fmt: skip
    shown |= {v for k, v in audit_text.ACTIONS.items() if k.startswith(about_a_participant)}
    shown |= {audit_text.action_text(f"booking.{s}") for s in LABELS["booking_status"]}
    for lang in ("en", "ar"):
        catalog = translations(lang)
        missing = sorted(w for w in shown if catalog.gettext(w) == w and w not in SAME[lang])
        assert not missing, (lang, missing)


# Words whose English is the Swedish.
SAME = {"en": {"Status", "Version"}, "ar": set()}


async def test_languages_and_rtl(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    await _signed_in(client, w.candidate_id)
    sv = await client.get("/mina-sidor", headers=HTML)
    assert '<html lang="sv" dir="ltr">' in sv.text and "Översikt" in sv.text
    chosen = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "ar", "tillbaka": "/mina-sidor"}
    )
    assert chosen.status_code == 303
    ar = await client.get("/mina-sidor", headers=HTML)
    assert '<html lang="ar" dir="rtl">' in ar.text
    assert "صفحاتي" in ar.text and "تم تغيير اللغة" not in ar.text
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    en = await client.get("/mina-sidor/plan", headers=HTML)
    assert '<html lang="en" dir="ltr">' in en.text and "My labour market plan" in en.text
    # Staff pages stay Swedish whatever the cookie says; the start page follows it.
    staff_page = await client.get("/logga-in", headers=HTML)
    assert '<html lang="sv">' in staff_page.text
    assert '<html lang="en" dir="ltr">' in (await client.get("/", headers=HTML)).text
    # A language the pages do not have changes nothing.
    await form_post(client, "/mina-sidor/sprak", {"sprak": "xx"})
    back = await client.get("/mina-sidor", headers=HTML)
    assert '<html lang="en" dir="ltr">' in back.text


async def test_dates_and_swedish_names_keep_their_order_in_arabic(
    client: AsyncTestClient[Litestar],
) -> None:
    """In a right-to-left page an ISO date is read as three numbers, and Chromium showed
    2026-12-19 as 19-12-2026; each date (and each Swedish name beside Arabic text) is
    isolated, so that it reads as written and the period still runs from the right."""
    from employers.tables import Host
    from tests.placements.bookingdata import END, START

    w = await make_world()
    await propose(w)
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert f"<bdi>{START.isoformat()}</bdi> – <bdi>{END.isoformat()}</bdi>" in page.text
    host = await Host.select(Host.name).first()
    assert host is not None
    assert f'<p><span lang="sv" dir="ltr">{host["name"]}, ' in page.text


async def test_no_session_no_pages_and_staff_get_none(
    client: AsyncTestClient[Litestar], sign_in
) -> None:
    w = await make_world()
    # A page opens the participants' sign-in (not the staff's).
    asked = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert (asked.status_code, asked.headers["location"]) == (303, "/mina-sidor/logga-in")
    # A form sent without a session: the way on is the sign-in, as a link (not a path
    # written in the text).
    answer = await form_post(client, "/mina-sidor/logga-ut")
    assert answer.status_code == 401
    assert '<a class="button" href="/mina-sidor/logga-in">Logga in på Mina sidor</a>' in answer.text
    assert "Gå till /mina-sidor" not in answer.text
    await sign_in(client, w.coordinator.username)
    staff = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert staff.headers["location"] == "/mina-sidor/logga-in"
    assert (await form_post(client, "/mina-sidor/logga-ut")).status_code == 401


async def test_the_coordinator_sees_interests_and_answers(
    client: AsyncTestClient[Litestar], make_client, sign_in
) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    await form_post(client, f"/mina-sidor/platser/{w.slot_id}/intresse")
    await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "no", "comment": "För långt"}
    )
    staff = await make_client()
    await sign_in(staff, w.coordinator.username)
    page = await staff.get(f"/arbetsbord/deltagare/{w.candidate_id}", headers=HTML)
    assert page.status_code == 200
    assert "Platser deltagaren är intresserad av" in page.text
    assert f"/arbetsbord/platser/{w.slot_id}/foresla?deltagare={w.candidate_id}" in page.text
    assert "vill inte" in page.text and "För långt" in page.text
    propose_page = await staff.get(
        f"/arbetsbord/platser/{w.slot_id}/foresla?deltagare={w.candidate_id}", headers=HTML
    )
    assert propose_page.status_code == 200


async def test_the_language_switch_comes_first_for_someone_not_signed_in(
    client: AsyncTestClient[Litestar],
) -> None:
    """Someone who cannot read Swedish finds the switch before the Swedish text (the
    application form, the sign-in page); on their own pages it waits at the foot."""
    switch = 'action="/mina-sidor/sprak"'
    for path in ("/ansok", "/mina-sidor/logga-in"):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 200
        assert page.text.index(switch) < page.text.index("<h1"), path
    w = await make_world()
    await _signed_in(client, w.candidate_id)
    own = await client.get("/mina-sidor", headers=HTML)
    assert own.text.index("<h1") < own.text.index(switch)
    # The menu leads to it (on a phone it was pages of scrolling away), in my language.
    menu = own.text.split('<nav aria-label="Meny för Mina sidor">')[1].split("</nav>")[0]
    assert '<a href="#sprak">Språk</a>' in menu and 'id="sprak"' in own.text
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = await client.get("/mina-sidor", headers=HTML)
    assert '<a href="#sprak">Language</a>' in english.text


async def test_swedish_text_in_an_arabic_page_is_marked_swedish_and_left_to_right(
    client: AsyncTestClient[Litestar],
) -> None:
    """What staff and hosts wrote (a slot's title, the coordinator's note, the agreement's
    terms) stays Swedish in a participant's Arabic page: it is marked so (WCAG 3.1.2, the
    language of parts: a screen reader would read it with Arabic rules) and laid out left to
    right, so that "15 timmar i veckan" keeps its order and a sentence its full stop at the
    end. The page's own words are Arabic."""
    from placements.tables import Slot

    w = await make_world()
    booking_id = await propose(w)
    await Booking.update({Booking.message: "Ett bra ställe att börja på."}).where(
        Booking.id == booking_id
    )
    title = (await Slot.select(Slot.title).first() or {})["title"]
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert f'<h3 id="p-{booking_id}"><span lang="sv" dir="ltr">{title}</span></h3>' in page.text
    assert '<span lang="sv" dir="ltr">Ett bra ställe att börja på.</span>' in page.text
    assert "هل تريد هذا المكان؟" in page.text


async def test_the_reasons_a_place_suits_me_are_framed_in_my_language(
    client: AsyncTestClient[Litestar],
) -> None:
    """Beside a proposal, the matching's reasons: in an Arabic page each reason's frame is
    Arabic, and the word it is about (an occupation's Swedish name) stays Swedish, marked."""
    from marketplace.reference import taxonomy
    from placements.tables import Candidate, Slot

    occupation_id, occupation = next(iter(taxonomy.occupations().items()))
    w = await make_world()
    await Slot.update({Slot.occupation_id: occupation_id}).where(Slot.id == w.slot_id)
    await Candidate.update({Candidate.wished_occupations: [occupation_id]}).where(
        Candidate.id == w.candidate_id
    )
    await propose(w)
    await _signed_in(client, w.candidate_id)
    reason = f'<span lang="sv" dir="ltr">{occupation.label}</span>'
    swedish = await client.get("/mina-sidor/forslag", headers=HTML)
    assert f"Önskat yrke: {reason}" in swedish.text
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = await client.get("/mina-sidor/forslag", headers=HTML)
    assert f"المهنة التي ترغب فيها: {reason}" in arabic.text
    assert "Önskat yrke" not in arabic.text


async def test_a_reason_names_a_language_in_the_pages_language(
    client: AsyncTestClient[Litestar],
) -> None:
    """A reason about a language the participant speaks names it in the page's language
    ("Arabic", "العربية"), not by its Swedish name; a language CLDR does not name stays
    Swedish, marked as Swedish, and a Swedish page keeps the Swedish names."""
    from marketplace.reference import taxonomy
    from placements.tables import Candidate, Slot

    ids = {label: key for key, label in taxonomy.languages().items()}
    assert taxonomy.language_name("Abkhasiska", "en") is None  # JobTech's name, not CLDR's
    w = await make_world()
    await Slot.update(
        {Slot.description: "Här talar vi arabiska och abkhasiska med kunderna."}
    ).where(Slot.id == w.slot_id)
    await Candidate.update({Candidate.languages: [ids["Arabiska"], ids["Abkhasiska"]]}).where(
        Candidate.id == w.candidate_id
    )
    await propose(w)
    await _signed_in(client, w.candidate_id)
    abkhaz = '<span lang="sv" dir="ltr">abkhasiska</span>'

    swedish = await client.get("/mina-sidor/forslag", headers=HTML)
    assert 'Talar <span lang="sv" dir="ltr">arabiska</span>, som platsen nämner' in swedish.text
    assert f"Talar {abkhaz}, som platsen nämner" in swedish.text

    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    english = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "You speak Arabic, which the place mentions" in english.text
    assert f"You speak {abkhaz}, which the place mentions" in english.text
    assert ">arabiska<" not in english.text

    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "تتحدث العربية، وهو ما يذكره المكان" in arabic.text
    assert f"تتحدث {abkhaz}، وهو ما يذكره المكان" in arabic.text
    assert "arabiska" not in arabic.text


async def test_the_footer_link_to_the_swedish_statement_is_not_marked_as_swedish_text(
    client: AsyncTestClient[Litestar],
) -> None:
    """The accessibility statement is in Swedish, but the link's own text is in the page's
    language: the link says where it leads (`hreflang`), not that its text is Swedish (a
    screen reader read "بيان إمكانية الوصول" with a Swedish voice)."""
    w = await make_world()
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    page = await client.get("/mina-sidor", headers=HTML)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert '<a href="/tillganglighet" hreflang="sv">بيان إمكانية الوصول' in page.text
    assert ' lang="sv">بيان' not in page.text


async def test_my_attendance_week_by_week_on_the_overview(
    client: AsyncTestClient[Litestar],
) -> None:
    """The weeks the supervisor reported, newest first, on my overview in my language; only
    mine. Before, I could see my attendance nowhere but in the register extract."""
    from tests.builders import make_attendance_week

    w = await make_world()
    booking_id = await propose(w)
    await Booking.update({Booking.status: "active"}).where(Booking.id == booking_id)
    monday = dt.date(2026, 11, 2)
    await make_attendance_week(booking_id, monday, days_present=4, days_sick=1)
    await make_attendance_week(
        booking_id, monday + dt.timedelta(days=7), days_present=3, days_unexcused=2
    )
    other = await make_candidate(w.coordinator, "Bodil")
    await _signed_in(client, other)
    assert "Min närvaro" not in (await client.get("/mina-sidor", headers=HTML)).text
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor", headers=HTML)).text
    assert "Min närvaro" in page
    later = page.index("<bdi>2026-11-09</bdi>")
    assert later < page.index("<bdi>2026-11-02</bdi>")  # newest first
    assert '<td data-label="Ogiltig frånvaro">2</td>' in page
    assert '<td data-label="Sjuk">1</td>' in page
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    arabic = (await client.get("/mina-sidor", headers=HTML)).text
    assert "حضوري" in arabic and '<td data-label="غياب بدون عذر">2</td>' in arabic


async def test_my_proposals_show_the_hours_the_host_accepted_not_the_slots_later_hours(
    client: AsyncTestClient[Litestar],
) -> None:
    """An accepted placement keeps the weekly hours it was accepted with (they are on the
    booking); a proposal not yet accepted shows the slot's hours as they are now."""
    from placements.tables import Slot
    from tests.builders import make_slot
    from tests.placements.bookingdata import END

    w = await make_world()
    accepted = await propose(w)
    await bookings.accept(w.host_user, accepted)
    await write_win_win(accepted)
    kitchen = await make_slot(w.host_id, w.supervisor_id, title="Kökshjälp", hours=20)
    later = END + dt.timedelta(days=7)
    open_one = await propose(w, slot_id=kitchen, start=later, end=later + dt.timedelta(days=30))
    # Both slots' hours change afterwards (the builders' slots have no occupation, which the
    # host's edit asks of a published slot).
    await Slot.update({Slot.hours_per_week: 40}).where(Slot.id == w.slot_id)
    await Slot.update({Slot.hours_per_week: 25}).where(Slot.id == kitchen)
    await _signed_in(client, w.candidate_id)
    page = (await client.get("/mina-sidor/forslag", headers=HTML)).text

    def card(booking_id: int) -> str:
        return page.split(f'aria-labelledby="p-{booking_id}"', 1)[1].split("</section>", 1)[0]

    assert "30 timmar i veckan" in card(accepted) and "40 timmar" not in card(accepted)
    assert "25 timmar i veckan" in card(open_one) and "20 timmar" not in card(open_one)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    page = (await client.get("/mina-sidor/forslag", headers=HTML)).text
    assert "30 hours a week" in card(accepted) and "40 hours" not in card(accepted)


async def test_invisible_control_characters_are_refused_in_my_language_with_my_words_kept(
    client: AsyncTestClient[Litestar],
) -> None:
    """A comment or a view pasted with an invisible control character (a NUL, a direction
    override) was stored as it came; now it is refused as the staff's forms refuse it, said
    in the page's language, with the text shown again without it."""
    w = await make_world()
    booking_id = await propose(w)
    await Booking.update({Booking.status: "awaiting_participant"}).where(Booking.id == booking_id)
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    answer = await form_post(
        client,
        f"/mina-sidor/forslag/{booking_id}/svar",
        {"answer": "kanske", "comment": "För långt\u202e att resa"},
    )
    assert answer.status_code == 400
    # Every mistake at once: the answer's own rule too.
    assert "Choose whether you want the place or not." in answer.text
    assert (
        "Comment (needed if you do not want it): the text contained an invisible control "
        "character (a character that changes the writing direction, U+202E) after "
        "\u201cFör långt\u201d." in answer.text
    )
    assert ">För långt att resa</textarea>" in answer.text
    assert not await ParticipantAnswer.count()
    await Booking.update({Booking.status: "completed"}).where(Booking.id == booking_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "ar"})
    view = await form_post(
        client, f"/mina-sidor/avslutade/{booking_id}", {"text": "\x00Jag lärde\tmig mycket."}
    )
    assert view.status_code == 400
    assert "حرف صفري، U+0000) في بداية النص" in view.text
    assert ">Jag lärde\tmig mycket.</textarea>" in view.text
    assert not await Assessment.count()


async def test_a_search_in_english_that_finds_nothing_says_to_try_a_swedish_word(
    client: AsyncTestClient[Litestar],
) -> None:
    """Seen in the browser: "kitchen" and "مطبخ" found nothing, and the page said only to try
    another word; the places are described in Swedish."""
    w = await make_world()
    await _signed_in(client, w.candidate_id)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en"})
    page = await client.get("/mina-sidor/platser?q=kitchen", headers=HTML)
    assert "try a Swedish word, for example lager (warehouse)" in page.text


def test_my_languages_in_arabic_are_joined_with_the_arabic_comma() -> None:
    import json

    from marketplace.reference import taxonomy
    from participants.services import _languages_in

    ids = {v: k for k, v in taxonomy.languages().items()}
    stored = json.dumps([ids["Arabiska"], ids["Engelska"]])
    assert "، " in (_languages_in(stored, "ar") or "")
    assert _languages_in(stored, "en") == "Arabic, English"


def test_the_arabic_search_hint_isolates_its_swedish_examples() -> None:
    # "(بالسويدية: lager، kök، butik)." broke into mismatched brackets at 375 px: the
    # Swedish words run left to right as one unit (an isolate) inside the Arabic sentence.
    from marketplace.kernel import i18n

    hint = "Vad vill du göra? Skriv till exempel lager, kök eller butik."
    assert "\u2066lager, kök, butik\u2069)." in i18n.gettext_for("ar")(hint)
