"""The dashboard page: charts with their data tables, for report readers only."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

HTML = {"accept": "text/html"}


@pytest.mark.parametrize("role", ["analyst", "coordinator", "admin"])
async def test_report_readers_see_every_chart_with_its_table(client, make_user, role):
    await make_user(role, username="reader")
    await login(client, "reader")
    page = await client.get("/oversikt", headers=HTML)
    assert page.status_code == 200
    charts = re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', page.text)
    # Each chart twice: wide for screens, narrow for phones (the stylesheet shows one).
    assert len(charts) == 16
    assert page.text.count('class="chart chart-wide"') == 8
    assert page.text.count('class="chart chart-narrow"') == 8
    for ids in charts:
        for element_id in ids.split():
            assert f'id="{element_id}"' in page.text
    # Each chart section carries a table with a caption, which is what a screen reader reads.
    sections = re.findall(r'<section[^>]*class="chart".*?</section>', page.text, re.S)
    assert len(sections) == 8
    assert all(re.search(r"<table[ >]", s) and "<caption>" in s for s in sections)
    assert "Personer till arbete eller studier per månad" in page.text


async def test_a_bad_date_is_reported_at_its_field_and_the_default_period_shown(client, make_user):
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/oversikt?start=2026-02-31", headers=HTML)
    assert page.status_code == 400
    field = re.search(r'<input id="f-start"[^>]*>', page.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert "Från: ange en månad som ÅÅÅÅ-MM, till exempel" in page.text


async def test_host_users_get_the_swedish_403_page_and_strangers_must_sign_in(client, make_user):
    anonymous = await client.get("/oversikt", headers=HTML)
    assert anonymous.status_code == 401
    await make_user("host", username="henrik")
    await login(client, "henrik")
    page = await client.get("/oversikt", headers=HTML)
    assert page.status_code == 403
    assert "Ingen behörighet" in page.text


async def test_the_intake_clock_speaks_swedish_without_setting_names(client, make_user):
    """The clock's target is said in words ("1 arbetsdag"), not by its environment variable."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    for path in ("/oversikt", "/rapporter"):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 200
        main = re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[-1])
        assert not re.findall(r"\b[A-Z]+_[A-Z_]+\b", main), path
        assert "som kommunen har ställt in" in main
    overview = await client.get("/oversikt", headers=HTML)
    assert "Mål: 1 arbetsdag" in overview.text and "1 arbetsdagar" not in overview.text


async def test_unit_coverage_has_a_total_row_without_persons(client, make_user):
    """Kök: target 4, 6 places published (a surplus); Städ: target 5, 2 published and 1 a
    draft (gap 3). Total: target 9, registered 9, published 8, gap 3 (Kök's surplus fills
    none of Städ's gap); the places used, persons, have no total."""
    from marketplace.kernel import clock
    from tests.builders import make_host, make_slot, make_unit_target

    year = clock.today().year
    kitchen, cleaning = await make_host("Kök"), await make_host("Städ")
    await make_unit_target(kitchen, year, 4)
    await make_unit_target(cleaning, year, 5)
    await make_slot(kitchen, capacity=6)
    await make_slot(cleaning, capacity=2)
    await make_slot(cleaning, capacity=1, status="draft")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/oversikt", headers=HTML)
    assert page.status_code == 200
    total = page.text.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', total) == ["9", "9", "8", "–", "3"]
    report = (await client.get("/api/v1/reports/unit-coverage")).json()
    assert (report["total_registered"], report["total_gap"]) == (9, 3)
    assert report["total_coverage"] == pytest.approx(8 / 9, abs=1e-4)


async def test_lead_times_without_any_count_are_dashes_not_zero_days(client, make_user):
    """Seen by a helper: with nothing counted the table said "–" and the chart "0 dagar"."""
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/oversikt", headers=HTML)
    lead = page.text.split('id="lead-heading"', 1)[1].split("</section>", 1)[0]
    assert "Till förslag: inga uppgifter" in lead and "Till start: inga uppgifter" in lead
    assert "0 dagar" not in lead


async def test_only_an_end_month_shows_that_month_in_the_form_too(client, make_user):
    """`?end=2026-05` counts May alone (the reports' rule); the form said January–May."""
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/oversikt?end=2026-05", headers=HTML)
    assert "Strategins nyckeltal för 2026-05-01 – 2026-05-31" in page.text
    assert re.search(r'<input id="f-start" name="start" type="month" value="2026-05"', page.text)
    assert re.search(r'<input id="f-end" name="end" type="month" value="2026-05"', page.text)


async def test_an_undated_slot_counts_from_the_year_it_was_written(client, make_user):
    """Seen by a helper: 2016's unit coverage counted every undated slot of today."""
    from marketplace.kernel import clock
    from tests.builders import make_host, make_slot

    await make_slot(await make_host("Kök"), capacity=6)
    await make_user("analyst", username="anna")
    await login(client, "anna")
    year = clock.today().year
    now = (await client.get(f"/api/v1/reports/unit-coverage?start={year}-01")).json()
    then = (await client.get("/api/v1/reports/unit-coverage?start=2016-01&end=2016-12")).json()
    assert [u["registered"] for u in now["units"]] == [6]
    assert [u["registered"] for u in then["units"]] == [0]


def test_the_lock_in_definition_does_not_say_the_host_kind_both_ways():
    """It said "Värdtyp påverkar inte flaggorna" and then "värdtyp avser värden för
    bokningen"."""
    from admin.reports.lock_in import LOCK_IN_DEFINITION

    assert "Värdtyp påverkar inte flaggorna." in LOCK_IN_DEFINITION
    assert "värdtyp avser" not in LOCK_IN_DEFINITION


async def test_a_coordinator_in_the_address_is_said_to_be_no_filter_here(client, make_user):
    """Seen by a helper: /oversikt?coordinator=1 showed everyone's figures without a word."""
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/oversikt?coordinator=1", headers=HTML)
    assert page.status_code == 200
    assert "Översikten har inget filter för samordnare" in page.text
    plain = await client.get("/oversikt", headers=HTML)
    assert "Översikten har inget filter för samordnare" not in plain.text
