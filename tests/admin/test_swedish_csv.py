"""CSV that Excel set to Swedish opens right (issue 15, item 9).

Swedish Excel splits a CSV file on semicolons and reads "0,6667" as a number; with commas
and decimal points every row lands in one column and 0.6667 becomes text or a date. Report
and audit exports are therefore Swedish by default (semicolons, decimal comma, UTF-8 with a
byte order mark); `variant=rfc4180` gives the plain form for programs (commas, decimal
point, no byte order mark). Formula defusing and the small-cell text hold in both, and the
slot exchange CSV (docs/slot-exchange-format.md) does not change.
"""

from __future__ import annotations

import csv
import html
import io
import zipfile

import pytest

from admin.services import exports
from marketplace.kernel.audit import record
from tests.admin import reportdata
from tests.conftest import login

BOM = b"\xef\xbb\xbf"
Q = "start=2026-01-01&end=2026-03-31"


def _table() -> exports.Table:
    share = exports.Figure(value=0.6667, kind="share")
    average = exports.Figure(value=0.42, kind="average")
    return exports.Table(
        title="Prov",
        definition="Provtabell",
        filters=[],
        headers=["Rad", "Värde", "Text"],
        rows=[
            ["Andel", share, 'Säger "hej"; och går'],
            ["Genomsnitt", average, '=HYPERLINK("https://evil.example")'],
            ["Skillnad", exports.Figure(value=-2, kind="count"), "@SUM(1)"],
            ["Dold", exports.Figure(value="färre än 5", kind="count"), None],
            ["Ja", True, "1 234,5"],
        ],
    )


def test_the_swedish_variant_has_semicolons_and_decimal_commas():
    text = exports.report_csv(_table())  # the default
    lines = text.split("\r\n")
    assert lines[:3] == ["Prov", "Provtabell", ""]  # its title rows, then the table
    assert lines[3] == "Rad;Värde;Text"
    assert lines[4] == 'Andel;0,6667;"Säger ""hej""; och går"'  # quoted, as Excel reads it
    rows = reportdata.csv_table(text.encode())
    assert rows[1:] == [
        ["Andel", "0,6667", 'Säger "hej"; och går'],
        ["Genomsnitt", "0,42", '\'=HYPERLINK("https://evil.example")'],  # defused
        ["Skillnad", "-2", "'@SUM(1)"],  # a number stays a number, text is defused
        ["Dold", "färre än 5", ""],
        ["Ja", "ja", "1 234,5"],
    ]
    assert exports.csv_bytes(text, "swedish").startswith(BOM)


def test_the_rfc4180_variant_is_the_plain_form():
    text = exports.report_csv(_table(), "rfc4180")
    assert text.split("\r\n")[0] == "Rad,Värde,Text"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["Andel", "0.6667", 'Säger "hej"; och går']
    assert rows[2] == ["Genomsnitt", "0.42", '\'=HYPERLINK("https://evil.example")']
    assert rows[4] == ["Dold", "färre än 5", ""]
    assert not exports.csv_bytes(text, "rfc4180").startswith(BOM)


@pytest.fixture
async def data(make_user):
    return await reportdata.build(make_user)


async def test_report_export_over_http_in_both_variants(client, data):
    await login(client, "sara")
    default = await client.get(f"/api/v1/reports/real-workplaces/export?format=csv&{Q}")
    assert default.status_code == 200
    assert default.headers["content-type"] == "text/csv; charset=utf-8"
    assert default.content.startswith(BOM)
    # The file is named in Swedish, from the report's title (not the API's English slug).
    disposition = default.headers["content-disposition"]
    assert 'filename="andel-placeringar-pa-riktiga-arbetsplatser-85-15_' in disposition
    rows = reportdata.csv_table(default.content)
    assert rows[0] == ["Miljö", "Placeringar"]
    assert ["Mål", "0,85"] in rows  # the 85 % target, as a fraction with a decimal comma
    assert ["Andel på riktiga arbetsplatser", "dold"] in rows  # small cells still hidden

    plain = await client.get(
        f"/api/v1/reports/real-workplaces/export?format=csv&variant=rfc4180&{Q}"
    )
    assert plain.status_code == 200 and not plain.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8"))))
    assert rows[0] == ["Miljö", "Placeringar"] and ["Mål", "0.85"] in rows

    bad = await client.get(f"/api/v1/reports/real-workplaces/export?format=csv&variant=excel&{Q}")
    assert bad.status_code == 400 and bad.json()["fields"] == ["variant"]
    assert bad.json()["errors"] == {
        "variant": "Filvariant: välj ett av alternativen (\u201dswedish\u201d, \u201drfc4180\u201d)."
    }


async def test_audit_export_in_both_variants(client, make_user):
    await make_user("admin", username="alva")
    await record(None, "candidate.read", 7, detail="Läste; med semikolon")
    await login(client, "alva")
    default = await client.get("/api/v1/audit/export?subject_id=7")
    assert default.status_code == 200 and default.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(default.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Detaljer"] for r in rows] == ["Läste; med semikolon"]
    plain = await client.get("/api/v1/audit/export?subject_id=7&variant=rfc4180")
    assert not plain.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8"))))
    assert [r["Detaljer"] for r in rows] == ["Läste; med semikolon"]


async def test_the_slot_exchange_csv_keeps_its_documented_format(client, make_user):
    # docs/slot-exchange-format.md: UTF-8, a header row of field names, comma-separated.
    await make_user("admin", username="alva")
    await login(client, "alva")
    answer = await client.get("/api/v1/slots/export", params={"format": "csv"})
    assert answer.status_code == 200
    assert not answer.content.startswith(BOM)
    assert answer.content.decode("utf-8").startswith("external_id,")


async def test_the_report_page_offers_both_variants_and_says_which_is_which(client, data):
    await login(client, "sara")
    page = (await client.get(f"/rapporter?{Q}", headers={"accept": "text/html"})).text
    assert "CSV för svenskt Excel" in page and "variant=rfc4180" in page
    assert "semikolon mellan fälten och decimalkomma" in page
    assert "byte order mark" not in page  # said in words an analyst knows


async def test_a_filtered_download_is_named_by_its_filters(client, data):
    """Seen in an analyst's walk: a download for Hälsa and one for all tracks got the same
    name, so the second overwrote the first or became "(1)". The name now carries every
    filter that narrows the report, in plain letters."""
    await login(client, "sara")
    whole = await client.get(f"/api/v1/reports/real-workplaces/export?format=csv&{Q}")
    narrowed = await client.get(
        f"/api/v1/reports/real-workplaces/export?format=xlsx&{Q}"
        "&track=hälsa&host_kind=municipal_unit"
    )
    assert narrowed.status_code == 200
    plain = whole.headers["content-disposition"].split('filename="')[1].rstrip('"')
    named = narrowed.headers["content-disposition"].split('filename="')[1].rstrip('"')
    assert named == plain.removesuffix(".csv") + "_halsa_kommunal-enhet.xlsx"
    assert named.isascii()


async def test_a_report_file_says_its_period_in_words_and_the_filters_chosen(
    client, make_user, data
):
    """A tester's day: a report's CSV held the table alone, so a file opened later did not
    say which months and which slice it covered. The Swedish CSV starts as the XLSX sheet
    does: title, definition, the period in words, each filter chosen (the coordinator as the
    filter list names them, never by account id) and the small-cell rule; the RFC 4180 file
    for programs stays the table alone."""
    await make_user("analyst", username="ana")
    client.cookies.clear()
    await login(client, "ana")
    chosen = f"{Q}&track=kompetens&coordinator=2&host_kind=company"
    url = "/api/v1/reports/real-workplaces/export"
    default = await client.get(f"{url}?format=csv&{chosen}")
    assert default.status_code == 200
    title = reportdata.csv_title_rows(default.content)
    assert title[0] == ["Andel placeringar på riktiga arbetsplatser (85/15)"]
    assert "85" in title[1][0]  # the definition
    assert title[2:5] == [
        ["Period", "januari 2026 – mars 2026"],
        ["Spår", "Kompetens"],
        ["Samordnare", "Samordnare 2"],
    ]
    assert title[5] == ["Värdtyp", "Företag"]
    assert title[6][0] == "Sekretess"
    assert reportdata.csv_table(default.content)[0] == ["Miljö", "Placeringar"]
    book = await client.get(f"{url}?format=xlsx&{chosen}")
    with zipfile.ZipFile(io.BytesIO(book.content)) as sheets:
        strings = sheets.read("xl/sharedStrings.xml").decode()
    for row in title:
        for cell in row:
            assert html.escape(cell, quote=False) in strings, cell
    plain = await client.get(f"{url}?format=csv&variant=rfc4180&{chosen}")
    rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8"))))
    assert rows[0] == ["Miljö", "Placeringar"] and "Period" not in plain.text
    # The two CSV forms are saved under two names (the second overwrote the first).
    excel_name = default.headers["content-disposition"]
    plain_name = plain.headers["content-disposition"]
    assert plain_name == excel_name.replace('.csv"', '_andra-program.csv"')
    one_month = await client.get(f"{url}?format=csv&start=2026-03&end=2026-03")
    assert ["Period", "mars 2026"] in reportdata.csv_title_rows(one_month.content)
