"""The agreement as a PDF for the archive: every version with its own signatures, for the
parties that may read the agreement, audited, never cached."""

from __future__ import annotations

from marketplace.kernel.tables import AuditEntry
from placements.schemas import agreements as sa
from placements.services import agreements
from tests.builders import make_user
from tests.conftest import login
from tests.placements.bookingdata import make_world
from tests.placements.test_agreements import accepted_booking


async def _two_versions():
    w = await make_world()
    booking_id = await accepted_booking(w)
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=1)
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(tasks="Nya uppgifter: kassa och påfyllning")
    )
    return w, booking_id


async def test_versions_newest_first_each_with_its_signatures():
    w, booking_id = await _two_versions()
    versions = await agreements.agreement_versions_for(w.coordinator, booking_id)
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].tasks == "Nya uppgifter: kassa och påfyllning"
    signed_v1 = {s.party for s in versions[1].signatures if s.signed}
    assert signed_v1 == {"coordinator"}
    assert not any(s.signed for s in versions[0].signatures)


async def test_pdf_download_for_the_host_and_staff(client, make_client):
    w, booking_id = await _two_versions()
    await login(client, w.host_user.username)
    audits_before = await AuditEntry.count().where(AuditEntry.action == "agreement.read")
    answer = await client.get(f"/bokningar/{booking_id}/overenskommelse.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    assert f"overenskommelse-bokning-{booking_id}.pdf" in answer.headers["content-disposition"]
    body = answer.content
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")
    assert await AuditEntry.count().where(AuditEntry.action == "agreement.read") == (
        audits_before + 1
    )
    # The booking page links to the printable page and to the PDF.
    page = await client.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert f"/bokningar/{booking_id}/overenskommelse.pdf" in page.text
    assert f'href="/bokningar/{booking_id}/overenskommelse"' in page.text

    analyst_client = await make_client()
    analyst = await make_user("analyst")
    await login(analyst_client, analyst.username)
    denied = await analyst_client.get(f"/bokningar/{booking_id}/overenskommelse.pdf")
    assert denied.status_code == 403


async def test_archive_html_marks_superseded_versions_and_signing_method(app):
    w, booking_id = await _two_versions()
    from marketplace.kernel import clock
    from placements import documents

    versions = await agreements.agreement_versions_for(w.coordinator, booking_id)
    html = documents.archive_html(app.template_engine, booking_id, versions, clock.now())
    assert html.count('class="version"') == 2
    assert "Version 2." in html and "Version 1." in html
    assert "Dokumentet har 2 versioner, den senaste först" in html
    assert html.count("Ersatt av en senare version.") == 1
    assert "i tjänsten" in html  # the coordinator signed version 1 in the app
    assert "Nya uppgifter: kassa och påfyllning" in html
    # Laid out as the PDF is: each version starts on a page of its own.
    import weasyprint

    assert len(weasyprint.HTML(string=html).render().pages) >= 2


async def test_a_version_changed_before_anyone_signed_is_no_version_of_its_own(app):
    """Seen by a host: the PDF said "Version 3 av 1". Changes before anyone signs are made in
    place (the number counts them), so the archive has one version, numbered as the pages
    number it, and says nothing of versions it does not hold."""
    w = await make_world()
    booking_id = await accepted_booking(w)
    for tasks in ("Plocka", "Plocka och packa"):
        await agreements.update_agreement(
            w.coordinator, booking_id, sa.AgreementUpdate(tasks=tasks)
        )
    from marketplace.kernel import clock
    from placements import documents

    versions = await agreements.agreement_versions_for(w.coordinator, booking_id)
    html = documents.archive_html(app.template_engine, booking_id, versions, clock.now())
    assert len(versions) == 1 and f"Version {versions[0].version}." in html
    assert versions[0].version == 3 and " av 1" not in html and "Dokumentet har" not in html
