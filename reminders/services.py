"""The daily reminders: what each job sends, to whom, and on which day.

Each job may run any number of times a day: every message is sent through `notify_once` with a
key naming what it is about, and the inbox's unique rule sends it once. "Today" is the date in
the region of the person (or of the cohort), so that Kamchatka and Kaliningrad are reminded
on their own calendar day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.display import inner_quotes, zone_label
from accounts.models import User
from assessments.models import CaseSubmission
from core.links import absolute_url
from courses.models import Cohort, Enrolment
from notifications.services import notify_once
from schedule.models import Session

GRADING_DIGEST = "grading_digest"
SESSION_REMINDER = "session_reminder"
COHORT_END_REMINDER = "cohort_end_reminder"
# Trainees are told this many days before their cohort's last day.
COHORT_END_NOTICE = dt.timedelta(days=7)


def local_today(time_zone: str, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def grading_digests_send(*, now: dt.datetime | None = None) -> int:
    """One message a day to each instructor with case work waiting in their cohorts.

    It lists, per cohort, how many submitted pieces wait to be graded, each with the link to its
    grading queue; nothing is sent to an instructor whose cohorts have nothing waiting. Returns
    how many digests this run sent.
    """
    now = now or timezone.now()
    waiting = dict(
        CaseSubmission.objects.filter(status=CaseSubmission.Status.SUBMITTED)
        .order_by()
        .values("enrolment__cohort")
        .annotate(count=Count("pk"))
        .values_list("enrolment__cohort", "count")
    )
    if not waiting:
        return 0
    cohorts = (
        Cohort.objects.filter(pk__in=waiting)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "instructors",
                queryset=User.objects.filter(is_active=True).select_related("region"),
            )
        )
        .order_by("name", "pk")
    )
    per_instructor: dict[User, list[tuple[Cohort, int]]] = defaultdict(list)
    for cohort in cohorts:
        for instructor in cohort.instructors.all():
            per_instructor[instructor].append((cohort, waiting[cohort.pk]))

    sent = 0
    for instructor, rows in per_instructor.items():
        total = sum(count for _cohort, count in rows)
        lines = [
            ngettext(
                "«%(cohort)s»: %(count)s piece of work waits — %(link)s",
                "«%(cohort)s»: %(count)s pieces of work wait — %(link)s",
                count,
            )
            % {
                "cohort": inner_quotes(cohort.name),
                "count": count,
                "link": absolute_url(reverse("assessments:queue", args=(cohort.pk,))),
            }
            for cohort, count in rows
        ]
        only_queue = reverse("assessments:queue", args=(rows[0][0].pk,))
        notification = notify_once(
            recipient=instructor,
            kind=GRADING_DIGEST,
            once_key=local_today(instructor.region.time_zone, now).isoformat(),
            subject=ngettext(
                "%(count)s piece of case work waits to be graded",
                "%(count)s pieces of case work wait to be graded",
                total,
            )
            % {"count": total},
            body="\n".join(lines),
            url=only_queue if len(rows) == 1 else reverse("courses:cohort_list"),
        )
        sent += notification is not None
    return sent


def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each active trainee of a cohort's session the day before it (in the region's time).

    A session later today that was not announced yet (made this morning, or the job did not run
    yesterday) is announced too; one that has started is not. A session moved to another time
    is announced again. Returns how many reminders this run sent.
    """
    now = now or timezone.now()
    # Wide enough for every time zone of Russia; the exact day is checked per region below.
    sessions = (
        Session.objects.filter(starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=3))
        .select_related("cohort__region")
        .order_by("starts_at")
    )
    due = []
    for session in sessions:
        zone = ZoneInfo(session.cohort.region.time_zone)
        today = now.astimezone(zone).date()
        if session.starts_at.astimezone(zone).date() <= today + dt.timedelta(days=1):
            due.append((session, zone))
    if not due:
        return 0
    trainees = _active_trainees(cohort_ids={session.cohort_id for session, _zone in due})

    sent = 0
    for session, zone in due:
        starts = session.starts_at.astimezone(zone)
        where = session.link if session.format == Session.Format.ONLINE else session.room
        when = _("%(date)s at %(time)s, %(zone)s") % {
            "date": formats.date_format(starts, "j E (l)"),
            "time": formats.time_format(starts, "H:i"),
            "zone": zone_label(zone.key, starts),
        }
        body = _("«%(topic)s», %(cohort)s: %(when)s.") % {
            "topic": inner_quotes(session.topic),
            "cohort": session.cohort.name,
            "when": when,
        }
        if where:
            body += "\n" + _("Where: %(where)s") % {"where": where}
        for trainee in trainees[session.cohort_id]:
            notification = notify_once(
                recipient=trainee,
                kind=SESSION_REMINDER,
                # The start is part of the key: a session moved after the reminder is announced
                # again at its new time.
                once_key=f"session:{session.pk}:{session.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M}",
                subject=_("Session reminder: %(topic)s") % {"topic": session.topic},
                body=body,
                url=reverse("schedule:session", args=(session.pk,)),
            )
            sent += notification is not None
    return sent


def cohort_end_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Tell each active trainee that their cohort ends in a week (at most seven days ahead).

    A cohort whose last day is seven days away or nearer, and not past, is due; a trainee hears
    of it once. Returns how many reminders this run sent.
    """
    now = now or timezone.now()
    # A day of margin either side for the time zones; the exact day is checked per region.
    horizon = timezone.localdate(now) + COHORT_END_NOTICE + dt.timedelta(days=1)
    cohorts = Cohort.objects.filter(
        ends_on__gte=timezone.localdate(now) - dt.timedelta(days=1), ends_on__lte=horizon
    ).select_related("region", "program")
    due = []
    for cohort in cohorts:
        today = local_today(cohort.region.time_zone, now)
        if today <= cohort.ends_on <= today + COHORT_END_NOTICE:
            due.append((cohort, (cohort.ends_on - today).days))
    if not due:
        return 0
    trainees = _active_trainees(cohort_ids={cohort.pk for cohort, _days in due})

    sent = 0
    for cohort, days in due:
        for trainee in trainees[cohort.pk]:
            notification = notify_once(
                recipient=trainee,
                kind=COHORT_END_REMINDER,
                once_key=f"cohort:{cohort.pk}:{cohort.ends_on.isoformat()}",
                subject=_ends_in(cohort, days),
                body=_(
                    "The last day of «%(program)s» in «%(cohort)s» is %(date)s. Check on «My "
                    "learning» what is still missing for completion."
                )
                % {
                    "program": inner_quotes(cohort.program.title),
                    "cohort": inner_quotes(cohort.name),
                    "date": formats.date_format(cohort.ends_on, "j E Y"),
                },
                url=reverse("courses:learning"),
            )
            sent += notification is not None
    return sent


def _ends_in(cohort: Cohort, days: int) -> str:
    if days == 0:
        return _("«%(cohort)s» ends today") % {"cohort": inner_quotes(cohort.name)}
    return ngettext(
        "«%(cohort)s» ends in %(days)s day", "«%(cohort)s» ends in %(days)s days", days
    ) % {"cohort": inner_quotes(cohort.name), "days": days}


def _active_trainees(*, cohort_ids: set[int]) -> dict[int, list[User]]:
    """The active trainees of each cohort (withdrawn and completed ones are not reminded)."""
    by_cohort: dict[int, list[User]] = defaultdict(list)
    enrolments = Enrolment.objects.filter(
        cohort_id__in=cohort_ids, status=Enrolment.Status.ACTIVE, trainee__is_active=True
    ).select_related("trainee")
    for enrolment in enrolments:
        by_cohort[enrolment.cohort_id].append(enrolment.trainee)
    return by_cohort
