"""Reads of the schedule, scoped to who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from courses.curriculum import percent_of
from courses.models import Enrolment
from courses.selectors import cohorts_visible_to, follows_cohorts

from .models import Attendance, Session, SessionFeedback
from .services import ATTENDED


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions of the cohorts the user follows or studies in."""
    return Session.objects.filter(cohort__in=cohorts_visible_to(user)).select_related(
        "cohort__region", "module"
    )


def trainee_sessions(user) -> QuerySet[Session]:
    """Sessions of the cohorts the user studies in (not withdrawn)."""
    cohorts = (
        Enrolment.objects.filter(trainee=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("cohort")
    )
    return Session.objects.filter(cohort__in=cohorts).select_related("cohort__region")


def my_sessions(user) -> QuerySet[Session]:
    """A person's schedule: the cohorts they teach or follow, or those they study in."""
    if follows_cohorts(user):
        return sessions_visible_to(user)
    return trainee_sessions(user)


@dataclass
class AttendanceRate:
    attended: int
    counted: int  # sessions held, less excused absences

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.attended, self.counted) if self.counted else None


def attendance_rate(enrolment: Enrolment, now: dt.datetime | None = None) -> AttendanceRate:
    """Attended sessions of those already held; an excused absence does not count against it.

    A held session with no mark counts as missed.
    """
    return cohort_attendance(cohort_id=enrolment.cohort_id, enrolments=[enrolment], now=now)[
        enrolment.pk
    ]


def cohort_attendance(
    *, cohort_id: int, enrolments: list[Enrolment], now: dt.datetime | None = None
) -> dict[int, AttendanceRate]:
    """`attendance_rate` for each of the enrolments of one cohort, in two queries."""
    now = now or timezone.now()
    held = Session.objects.filter(cohort_id=cohort_id, ends_at__lte=now).count()
    marks: dict[int, dict[str, int]] = {enrolment.pk: {} for enrolment in enrolments}
    for row in (
        Attendance.objects.filter(enrolment__in=enrolments, session__ends_at__lte=now)
        .values("enrolment_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        marks[row["enrolment_id"]][row["status"]] = row["count"]
    return {
        enrolment_id: AttendanceRate(
            attended=sum(counts.get(status, 0) for status in ATTENDED),
            counted=held - counts.get(Attendance.Status.EXCUSED, 0),
        )
        for enrolment_id, counts in marks.items()
    }


@dataclass
class SessionMark:
    """One session of the trainee's cohort and what the register says of them."""

    session: Session
    status: str  # an Attendance.Status, or "" when nobody marked it
    held: bool

    @property
    def status_label(self) -> str:
        return Attendance.Status(self.status).label if self.status else ""

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


def attendance_by_session(
    *, enrolment: Enrolment, now: dt.datetime | None = None
) -> list[SessionMark]:
    """Every session of the trainee's cohort in order, with their mark. Two queries."""
    now = now or timezone.now()
    marks = dict(Attendance.objects.filter(enrolment=enrolment).values_list("session_id", "status"))
    return [
        SessionMark(session=session, status=marks.get(session.pk, ""), held=session.ends_at <= now)
        for session in Session.objects.filter(cohort_id=enrolment.cohort_id).order_by("starts_at")
    ]


@dataclass
class FeedbackReport:
    count: int
    mean: Decimal | None
    comments: list[str]


def feedback_report(sessions: QuerySet[Session]) -> FeedbackReport:
    feedback = SessionFeedback.objects.filter(session__in=sessions)
    summary = feedback.aggregate(count=Count("pk"), mean=Avg("rating"))
    mean = summary["mean"]
    return FeedbackReport(
        count=summary["count"],
        mean=Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if mean is not None
        else None,
        comments=[
            comment
            for comment in feedback.order_by("-created_at").values_list("comment", flat=True)
            if comment
        ],
    )
