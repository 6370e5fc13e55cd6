"""Sessions, attendance, self check-in and feedback: every change goes through here."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
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
FEEDBACK_COMMENT_CHARS = SessionFeedback._meta.get_field("comment").max_length


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


def _lock(session: Session) -> None:
    """Lock the session's row until the transaction ends.

    Every write of a session's register (a mark, «mark all present», a QR check-in) takes this
    lock first, so two of them sent at once run one after the other: the second sees the row the
    first created, instead of inserting it again against the one-mark-per-trainee rule (a 500),
    and «mark all present» counts only the trainees it marked itself. One row, always taken
    first, so no two writers can wait for each other.
    """
    Session.objects.select_for_update().filter(pk=session.pk).values_list("pk").first()


@transaction.atomic
def attendance_mark(
    *, session: Session, enrolment: Enrolment, status: str, by, via: str = "register"
) -> Attendance:
    """Mark one trainee; a correction keeps the old mark in the audit trail."""
    if enrolment.cohort_id != session.cohort_id:
        raise ValidationError(
            _("%(name)s is not in this cohort.") % {"name": enrolment.trainee.full_name}
        )
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            _("%(name)s is withdrawn from this cohort.") % {"name": enrolment.trainee.full_name}
        )
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance mark."))
    _lock(session)
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


@transaction.atomic
def register_update(*, session: Session, marks: dict[str, str], by) -> int:
    """Save the register as the form sent it: {enrolment id: mark}; an empty mark is skipped.

    All or nothing: a mark for someone not on the register (another cohort's trainee, a
    withdrawn one, a malformed id) or an unknown mark refuses the whole form, so that a rejected
    request changes nothing. Returns how many marks changed.
    """
    _lock(session)
    on_register = {
        str(enrolment.pk): enrolment
        for enrolment in Enrolment.objects.filter(cohort_id=session.cohort_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("trainee")
    }
    errors, chosen = [], []
    for key, status in marks.items():
        if not status:
            continue
        enrolment = on_register.get(key)
        if enrolment is None:
            errors.append(_("A mark was sent for someone not on this register."))
        elif status not in Attendance.Status.values:
            errors.append(_("Unknown attendance mark."))
        else:
            chosen.append((enrolment, status))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    before = dict(session.attendance.values_list("enrolment_id", "status"))  # one read
    for enrolment, status in chosen:
        attendance_mark(session=session, enrolment=enrolment, status=status, by=by)
    return sum(before.get(enrolment.pk) != status for enrolment, status in chosen)


@transaction.atomic
def mark_all_present(*, session: Session, by) -> int:
    """Everyone studying in the cohort and not yet marked is marked present."""
    _lock(session)  # a second «mark all» sent at once finds everyone marked, and counts 0
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


def checkin_enrolment(user, session: Session) -> Enrolment | None:
    """The place in the session's cohort that checks in: an active one only, never a withdrawn
    (or completed) trainee's."""
    return (
        Enrolment.objects.filter(
            trainee=user, cohort_id=session.cohort_id, status=Enrolment.Status.ACTIVE
        )
        .select_related("trainee")
        .first()
    )


@transaction.atomic
def checkin(*, user, session: Session, code: str, now: dt.datetime | None = None) -> Attendance:
    """A trainee of the cohort who scanned the current code is marked present (late after 15 min).

    The code of this minute and of the previous one are accepted, and only while the session runs,
    so a photo sent to someone else soon stops working. Only a trainee still studying checks in:
    never a withdrawn one.
    """
    now = now or timezone.now()
    enrolment = checkin_enrolment(user, session)
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
    # Read the mark under the register's lock: of two taps sent at once, the second finds the
    # first's mark and keeps it (it never turns «present» into «late» a minute on).
    _lock(session)
    existing = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if existing and existing.status in ATTENDED:
        return existing
    status = (
        Attendance.Status.LATE
        if now > session.starts_at + LATE_AFTER
        else Attendance.Status.PRESENT
    )
    return attendance_mark(session=session, enrolment=enrolment, status=status, by=user, via="qr")


def feedback_refusal(
    *, enrolment: Enrolment | None, attendance: Attendance | None, session: Session, now
) -> str | None:
    """Why this trainee cannot rate the session (None: they can): only a trainee still in the
    cohort (their feedback_enrolment) who attended it, once it has begun."""
    if enrolment is None:  # see feedback_enrolment: never a withdrawn trainee's
        return _("Only trainees of this cohort can rate its sessions.")
    if attendance is None or attendance.status not in ATTENDED:
        return _("Only trainees who attended the session can rate it.")
    if now < session.starts_at:
        return _("The session has not taken place yet.")
    return None


def feedback_enrolment(user, session: Session) -> Enrolment | None:
    """The trainee's place in the session's cohort that may rate it: not a withdrawn one (a
    trainee restored to the cohort has a new enrolment beside the withdrawn one)."""
    return (
        Enrolment.objects.filter(trainee=user, cohort_id=session.cohort_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )


def feedback_leave(*, user, session: Session, rating: int, comment: str) -> SessionFeedback:
    """Rate a session once, after attending it."""
    enrolment = feedback_enrolment(user, session)
    attendance = (
        Attendance.objects.filter(session=session, enrolment=enrolment).first()
        if enrolment
        else None
    )
    refusal = feedback_refusal(
        enrolment=enrolment, attendance=attendance, session=session, now=timezone.now()
    )
    if refusal:
        raise ValidationError(refusal)
    if not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."))
    if len(comment) > FEEDBACK_COMMENT_CHARS:
        raise ValidationError(
            _("A comment can hold at most %(max)s characters.") % {"max": FEEDBACK_COMMENT_CHARS}
        )
    if "\x00" in comment:  # PostgreSQL cannot store it; no keyboard types it
        raise ValidationError(_("A comment holds a character that cannot be saved."))
    try:
        # The one-rating-per-trainee rule is the database's: of two ratings sent at once (a
        # double click, two tabs) the second hits it, in its own savepoint, and is told so.
        with transaction.atomic():
            return SessionFeedback.objects.create(
                session=session, enrolment=enrolment, rating=rating, comment=comment.strip()
            )
    except IntegrityError:
        raise ValidationError(_("You have already rated this session.")) from None


def calendar_token(user) -> CalendarToken:
    """The user's calendar key, made on first use; get_or_create survives two first uses at once
    (the second's insert fails on the one-key-per-user rule and it reads the first's)."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def calendar_token_reset(user) -> CalendarToken:
    """A new key: the old address stops working. Two resets at once leave one key, the later."""
    token = calendar_token(user)
    token.token = new_secret()
    token.save(update_fields=["token", "created_at"])
    return token
