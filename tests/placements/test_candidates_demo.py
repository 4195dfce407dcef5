"""The demo data grows to about 30 participants with bookings in every state, signed
agreements and recorded outcomes; loading it twice changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from employers.tables import Contact, HostApplication
from marketplace.demo import load_demo
from marketplace.kernel import auth
from marketplace.kernel.addresses import address_problem
from marketplace.kernel.tables import AuditEntry, User
from placements.services import partners
from placements.tables import Agreement, Application, Booking, Candidate, LockInFlag, Outcome
from tests import dbutil


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> None:
    """The demo is loaded once for the module (`demo`): the tests only read it, and the
    load that checks a second load changes nothing leaves it as it was. Loading it takes
    seconds, and under coverage many."""


@pytest.fixture(scope="module")
async def demo(database: None) -> AsyncIterator[dict[str, int]]:
    """The demo loaded into empty tables; its first load's summary."""
    await dbutil.truncate_all()
    yield await load_demo()
    await dbutil.truncate_all()


async def counts() -> dict[str, int]:
    return {
        "candidates": await Candidate.count(),
        "bookings": await Booking.count(),
        "agreements": await Agreement.count(),
        "outcomes": await Outcome.count(),
        "flags": await LockInFlag.count(),
    }


async def test_demo_has_every_state_and_loads_twice_without_change(demo: dict[str, int]):
    first = demo
    assert first["deltagare"] == 30
    assert (first["myndigheter"], first["samtycken"]) == (2, 3)
    statuses = {r["status"] for r in await Booking.select(Booking.status)}
    assert statuses == {
        "proposed",
        "accepted",
        "declined",
        "withdrawn",
        "agreed",
        "active",
        "completed",
        "interrupted",
    }
    assert await Agreement.count().where(Agreement.status == "signed") >= 10
    categories = {r["category"] for r in await Outcome.select(Outcome.category)}
    assert {"arbete", "studier", "avbrutet"} <= categories
    kinds = {r["kind"] for r in await LockInFlag.select(LockInFlag.kind)}
    assert kinds == {"long_placement", "repeated_placements"}
    before = await counts()
    # (The slot import logs each run; the participants' part must leave no trace.)
    audit_before = await AuditEntry.count().where(AuditEntry.subject_type == "candidate")
    second = await load_demo()
    assert second["deltagare"] == 0
    assert (second["myndigheter"], second["samtycken"]) == (0, 0)
    assert await counts() == before
    assert await AuditEntry.count().where(AuditEntry.subject_type == "candidate") == audit_before


async def test_the_demo_partner_contact_sees_the_three_who_consented(demo: dict[str, int]):
    row = await User.select().where(User.username == "partner").first()
    assert row is not None
    agency, people = await partners.shared_participants(auth.to_auth_user(row, "token", None))
    assert agency == "Arbetsförmedlingen"
    assert [p.name for p in people] == ["Amir Haddad", "Hanna Nyström", "Yusuf Ali"]
    partner = auth.to_auth_user(row, "token", None)
    for person in people:
        assert (await partners.shared_summary(partner, person.id)).placements


async def test_demo_figures_read_like_a_municipality(demo: dict[str, int]):
    """Varied messages, a first proposal weeks (not a year) after registration, and most but
    not all placements on real workplaces (85/15)."""
    import statistics

    from placements.tables import Slot

    messages = {r["message"] for r in await Booking.select(Booking.message)}
    assert len(messages) >= 4
    first_proposal: dict[int, object] = {}
    for row in await Booking.select(Booking.candidate, Booking.proposed_at).order_by(
        Booking.proposed_at
    ):
        first_proposal.setdefault(row["candidate"], row["proposed_at"])
    registered = {
        r["id"]: r["registered_at"]
        for r in await Candidate.select(Candidate.id, Candidate.registered_at)
    }
    days = [
        (when.date() - registered[c]).days  # type: ignore[attr-defined]
        for c, when in first_proposal.items()
    ]
    assert all(d >= 0 for d in days)
    assert 14 <= statistics.median(days) <= 60
    started = await Booking.select(Booking.slot.setting.as_alias("setting")).where(
        Booking.status.is_in(["active", "completed", "interrupted"])
    )
    real = sum(r["setting"] != "sheltered" for r in started)
    assert 0.75 <= real / len(started) < 1.0
    assert await Slot.count().where(Slot.setting == "sheltered") >= 1


async def test_the_demo_queue_has_an_application_written_in_arabic(demo: dict[str, int]):
    """The queue's language column has something to show: one demo applicant wrote in
    Arabic, the message in Arabic; the others in Swedish."""
    rows = await Application.select(Application.language, Application.message).where(
        Application.external_id.like("demo-%")
    )
    languages = [r["language"] for r in rows]
    assert languages.count("ar") == 1 and set(languages) == {"sv", "ar"}
    arabic = next(r["message"] for r in rows if r["language"] == "ar")
    assert any("\u0600" <= c <= "\u06ff" for c in arabic)


async def test_the_demo_timeline_credits_each_answer_to_whoever_gave_it(demo: dict[str, int]):
    """The demo answered the proposals as the coordinator, so a host's reason for declining
    stood in the timeline as the coordinator's ("Avböjd, av Sara Samordnare (samordnare) –
    Vi har tyvärr ingen handledare ..."). The host's answer is now the host's: a user of the
    slot's host, or a telephone answer that names who at the host answered."""
    from employers.tables import HostMembership
    from placements.tables import BookingEvent

    moves = await BookingEvent.select(
        BookingEvent.booking,
        BookingEvent.actor_id,
        BookingEvent.actor_label,
        BookingEvent.note,
        BookingEvent.from_status,
        BookingEvent.to_status,
        BookingEvent.booking._.slot._.host.as_alias("host"),
        BookingEvent.booking._.decline_reason.as_alias("decline_reason"),
    ).where(BookingEvent.to_status.is_in(["accepted", "declined"]))
    # The answers; not the notes on an accepted booking (an agreement changed).
    events = [e for e in moves if e["from_status"] != e["to_status"]]
    declined = [e for e in events if e["to_status"] == "declined"]
    assert len(declined) == 2 and len(events) > len(declined)
    roles = {r["id"]: r["role"] for r in await User.select(User.id, User.role)}
    for event in events:
        if roles[event["actor_id"]] == "host":
            assert event["actor_label"].endswith("(värd)"), event
            assert await HostMembership.exists().where(
                (HostMembership.user == event["actor_id"]) & (HostMembership.host == event["host"])
            ), event
        else:  # the coordinator took the host's answer on the telephone, and says so
            assert event["note"].startswith("Svar per telefon från "), event
    for event in declined:
        assert roles[event["actor_id"]] == "host", event
        assert event["note"] == event["decline_reason"] != ""


async def test_every_address_in_the_demo_can_receive_mail(demo: dict[str, int]):
    """A6 of a tester's walk: Hanna Nyström's signing link never went out, as her address
    held an ö before the @."""
    stored = [
        *(r["email"] for r in await Candidate.select(Candidate.email)),
        *(r["email"] for r in await Application.select(Application.email)),
        *(r["email"] for r in await Contact.select(Contact.email)),
        *(r["email"] for r in await User.select(User.email)),
        *(r["contact_email"] for r in await HostApplication.select(HostApplication.contact_email)),
    ]
    assert len(stored) > 60
    assert [a for a in stored if a and address_problem(a)] == []
    hanna = await Candidate.select(Candidate.email).where(Candidate.last_name == "Nyström").first()
    assert hanna == {"email": "hanna.nystrom@deltagare.demo.example"}
