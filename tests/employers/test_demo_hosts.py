"""The demo data set's hosts and slots: realistic, around Vårgårda, and loading twice changes
nothing."""

from __future__ import annotations

from employers.tables import Contact, Host, HostMembership
from marketplace.demo import load_demo
from marketplace.kernel.tables import User
from marketplace.reference.taxonomy import occupation
from placements.tables import Slot


async def test_demo_hosts_and_slots_load_once():
    first = await load_demo()
    assert first["värdar"] == 41
    assert 195 <= first["platser"] <= 205
    kinds = {r["kind"] for r in await Host.select(Host.kind)}
    assert kinds == {"company", "municipal_unit", "association", "public_agency"}
    towns = {r["town"] for r in await Host.select(Host.town)}
    assert {"Vårgårda", "Alingsås", "Herrljunga", "Borås", "Trollhättan", "Lerum"} <= towns
    slots = await Slot.select(
        Slot.occupation_id, Slot.status, Slot.supervisor, Slot.latitude, Slot.town
    )
    assert all(occupation(s["occupation_id"]) is not None for s in slots)
    assert all(s["latitude"] is not None for s in slots)
    statuses = {s["status"] for s in slots}
    assert statuses == {"published", "draft", "paused"}
    assert any(s["supervisor"] is None for s in slots)  # some wait for a handledare
    assert await Contact.count().where(Contact.is_public_contact == True) == 41  # noqa: E712
    # Contacts have people's names, never "Kontakt <organisation>".
    names = [r["name"] for r in await Contact.select(Contact.name)]
    assert not any(n.startswith("Kontakt ") for n in names)
    # Descriptions are in the employer's voice: no taxonomy codes or definitions.
    texts = [r["description"] for r in await Slot.select(Slot.description)]
    assert not any("(" in t and ")" in t for t in texts), texts[:3]
    assert not any("Hit hör" in t for t in texts)
    # A title that says "Praktik" is a praktik; arbetsträning says so.
    for row in await Slot.select(Slot.title, Slot.kind):
        if row["title"].startswith("Praktik"):
            assert row["kind"] == "praktik", row
        if row["title"].startswith("Arbetsträning"):
            assert row["kind"] == "arbetsträning", row
    vard = await User.select(User.id).where(User.username == "vard").first()
    assert vard is not None
    assert await HostMembership.count().where(HostMembership.user == vard["id"]) == 2

    before = (
        await Host.select().order_by(Host.id),
        await Slot.select().order_by(Slot.id),
        await Contact.select().order_by(Contact.id),
    )
    second = await load_demo()
    assert {"användare", "värdar", "platser"} <= set(second)
    assert set(second.values()) == {0}, second
    after = (
        await Host.select().order_by(Host.id),
        await Slot.select().order_by(Slot.id),
        await Contact.select().order_by(Contact.id),
    )
    assert after == before
