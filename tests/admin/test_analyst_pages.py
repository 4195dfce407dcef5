"""The analyst's way to the reports, and charts whose labels can be read (issue 15, item 9).

`/rapporter` holds the exports; it is in the main menu of everyone who may open it (the
report readers: analyst, coordinator, admin) and of no one else. Chart labels are never cut
to a few letters: they stay level when they fit, and are turned (and, past 24 characters,
shortened with the whole label in a tooltip) when they would overlap.
"""

from __future__ import annotations

import html
import re

import pytest

from admin import charts
from marketplace.kernel import auth
from tests.conftest import login

HTML = {"accept": "text/html"}


def _menu(html: str) -> str:
    return html.split('aria-label="Huvudmeny"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("role", ["analyst", "coordinator", "admin"])
async def test_report_readers_find_the_reports_in_the_menu(client, make_user, role):
    await make_user(role, username="reader")
    await login(client, "reader")
    start = await client.get("/platser", headers=HTML)
    assert '<a href="/rapporter">Rapporter</a>' in _menu(start.text)
    reports = await client.get("/rapporter", headers=HTML)
    assert reports.status_code == 200
    board = await client.get("/oversikt", headers=HTML)
    assert 'href="/rapporter"' in board.text.split('id="main"', 1)[1]  # from the dashboard too


async def test_hosts_and_strangers_get_no_link_they_cannot_follow(client, make_user):
    assert "/rapporter" not in _menu((await client.get("/platser", headers=HTML)).text)
    await make_user("host", username="henrik")
    await login(client, "henrik")
    assert "/rapporter" not in _menu((await client.get("/platser", headers=HTML)).text)
    assert (await client.get("/rapporter", headers=HTML)).status_code == 403


async def test_the_filter_forms_work_with_every_choice_left_at_alla(client, make_user):
    """A select box left at "Alla" (and an empty number box) sends an empty value: no filter,
    not a 400 page. An unknown value, only possible by editing the address, names its field."""
    await make_user("admin", username="alva")
    await login(client, "alva")
    sent = "start=2026-01-01&end=2026-06-30&track=&coordinator_id=&host_kind="
    reports = await client.get(f"/rapporter?{sent}", headers=HTML)
    assert reports.status_code == 200, reports.text[:500]
    assert "2026-06-30" in reports.text
    narrowed = await client.get(
        "/rapporter?track=h%C3%A4lsa&coordinator_id=&host_kind=", headers=HTML
    )
    assert narrowed.status_code == 200
    assert re.search(r'<option value="hälsa" selected>', narrowed.text)
    audit = await client.get("/loggkontroll?start=&end=&actor_id=&subject_id=", headers=HTML)
    assert audit.status_code == 200, audit.text[:500]
    wrong = await client.get("/rapporter?host_kind=bolag", headers=HTML)
    assert wrong.status_code == 400
    message = "Värdtyp: välj ett av alternativen (Företag, Kommunal enhet, Förening, Offentlig myndighet)."
    assert f'<span class="error" id="f-host_kind-error">{message}</span>' in wrong.text
    assert "host_kind" not in _visible(wrong.text.split('id="main"', 1)[1])
    assert '<section id="to-work-or-studies"' in wrong.text  # the reports, unfiltered


def _visible(page: str) -> str:
    """The text a person reads: no tags, attributes or scripts."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _coordinator_choices(page: str) -> list[str]:
    """The labels of the report filter "Samordnare", "Alla" left out."""
    select = page.split('<select id="f-coordinator"', 1)[1].split("</select>", 1)[0]
    return [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)][
        1:
    ]


async def test_the_coordinator_filter_names_people_for_staff_and_numbers_for_analysts(
    client, make_user
):
    """Staff choose a coordinator by the name the service shows them everywhere; an analyst,
    who receives no names, by a number that stays the coordinator's own when a colleague's
    account is disabled (the coordinators numbered by account, disabled ones counted)."""
    for username, first, last in (
        ("sara", "Sara", "Ek"),
        ("omar", "Omar", "Oskarsson"),
        ("lina", "Lina", "Lund"),
    ):
        await make_user("coordinator", username=username, first_name=first, last_name=last)
    await make_user("admin", username="alva", first_name="Alva", last_name="Admin")
    await make_user("analyst", username="anna", first_name="Anna", last_name="Analytiker")
    await login(client, "alva")
    staff = await client.get("/rapporter", headers=HTML)
    assert _coordinator_choices(staff.text) == ["Sara Ek", "Omar Oskarsson", "Lina Lund"]
    await login(client, "anna")
    analyst = await client.get("/rapporter", headers=HTML)
    assert _coordinator_choices(analyst.text) == ["Samordnare 1", "Samordnare 2", "Samordnare 3"]
    assert "Oskarsson" not in analyst.text and "omar" not in analyst.text
    await auth.set_active("sara", False)
    later = await client.get("/rapporter", headers=HTML)
    assert _coordinator_choices(later.text) == ["Samordnare 2", "Samordnare 3"]
    catalogue = (await client.get("/api/v1/reports/")).json()["coordinators"]
    assert [c["label"] for c in catalogue] == ["Samordnare 2", "Samordnare 3"]


async def test_the_coordinator_filter_sends_the_number_never_the_account_id(client, make_user):
    """A11 of a tester's walk: "Samordnare 1/2/4" had the values 2, 3 and 9, the accounts'
    ids, and the address read `coordinator_id=2` for "Samordnare 1". The value is the number;
    an address or a client with the account's id still works."""
    await make_user("admin", username="alva")
    sara = await make_user("coordinator", username="sara", first_name="Sara", last_name="Ek")
    omar = await make_user("coordinator", username="omar", first_name="Omar", last_name="Berg")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = await client.get("/rapporter", headers=HTML)
    select = page.text.split('<select id="f-coordinator" name="coordinator"', 1)[1]
    options = re.findall(
        r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.split("</select>")[0]
    )
    assert options == [("", "Alla"), ("1", "Samordnare 1"), ("2", "Samordnare 2")]
    assert (sara.id, omar.id) != (1, 2)  # the numbers are not the ids (the admin came first)
    chosen = await client.get("/rapporter?coordinator=2", headers=HTML)
    assert chosen.status_code == 200
    assert '<option value="2" selected>Samordnare 2</option>' in chosen.text
    assert "coordinator=2" in chosen.text and f"coordinator_id={omar.id}" not in chosen.text
    # A bookmark made before, by the account's id, shows the same, by number.
    old = await client.get(f"/rapporter?coordinator_id={omar.id}", headers=HTML)
    assert old.status_code == 200
    assert '<option value="2" selected>Samordnare 2</option>' in old.text
    # The API takes the number as the catalogue lists it, and the account id as before.
    catalogue = (await client.get("/api/v1/reports/")).json()["coordinators"]
    assert [(c["value"], c["label"]) for c in catalogue] == [
        ("1", "Samordnare 1"),
        ("2", "Samordnare 2"),
    ]
    by_number = await client.get("/api/v1/reports/exits?coordinator=2")
    by_id = await client.get(f"/api/v1/reports/exits?coordinator_id={omar.id}")
    assert by_number.status_code == by_id.status_code == 200
    assert by_number.json() == by_id.json()
    assert by_number.json()["filters"]["coordinator"] == 2  # the number, as asked
    assert "coordinator_id" not in by_id.json()["filters"]
    unknown = await client.get("/api/v1/reports/exits?coordinator=7")
    assert unknown.status_code == 400 and unknown.json()["fields"] == ["coordinator"]
    assert "ingen sådan samordnare" in unknown.json()["detail"]
    both = await client.get(f"/api/v1/reports/exits?coordinator=1&coordinator_id={omar.id}")
    assert both.status_code == 400 and both.json()["fields"] == ["coordinator", "coordinator_id"]
    wrong = await client.get("/rapporter?coordinator=7", headers=HTML)
    assert wrong.status_code == 400
    assert '<span class="error" id="f-coordinator-error">Det finns ingen sådan samordnare.' in (
        wrong.text
    )
    export = await client.get("/api/v1/reports/exits/export?coordinator=2&format=csv")
    assert export.status_code == 200
    assert "_samordnare-2." in export.headers["content-disposition"]
    # Staff see names, with the same values.
    client.cookies.clear()
    await login(client, "alva")
    staff = await client.get("/rapporter?coordinator=1", headers=HTML)
    assert '<option value="1" selected>Sara Ek</option>' in staff.text


async def test_reversed_or_wrong_report_dates_show_the_form_with_the_errors(client, make_user):
    """Months from after to, or that do not exist, give the reports page with the form, the
    typed months kept and a Swedish message next to them: never a page without a way on."""
    await make_user("analyst", username="ana")
    await login(client, "ana")
    reversed_ = await client.get("/rapporter?start=2026-06&end=2026-01", headers=HTML)
    assert reversed_.status_code == 400
    page = reversed_.text
    message = "Periodens sista månad måste vara samma månad som eller efter den första."
    assert f'<span class="error" id="f-end-error">{message}</span>' in page
    assert page.count(message) == 2  # next to the field and in the summary, nowhere else
    assert re.search(r'<a href="#f-end">' + re.escape(message), page)
    assert re.search(
        r'<input id="f-end" name="end" type="month" value="2026-01"[^>]*'
        r'aria-describedby="f-end-hint f-end-error" aria-invalid="true"',
        page,
    )
    assert 'value="2026-06"' in page
    assert '<form method="get" action="/rapporter"' in page
    assert '<section id="to-work-or-studies"' in page  # the default period's reports
    both = await client.get("/rapporter?start=2026-02-30&end=igår", headers=HTML)
    assert both.status_code == 400
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', both.text))
    example = "ange en månad som ÅÅÅÅ-MM, till exempel 2026-12."
    assert shown == {"start": f"Från: {example}", "end": f"Till: {example}"}
    assert 'value="igår"' in both.text


async def test_both_wrong_dashboard_dates_are_shown_at_once(client, make_user):
    await make_user("analyst", username="ana")
    await login(client, "ana")
    answer = await client.get("/oversikt?start=2026-02-30&end=igår", headers=HTML)
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', answer.text))
    assert set(shown) == {"start", "end"}, shown


async def test_wrong_audit_filters_show_the_form_with_the_errors(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    answer = await client.get(
        "/loggkontroll?start=2026-06-30&end=2026-01-01&subject_id=tre", headers=HTML
    )
    assert answer.status_code == 400
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', answer.text))
    # A participant is typed by name; a wrong id can only come from an edited address.
    assert shown == {
        "deltagare": "Adressen pekar inte ut någon deltagare. Skriv deltagarens namn i stället.",
        "end": "Periodens slutdatum måste vara samma dag som eller efter startdatumet.",
    }
    assert '<form method="get" action="/loggkontroll"' in answer.text
    # No rows while a filter is refused: they would read as the answer to the filter typed.
    assert "Inga rader visas medan filtret behöver rättas" in answer.text
    assert "rader. <a" not in answer.text and "Loggrader" not in answer.text
    assert "/api/v1/audit/export" not in answer.text
    # Only the dates wrong, or only the participant: nothing listed either.
    for sent in ("start=2026-06-30&end=2026-01-01", "subject_id=abc"):
        one = await client.get(f"/loggkontroll?{sent}", headers=HTML)
        assert one.status_code == 400
        assert "<tbody>" not in one.text and "Inga rader visas medan" in one.text
    # Corrected, the list is back.
    fixed = await client.get("/loggkontroll?start=2026-01-01&end=2026-06-30", headers=HTML)
    assert fixed.status_code == 200 and "<tbody>" in fixed.text and " rader. " in fixed.text


def _labels(svg: str) -> list[tuple[str, str]]:
    """(attributes, text) of the axis labels: the text elements below the axis."""
    return re.findall(r"<text ([^>]*?)>(?:<title>[^<]*</title>)?([^<]*)</text>", svg)


def test_labels_that_fit_stay_level_and_whole():
    svg = charts.bar_chart("Ledtider", "Två staplar.", ["Till förslag", "Till start"], [3, 4])
    texts = [t for _, t in _labels(svg)]
    assert "Till förslag" in texts and "Till start" in texts
    assert "rotate(" not in svg


def test_labels_that_would_overlap_are_turned_not_cut():
    labels = [
        "Arbete",
        "Studier",
        "Annan insats",
        "Till Arbetsförmedlingen",
        "Sjukskrivning",
        "Flyttat",
        "Avbrutet",
        "Okänt",
    ]
    layout = charts.axis_labels(labels)
    assert layout.turned and layout.every == 1
    assert layout.texts == labels  # every label whole: none is longer than 24 characters
    svg = str(charts.bar_chart("Avslut", "En stapel per utfall.", labels, [1.0] * 8))
    assert svg.count("rotate(-45") == 8
    for label in labels:
        assert f">{label}</text>" in svg
    # The chart is tall enough for the longest turned label (23 characters at about 7 px,
    # turned 45 degrees: about 114 px below the axis).
    view_box = re.search(r'viewBox="0 0 640 ([\d.]+)"', svg)
    assert view_box is not None
    height = float(view_box.group(1))
    assert height >= 16 + 224 + 23 * 7 * 0.7
    # Turned labels start right of the chart's left edge.
    layout_left = layout.left
    slot = (charts.WIDTH - layout_left - charts.RIGHT) / len(labels)
    for i, label in enumerate(layout.texts):
        middle = layout_left + i * slot + slot / 2
        assert middle - charts.text_width(label) * 0.7072 >= 0


def test_a_very_long_label_is_shortened_with_the_whole_one_in_a_tooltip():
    long_name = "Vårgårda kommun, Sektor lärande, Kostenheten Centralköket"
    svg = str(charts.bar_chart("Platser", "Per enhet.", [long_name, "Kort"], [2.0, 3.0]))
    shown = charts.shorten(long_name)
    assert len(shown) == charts.LABEL_MAX_CHARS and shown.endswith("…")
    assert f"<title>{long_name}</title>{shown}</text>" in svg


def test_many_months_write_every_other_label_rather_than_overlap():
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(36)]
    layout = charts.axis_labels(months)
    slot = (charts.WIDTH - layout.left - charts.RIGHT) / len(months)
    assert layout.turned and slot * layout.every >= charts.FONT * 1.5


def test_reference_labels_close_together_do_not_overlap():
    # Values up to 20: the 0.6 and 1.75 baselines are about 6 and 20 px above the axis.
    svg = str(
        charts.bar_chart(
            "Till arbete",
            "Per månad.",
            ["a", "b"],
            [20.0, 18.0],
            [charts.Reference("Baslinje 0,6", 0.6), charts.Reference("Jan–apr 2017: 1,75", 1.75)],
        )
    )
    ys = [float(y) for y in re.findall(r'<text x="624" y="([\d.]+)"[^>]*fill="#a4161a"', svg)]
    assert len(ys) == 2 and abs(ys[0] - ys[1]) >= charts.FONT


async def test_the_dashboard_charts_show_whole_labels(client, make_user):
    await make_user("analyst", username="anna")
    await login(client, "anna")
    page = (await client.get("/oversikt", headers=HTML)).text
    exits = page.split('id="exits-heading"', 1)[1].split("</section>", 1)[0]
    assert ">Till Arbetsförmedlingen</text>" in exits
    assert ">Till Arbe</text>" not in exits and ">Sjukskriv</text>" not in exits


def test_phones_get_a_chart_drawn_for_their_width_with_labels_that_fit():
    """At 375 px a 640-wide drawing shrank its 12 px labels to about 6 px; the narrow drawing
    is shown at about its own size, and lays out its labels for its own width."""
    months = [f"26-{m:02d}" for m in range(1, 13)]
    both = str(charts.bar_charts("Per månad", "En stapel per månad.", months, [1.0] * 12))
    wide, narrow = both.split("</svg>")[:2]
    assert 'viewBox="0 0 640 ' in wide and 'class="chart chart-wide"' in wide
    assert 'viewBox="0 0 360 ' in narrow and 'class="chart chart-narrow"' in narrow
    # Twelve month labels do not fit side by side in 360: the narrow one turns them (or
    # writes every other), while the wide one keeps them level.
    assert "rotate(" not in wide
    assert "rotate(" in narrow
    layout = charts.axis_labels(months, charts.NARROW_WIDTH)
    slot = (charts.NARROW_WIDTH - layout.left - charts.RIGHT) / 12
    assert layout.every * slot >= charts.FONT * 1.5  # turned labels a line apart at least
    share = str(charts.share_bars("Andel", "Andel mot mål.", 0.5, 0.85))
    assert share.count("<svg") == 2 and 'viewBox="0 0 360 64"' in share


def test_the_axis_ends_at_the_next_round_number_above_the_top():
    """Seen in the browser: bars of 4-15 on an axis to 100 lay flat at the bottom."""
    assert charts._scale_max([4.0, 15.0], []) == 20.0
    assert charts._scale_max([0.4], []) == 0.5
    assert charts._scale_max([3.0], [charts.Reference("Mål", 85.0)]) == 100.0
    svg = str(charts.bar_chart("Platser", "Per enhet.", ["A", "B"], [4.0, 15.0]))
    assert ">20</text>" in svg and ">100</text>" not in svg


def test_a_chart_of_hidden_figures_only_has_no_scale_to_read():
    """Every bar hidden under the small-cell rule: no 0–1 axis, which read as figures."""
    svg = str(
        charts.bar_chart("Avslut", "En stapel per utfall.", ["Arbete", "Studier"], [None, None])
    )
    assert "&lt;5" in svg and "färre än 5" in svg
    ticks = re.findall(r'text-anchor="end" font-size="\d+" fill="[^"]+">([^<]*)</text>', svg)
    assert ticks == []
    assert f">{charts.ALL_HIDDEN}</text>" in svg
    shown = str(
        charts.bar_chart("Avslut", "En stapel per utfall.", ["Arbete", "Studier"], [None, 6])
    )
    assert re.findall(r'text-anchor="end" font-size="\d+" fill="[^"]+">([^<]*)</text>', shown)
    assert charts.ALL_HIDDEN not in shown


def test_a_hidden_share_says_so_in_its_bar():
    """An empty bar beside "Mål 85,0 %" read as 0 %: the bar says "dold" instead."""
    svg = str(charts.share_bar("85/15", "Andel: dold, mål 85,0 %.", None, 0.85, missing="dold"))
    assert ">dold</text>" in svg
    assert ">dold</text>" not in str(charts.share_bar("85/15", "Andel.", 0.5, 0.85, missing="dold"))


def test_each_unit_bar_carries_its_own_target():
    """Seen in the browser: the unit chart drew the published places only, the targets stood
    in the table. Each bar now has its target as a line across it, in the scale, with a
    legend; a unit without a target has none."""
    svg = str(
        charts.bar_chart(
            "Platser", "Per enhet.", ["Hemtjänsten", "Köket"], [4.0, 6.0], marks=[12.0, None]
        )
    )
    assert ">20</text>" in svg  # the scale holds the target of 12 above the bars
    assert svg.count('stroke-width="3"><title>') == 1
    assert "<title>Hemtjänsten: mål 12</title></line>" in svg
    assert ">Mål</text>" in svg
    plain = str(charts.bar_chart("Platser", "Per enhet.", ["A"], [4.0]))
    assert ">Mål</text>" not in plain


def test_hidden_marks_that_would_run_together_stand_on_end():
    """At 375 px twelve months of "dold" ran together as "dolddolddold"."""
    months = [f"26-{m:02d}" for m in range(1, 13)]
    narrow = str(
        charts.bar_chart(
            "Klockan", "Per månad.", months, [None] * 12, width=360, protected=range(12)
        )
    )
    assert narrow.count('transform="rotate(-90') == 12
    wide = str(charts.bar_chart("Klockan", "Per månad.", months[:3], [None] * 3))
    assert "rotate(-90" not in wide  # "<5" fits beside its neighbours


def test_unit_labels_lose_the_start_they_all_share():
    from admin.reports.pictures import without_shared_start

    names = ["Vårgårda kommun, Biblioteket", "Vårgårda kommun, Hemtjänst Norra"]
    assert without_shared_start(names) == ["Biblioteket", "Hemtjänst Norra"]
    assert without_shared_start(["Bibliotek", "Hemtjänst"]) == ["Bibliotek", "Hemtjänst"]
    assert without_shared_start(["X, Y, a", "X, Y, b", "X, Z"]) == ["Y, a", "Y, b", "Z"]


async def test_a_coordinator_that_is_none_is_said_not_counted_as_zero(client, make_user):
    """Seen from outside: /rapporter?coordinator_id=999 showed every figure as 0, as if a
    coordinator had had nothing."""
    await make_user("analyst", username="anna")
    await login(client, "anna")
    api = await client.get("/api/v1/reports/exits?coordinator_id=999")
    assert api.status_code == 400
    assert "ingen sådan samordnare" in api.text
    # The page says it at the box, answering 400 as for any refused filter, with everyone's
    # figures below.
    page = await client.get("/rapporter?coordinator_id=999", headers={"accept": "text/html"})
    assert page.status_code == 400
    assert "ingen sådan samordnare" in html.unescape(page.text)
    assert 'id="exits"' in page.text


async def test_the_dashboard_says_its_clock_leaves_out_empty_steps(client, make_user):
    """Seen in the browser: the dashboard's "Klockan" table was shorter than the report's
    (steps without applications left out), and nothing said why."""
    await make_user("analyst", username="anna")
    await login(client, "anna")
    board = await client.get("/oversikt", headers={"accept": "text/html"})
    assert board.status_code == 200
    assert "steg utan ansökningar visas inte här" in board.text
    assert 'href="/rapporter#intake-clock"' in board.text
    # Its definitions name the filters it has (no coordinator filter here, unlike /rapporter).
    assert "spår och samordnare avser" not in board.text
    assert "Filter: spår avser deltagaren" in board.text
    reports = await client.get("/rapporter", headers={"accept": "text/html"})
    assert "spår och samordnare avser deltagaren" in reports.text


def test_a_month_with_nothing_to_count_is_a_dash_and_one_day_is_singular():
    """Seen by an analyst: the intake chart drew "0 dagar" for months without applications
    (the table had "–"), and a bar of one day read "1 dagar"."""
    drawn = charts.bar_chart(
        "Klockan",
        "Median per månad",
        ["01", "02", "03"],
        [1.0, None, 3.0],
        unit=" dagar",
        unit_one=" dag",
        empty=[1],
    )
    assert "02: inga uppgifter" in drawn and drawn.count("<rect") == 2
    assert "01: 1 dag<" in drawn and "03: 3 dagar<" in drawn
    assert "färre än 5" not in drawn  # an empty month is no hidden figure


def test_a_chart_with_nothing_in_the_period_says_so():
    """Seen by an analyst: a period without data drew bare axes, with no word of why."""
    nothing = charts.bar_chart("Avslut", "Per utfall", ["Arbete", "Studier"], [0, 0])
    assert charts.NOTHING_TEXT in nothing
    hidden = charts.bar_chart("Avslut", "Per utfall", ["Arbete", "Studier"], [None, 0])
    assert charts.NOTHING_TEXT not in hidden  # a hidden figure is something
    some = charts.bar_chart("Avslut", "Per utfall", ["Arbete", "Studier"], [3, 0])
    assert charts.NOTHING_TEXT not in some
