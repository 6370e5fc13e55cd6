"""The administrators' «Журнал аудита» in the Wagtail admin: browse, filter, export; nothing
there edits or deletes an entry (and the database refuses to: migrations/0001)."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from wagtail.admin.auth import PermissionPolicyChecker
from wagtail.permission_policies import ModelPermissionPolicy

from core.http import CSV, XLSX, attachment_headers
from core.spreadsheets import csv_stream, xlsx_file

from .forms import TrailFilterForm
from .selectors import ACTIONS, TrailQuery, trail

trail_policy = ModelPermissionPolicy(LogEntry)
permission_checker = PermissionPolicyChecker(trail_policy)
PER_PAGE = 50
WIDTHS = (18, 30, 16, 12, 24, 40, 60)


def _query(request) -> tuple[TrailFilterForm, TrailQuery | None]:
    """The filter form and its query; None when what was typed is not valid (the form says
    why, and nothing is listed)."""
    form = TrailFilterForm(request.GET or None)
    if not form.is_bound:
        return form, TrailQuery()
    return form, form.query() if form.is_valid() else None


@require_safe
@permission_checker.require("view")
def trail_index(request):
    form, query = _query(request)
    entries = trail(query) if query is not None else LogEntry.objects.none()
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("p"))
    for entry in page.object_list:
        entry.lines = change_lines(entry)
        entry.who = who(entry)
        entry.action_label = ACTIONS.get(entry.action, entry.action)
    others = request.GET.copy()
    others.pop("p", None)
    return TemplateResponse(
        request,
        "audit/admin/index.html",
        {
            "form": form,
            "page": page,
            "query": others.urlencode(),
            "page_title": gettext_lazy("Audit trail"),
            "header_icon": "history",
        },
        status=200 if query is not None else 400,
    )


def _rows(entries):
    yield [
        _("When"),
        _("Who"),
        _("From address"),
        _("Action"),
        _("Kind"),
        _("What"),
        _("Changes"),
    ]
    for entry in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
            who(entry),
            entry.remote_addr or "",
            ACTIONS.get(entry.action, entry.action),
            entry.content_type.model_class()._meta.verbose_name if entry.content_type else "",
            entry.object_repr,
            "; ".join(change_lines(entry)),
        ]


def who(entry: LogEntry) -> str:
    """The login of who acted; an account deleted since by its number; else the system."""
    if entry.actor is not None:
        return entry.actor.username
    if entry.actor_email:
        return _("deleted account %(number)s") % {"number": entry.actor_email}
    return _("the system")


def change_lines(entry: LogEntry) -> list[str]:
    """What an entry changed, a line per field: «phone: ••• → •••», «groups: + Instructor»."""
    lines = []
    for field, change in sorted((entry.changes_dict or {}).items()):
        if isinstance(change, dict):  # a many-to-many change: who was added or removed
            sign = "+" if change.get("operation") == "add" else "−"
            lines.append(f"{field}: {sign} {', '.join(map(str, change.get('objects', [])))}")
        else:
            old, new = change
            lines.append(f"{field}: {old} → {new}")
    return lines


@require_safe
@permission_checker.require("view")
def trail_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, query = _query(request)
    if query is None:
        return trail_index(request)
    rows = _rows(trail(query))
    if fmt == "xlsx":
        response = FileResponse(xlsx_file([(_("Audit trail"), rows, WIDTHS)]), content_type=XLSX)
    else:
        response = StreamingHttpResponse(csv_stream(rows), content_type=CSV)
    return attachment_headers(response, f"audit-{timezone.localdate():%Y-%m-%d}.{fmt}")
