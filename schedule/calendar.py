"""iCalendar (RFC 5545) feeds of sessions, in UTC with the region's time zone named."""

from __future__ import annotations

from django.urls import reverse
from icalendar import Calendar, Event

from core.links import absolute_url

from .models import Session


def session_calendar(sessions, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Coordinator School LMS//schedule//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for session in sessions.prefetch_related("speakers"):
        event = Event()
        event.add("uid", f"session-{session.pk}@coordinator-school")
        event.add("summary", session.topic)
        event.add("dtstart", session.starts_at)  # aware datetimes: written in UTC
        event.add("dtend", session.ends_at)
        event.add("dtstamp", session.starts_at)
        where = session.link if session.format == Session.Format.ONLINE else session.room
        if where:
            event.add("location", where)
        speakers = ", ".join(str(speaker) for speaker in session.speakers.all())
        event.add("description", f"{session.cohort.name}. {speakers}".strip(". "))
        event.add("url", absolute_url(reverse("schedule:session", args=(session.pk,))))
        calendar.add_component(event)
    return calendar.to_ical()
