"""Sends at once that must each write once: the same new-slot form (a double click, two tabs)
and the same import file (two admins, two tabs).

The form's key was looked up before the write's transaction, so two sends at the same moment
both missed it and made two drafts; two imports of one file both read "no such slot" and
wrote every slot twice, and every new host twice. Each race runs several rounds on both
engines, every racer on a connection of its own on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from employers.tables import Host
from marketplace.kernel.db import connection_pool
from placements import exchange
from placements.schemas import slots as s
from placements.services import slots as slot_services
from placements.tables import Slot
from tests.builders import make_host, make_host_user

ROUNDS = 5
RACERS = 4


@pytest.fixture
async def pool() -> AsyncIterator[None]:
    async with connection_pool(Slot._meta.db, 8):
        yield


async def test_one_new_slot_form_sent_at_once_makes_one_slot(pool: None) -> None:
    host_id = await make_host("Vårgårda Cykel AB", "company")
    user = await make_host_user(host_id)
    for round_no in range(ROUNDS):
        data = s.SlotCreate(host_id=host_id, kind="praktik", title=f"Cykelverkstad {round_no}")
        sent = await asyncio.gather(
            *(slot_services.create_slot_once(user, data, f"form-{round_no}") for _ in range(RACERS))
        )
        assert len({slot.id for slot, _ in sent}) == 1, (
            f"round {round_no}: {[x.id for x, _ in sent]}"
        )
        assert sorted(made for _, made in sent) == [False] * (RACERS - 1) + [True]
    assert await Slot.count() == ROUNDS


async def test_one_import_file_sent_at_once_writes_each_slot_and_host_once(pool: None) -> None:
    rows = [
        {
            "external_id": f"race-{i}",
            "host": {"name": f"Samtidig Värd {i % 3}", "kind": "company", "town": "Vårgårda"},
            "kind": "praktik",
            "title": f"Lagerarbete {i}",
            "town": "Vårgårda",
            "capacity": 1,
        }
        for i in range(12)
    ]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    for round_no in range(ROUNDS):
        reports = await asyncio.gather(
            *(exchange.import_slots(data, "jsonl", source=f"race{round_no}") for _ in range(RACERS))
        )
        assert all(r.written for r in reports)
        assert sorted(r.created for r in reports) == [0] * (RACERS - 1) + [len(rows)]
        assert sum(r.unchanged for r in reports) == (RACERS - 1) * len(rows)
    assert await Slot.count() == ROUNDS * len(rows)
    assert await Host.count() == 3


async def test_two_saves_of_one_read_slot_at_once_save_one_and_refuse_the_other(
    pool: None,
) -> None:
    """Two tabs that read the same version and save different titles at the same moment:
    one is saved and every other is refused, never one silently over the other."""
    host_id = await make_host("Vårgårda Däck AB", "company")
    user = await make_host_user(host_id)
    for round_no in range(ROUNDS):
        made, _ = await slot_services.create_slot_once(
            user, s.SlotCreate(host_id=host_id, kind="praktik", title="Däckhotell"), None
        )
        sent = await asyncio.gather(
            *(
                slot_services.update_slot(
                    user, made.id, s.SlotUpdate(title=f"Däckhotell {n}", version=made.version)
                )
                for n in range(RACERS)
            ),
            return_exceptions=True,
        )
        saved = [x for x in sent if isinstance(x, s.Slot)]
        refused = [x for x in sent if isinstance(x, slot_services.SlotChanged)]
        assert len(saved) == 1 and len(refused) == RACERS - 1, f"round {round_no}: {sent}"
        stored = await Slot.select(Slot.title).where(Slot.id == made.id).first()
        assert stored is not None and stored["title"] == saved[0].title


async def test_one_new_slot_typed_again_in_fresh_forms_at_once_makes_one_slot(
    pool: None,
) -> None:
    """The same slot sent from forms with different keys (Back fetched the form anew) at
    the same moment: one slot, the others land on it."""
    host_id = await make_host("Vårgårda Cykel AB", "company")
    user = await make_host_user(host_id)
    for round_no in range(ROUNDS):
        data = s.SlotCreate(host_id=host_id, kind="praktik", title=f"Cykelservice {round_no}")
        sent = await asyncio.gather(
            *(
                slot_services.create_slot_once(user, data, f"form-{round_no}-{n}")
                for n in range(RACERS)
            )
        )
        assert len({slot.id for slot, _ in sent}) == 1, f"round {round_no}"
        assert sorted(made for _, made in sent) == [False] * (RACERS - 1) + [True]
    assert await Slot.count() == ROUNDS
