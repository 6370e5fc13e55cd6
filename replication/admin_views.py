"""«Тиражирование программ» in the Wagtail admin: export a programme as a package, adopt one
for a region, and follow a copy: which of its pages the region changed, and the origin's
changes to take or decline, one page at a time."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from wagtail.admin.auth import permission_denied, user_passes_test

from core.uploads import not_stored
from courses.models import ProgramPage

from .access import ADOPT, EXPORT, may_manage, regions_for
from .catalogue import catalogue
from .exporting import package_bytes, release_of
from .forms import ImportForm
from .importing import import_package, read_upload
from .models import Adoption, ChangeKind, Decision
from .portable import Refused
from .updates import adapted, apply, change_diff, changes, decline


def _author(user) -> bool:
    return user.has_perm(EXPORT) or user.has_perm(ADOPT)


@require_http_methods(["GET", "HEAD", "POST"])
@user_passes_test(_author)
def index(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if not regions_for(request.user).exists():
            return permission_denied(request)
        skipped = not_stored(request)  # the temporary folder had no room for the upload
        if skipped is not None:
            form.is_valid()
            form.add_error("package", skipped.message)
        elif form.is_valid():
            try:
                outcome = import_package(
                    read_upload(form.cleaned_data["package"]),
                    region=form.cleaned_data["region"],
                    user=request.user,
                )
            except Refused as refused:
                form.add_error("package", str(refused))
            else:
                copy = outcome.adoption.programme
                if outcome.created:
                    messages.success(
                        request,
                        _("«%(title)s» is adopted as a draft: adapt it, then send it for approval.")
                        % {"title": copy.title},
                    )
                elif outcome.new_version:
                    messages.success(
                        request,
                        _("Version %(version)s of the origin is received: see its changes below.")
                        % {"version": outcome.release.version},
                    )
                else:
                    messages.info(
                        request, _("This region already has this programme; nothing new.")
                    )
                return redirect("replication_copy", pk=outcome.adoption.pk)
    return TemplateResponse(
        request,
        "replication/admin/index.html",
        {
            "page_title": _("Programme replication"),
            "header_icon": "copy",
            "form": form,
            "may_adopt": regions_for(request.user).exists(),
            "may_export": request.user.has_perm(EXPORT),
            "rows": catalogue(),
        },
    )


@require_POST
@user_passes_test(lambda user: user.has_perm(EXPORT))
def export(request, pk: int):
    program = get_object_or_404(ProgramPage, pk=pk)
    try:
        release = release_of(program)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("replication_index")
    response = HttpResponse(package_bytes(release), content_type="application/zip")
    name = f"{program.slug}-v{release.version}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _adoption(request, pk: int) -> Adoption:
    return get_object_or_404(
        Adoption.objects.select_related("programme", "region", "adopted", "origin_page"), pk=pk
    )


@require_safe
@user_passes_test(_author)
def copy(request, pk: int):
    adoption = _adoption(request, pk)
    if not may_manage(request.user, adoption):
        return permission_denied(request)
    here = adapted(adoption)
    waiting = changes(adoption, here=here)
    origins = {origin.page_id: origin for origin in adoption.pages.all()}
    pages = [
        {
            "page": page,
            "from_origin": page.pk in origins,
            "adapted": here.get(page.pk, False),
        }
        for page in adoption.programme.get_descendants(inclusive=True).order_by("path")
    ]
    return TemplateResponse(
        request,
        "replication/admin/copy.html",
        {
            "page_title": adoption.programme.title,
            "header_icon": "copy",
            "adoption": adoption,
            "latest": adoption.latest(),
            "pages": pages,
            "adapted_count": sum(here.values()),
            "changes": [(change, change_diff(change)) for change in waiting],
            "decisions": adoption.decisions.select_related("decided_by", "page")[:50],
            "ChangeKind": ChangeKind,
        },
    )


@require_POST
@user_passes_test(_author)
def decide(request, pk: int, uid, action: str):
    if action not in ("apply", "decline"):
        raise Http404
    uid = str(uid)
    adoption = _adoption(request, pk)
    if not may_manage(request.user, adoption):
        return permission_denied(request)
    try:
        if action == "apply":
            decision = apply(adoption, uid, user=request.user)
        else:
            decision = decline(adoption, uid, user=request.user)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        if decision.action == Decision.Action.DECLINED:
            messages.success(
                request, _("«%(page)s»: the change is declined.") % {"page": decision.title}
            )
        else:
            messages.success(
                request,
                _("«%(page)s»: the change is a draft now, sent for approval.")
                % {"page": decision.title},
            )
    return redirect("replication_copy", pk=adoption.pk)
