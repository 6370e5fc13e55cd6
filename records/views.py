"""The trainee's record page, and the cohort's gradebook with its exports.

Views stay thin: who may see what is `courses.selectors`, the record itself `records.selectors`.
"""

from auditlog.signals import accessed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from core import freshness
from core.http import file_response
from courses.models import Cohort, Enrolment
from courses.selectors import cohorts_visible_to, enrolments_visible_to, follows_cohorts

from .exports import EXPORTERS
from .selectors import cohort_records, record_detail


def _followed_cohort(user, pk: int):
    if not follows_cohorts(user):
        raise PermissionDenied
    return get_object_or_404(cohorts_visible_to(user), pk=pk)


@login_required
def gradebook(request, pk: int):
    cohort = _followed_cohort(request.user, pk)
    accessed.send(Cohort, instance=cohort)  # the audit trail's «viewed»
    # Kept until a fact of the cohort's people or the school changes (core.freshness).
    drawing = freshness.drawing_key(request, "gradebook", freshness.cohort(cohort.pk))
    records = SimpleLazyObject(lambda: cohort_records(cohort=cohort))
    return render(
        request,
        "records/gradebook.html",
        {
            "drawing": drawing,
            "cohort": cohort,
            "book": SimpleLazyObject(lambda: records.gradebook),
            "records": SimpleLazyObject(lambda: records.records),
        },
    )


@login_required
def gradebook_export(request, pk: int, fmt: str):
    cohort = _followed_cohort(request.user, pk)
    if fmt not in EXPORTERS:
        raise Http404
    accessed.send(Cohort, instance=cohort)
    return file_response(*EXPORTERS[fmt](cohort_records(cohort=cohort)))


def _render_record(request, enrolment: Enrolment):
    if enrolment.trainee_id != request.user.pk:
        accessed.send(Enrolment, instance=enrolment)
    # Kept until the trainee's facts change (core.freshness); the record is loaded only when
    # the kept part is not there, after the key is made.
    drawing = freshness.drawing_key(
        request, f"record:{enrolment.pk}", freshness.trainee(enrolment.trainee_id)
    )
    detail = SimpleLazyObject(lambda: record_detail(enrolment=enrolment, viewer=request.user))
    return render(
        request,
        "records/record.html",
        {
            "drawing": drawing,
            "detail": detail,
            "record": SimpleLazyObject(lambda: detail.record),
            "enrolment": enrolment,
            "own": enrolment.trainee_id == request.user.pk,
        },
    )


@login_required
def record(request, pk: int):
    """A trainee's record: for the cohort's followers, and for the trainee themselves."""
    enrolment = get_object_or_404(enrolments_visible_to(request.user), pk=pk)
    return _render_record(request, enrolment)


@login_required
def my_record(request):
    """The trainee's own record of their latest enrolment: studying first, then the newest."""
    enrolment = (
        enrolments_visible_to(request.user)
        .filter(trainee=request.user)
        .order_by("status", "-enrolled_on", "-pk")  # "active" < "completed" < "withdrawn"
        .first()
    )
    if enrolment is None:
        raise Http404
    return _render_record(request, enrolment)
