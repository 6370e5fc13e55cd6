"""«Персональные данные» in the Wagtail admin: find a person, download everything held about
them, erase their data at their request. Administrators only (`privacy.export_personal_data`,
`privacy.erase_personal_data`); each export is recorded in the audit trail as a view."""

from __future__ import annotations

from auditlog.signals import accessed
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.admin.auth import permission_denied, permission_required

from accounts.models import User
from audit.selectors import people_matching

from .erasure import ErasureRefused, erase, erasure_refusal
from .forms import ErasureForm, PersonSearchForm
from .models import Erasure
from .views import archive_response

EXPORT = "privacy.export_personal_data"
ERASE = "privacy.erase_personal_data"
FOUND_AT_MOST = 50


@require_safe
@permission_required(EXPORT)
def index(request):
    form = PersonSearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        people = people_matching(form.cleaned_data["q"]).select_related("region")
        found = list(people.order_by("last_name", "first_name", "pk")[: FOUND_AT_MOST + 1])
    return TemplateResponse(
        request,
        "privacy/admin/index.html",
        {
            "page_title": _("Personal data"),
            "header_icon": "user",
            "form": form,
            "found": found[:FOUND_AT_MOST] if found is not None else None,
            "more": found is not None and len(found) > FOUND_AT_MOST,
            "erasures": Erasure.objects.select_related("erased_by")[:20],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(EXPORT)
def person(request, pk: int):
    person = get_object_or_404(User.objects.select_related("region"), pk=pk)
    may_erase = request.user.has_perm(ERASE)
    refusal = erasure_refusal(person)
    form = ErasureForm(
        request.POST if request.method == "POST" else None,
        person=person,
        initial={"requested_on": timezone.localdate()},
    )
    if request.method == "POST":
        if not may_erase:
            return permission_denied(request)
        if refusal is None and form.is_valid():
            try:
                erase(
                    person=person,
                    by=request.user,
                    requested_on=form.cleaned_data["requested_on"],
                    reference=form.cleaned_data["reference"],
                )
            except ErasureRefused as refused:  # erased by someone else meanwhile
                messages.error(request, str(refused))
            else:
                messages.success(request, _("The person's data is erased."))
            return redirect("privacy_person", pk=person.pk)
    return TemplateResponse(
        request,
        "privacy/admin/person.html",
        {
            "page_title": _("Personal data: %(login)s") % {"login": person.username},
            "header_icon": "user",
            "person": person,
            "form": form,
            "may_erase": may_erase,
            "refusal": refusal,
            "erasure": Erasure.objects.filter(person=person).first(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
@permission_required(EXPORT)
def export(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    accessed.send(User, instance=person)
    day = timezone.localdate().isoformat()
    return archive_response(person, name=f"personal-data-{person.username}-{day}.zip")
