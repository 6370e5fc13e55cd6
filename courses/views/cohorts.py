"""Cohorts for the people who run them: officials, administrators, instructors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.display import inner_quotes
from core import freshness

from ..forms import CohortForm, WithdrawalForm
from ..models import Enrolment
from ..progress import cohort_roster
from ..selectors import (
    can_manage_cohorts,
    cohort_list,
    cohorts_managed_by,
    cohorts_visible_to,
    follows_cohorts,
)
from ..services import enrolment_restore, enrolment_withdraw


def _staff_only(user) -> None:
    """Trainees see their own cohort through "Моё обучение", not the cohorts pages."""
    if not follows_cohorts(user):
        raise PermissionDenied


@login_required
def cohort_index(request):
    _staff_only(request.user)
    cohorts = cohort_list(request.user)
    return render(
        request,
        "courses/cohort_list.html",
        {"cohorts": cohorts, "can_create": can_manage_cohorts(request.user)},
    )


@login_required
def cohort_detail(request, pk: int):
    _staff_only(request.user)
    cohort = get_object_or_404(cohorts_visible_to(request.user), pk=pk)
    # Kept until a fact of the cohort's people or the school changes (core.freshness).
    drawing = freshness.drawing_key(request, "cohort", freshness.cohort(cohort.pk))
    roster = SimpleLazyObject(lambda: cohort_roster(cohort))
    return render(
        request,
        "courses/cohort_detail.html",
        {
            "drawing": drawing,
            "cohort": cohort,
            "breakdown": SimpleLazyObject(lambda: roster[0]),
            "roster": SimpleLazyObject(lambda: roster[1]),
            "instructors": cohort.instructors.order_by("last_name"),
            "can_manage": cohorts_managed_by(request.user).filter(pk=cohort.pk).exists(),
        },
    )


@login_required
def cohort_create(request):
    if not can_manage_cohorts(request.user):
        raise PermissionDenied
    form = CohortForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        cohort = form.save()
        messages.success(
            request, _("The cohort «%(name)s» is created.") % {"name": inner_quotes(cohort.name)}
        )
        return redirect("courses:cohort_detail", pk=cohort.pk)
    return render(request, "courses/cohort_form.html", {"form": form})


@login_required
def cohort_edit(request, pk: int):
    cohort = _managed_cohort(request.user, pk)
    form = CohortForm(request.POST or None, instance=cohort, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The cohort is saved."))
        return redirect("courses:cohort_detail", pk=cohort.pk)
    return render(request, "courses/cohort_form.html", {"form": form, "cohort": cohort})


def _managed_cohort(user, pk: int):
    cohort = cohorts_managed_by(user).filter(pk=pk).first()
    if cohort is None:
        if cohorts_visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return cohort


def _managed_enrolment(user, pk: int) -> Enrolment:
    enrolment = get_object_or_404(Enrolment.objects.select_related("trainee", "cohort"), pk=pk)
    _managed_cohort(user, enrolment.cohort_id)
    return enrolment


@login_required
def enrolment_withdraw_view(request, pk: int):
    """A page that asks for the date and the reason; the withdrawal happens on its POST."""
    enrolment = _managed_enrolment(request.user, pk)
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        messages.info(
            request, _("%(name)s is already withdrawn.") % {"name": enrolment.trainee.full_name}
        )
        return redirect("courses:cohort_detail", pk=enrolment.cohort_id)
    form = WithdrawalForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        enrolment_withdraw(
            enrolment=enrolment,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(
            request, _("%(name)s is withdrawn.") % {"name": enrolment.trainee.full_name}
        )
        return redirect("courses:cohort_detail", pk=enrolment.cohort_id)
    return render(
        request,
        "courses/enrolment_withdraw.html",
        {"enrolment": enrolment, "cohort": enrolment.cohort, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def enrolment_restore_view(request, pk: int):
    enrolment = _managed_enrolment(request.user, pk)
    try:
        enrolment_restore(enrolment=enrolment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is back in the cohort.") % {"name": enrolment.trainee.full_name}
        )
    return redirect("courses:cohort_detail", pk=enrolment.cohort_id)
