"""Sessions, attendance, self check-in and feedback: every change goes through here."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment

from .models import (
    Attendance,
    AttendanceChange,
    CalendarToken,
    Session,
    SessionFeedback,
    new_secret,
)

CHECKIN_STEP = 60  # seconds a check-in code lives
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=15)
LATE_AFTER = dt.timedelta(minutes=15)
ATTENDED = {Attendance.Status.PRESENT, Attendance.Status.LATE}


def overlapping(session: Session):
    """Other sessions of the same cohort that overlap this one in time (a warning, not an error)."""
    others = Session.objects.filter(
        cohort_id=session.cohort_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
    )
    if session.pk:
        others = others.exclude(pk=session.pk)
    return others


def session_errors(session: Session) -> dict[str, str]:
    """Why a session cannot be saved as it is; empty when it can."""
    errors = {}
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    cohort = session.cohort
    if session.starts_at and session.starts_at.date() < cohort.starts_on:
        errors["starts_at"] = _("The cohort starts only on %(date)s.") % {"date": cohort.starts_on}
    if session.ends_at and session.ends_at.date() > cohort.ends_on:
        errors["ends_at"] = _("The cohort ends on %(date)s.") % {"date": cohort.ends_on}
    if session.format == Session.Format.ONLINE and not session.link:
        errors["link"] = _("An online session needs its link.")
    return errors


@transaction.atomic
def sessions_create(*, session: Session, speakers, materials, weeks: int = 1) -> list[Session]:
    """Create the session, and the same one in each of the following weeks when asked."""
    created = []
    for week in range(weeks):
        copy = Session(
            cohort=session.cohort,
            module=session.module,
            topic=session.topic,
            starts_at=session.starts_at + dt.timedelta(weeks=week),
            ends_at=session.ends_at + dt.timedelta(weeks=week),
            format=session.format,
            room=session.room,
            link=session.link,
            hours=session.hours,
            kind=session.kind,
        )
        errors = session_errors(copy)
        if errors:
            raise ValidationError(
                _("Week %(week)s: %(errors)s")
                % {"week": week + 1, "errors": " ".join(errors.values())}
            )
        copy.save()
        copy.speakers.set(speakers)
        copy.materials.set(materials)
        created.append(copy)
    return created


@transaction.atomic
def attendance_mark(
    *, session: Session, enrolment: Enrolment, status: str, by, via: str = "register"
) -> Attendance:
    """Mark one trainee; a correction keeps the old mark in the audit trail."""
    if enrolment.cohort_id != session.cohort_id:
        raise ValidationError(
            _("%(name)s is not in this cohort.") % {"name": enrolment.trainee.full_name}
        )
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance mark."))
    now = timezone.now()
    attendance = (
        Attendance.objects.select_for_update().filter(session=session, enrolment=enrolment).first()
    )
    old = attendance.status if attendance else ""
    if attendance is None:
        attendance = Attendance(session=session, enrolment=enrolment)
    elif old == status:
        return attendance
    attendance.status = status
    attendance.marked_at = now
    attendance.marked_by = by if getattr(by, "pk", None) else None
    attendance.save()
    AttendanceChange.objects.create(
        attendance=attendance,
        old_status=old,
        new_status=status,
        changed_by=attendance.marked_by,
        changed_at=now,
        via=via,
    )
    return attendance


def mark_all_present(*, session: Session, by) -> int:
    """Everyone studying in the cohort and not yet marked is marked present."""
    marked = set(session.attendance.values_list("enrolment_id", flat=True))
    count = 0
    for enrolment in session.cohort.enrolments.filter(
        status=Enrolment.Status.ACTIVE
    ).select_related("trainee"):
        if enrolment.pk not in marked:
            attendance_mark(
                session=session, enrolment=enrolment, status=Attendance.Status.PRESENT, by=by
            )
            count += 1
    return count


def checkin_code(session: Session, at: dt.datetime) -> str:
    """The code shown as a QR in the room; it changes every minute."""
    step = int(at.timestamp()) // CHECKIN_STEP
    digest = hmac.new(session.checkin_secret.encode(), str(step).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().rstrip("=").lower()


def checkin_open(session: Session, now: dt.datetime) -> bool:
    return session.starts_at - CHECKIN_OPENS_BEFORE <= now <= session.ends_at


class CheckinError(Exception):
    """The code cannot mark anyone present; the message says why."""


def checkin(*, user, session: Session, code: str, now: dt.datetime | None = None) -> Attendance:
    """A trainee of the cohort who scanned the current code is marked present (late after 15 min).

    The code of this minute and of the previous one are accepted, and only while the session runs,
    so a photo sent to someone else soon stops working.
    """
    now = now or timezone.now()
    enrolment = (
        Enrolment.objects.filter(
            trainee=user, cohort_id=session.cohort_id, status=Enrolment.Status.ACTIVE
        )
        .select_related("trainee")
        .first()
    )
    if enrolment is None:
        raise PermissionDenied(_("Only trainees of this cohort can check in."))
    if not checkin_open(session, now):
        raise CheckinError(_("Check-in is open only during the session."))
    valid = {
        checkin_code(session, now),
        checkin_code(session, now - dt.timedelta(seconds=CHECKIN_STEP)),
    }
    if not any(hmac.compare_digest(code.lower(), candidate) for candidate in valid):
        raise CheckinError(_("This code has expired: scan the code on the screen again."))
    existing = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if existing and existing.status in ATTENDED:
        return existing
    status = (
        Attendance.Status.LATE
        if now > session.starts_at + LATE_AFTER
        else Attendance.Status.PRESENT
    )
    return attendance_mark(session=session, enrolment=enrolment, status=status, by=user, via="qr")


def feedback_leave(*, user, session: Session, rating: int, comment: str) -> SessionFeedback:
    """Rate a session once, after attending it."""
    attendance = (
        Attendance.objects.filter(session=session, enrolment__trainee=user)
        .select_related("enrolment")
        .first()
    )
    if attendance is None or attendance.status not in ATTENDED:
        raise ValidationError(_("Only trainees who attended the session can rate it."))
    if timezone.now() < session.starts_at:
        raise ValidationError(_("The session has not taken place yet."))
    if not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."))
    if SessionFeedback.objects.filter(session=session, enrolment=attendance.enrolment).exists():
        raise ValidationError(_("You have already rated this session."))
    return SessionFeedback.objects.create(
        session=session,
        enrolment=attendance.enrolment,
        rating=rating,
        comment=comment.strip()[:2000],
    )


def calendar_token(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def calendar_token_reset(user) -> CalendarToken:
    token = calendar_token(user)
    token.token = new_secret()
    token.save(update_fields=["token", "created_at"])
    return token
