"""Keeping the figures current: every write a figure depends on refreshes its cohort.

The lower apps do not know the dashboards exist. Writes that go through `save()`/`delete()` are
heard here through `post_save`/`post_delete`; the few that bypass them (a conditional
`queryset.update()`) send `courses.signals.figures_changed`.

Within a transaction, the cohorts touched are collected (once each: «all present» for eighteen
trainees is one cohort) and, in that same transaction, marked out of date with one
`FiguresInvalidation` row each — so that if the refresh never happens, the figures are known to
be stale rather than silently wrong. After the commit, one background task refreshes them
(`dashboards.tasks.refresh_figures`): the trainee's submission or the instructor's check-in does
not wait for their cohort's figures, and a refresh that finds its cohort's invalidations already
cleared by another (which saw this change) does nothing, so that a cohort busy with many changes
is refreshed about once per round of the worker, not once per change. A refresh that fails is
logged and leaves its invalidation behind for `rebuild_figures --stale`.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from assessments.models import CaseGrade, CaseSubmission, QuizAttempt
from certificates.models import Certificate
from courses.models import (
    ActivityCompletion,
    ActivityPage,
    Cohort,
    Enrolment,
    ModulePage,
    ProgramPage,
)
from courses.signals import figures_changed
from schedule.models import Attendance, Session

from . import services

logger = logging.getLogger(__name__)

PDF_FIELDS = {"pdf", "pdf_sha256"}
QUEUED_KEY = "dashboards:refresh-queued:{}"
QUEUED_SECONDS = 300
_state = threading.local()


class _Pending:
    """The cohorts touched in the current transaction, and what has been resolved to them."""

    def __init__(self):
        self.cohort_ids: set[int] = set()
        self.keys: set[tuple[str, int]] = set()

    def flush(self) -> None:
        if getattr(_state, "pending", None) is self:
            _state.pending = None
        queue_refresh(sorted(self.cohort_ids))


def _pending() -> _Pending:
    """This transaction's collection; a new one if the last was committed or rolled back (a
    rollback discards our on-commit callback, and with it what was collected)."""
    pending = getattr(_state, "pending", None)
    # A bound method is made afresh at each access: compare with ==, not `is`.
    if (
        pending is not None
        and connection.in_atomic_block
        and any(entry[1] == pending.flush for entry in connection.run_on_commit)
    ):
        return pending
    pending = _state.pending = _Pending()
    return pending


def queue_refresh(cohort_ids: list[int]) -> None:
    """One task for the cohorts a committed transaction touched (the demo and the tests run it
    at once, in-process; a deployment's `db_worker` takes it from the queue). A change to one
    cohort whose refresh is already waiting in the queue queues nothing more (see `claimed`)."""
    if not cohort_ids or (len(cohort_ids) == 1 and not claimed(cohort_ids[0])):
        return
    from .tasks import refresh_figures

    try:
        refresh_figures.enqueue(cohort_ids)
    except Exception:
        release(cohort_ids)
        logger.exception(
            "Could not queue the refresh of %s cohorts; they stay marked stale.", len(cohort_ids)
        )


def claimed(cohort_id: int) -> bool:
    """Whether this change should queue its cohort's refresh: False when one is already queued
    and not started (a shared-cache key, `DASHBOARDS_COALESCE_REFRESHES`). That waiting refresh
    covers this change: it releases the key before it reads the cohort's invalidations, and this
    change's invalidation had committed before the key was found taken. The key expires on its
    own (a task lost), and then the next change queues again."""
    if not settings.DASHBOARDS_COALESCE_REFRESHES:
        return True
    try:
        return cache.add(QUEUED_KEY.format(cohort_id), 1, QUEUED_SECONDS)
    except Exception:
        return True  # no shared cache answering: queue, as without coalescing


def release(cohort_ids) -> None:
    """The queued refresh of these cohorts starts (or was never queued): the next change queues
    another."""
    if not settings.DASHBOARDS_COALESCE_REFRESHES:
        return
    try:
        cache.delete_many([QUEUED_KEY.format(cohort_id) for cohort_id in cohort_ids])
    except Exception:
        logger.warning("Could not release the queued refreshes of %s cohorts.", len(cohort_ids))


def touched(kind: str, ids) -> None:
    """Record that the cohorts of these ids ("cohort", "enrolment", "submission", "program")
    changed: resolved to cohorts once per transaction, marked stale at once, refreshed after
    the commit."""
    if services.is_paused():
        return
    pending = _pending()
    new = {(kind, pk) for pk in ids if pk is not None} - pending.keys
    if not new:
        return
    pending.keys |= new
    ids_ = [pk for _kind, pk in new]
    if kind == "cohort":
        cohorts = set(ids_)
    elif kind == "enrolment":
        cohorts = services.enrolments_cohorts(ids_)
    elif kind == "submission":
        cohorts = services.submissions_cohorts(ids_)
    else:
        cohorts = services.program_cohorts(ids_)
    cohorts -= pending.cohort_ids
    if not cohorts:
        return
    services.invalidate(cohort_ids=cohorts)
    first = not pending.cohort_ids
    pending.cohort_ids |= cohorts
    if first:
        transaction.on_commit(pending.flush)


def _enrolment_cohort(instance) -> tuple[str, int]:
    """The cohort through a cached enrolment when there is one, saving a query."""
    field = type(instance)._meta.get_field("enrolment")
    if field.is_cached(instance):
        return "cohort", instance.enrolment.cohort_id
    return "enrolment", instance.enrolment_id


def _on_cohort_row(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if sender is Certificate and update_fields is not None and set(update_fields) <= PDF_FIELDS:
        return  # the PDF made after issue: the certificate was counted when it was issued
    touched("cohort", [instance.cohort_id])


def _on_cohort(sender, instance, raw=False, **kwargs):
    """A cohort's dates or programme changed (its figures copy them)."""
    if not raw:
        touched("cohort", [instance.pk])


def _on_enrolment_row(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if sender is QuizAttempt and instance.status == QuizAttempt.Status.IN_PROGRESS:
        return  # started, or answers saved while open: nothing a figure counts until graded
    if sender is CaseSubmission and instance.status == CaseSubmission.Status.DRAFT:
        return  # a draft autosave: nothing a figure counts
    kind, pk = _enrolment_cohort(instance)
    touched(kind, [pk])


def _on_case_grade(sender, instance, raw=False, **kwargs):
    if not raw:
        touched("submission", [instance.submission_id])


def _on_curriculum(sender, instance, raw=False, update_fields=None, **kwargs):
    """A programme's published curriculum changed: publishing, unpublishing, moving or
    deleting a page saves or deletes it whole; a draft save names its fields, without `live`."""
    if raw or not isinstance(instance, ProgramPage | ModulePage | ActivityPage):
        return
    if update_fields is not None and "live" not in update_fields:
        return
    if kwargs.get("created") and not instance.live:
        return  # a new draft: trainees have nothing new yet
    if isinstance(instance, ProgramPage):
        program_id = instance.pk
    else:
        program_id = ProgramPage.objects.ancestor_of(instance).values_list("pk", flat=True).first()
    if program_id is not None:
        touched("program", [program_id])


def _on_figures_changed(sender, cohort_ids=(), enrolment_ids=(), **kwargs):
    if cohort_ids:
        touched("cohort", list(cohort_ids))
    if enrolment_ids:
        touched("enrolment", list(enrolment_ids))


def _connect() -> None:
    for model in (Enrolment, Certificate, Session):
        post_save.connect(_on_cohort_row, sender=model, dispatch_uid=f"dash_save_{model.__name__}")
        post_delete.connect(
            _on_cohort_row, sender=model, dispatch_uid=f"dash_delete_{model.__name__}"
        )
    for model in (ActivityCompletion, QuizAttempt, CaseSubmission, Attendance):
        post_save.connect(
            _on_enrolment_row, sender=model, dispatch_uid=f"dash_save_{model.__name__}"
        )
        post_delete.connect(
            _on_enrolment_row, sender=model, dispatch_uid=f"dash_delete_{model.__name__}"
        )
    post_save.connect(_on_cohort, sender=Cohort, dispatch_uid="dash_save_Cohort")
    post_save.connect(_on_case_grade, sender=CaseGrade, dispatch_uid="dash_save_CaseGrade")
    post_delete.connect(_on_case_grade, sender=CaseGrade, dispatch_uid="dash_delete_CaseGrade")
    # Pages: any sender (Wagtail sends the specific class), filtered in the handler.
    post_save.connect(_on_curriculum, dispatch_uid="dash_save_curriculum")
    post_delete.connect(_on_curriculum, dispatch_uid="dash_delete_curriculum")
    figures_changed.connect(_on_figures_changed, dispatch_uid="dash_figures_changed")


_connect()
