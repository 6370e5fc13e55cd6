"""Changes to cohorts, enrolments and completions. Views, commands and tasks all come here."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role

from .models import ActivityCompletion, ActivityPage, Cohort, Enrolment, LessonPage
from .selectors import enrolment_for


def cohort_has_room(cohort: Cohort, *, extra: int = 1) -> bool:
    active = cohort.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
    return active + extra <= cohort.capacity


@transaction.atomic
def enrolment_create(*, trainee, cohort: Cohort, enrolled_on: dt.date | None = None) -> Enrolment:
    """Enrol a trainee in a cohort (or bring back a withdrawn enrolment there).

    Refused when the cohort is full, or when the trainee is already studying the programme in
    another cohort (the database holds that rule too).
    """
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()  # serialise on the cohort
    existing = Enrolment.objects.filter(trainee=trainee, cohort=cohort).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        return existing
    if not cohort_has_room(cohort):
        raise ValidationError(
            _("The cohort «%(cohort)s» is full (%(capacity)s places).")
            % {"cohort": cohort.name, "capacity": cohort.capacity}
        )
    elsewhere = (
        Enrolment.objects.filter(
            trainee=trainee, program=cohort.program, status=Enrolment.Status.ACTIVE
        )
        .exclude(cohort=cohort)
        .select_related("cohort")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            _("%(trainee)s already studies this programme in «%(cohort)s».")
            % {"trainee": trainee.full_name, "cohort": elsewhere.cohort}
        )
    if existing is not None:
        existing.status = Enrolment.Status.ACTIVE
        existing.withdrawn_on = None
        existing.save(update_fields=["status", "withdrawn_on"])
        enrolment = existing
    else:
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    trainee=trainee,
                    cohort=cohort,
                    program=cohort.program,
                    enrolled_on=enrolled_on or timezone.localdate(),
                )
        except IntegrityError as error:  # a parallel enrolment won the race
            raise ValidationError(
                _("%(trainee)s already studies this programme.") % {"trainee": trainee.full_name}
            ) from error
    trainee.groups.add(Group.objects.get(name=Role.TRAINEE))
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, on: dt.date | None = None) -> Enrolment:
    if enrolment.status != Enrolment.Status.WITHDRAWN:
        enrolment.status = Enrolment.Status.WITHDRAWN
        enrolment.withdrawn_on = on or timezone.localdate()
        enrolment.save(update_fields=["status", "withdrawn_on"])
    return enrolment


def enrolment_restore(*, enrolment: Enrolment) -> Enrolment:
    return enrolment_create(trainee=enrolment.trainee, cohort=enrolment.cohort)


def activity_complete(
    *,
    enrolment: Enrolment,
    activity: ActivityPage,
    source: str,
    at: dt.datetime | None = None,
) -> ActivityCompletion:
    """Record that the trainee has done the activity; doing it again changes nothing."""
    completion, _created = ActivityCompletion.objects.get_or_create(
        enrolment=enrolment,
        activity_id=activity.pk,
        defaults={"source": source, "completed_at": at or timezone.now()},
    )
    return completion


def lesson_mark_studied(*, user, lesson: LessonPage) -> ActivityCompletion:
    """The trainee's "Отметить как изученное" on a published lesson of their programme."""
    if not lesson.live:
        raise PermissionDenied
    enrolment = enrolment_for(user, lesson.program)
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        raise PermissionDenied(_("Only trainees studying this programme can mark its lessons."))
    return activity_complete(
        enrolment=enrolment, activity=lesson, source=ActivityCompletion.Source.SELF
    )
