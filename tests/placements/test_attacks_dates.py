"""Dates outside 2000–2100 are refused at every entry point, and a bad row that got into the
database anyway (before this rule, or by hand) is logged and skipped by the sweeps instead of
stopping them for everyone."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine

from marketplace.kernel import clock
from marketplace.kernel.dates import DateBounded, FrozenDateBounded
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import parse_form
from marketplace.scheduler import run_job
from placements import exchange
from placements.schemas import slots as ss
from placements.tables import Booking, LockInFlag, Slot
from tests.builders import make_candidate
from tests.conftest import login
from tests.placements.bookingdata import make_world, to_active

FAR = "9999-12-31"


async def test_api_refuses_year_9999_naming_the_field(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    host = await client.post(
        "/api/v1/hosts", json={"name": "Verkstaden AB", "kind": "company", "town": "Vårgårda"}
    )
    slot = {
        "host_id": host.json()["id"],
        "kind": "praktik",
        "title": "Lagerarbete",
        "town": "Vårgårda",
        "capacity": 1,
        "start_date": FAR,
    }
    refused = await client.post("/api/v1/slots", json=slot)
    assert refused.status_code == 400, refused.text
    assert refused.json()["fields"] == ["start_date"]
    assert "Startdatum 9999-12-31" in refused.json()["detail"]
    assert "2000-01-01" in refused.json()["detail"]
    early = await client.post("/api/v1/slots", json={**slot, "start_date": "1999-12-31"})
    assert early.status_code == 400 and early.json()["fields"] == ["start_date"]
    created = await client.post("/api/v1/slots", json={**slot, "start_date": str(clock.today())})
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"/api/v1/slots/{created.json()['id']}", json={"end_date": "0001-01-01"}
    )
    assert patched.status_code == 400 and patched.json()["fields"] == ["end_date"]
    report = await client.get("/api/v1/reports/exits", params={"start": "2020-01-01", "end": FAR})
    assert report.status_code == 400 and report.json()["fields"] == ["end"]
    due = await client.get("/api/v1/follow-ups/", params={"due_by": FAR})
    assert due.status_code == 400 and due.json()["fields"] == ["due_by"]
    assert await Slot.count() == 1


def test_forms_refuse_dates_outside_the_window():
    labels = {"title": "Rubrik", "start_date": "Startdatum"}
    with pytest.raises(ValidationFailed) as refused:
        parse_form(ss.SlotUpdate, {"title": "Lagerarbete", "start_date": FAR}, labels=labels)
    assert refused.value.fields == ["start_date"]
    assert "Startdatum" in refused.value.message


def test_every_input_struct_with_a_date_checks_the_window():
    """A new request body with a date cannot forget the rule: each is listed here."""
    import msgspec

    from admin import schemas as admin_schemas
    from admin.services import audit
    from placements.schemas import agreements, bookings, candidates, outcomes

    modules = [ss, agreements, bookings, candidates, outcomes, admin_schemas, audit]
    checked = set()
    for module in modules:
        for name in dir(module):
            cls = getattr(module, name)
            if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct)):
                continue
            config = cls.__struct_config__
            is_input = config.forbid_unknown_fields or name in {"ReportFilters", "AuditQuery"}
            hints = msgspec.structs.fields(cls)
            has_date = any(re.search(r"datetime\.date\b(?!time)", repr(f.type)) for f in hints)
            if is_input and has_date:
                assert issubclass(cls, DateBounded | FrozenDateBounded), cls
                checked.add(name)
    assert {"SlotCreate", "BookingCreate", "OutcomeCreate", "ReportFilters"} <= checked


async def test_import_rows_with_dates_outside_the_window_are_row_errors():
    row = {
        "external_id": "a",
        "host": {"name": "Verkstaden AB", "kind": "company"},
        "kind": "praktik",
        "title": "Lagerarbete",
        "town": "Vårgårda",
        "capacity": 1,
        "start_date": str(clock.today()),
        "end_date": FAR,
    }
    report = await exchange.import_slots(json.dumps(row).encode(), "jsonl")
    assert not report.written
    assert [(e.field, e.line) for e in report.errors] == [("end_date", 1)]
    assert "2100-12-31" in report.errors[0].reason


async def test_a_booking_dated_9999_does_not_stop_the_lock_in_sweep():
    w = await make_world(capacity=2)
    long_running = await to_active(w, start=dt.date(2019, 1, 15), end=dt.date(2019, 12, 31))
    other = await make_candidate(w.coordinator, "Bo")
    broken = await to_active(
        w, candidate_id=other, start=dt.date(2019, 2, 1), end=dt.date(2019, 12, 31)
    )
    # Written past every check, as an old row or a hand edit would be.
    # (End date too: on PostgreSQL the overlap constraint refuses a period that ends before
    # it starts, so the broken row keeps an ordered period.)
    await Booking.update(
        {Booking.start_date: dt.date(9999, 12, 1), Booking.end_date: dt.date(9999, 12, 31)}
    ).where(Booking.id == broken)
    now = dt.datetime(2019, 8, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        result = await run_job("flag-lock-in", worker="test")
        again = await run_job("flag-lock-in", worker="test")
    assert result.outcome == "ok", result.error
    assert result.counts["flagged"] == 1 and result.counts["skipped_rows"] == 1
    assert again.outcome == "ok" and again.counts["skipped_rows"] == 1
    flags = await LockInFlag.select(LockInFlag.candidate, LockInFlag.kind)
    assert flags == [{"candidate": w.candidate_id, "kind": "long_placement"}]
    assert long_running != broken
