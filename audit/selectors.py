"""Searching the audit trail: by the person who acted, the trainee concerned, kind, period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The kinds of data the trail records, as the filter offers them (app label, model).
KINDS = [
    ("accounts", "user"),
    ("courses", "enrolment"),
    ("schedule", "attendance"),
    ("assessments", "casegrade"),
    ("certificates", "certificate"),
    ("courses", "cohort"),
]


# django-auditlog's actions, in our words (it has no Russian of its own).
ACTIONS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


@dataclass
class TrailQuery:
    actor: str = ""  # login, e-mail or name of the person who acted
    trainee: str = ""  # login, e-mail or name of the trainee concerned
    kind: ContentType | None = None
    action: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def kinds() -> list[ContentType]:
    return [ContentType.objects.get_by_natural_key(app, model) for app, model in KINDS]


def people_matching(text: str) -> QuerySet:
    """Accounts whose login, e-mail or name holds every word of `text`."""
    from accounts.models import User

    words = text.split()
    people = User.objects.all()
    for word in words:
        people = people.filter(
            Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(patronymic__icontains=word)
        )
    return people


def concerning(trainee_ids) -> Q:
    """Entries about these trainees: their account, and every enrolment, attendance mark, case
    grade, certificate and cohort page (a gradebook seen) that leads to them."""
    from assessments.models import CaseSubmission
    from courses.models import Enrolment

    trainee_ids = list(trainee_ids)
    enrolments = Enrolment.objects.filter(trainee_id__in=trainee_ids)
    enrolment_ids = list(enrolments.values_list("pk", flat=True))
    cohort_ids = list(enrolments.values_list("cohort_id", flat=True).distinct())
    submission_ids = list(
        CaseSubmission.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True)
    )
    return (
        Q(additional_data__trainee__in=trainee_ids)
        | Q(additional_data__enrolment__in=enrolment_ids)
        | Q(additional_data__submission__in=submission_ids)
        | Q(additional_data__cohort__in=cohort_ids, content_type__model="cohort")
    )


def trail(query: TrailQuery) -> QuerySet:
    """The entries matching `query`, newest first, with who acted."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if query.actor:
        entries = entries.filter(
            Q(actor__in=people_matching(query.actor)) | Q(actor_email__icontains=query.actor)
        )
    if query.trainee:
        trainees = people_matching(query.trainee).values_list("pk", flat=True)
        entries = entries.filter(concerning(trainees))
    if query.kind is not None:
        entries = entries.filter(content_type=query.kind)
    if query.action is not None:
        entries = entries.filter(action=query.action)
    if query.since is not None:
        entries = entries.filter(timestamp__gte=_midnight(query.since))
    if query.until is not None:
        entries = entries.filter(timestamp__lt=_midnight(query.until + dt.timedelta(days=1)))
    return entries


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
