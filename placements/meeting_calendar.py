"""The planning meeting's calendar event (RFC 5545, the `icalendar` package), attached to
the invitation mail (issue 18).

One meeting is one event for its whole life: the UID is made once when it is booked and kept;
each change (a new time or place) raises SEQUENCE, so the receiving calendar replaces the
event instead of adding a second. A cancellation is METHOD:CANCEL with STATUS:CANCELLED and
the next SEQUENCE. Times are written in Europe/Stockholm (DTSTART;TZID=Europe/Stockholm) with
the zone's VTIMEZONE, so a calendar shows the Swedish time whatever zone it runs in.

The event names no participant: the summary says "Planeringsmöte" and the organisation (in
the language the application was written in).
"""

from __future__ import annotations

import datetime as dt

import icalendar

from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.i18n import N_

PRODID = "-//Praktikplatser//Planeringsmöte//SV"
SUMMARY = N_("Planeringsmöte med %(unit)s")  # the unit: UNIT_NAME
METHODS = ("REQUEST", "CANCEL")


def meeting_ics(
    *,
    uid: str,
    sequence: int,
    method: str,
    starts_at: dt.datetime,
    minutes: int,
    place: str,
    video_link: str,
    organizer: str,
    organizer_name: str,
    attendee: str,
    stamp: dt.datetime,
    summary: str,
) -> str:
    """The calendar file (text) of one meeting, as a request (new or changed) or a cancel."""
    if method not in METHODS:
        raise ValueError(method)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    local = starts_at.astimezone(STOCKHOLM)
    event.add("dtstart", local)
    event.add("dtend", local + dt.timedelta(minutes=minutes))
    event.add("summary", summary)
    location = place or video_link
    if location:
        event.add("location", location)
    if video_link:
        event.add("url", video_link)
    lines = ["Välkommen till ett planeringsmöte om ditt stöd mot arbete eller studier."]
    if place:
        lines.append(f"Plats: {place}")
    if video_link:
        lines.append(f"Videolänk: {video_link}")
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", f"mailto:{organizer}", parameters={"cn": organizer_name})
    event.add(
        "attendee",
        f"mailto:{attendee}",
        parameters={"role": "REQ-PARTICIPANT", "rsvp": "FALSE"},
    )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")
