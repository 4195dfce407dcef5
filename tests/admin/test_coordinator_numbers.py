"""Analysts see coordinators as "Samordnare N". The number used to be the coordinator's
place among the accounts that are coordinators now, by id: an older account made a
coordinator later, or a coordinator given another role, renumbered the others, so
"Samordnare 2" in last month's export was someone else this month. Numbers are stored now,
given once in the order accounts become coordinators, and never change."""

from __future__ import annotations

from typing import Any

from admin.services import users
from marketplace.kernel import auth
from marketplace.kernel.tables import User
from tests.conftest import login


def _actor(row: Any) -> auth.AuthUser:
    return auth.AuthUser(
        id=row.id, username=row.username, role=row.role, name="", email="", team="", via="session"
    )


async def _labels(client: Any) -> dict[str, str]:
    """The analyst's coordinator filter: account username → label (the value is the
    coordinator's number, and the label says it)."""
    options = (await client.get("/api/v1/reports/")).json()["coordinators"]
    names = {
        str(r["coordinator_number"]): r["username"]
        for r in await User.select(User.coordinator_number, User.username)
    }
    assert all(o["label"] == f"Samordnare {o['value']}" for o in options)
    return {names[o["value"]]: o["label"] for o in options}


async def _set_role(admin: Any, username: str, role: users.Role) -> None:
    row = await User.select().where(User.username == username).first()
    assert row is not None
    update = users.UserUpdate(
        first_name=row["first_name"] or "För",
        last_name=row["last_name"] or "Efter",
        email=row["email"],
        role=role,
        team=row["team"],
    )
    await users.update_user(_actor(admin), int(row["id"]), update)


async def test_a_coordinators_number_never_shifts(client: Any, make_user: Any) -> None:
    admin = await make_user("admin", username="alva")
    await make_user("coordinator", username="cora", email="cora@vargarda.se")
    # Becomes a coordinator later.
    await make_user("analyst", username="olle", email="olle@vargarda.se")
    await make_user("coordinator", username="dan")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    assert await _labels(client) == {"cora": "Samordnare 1", "dan": "Samordnare 2"}

    # An older account made a coordinator: the next number, Dan keeps his.
    await _set_role(admin, "olle", "coordinator")
    assert await _labels(client) == {
        "cora": "Samordnare 1",
        "dan": "Samordnare 2",
        "olle": "Samordnare 3",
    }
    # A coordinator given another role leaves the list; nobody moves up; back, she is 1 again.
    await _set_role(admin, "cora", "admin")
    assert await _labels(client) == {"dan": "Samordnare 2", "olle": "Samordnare 3"}
    await _set_role(admin, "cora", "coordinator")
    assert (await _labels(client))["cora"] == "Samordnare 1"
    # Disabled, and accounts made in between, change no one's number either.
    await auth.set_active("dan", False)
    await make_user("coordinator", username="eva")
    assert await _labels(client) == {
        "cora": "Samordnare 1",
        "olle": "Samordnare 3",
        "eva": "Samordnare 4",
    }
    await auth.set_active("dan", True)
    assert (await _labels(client))["dan"] == "Samordnare 2"


async def test_an_account_written_straight_to_the_table_is_numbered_when_read(
    client: Any, make_user: Any
) -> None:
    """A coordinator the services did not number (the demo, an upgrade from before the
    stored numbers) gets the next number at the first read, in id order, and keeps it."""
    await make_user("coordinator", username="cora")
    first = await make_user("analyst", username="fia")
    second = await make_user("analyst", username="gun")
    await make_user("analyst", username="anna")
    await User.update({User.role: "coordinator"}).where(User.id.is_in([first.id, second.id]))
    await login(client, "anna")
    expected = {"cora": "Samordnare 1", "fia": "Samordnare 2", "gun": "Samordnare 3"}
    assert await _labels(client) == expected
    await User.update({User.coordinator_number: None}).where(User.id == -1)  # nothing moves
    assert await _labels(client) == expected
    numbers = [r["coordinator_number"] for r in await User.select(User.coordinator_number)]
    assert sorted(n for n in numbers if n is not None) == [1, 2, 3]
