"""What the participant gets outside /mina-sidor speaks the language they chose (issue 17): the
signing link's SMS and mail, the signing page the link opens (and its refusals once the link
is known to be theirs), and the notice that a proposal waits for their answer. The host's side
(the supervisor's link and page) stays Swedish, and so does a participant who never chose."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import clock
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage
from participants import i18n
from placements.schemas import bookings as sb
from placements.services import agreements, bookings
from placements.tables import Candidate
from tests.mailutil import SmtpServer
from tests.participants.conftest import form_post
from tests.participants.test_sms_links import (  # noqa: F401 (fixtures)
    NUMBER,
    _deliver,
    gateway,
)
from tests.placements.bookingdata import (
    END,
    PNR,
    START,
    World,
    link_tokens,
    make_world,
    propose_asking_first,
    signatures_of,
)
from tests.placements.test_agreements import accepted_booking, csrf_of
from tests.smsutil import SmsGateway

HTML = {"accept": "text/html"}
SWEDISH_SMS = (
    "Läs och skriv under överenskommelsen om din praktik. Länken gäller i {days} dagar och kan "
    "användas en gång: "
)


async def _choose(candidate_id: int, lang: str) -> None:
    await Candidate.update({Candidate.language: lang}).where(Candidate.id == candidate_id)


async def _email_of(candidate_id: int) -> str:
    row = await Candidate.select(Candidate.email).where(Candidate.id == candidate_id).first()
    assert row is not None
    return str(row["email"])


async def _links_in(w: World, booking_id: int, lang: str, server: SmtpServer) -> dict[str, str]:
    """Links issued with the participant's language set to `lang`, delivered; their tokens."""
    await _choose(w.candidate_id, lang)
    tokens = await link_tokens(w, booking_id)
    await _deliver(server)
    return tokens


async def test_the_signing_link_is_sent_in_the_participants_language(
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    w = await make_world()
    booking_id = await accepted_booking(w)
    days = get_settings().signing_link_days
    participant = await _email_of(w.candidate_id)

    await _links_in(w, booking_id, "en", smtp)
    [sms] = gateway.to(NUMBER)
    assert sms.message.startswith(
        f"Read and sign the agreement about your work placement. The link is valid for {days} "
        "days and can be used once: "
    )
    assert "/underteckna/" in sms.message and "Aida" not in sms.message
    [mail] = smtp.inbox.to(participant)
    assert mail.message["subject"].startswith("Sign the agreement about your work placement: “")
    assert "Hello Aida" in mail.text and "You sign as the participant:" in mail.text
    assert "Placement: “" in mail.text and "Period: " in mail.text
    assert "Plats:" not in mail.text and "Hej" not in mail.text
    # The supervisor's link stays Swedish, word for word as before.
    [supervisor] = [
        m
        for m in smtp.inbox.received
        if participant not in m.recipients and "/underteckna/" in m.text
    ]
    assert supervisor.message["subject"].startswith("Skriv under överenskommelsen om praktik: ”")
    assert "Hej Hanna Handledare!" in supervisor.text
    assert "Du skriver under som handledaren:" in supervisor.text
    assert "Plats: ”" in supervisor.text and " hos " in supervisor.text

    await _links_in(w, booking_id, "ar", smtp)
    assert gateway.to(NUMBER)[-1].message.startswith(
        f"اقرأ الاتفاقية الخاصة بتدريبك العملي ووقّعها. الرابط صالح لمدة {days} يوماً"
    )
    arabic = smtp.inbox.to(participant)[-1]
    assert arabic.message["subject"].startswith("وقّع اتفاقية التدريب العملي")
    assert "مرحباً Aida Andersson!" in arabic.text and "أنت توقّع بصفتك المشارك" in arabic.text
    assert "مكان التدريب: «" in arabic.text

    # A participant who never chose reads the Swedish text, unchanged.
    await _links_in(w, booking_id, "", smtp)
    assert gateway.to(NUMBER)[-1].message.startswith(SWEDISH_SMS.format(days=days))
    swedish = smtp.inbox.to(participant)[-1]
    assert swedish.message["subject"].startswith("Skriv under överenskommelsen om praktik: ”")
    assert "Hej Aida" in swedish.text and "Du skriver under som deltagaren:" in swedish.text
    assert "Plats: ”" in swedish.text


async def test_the_signing_page_speaks_the_participants_language(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    await Candidate.update({Candidate.personnummer: PNR}).where(Candidate.id == w.candidate_id)
    booking_id = await accepted_booking(w)
    await _choose(w.candidate_id, "ar")
    tokens = await link_tokens(w, booking_id)

    page = await client.get(f"/underteckna/{tokens['participant']}", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "اتفاقية ثلاثية بشأن" in page.text and "أوافق على النسخة 1" in page.text
    assert "موافقتك بصفتك المشارك" in page.text and "التوقيعات" in page.text
    for swedish in ("Jag godkänner", "Trepartsöverenskommelse", "Underskrifter", "Logga in"):
        assert swedish not in page.text
    # Dates keep their order in the right-to-left page (isolated, `<bdi>`).
    assert re.search(r"<bdi>\d{4}-\d{2}-\d{2}</bdi>", page.text)
    # The participant pages' language switch, back to this page.
    assert 'action="/mina-sidor/sprak"' in page.text
    assert f'value="/underteckna/{tokens["participant"]}"' in page.text

    # The supervisor's page of the same agreement stays Swedish, on the staff frame.
    supervisor = await client.get(f"/underteckna/{tokens['supervisor']}", headers=HTML)
    assert '<html lang="sv">' in supervisor.text
    assert "Jag godkänner version 1" in supervisor.text
    assert "Ditt godkännande som handledare" in supervisor.text
    assert "Trepartsöverenskommelse om" in supervisor.text and "أوافق" not in supervisor.text

    # A link replaced by a newer one is refused in Arabic; whom to ask is the unit of the
    # settings (UNIT_NAME), not "the municipality's skills centre".
    fresh = await link_tokens(w, booking_id)
    replaced = await client.get(f"/underteckna/{tokens['participant']}", headers=HTML)
    assert replaced.status_code == 410
    assert '<html lang="ar" dir="rtl">' in replaced.text
    assert "الرابط استُخدم من قبل" in replaced.text and "لم يتغيّر شيء" in replaced.text
    assert "redan använts" not in replaced.text
    assert (
        'تواصل مع منسقك في <span lang="sv" dir="ltr">Kompetenscentret</span>، هاتف '
        '<a href="tel:0322-600000" dir="ltr">0322-60 00 00</a>، إذا'
    ) in replaced.text

    # Signing thanks the participant in Arabic; the used link is refused in Arabic.
    url = f"/underteckna/{fresh['participant']}"
    signed = await client.post(url, data={"_csrf_token": csrf_of(page.text), "version": "1"})
    assert signed.status_code == 200
    assert '<html lang="ar" dir="rtl">' in signed.text
    assert "شكراً! لقد وافقت على الاتفاقية" in signed.text and "Tack" not in signed.text
    # The used link says, in Arabic, that the agreement is signed and when, and whom to ask.
    signed_on = clock.local_date((await signatures_of(booking_id))["participant"]["signed_at"])
    used = await client.get(url, headers=HTML)
    assert used.status_code == 410
    assert '<html lang="ar" dir="rtl">' in used.text
    assert "<h1>تم استخدام الرابط من قبل</h1>" in used.text
    assert f"لقد وقّعت على الاتفاق من قبل ({signed_on.isoformat()}). توقيعك مسجّل." in used.text
    assert f"تواصل مع المنسق {w.coordinator.name}, " in used.text
    for swedish in ("redan", "Länken", "Överenskommelsen", "samordnaren", "Inget har ändrats"):
        assert swedish not in used.text
    for secret in (PNR, PNR.replace("-", ""), PNR[2:]):
        assert secret not in used.text


async def test_the_signing_page_in_english_and_its_switch(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await accepted_booking(w)
    await _choose(w.candidate_id, "en")
    token = (await link_tokens(w, booking_id))["participant"]
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=1)
    page = await client.get(f"/underteckna/{token}", headers=HTML)
    assert '<html lang="en" dir="ltr">' in page.text
    # The coordinator's signature names them, without the Swedish role word after the name.
    assert f"<td>Coordinator</td><td><bdi>{w.coordinator.name}</bdi>, <bdi>" in page.text
    assert "(samordnare)" not in page.text
    # The insurance clause, Swedish, runs left to right on its own (its full stop stood at
    # the left end in Arabic).
    assert '<p lang="sv">' not in page.text and '<p lang="sv" dir="ltr">' in page.text
    assert "Three-party agreement about" in page.text and "I approve version 1" in page.text
    assert "Your approval as participant" in page.text and "Not signed yet" in page.text
    assert "Jag godkänner" not in page.text and "Inte underskriven" not in page.text
    # Switching to Swedish on the page comes back to it, in Swedish.
    switched = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "sv", "tillbaka": f"/underteckna/{token}"}
    )
    assert switched.status_code == 303
    assert switched.headers["location"].startswith(f"/underteckna/{token}?")
    assert client.cookies.get(i18n.LANG_COOKIE) == "sv"
    swedish = await client.get(switched.headers["location"], headers=HTML)
    assert '<html lang="sv" dir="ltr">' in swedish.text
    assert "Jag godkänner version 1" in swedish.text and "Språket är bytt." in swedish.text


async def test_a_participant_who_never_chose_gets_the_swedish_page(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await accepted_booking(w)
    token = (await link_tokens(w, booking_id))["participant"]
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=1)
    page = await client.get(f"/underteckna/{token}", headers=HTML)
    assert '<html lang="sv" dir="ltr">' in page.text
    assert f"<td>Samordnare</td><td><bdi>{w.coordinator.name} (samordnare)</bdi>, " in page.text
    assert "Trepartsöverenskommelse om" in page.text
    assert "Ditt godkännande som deltagare" in page.text and "Jag godkänner version 1" in page.text


async def test_an_expired_link_is_refused_in_the_participants_language(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await accepted_booking(w)
    await _choose(w.candidate_id, "en")
    tokens = await link_tokens(w, booking_id)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=get_settings().signing_link_days + 1)
    with time_machine.travel(later, tick=True):
        mine = await client.get(f"/underteckna/{tokens['participant']}", headers=HTML)
        supervisors = await client.get(f"/underteckna/{tokens['supervisor']}", headers=HTML)
    assert mine.status_code == 410 and supervisors.status_code == 410
    assert '<html lang="en" dir="ltr">' in mine.text
    assert "The link has expired." in mine.text and "gått ut" not in mine.text
    assert '<html lang="sv">' in supervisors.text and "Länken har gått ut." in supervisors.text
    # A link that is not ours names no party: Swedish until this browser chose a language,
    # with the switch, since the one who opened it may be a participant (a link cut short
    # in an SMS).
    invalid = await client.get("/underteckna/inte-en-länk", headers=HTML)
    assert invalid.status_code == 400 and "Länken är ogiltig." in invalid.text
    assert "från mejlet eller sms:et" in invalid.text
    assert 'action="/mina-sidor/sprak"' in invalid.text
    client.cookies.set(i18n.LANG_COOKIE, "ar")
    arabic = await client.get("/underteckna/inte-en-länk", headers=HTML)
    assert arabic.status_code == 400 and '<html lang="ar" dir="rtl">' in arabic.text
    assert "الرابط غير صالح." in arabic.text and "Länken" not in arabic.text


async def test_a_proposal_to_answer_first_is_told_in_the_participants_language(
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    w = await make_world()
    await _choose(w.candidate_id, "en")
    await propose_asking_first(w)
    # Queued with the proposal, in the same transaction, like every notice.
    kinds = await OutboxMessage.select(OutboxMessage.channel).where(
        (OutboxMessage.kind == "participant.proposal") & (OutboxMessage.candidate == w.candidate_id)
    )
    assert sorted(k["channel"] for k in kinds) == ["mail", "sms"]
    await _deliver(smtp)
    [sms] = gateway.to(NUMBER)
    assert sms.message.startswith(
        "You have been offered a work placement. Sign in to My pages and answer whether you "
        "want it: "
    )
    assert sms.message.endswith("/mina-sidor/logga-in")
    [mail] = smtp.inbox.to(await _email_of(w.candidate_id))
    assert mail.message["subject"] == "A work placement proposed for you"
    assert "Hello Aida!" in mail.text and "“Proposals for me”" in mail.text
    # It names no slot, host or period: the pages show them after sign-in.
    for secret in ("Lagerarbetare", "Hemtjänst", "Plats", START.isoformat()):
        assert secret not in sms.message and secret not in mail.text

    arabic = await make_world()
    await _choose(arabic.candidate_id, "ar")
    await propose_asking_first(arabic)
    await _deliver(smtp)
    assert gateway.to(NUMBER)[-1].message.startswith("لديك اقتراح لتدريب عملي.")
    [mail] = smtp.inbox.to(await _email_of(arabic.candidate_id))
    assert mail.message["subject"] == "اقتراح تدريب عملي لك"
    assert "«اقتراحات لي»" in mail.text

    swedish = await make_world()
    await propose_asking_first(swedish)
    await _deliver(smtp)
    assert gateway.to(NUMBER)[-1].message.startswith(
        "Du har fått ett förslag på praktik. Logga in på Mina sidor och svara om du vill ha "
        "platsen: "
    )
    [mail] = smtp.inbox.to(await _email_of(swedish.candidate_id))
    assert mail.message["subject"] == "Ett förslag på praktik till dig"
    assert "Hej Aida!" in mail.text and "”Förslag till mig”" in mail.text


async def test_a_proposal_straight_to_the_host_tells_the_participant_nothing() -> None:
    w = await make_world()
    await bookings.propose(
        w.coordinator,
        sb.BookingCreate(
            slot_id=w.slot_id, candidate_id=w.candidate_id, start_date=START, end_date=END
        ),
    )
    assert not await OutboxMessage.exists().where(OutboxMessage.kind == "participant.proposal")


def test_the_links_days_take_each_languages_plural_forms() -> None:
    """SIGNING_LINK_DAYS may be 1-90: "1 dag", not "1 dagar"; Arabic has a form for two and
    others for 3-10 and 11-99 ("لمدة يومين", "لمدة 7 أيام", "لمدة 14 يوماً")."""
    from marketplace.kernel.i18n import ngettext_for

    def said(lang: str, days: int) -> str:
        return ngettext_for(lang)(*agreements.LINK_DAYS, days) % {"days": days}

    assert [said("sv", n) for n in (1, 14)] == ["1 dag", "14 dagar"]
    assert [said("en", n) for n in (1, 14)] == ["1 day", "14 days"]
    assert [said("ar", n) for n in (1, 2, 7, 14, 90)] == [
        "يوم واحد",
        "يومين",
        "7 أيام",
        "14 يوماً",
        "90 يوماً",
    ]
