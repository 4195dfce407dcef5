"""Bulk import and export in the slot exchange format: round trips, all-or-nothing, bad-row
reports in both languages, host matching, the CLI and the API upload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from employers.tables import Contact, Host
from placements import exchange, slot_rules
from placements.services import current_slot_change
from placements.tables import Slot
from tests.builders import make_contact, make_host
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
# The shared eval tools lie beside the checkout (as in CI), or at the workplace's fixed path.
SLOTGEN = next(
    (
        p
        for p in (ROOT.parent / "shared/eval/slotgen.py", Path("/work/shared/eval/slotgen.py"))
        if p.exists()
    ),
    ROOT.parent / "shared/eval/slotgen.py",
)


async def one(query: Any) -> dict[str, Any]:
    """The first row of a query, which the test expects to exist."""
    row = await query.first()
    assert row is not None
    return dict(row)


def generated(n: int, seed: int = 3) -> list[dict]:
    out = subprocess.run(
        [sys.executable, str(SLOTGEN), "corpus", "--n", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def richer(rows: list[dict]) -> list[dict]:
    """Add what the generator leaves out: org numbers, supervisors, dates, drafts, settings."""
    rows[0]["host"]["org_number"] = "5566778899"
    rows[0]["supervisor"] = {"name": "Maja Berg", "email": "maja@example.se", "phone": "0322-1"}
    rows[1]["start_date"], rows[1]["end_date"] = "2026-01-15", "2026-06-30"
    rows[2]["status"] = "draft"
    rows[3]["setting"] = "sheltered"
    rows[4].pop("latitude")
    rows[4].pop("longitude")
    rows[5]["skills"] = ["Truckkort", "Kundservice"]
    return rows


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


async def snapshot() -> tuple:
    slots = await Slot.select().order_by(Slot.id)
    hosts = await Host.select().order_by(Host.id)
    contacts = await Contact.select().order_by(Contact.id)
    return slots, hosts, contacts


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_export_then_import_changes_nothing(fmt):
    rows = richer(generated(80))
    first = await exchange.import_slots(jsonl(rows), "jsonl")
    assert first.written and first.created == 80 and not first.errors
    assert first.hosts_created == len(
        {(r["host"].get("org_number", ""), r["host"]["name"], r["host"]["town"]) for r in rows}
    )
    before = await snapshot()
    marker = await current_slot_change()
    exported = await exchange.export_slots(fmt)
    again = await exchange.import_slots(exported, fmt)
    assert again.written
    assert (again.created, again.updated, again.unchanged) == (0, 0, 80)
    assert await snapshot() == before
    # A second export is byte for byte the first: nothing moved.
    assert await exchange.export_slots(fmt) == exported
    assert await current_slot_change() == marker  # search has nothing to catch up on


async def test_import_maps_fields_and_defaults():
    rows = richer(generated(8))
    await exchange.import_slots(jsonl(rows), "jsonl", source="region")
    by_ext = {r["external_id"]: r for r in await Slot.select().where(Slot.source == "region")}
    first = by_ext[rows[0]["external_id"]]
    sup = await one(Contact.select().where(Contact.id == first["supervisor"]))
    assert (sup["name"], sup["email"], sup["is_supervisor"]) == (
        "Maja Berg",
        "maja@example.se",
        True,
    )
    host = await one(Host.select().where(Host.id == first["host"]))
    assert host["org_number"] == "556677-8899"
    assert by_ext[rows[2]["external_id"]]["status"] == "draft"
    assert by_ext[rows[1]["external_id"]]["status"] == "published"
    assert by_ext[rows[1]["external_id"]]["published_at"] is not None
    assert str(by_ext[rows[1]["external_id"]]["start_date"]) == "2026-01-15"
    assert by_ext[rows[3]["external_id"]]["setting"] == "sheltered"
    # Coordinates come from the town when the row has none.
    assert by_ext[rows[4]["external_id"]]["latitude"] is not None
    kinds = {r["host"]["kind"] for r in rows}
    expected = {"municipal_unit": "municipal_workplace"}
    for r in rows[4:]:
        if "setting" not in r:
            assert by_ext[r["external_id"]]["setting"] == expected.get(
                r["host"]["kind"], "open_workplace"
            ), kinds
    # Without a supervisor a slot is still published, but waits for one.
    assert by_ext[rows[1]["external_id"]]["supervisor"] is None


async def test_bad_rows_write_nothing_and_every_one_is_reported():
    rows = generated(6)
    rows[1]["capacity"] = 0
    rows[3]["host"]["org_number"] = "556677-8898"
    rows[4]["kind"] = "sommarjobb"
    rows[4]["title"] = "ab"
    lines = jsonl(rows).decode().splitlines()
    lines.insert(5, "{inte json")
    data = ("\n".join(lines) + "\n").encode()
    report = await exchange.import_slots(data, "jsonl")
    assert not report.written
    assert await Slot.count() == 0 and await Host.count() == 0
    found = {(e.line, e.field) for e in report.errors}
    assert found == {
        (2, "capacity"),
        (4, "host.org_number"),
        (5, "kind"),
        (5, "title"),
        (6, ""),
    }
    reasons = {e.field: e.reason for e in report.errors}
    assert reasons["capacity"] == slot_rules.CAPACITY_PROBLEM
    assert "556677-8898" in reasons["host.org_number"]
    assert "kontrollsiffra" in reasons["host.org_number"]
    # The parser's English ("JSON is malformed … (byte 1)") is said in Swedish.
    assert reasons[""] == "Raden är inte giltig JSON: fel nära tecken 2"
    english = await exchange.import_slots(data, "jsonl", language="en")
    assert {e.field: e.reason for e in english.errors}["capacity"] == (
        "Give how many participants the slot takes at the same time: a whole number from 1 to 100."
    )
    assert "check digit" in {e.field: e.reason for e in english.errors}["host.org_number"]
    skipped = await exchange.import_slots(data, "jsonl", skip_bad_rows=True)
    assert skipped.written and skipped.created == 3 and skipped.skipped == 4
    assert await Slot.count() == 3


async def test_csv_reports_lines_and_duplicates():
    header = "external_id,host.name,host.kind,kind,title,town,capacity,tracks,hours_per_week\n"
    body = (
        "a1,Vårgårda IF,association,praktik,Vaktmästare,Vårgårda,1,kompetens;hälsa,20\n"
        '"a2",Vårgårda IF,association,praktik,"Kafé,\nkök",Vårgårda,x,,\n'
        "a1,Vårgårda IF,association,praktik,Vaktmästare igen,Vårgårda,1,,50\n"
        "a3,Vårgårda IF,företag,praktik,Lager,Vårgårda,1,arbete,\n"
    )
    report = await exchange.import_slots((header + body).encode(), "csv")
    assert not report.written
    found = sorted((e.line, e.field) for e in report.errors)
    assert found == [
        (3, "capacity"),
        (3, "title"),  # a line break in a title is refused (it would end up in mail headers)
        (5, "hours_per_week"),
        (6, "host.kind"),
        (6, "tracks"),
    ]
    ok = await exchange.import_slots((header + body.splitlines(True)[0]).encode(), "csv")
    assert ok.created == 1
    slot = await one(Slot.select(Slot.tracks))
    assert json.loads(slot["tracks"]) == ["kompetens", "hälsa"]
    duplicate = header + body.splitlines(True)[0] + body.splitlines(True)[0].replace("1,k", "2,k")
    dup = await exchange.import_slots(duplicate.encode(), "csv")
    assert [(e.line, e.field) for e in dup.errors] == [(3, "external_id")]
    assert "rad 2" in dup.errors[0].reason
    with pytest.raises(exchange.ExchangeError, match="saknar kolumnerna: capacity"):
        await exchange.import_slots(b"external_id,host.name,host.kind,kind,title,town\n", "csv")
    with pytest.raises(exchange.ExchangeError, match="UTF-8"):
        await exchange.import_slots(header.encode() + "å".encode("latin-1"), "csv")


EXCEL_COLUMNS = (
    "external_id",
    "host.name",
    "host.kind",
    "kind",
    "title",
    "town",
    "capacity",
    "tracks",
    "latitude",
    "longitude",
)


@pytest.mark.parametrize("separator", [",", ";"])
async def test_csv_separated_by_commas_or_by_semicolons_as_swedish_excel_saves_it(separator):
    """Excel set to Swedish saves "CSV" with semicolons, a byte order mark and CRLF, quoting a
    cell that holds a semicolon (a list) and writing a decimal comma. Such a file imports as
    the comma-separated one does; the import used to say every column was missing."""
    decimal = "," if separator == ";" else "."
    rows = [
        ["s1", "Vårgårda IF", "association", "praktik", "Vaktmästare", "Vårgårda", "2",
         "kompetens;hälsa", f"57{decimal}98", f"12{decimal}81"],
        ["s2", "Kafé Ljuset", "company", "arbetsträning", "Kafébiträde", "Alingsås", "1",
         "", "", ""],
    ]  # fmt: skip

    def cell(text: str) -> str:
        return f'"{text}"' if separator in text or ";" in text else text

    lines = [separator.join(EXCEL_COLUMNS), *(separator.join(map(cell, r)) for r in rows)]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n"
    report = await exchange.import_slots(data, "csv")
    assert report.errors == [] and report.created == 2
    slot = await one(Slot.select().where(Slot.external_id == "s1"))
    assert json.loads(slot["tracks"]) == ["kompetens", "hälsa"]
    assert (slot["capacity"], slot["title"]) == (2, "Vaktmästare")
    assert abs(slot["latitude"] - 57.98) < 1e-9 and abs(slot["longitude"] - 12.81) < 1e-9
    other = await one(Slot.select().where(Slot.external_id == "s2"))
    assert (other["kind"], other["town"]) == ("arbetsträning", "Alingsås")
    # A column missing is named alone, whichever the separator.
    short = separator.join(c for c in EXCEL_COLUMNS if c != "capacity").encode()
    with pytest.raises(exchange.ExchangeError) as caught:
        await exchange.import_slots(short + b"\n", "csv")
    assert str(caught.value) == "Rubrikraden saknar kolumnerna: capacity."


async def test_a_header_quoted_cell_by_cell_is_read_with_either_separator():
    for separator in (",", ";"):
        header = separator.join(f'"{c}"' for c in EXCEL_COLUMNS)
        row = separator.join(
            f'"{c}"' for c in ("q1", "IF", "association", "praktik", "Lager", "Ort", "1")
        )
        report = await exchange.import_slots(f"{header}\n{row}\n".encode(), "csv")
        assert report.errors == [], separator
    assert await Slot.count() == 1


async def test_upsert_updates_only_changed_rows_and_keeps_named_supervisor():
    rows = generated(5)
    await exchange.import_slots(jsonl(rows), "jsonl")
    target = await one(Slot.select().where(Slot.external_id == rows[2]["external_id"]))
    # The host names a supervisor after the import ...
    contact = await make_contact(target["host"], "Handledare")
    await Slot.update({Slot.supervisor: contact}).where(Slot.id == target["id"])
    before = {r["id"]: r for r in await Slot.select()}
    rows[2]["capacity"] = 4
    report = await exchange.import_slots(jsonl(rows), "jsonl")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    after = {r["id"]: r for r in await Slot.select()}
    assert after[target["id"]]["capacity"] == 4
    assert after[target["id"]]["change_seq"] > before[target["id"]]["change_seq"]
    # ... and a re-import without one keeps it.
    assert after[target["id"]]["supervisor"] == contact
    for slot_id, row in before.items():
        if slot_id != target["id"]:
            assert after[slot_id] == row


async def test_hosts_are_matched_by_org_number_then_name_and_town():
    by_number = await make_host(
        "Bageriet i Alingsås AB", "company", org_number="556677-8899", town="Alingsås"
    )
    by_name = await make_host("Herrljunga Snickeri AB", "company", town="Herrljunga")
    unit = await make_host(
        "Vårgårda kommun, Kostenheten", "municipal_unit", org_number="212000-1520"
    )
    await make_host("Vårgårda kommun, Biblioteket", "municipal_unit", org_number="212000-1520")
    paused = await make_host("Pausad AB", "company", town="Lerum", active=False)

    def row(ext: str, host: dict) -> dict:
        return {
            "external_id": ext,
            "host": host,
            "kind": "praktik",
            "title": "Praktikplats",
            "town": "Vårgårda",
            "capacity": 1,
        }

    rows = [
        row("n1", {"name": "Nytt namn AB", "kind": "company", "org_number": "5566778899"}),
        row("n2", {"name": "herrljunga snickeri ab", "kind": "company", "town": "Herrljunga"}),
        row(
            "n3",
            {
                "name": "Vårgårda kommun, Kostenheten",
                "kind": "municipal_unit",
                "org_number": "212000-1520",
            },
        ),
        row(
            "n4",
            {
                "name": "Vårgårda kommun, Simhallen",
                "kind": "municipal_unit",
                "org_number": "212000-1520",
                "town": "Vårgårda",
            },
        ),
        row("n5", {"name": "Pausad AB", "kind": "company", "town": "Lerum"}),
    ]
    report = await exchange.import_slots(jsonl(rows), "jsonl")
    assert report.hosts_created == 1
    hosts = {r["external_id"]: r["host"] for r in await Slot.select(Slot.external_id, Slot.host)}
    assert hosts["n1"] == by_number
    assert hosts["n2"] == by_name
    assert hosts["n3"] == unit
    created = await one(Host.select().where(Host.id == hosts["n4"]))
    assert (created["name"], created["kind"]) == ("Vårgårda kommun, Simhallen", "municipal_unit")
    assert created["latitude"] is not None
    # A paused host keeps no open slots, imported or not.
    assert hosts["n5"] == paused
    status = await one(Slot.select(Slot.status).where(Slot.external_id == "n5"))
    assert status["status"] == "paused"


async def test_a_row_without_town_or_org_number_takes_the_one_host_of_its_name():
    """A coordinator's file names "Vårgårda Bygg AB" the way everyone says it, without town
    or org number: the host already registered is the one meant, not a second one."""
    bygg = await make_host("Vårgårda Bygg AB", "company", town="Vårgårda")
    header = "external_id,host.name,host.kind,kind,title,town,capacity\n"
    csv = (
        header
        + "b1, vårgårda  bygg ab ,company,praktik,Snickeri,Vårgårda,1\n"
        + "b2,Vårgårda Bygg AB,company,praktik,Måleri,Vårgårda,1\n"
    ).encode()

    report = await exchange.import_slots(csv, "csv")

    assert report.written and report.hosts_created == 0
    assert await Host.count() == 1
    slot = await one(Slot.select(Slot.host).where(Slot.external_id == "b1"))
    assert slot["host"] == bygg
    assert await Slot.count().where(Slot.host == bygg) == 2
    [notice] = report.notices  # once for the host, at its first row
    assert (notice.line, notice.field) == (2, "host.name")
    assert "Vårgårda Bygg AB, i Vårgårda" in notice.text
    english = await exchange.import_slots(csv, "csv", language="en")
    assert "Vårgårda Bygg AB, in Vårgårda" in english.notices[0].text


async def test_a_name_several_hosts_share_is_refused_with_the_towns_to_choose_from():
    await make_host("Vårgårda Bygg AB", "company", town="Vårgårda")
    await make_host("Vårgårda Bygg AB", "company", town="Alingsås")
    header = "external_id,host.name,host.kind,kind,title,town,capacity\n"
    csv = (
        header
        + "b1,Vårgårda Bygg AB,company,praktik,Snickeri,Vårgårda,1\n"
        + "b2,Vårgårda Bygg AB,company,praktik,Snickeri,Vårgårda,noll\n"
        + "b3,Vårgårda Bygg AB,company,praktik,Snickeri,Vårgårda,1\n"
    ).encode()
    before = await snapshot()

    report = await exchange.import_slots(csv, "csv")

    assert not report.written
    assert await snapshot() == before
    # Every bad row at once, in the file's order: the unknown capacity and both names.
    assert [(e.line, e.field) for e in report.errors] == [
        (2, "host.town"),
        (3, "capacity"),
        (4, "host.town"),
    ]
    assert report.errors[0].reason == (
        "Flera värdar heter Vårgårda Bygg AB: i Alingsås, i Vårgårda. Ange host.town "
        "(eller host.org_number) för den värd raden gäller."
    )
    assert "3" in report.detail
    # Skipping bad rows skips these too, and creates no third host.
    skipped = await exchange.import_slots(csv, "csv", skip_bad_rows=True)
    assert skipped.written and skipped.skipped == 3 and skipped.created == 0
    assert await Host.count() == 2
    # The town the message offers chooses the host.
    chosen = (
        "external_id,host.name,host.kind,host.town,kind,title,town,capacity\n"
        "b1,Vårgårda Bygg AB,company,Alingsås,praktik,Snickeri,Vårgårda,1\n"
    ).encode()
    assert (await exchange.import_slots(chosen, "csv")).created == 1
    slot = await one(Slot.select(Slot.host.town).where(Slot.external_id == "b1"))
    assert slot["host.town"] == "Alingsås"


def _cli(*args: str, language: str = "sv") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CLI_LANGUAGE=language)
    return subprocess.run(
        [sys.executable, "-m", "marketplace.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


async def test_cli_import_and_export(tmp_path):
    rows = generated(12)
    good = tmp_path / "platser.jsonl"
    good.write_bytes(jsonl(rows))
    rows[7]["capacity"] = "många"
    bad = tmp_path / "fel.jsonl"
    bad.write_bytes(jsonl(rows))

    refused = _cli("import-slots", str(bad), language="en")
    assert refused.returncode == 1
    assert (
        "fel.jsonl: line 8, field capacity: Give how many participants the slot takes at the "
        "same time: a whole number from 1 to 100." in refused.stderr
    )
    assert "nothing was imported" in refused.stderr
    assert await Slot.count() == 0
    refused_sv = _cli("import-slots", str(bad))
    assert f"fel.jsonl: rad 8, fält capacity: {slot_rules.CAPACITY_PROBLEM}" in refused_sv.stderr

    done = _cli("import-slots", str(good))
    assert done.returncode == 0, done.stderr
    assert "12 nya" in done.stdout
    assert "#" not in done.stderr  # no terminal, no progress bar
    assert await Slot.count() == 12

    out = tmp_path / "ut.csv"
    exported = _cli("export-slots", "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    lines = out.read_text("utf-8").splitlines()
    assert lines[0].startswith("external_id,source,status,host.name")
    assert len(lines) == 13
    again = _cli("import-slots", str(out))
    assert "0 nya, 0 ändrade, 12 oförändrade" in again.stdout


async def test_api_upload_and_export_for_staff_only(client, make_user):
    await make_user("coordinator", username="sara")
    await make_user("host", username="henrik")
    data = jsonl(generated(10))
    await login(client, "henrik")
    denied = await client.post("/api/v1/slots/import", files={"file": ("p.jsonl", data)})
    assert denied.status_code == 403
    assert (await client.get("/api/v1/slots/export")).status_code == 403
    await login(client, "sara")
    uploaded = await client.post(
        "/api/v1/slots/import",
        files={"file": ("platser.jsonl", data)},
        data={"source": "region", "draft": "true"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["created"] == 10
    assert {r["status"] for r in await Slot.select(Slot.status)} == {"draft"}
    assert {r["source"] for r in await Slot.select(Slot.source)} == {"region"}
    bad_csv = b"external_id,host.name,host.kind,kind,title,town,capacity\nx,A,company,praktik,Tre,Ort,noll\n"
    refused = await client.post("/api/v1/slots/import", files={"file": ("fel.csv", bad_csv)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"line": 2, "field": "capacity", "reason": slot_rules.CAPACITY_PROBLEM}
    ]
    assert await Slot.count() == 10
    xlsx = await client.get("/api/v1/slots/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    csv_export = await client.get(
        "/api/v1/slots/export", params={"format": "csv", "source": "region"}
    )
    assert len(csv_export.text.splitlines()) == 11
    # Each file's type as documented, its charset said once (A12 of a tester's walk: the CSV
    # came as "text/csv; charset=utf-8; charset=utf-8").
    types = {
        fmt: (await client.get("/api/v1/slots/export", params={"format": fmt})).headers[
            "content-type"
        ]
        for fmt in ("jsonl", "csv", "xlsx")
    }
    assert types == {
        "jsonl": "application/x-ndjson",
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    empty = await client.post("/api/v1/slots/import", files={"file": ("tom.jsonl", b"")})
    assert empty.status_code == 400
    assert "inga platser" in empty.json()["detail"]


async def test_an_import_never_moves_a_stored_slot_to_another_host():
    """A hostile import: a row of the export with another host's name and org number moved
    the slot, its placements and its signed agreement to that organisation, whose users then
    read the participants. A row that would give a stored slot another host is refused."""
    owner = {"name": "Vårgårda Bygg AB", "kind": "company", "town": "Vårgårda"}
    row = {
        "external_id": "bygg-1",
        "host": owner,
        "kind": "praktik",
        "title": "Snickare",
        "town": "Vårgårda",
        "capacity": 1,
    }
    await exchange.import_slots(jsonl([row]), "jsonl")
    other = await make_host("Vårgårda kommun, Hemtjänst", "municipal_unit", org_number="2120001520")
    before = await snapshot()
    for host in (
        {
            "name": "Vårgårda kommun, Hemtjänst",
            "kind": "municipal_unit",
            "org_number": "2120001520",
        },
        {"name": "Helt Ny Värd AB", "kind": "company", "town": "Alingsås"},  # would be made
    ):
        report = await exchange.import_slots(jsonl([{**row, "host": host}]), "jsonl")
        assert not report.written
        assert [(e.line, e.field) for e in report.errors] == [(1, "host.name")]
        assert "finns redan hos Vårgårda Bygg AB" in report.errors[0].reason
        assert await snapshot() == before
    # With skip_bad_rows the other rows are written and the moving one is left out.
    fresh = {**row, "external_id": "bygg-2", "title": "Målare"}
    moved = {**row, "host": {"name": "Vårgårda kommun, Hemtjänst", "kind": "municipal_unit"}}
    report = await exchange.import_slots(jsonl([moved, fresh]), "jsonl", skip_bad_rows=True)
    assert report.written and report.created == 1 and report.skipped == 1
    hosts = {r["external_id"]: r["host"] for r in await Slot.select(Slot.external_id, Slot.host)}
    assert hosts["bygg-1"] == hosts["bygg-2"] != other
    # The same host named as before (its name in other letters) is no move.
    same = {**row, "title": "Snickare och montör", "host": {**owner, "name": "VÅRGÅRDA BYGG AB"}}
    assert (await exchange.import_slots(jsonl([same]), "jsonl")).updated == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_an_import_refuses_invisible_control_characters_as_every_form_does(fmt):
    """A hostile import: a direction override in a title ("Kock \u202egnidyats") and an escape
    in a host's name reached the public search, which every form and JSON body refuses."""
    cells = [
        ("r1", "Vårgårda Kök AB", "Kock \u202egnidyats", "Kassa"),
        ("r2", "Esc\u001bHost", "Lagerarbete", "Truckkort"),
        ("r3", "Vårgårda Kassa AB", "Kassörska", "Kassa\u2066"),
    ]
    if fmt == "jsonl":
        rows = [
            {
                "external_id": ext,
                "host": {"name": host, "kind": "company", "town": "Vårgårda"},
                "kind": "praktik",
                "title": title,
                "town": "Vårgårda",
                "skills": [skill],
                "capacity": 1,
            }
            for ext, host, title, skill in cells
        ]
        data = jsonl(rows)
        first = 1
    else:
        head = "external_id,host.name,host.kind,host.town,kind,title,town,skills,capacity\n"
        body = "".join(
            f"{ext},{host},company,Vårgårda,praktik,{title},Vårgårda,{skill},1\n"
            for ext, host, title, skill in cells
        )
        data = (head + body).encode()
        first = 2
    report = await exchange.import_slots(data, fmt)
    assert not report.written
    assert {(e.line - first + 1, e.field) for e in report.errors} == {
        (1, "title"),
        (2, "host.name"),
        (3, "skills"),
    }
    assert all("osynligt styrtecken" in e.reason for e in report.errors)
    assert await Slot.count() == 0


async def test_a_racing_import_neither_breaks_nor_moves_the_check_for_moved_slots():
    """Two imports at once: the second read the hosts before the first made its own, then saw
    the first's slots (CI: a KeyError); and one that gets past the check after the other
    wrote the slot at another host is refused whole (409), nothing written."""
    from marketplace.kernel.errors import Conflict
    from placements.exchange import upsert
    from placements.schemas.slots import ImportReport

    row = {
        "external_id": "lopp-1",
        "host": {"name": "Samtidig Bygg AB", "kind": "company", "town": "Vårgårda"},
        "kind": "praktik",
        "title": "Snickare",
        "town": "Vårgårda",
        "capacity": 1,
    }
    stale = await upsert._known_hosts()  # read before the other import made its host
    await exchange.import_slots(jsonl([row]), "jsonl")
    parsed = upsert._parse(jsonl([row]), "jsonl", exchange.DEFAULT_SOURCE, "sv")
    await upsert._refuse_moves(parsed, {}, stale, "sv")
    assert parsed.errors == [] and len(parsed.records) == 1  # the same host: no move
    other = await make_host("Annan Bygg AB", "company")
    report = ImportReport(
        rows=1,
        created=0,
        updated=0,
        unchanged=0,
        skipped=0,
        hosts_created=0,
        written=False,
        errors=[],
    )
    key = (parsed.records[0].source, parsed.records[0].external_id)
    before = await snapshot()
    with pytest.raises(Conflict):
        await upsert._write(
            parsed.records, {key: other}, report, actor=None, draft=False, progress=None
        )
    assert await snapshot() == before


async def test_a_supervisor_address_with_a_or_o_before_the_at_is_refused_with_one_to_try():
    """A6 of a tester's walk: such an address was stored, and no mail could ever reach it."""
    rows = generated(2)
    rows[0]["supervisor"] = {"name": "Åsa Öberg", "email": "Åsa.Öberg@vargarda.se"}
    rows[1]["supervisor"] = {"name": "Bo Ek", "email": "bo@vårgårda.se"}  # a real domain form
    report = await exchange.import_slots(jsonl(rows), "jsonl")
    assert not report.written and await Slot.count() == 0 and await Contact.count() == 0
    [error] = report.errors
    assert (error.line, error.field) == (1, "supervisor.email")
    assert error.reason == (
        "Går inte att skicka e-post till: före @ får en adress bara ha bokstäverna a–z (inte "
        "å, ä, ö eller é), siffror och tecken som . - _ +. Menar du asa.oberg@vargarda.se?"
    )
    english = await exchange.import_slots(jsonl(rows), "jsonl", language="en")
    assert english.errors[0].reason.startswith("Cannot receive mail: before the @")
    rows[0]["supervisor"]["email"] = "asa.oberg@vargarda.se"
    done = await exchange.import_slots(jsonl(rows), "jsonl")
    assert done.written and not done.errors
    stored = {r["email"] for r in await Contact.select(Contact.email)}
    assert stored == {"asa.oberg@vargarda.se", "bo@vårgårda.se"}
