"""Changes to cohorts, enrolments and completions. Views, commands and tasks all come here."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.display import inner_quotes
from accounts.roles import Role
from notifications.services import notify

from .curriculum import PracticeBalanceError
from .models import (
    ActivityCompletion,
    ActivityPage,
    Cohort,
    Enrolment,
    EnrolmentEvent,
    LessonPage,
)
from .selectors import enrolment_for

# Long enough for a sentence or two of explanation, short enough for the record and the letter.
WITHDRAWAL_REASON_MAX = 500


def cohort_has_room(cohort: Cohort, *, extra: int = 1) -> bool:
    active = cohort.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
    return active + extra <= cohort.capacity


@transaction.atomic
def enrolment_create(
    *, trainee, cohort: Cohort, enrolled_on: dt.date | None = None, by=None
) -> Enrolment:
    """Enrol a trainee in a cohort (or bring back a withdrawn enrolment there, which the
    enrolment's history keeps as a restoration by `by`).

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
            % {"cohort": inner_quotes(cohort.name), "capacity": cohort.capacity}
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
            % {"trainee": trainee.full_name, "cohort": inner_quotes(elsewhere.cohort)}
        )
    if existing is not None:
        existing.status = Enrolment.Status.ACTIVE
        existing.withdrawn_on = None
        existing.withdrawal_reason = ""
        existing.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
        EnrolmentEvent.objects.create(
            enrolment=existing,
            kind=EnrolmentEvent.Kind.RESTORED,
            on=timezone.localdate(),
            by=by,
        )
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


def withdrawal_errors(*, enrolment: Enrolment, on: dt.date | None, reason: str) -> dict:
    """What is wrong with a withdrawal, field by field (empty when nothing is).

    The date is neither before the enrolment nor after today; the reason is required and bounded.
    """
    errors = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = _("Say why the trainee leaves the cohort.")
    elif len(reason) > WITHDRAWAL_REASON_MAX:
        errors["reason"] = _("The reason is too long: at most %(max)s characters.") % {
            "max": WITHDRAWAL_REASON_MAX
        }
    if on is None:
        errors["on"] = _("Give the date of the withdrawal.")
    elif on < enrolment.enrolled_on:
        errors["on"] = _("The date cannot be before the enrolment (%(date)s).") % {
            "date": date_format(enrolment.enrolled_on, "j E Y")
        }
    elif on > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    return errors


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, on: dt.date, reason: str, by=None) -> Enrolment:
    """Withdraw a trainee from their cohort, keep the change in their history and tell them.

    Withdrawing someone already withdrawn changes nothing (a second click, a parallel request).
    """
    errors = withdrawal_errors(enrolment=enrolment, on=on, reason=reason)
    if errors:
        raise ValidationError(errors)
    # The row lock makes a double submission record one withdrawal, not two.
    locked = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if locked.status != Enrolment.Status.WITHDRAWN:
        locked.status = Enrolment.Status.WITHDRAWN
        locked.withdrawn_on = on
        locked.withdrawal_reason = reason.strip()
        locked.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
        _withdrawal_recorded(locked, by=by)
    # The caller's object tells the truth afterwards, whichever request won.
    enrolment.status, enrolment.withdrawn_on = locked.status, locked.withdrawn_on
    enrolment.withdrawal_reason = locked.withdrawal_reason
    return enrolment


def _withdrawal_recorded(locked: Enrolment, *, by) -> None:
    """The withdrawal's row in the trainee's history, and the message that tells them."""
    on = locked.withdrawn_on
    EnrolmentEvent.objects.create(
        enrolment=locked,
        kind=EnrolmentEvent.Kind.WITHDRAWN,
        on=on,
        reason=locked.withdrawal_reason,
        by=by,
    )
    notify(
        recipient=locked.trainee,
        subject=_("You were withdrawn from the cohort «%(cohort)s»")
        % {"cohort": inner_quotes(locked.cohort.name)},
        body=_("Withdrawn on %(date)s. Reason: %(reason)s")
        % {"date": date_format(on, "j E Y"), "reason": locked.withdrawal_reason},
        url=reverse("courses:learning"),
    )


@transaction.atomic
def enrolment_restore(*, enrolment: Enrolment, by=None) -> Enrolment:
    """Bring a withdrawn trainee back; the withdrawal stays in their history, followed by this."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status == Enrolment.Status.WITHDRAWN:
        locked = enrolment_create(trainee=locked.trainee, cohort=locked.cohort, by=by)
        notify(
            recipient=locked.trainee,
            subject=_("You are back in the cohort «%(cohort)s»")
            % {"cohort": inner_quotes(locked.cohort.name)},
            url=reverse("courses:learning"),
        )
    enrolment.status, enrolment.withdrawn_on = locked.status, locked.withdrawn_on
    enrolment.withdrawal_reason = locked.withdrawal_reason
    return enrolment


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


def scheduled_revision_publish(*, revision) -> str | None:
    """Publish a revision whose scheduled time has come; None when it went live.

    A revision that the practice rule refuses is taken off the schedule instead, and its author
    is told why: the rest of the schedule must go on (one refusal used to stop every later
    publication of the run, and again at every run).
    """
    try:
        with transaction.atomic():
            revision.publish(log_action="wagtail.publish.scheduled")
    except PracticeBalanceError as error:
        message = " ".join(error.messages)
    else:
        return None
    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    page = revision.as_object()
    if revision.user is not None:
        notify(
            recipient=revision.user,
            subject=_("«%(title)s» was not published as scheduled")
            % {"title": inner_quotes(page.title)},
            body=message,
            url=reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        )
    return message
