"""Documents made from pages: the agreement as a PDF for the archive.

The PDF is the template `agreements/archive.html` (every version of the agreement, newest
first, each with its own signatures) rendered by WeasyPrint. WeasyPrint lays out with Pango,
which the machine provides (Debian's chromium package, installed for the browser tests,
brings it). Rendering is CPU-bound, so it runs in a worker thread and the event loop keeps
answering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
from litestar.template import TemplateEngineProtocol

from marketplace.kernel.clock import STOCKHOLM
from placements.schemas import agreements as schemas

SIGNING_METHODS = {"app": "i tjänsten", "link": "via länk", "paper": "på papper"}


def archive_html(
    engine: TemplateEngineProtocol[Any, Any],
    booking_id: int,
    versions: list[schemas.Agreement],
    now: dt.datetime,
) -> str:
    """The archive document's HTML (also what the tests read)."""
    template = engine.get_template("agreements/archive.html")
    return str(
        template.render(
            booking_id=booking_id,
            versions=versions,
            stockholm=STOCKHOLM,
            methods=SIGNING_METHODS,
            printed_at=now.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        )
    )


def _render_pdf(html: str) -> bytes:
    import weasyprint  # imported here: loading Pango costs a worker's start ~0.3 s

    return bytes(weasyprint.HTML(string=html).write_pdf())


async def archive_pdf(html: str) -> bytes:
    """`html` as a PDF, rendered off the event loop."""
    return await anyio.to_thread.run_sync(_render_pdf, html)


def attendance_html(
    engine: TemplateEngineProtocol[Any, Any],
    statement: Any,
    month_text: str,
    now: dt.datetime,
) -> str:
    """The monthly attendance statement's HTML for the PDF (also what the tests read)."""
    template = engine.get_template("placements/attendance_pdf.html")
    return str(
        template.render(
            statement=statement,
            month_text=month_text,
            printed_at=now.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        )
    )
