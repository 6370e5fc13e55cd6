"""The officials' dashboards: the regions side by side (federal officials, administrators) and
one region's cohorts with its trainees at risk (and the region's own officials).

Every figure comes from `dashboards.selectors`, which read the rollups: each page runs a fixed
number of queries whatever the number of regions, cohorts or trainees.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Region
from accounts.roles import Role
from core.http import CSV, XLSX, attachment_headers
from core.spreadsheets import csv_stream, xlsx_file
from courses.selectors import sees_all_regions

from .charts import completions_per_week_svg, regions_bar_svg
from .exports import at_risk_table, cohorts_table, regions_table
from .forms import DashboardFilterForm
from .selectors import (
    RegionFigures,
    federal_region_figures,
    region_cohort_figures,
    total_figures,
    trainees_at_risk,
    weekly_completions,
)

FILTER_FIELDS = ("program", "status", "period_from", "period_to")

# The federal table's columns: the `?sort=` key, the heading, and whether it is a number
# (numbers sort largest first on the first click, names A to Z).
COLUMNS = [
    ("name", gettext_lazy("Region"), False),
    ("cohorts", gettext_lazy("Cohorts"), True),
    ("enrolled", pgettext_lazy("dashboard column", "Enrolled"), True),
    ("active", pgettext_lazy("dashboard column", "Active"), True),
    ("completed", pgettext_lazy("dashboard column", "Completed"), True),
    ("withdrawn", pgettext_lazy("dashboard column", "Withdrawn"), True),
    ("completion_rate", gettext_lazy("Completion rate"), True),
    ("mean_final_grade", gettext_lazy("Mean final grade"), True),
    ("attendance_rate", gettext_lazy("Attendance rate"), True),
    ("certificates", gettext_lazy("Certificates issued"), True),
    ("practice_hours_done", gettext_lazy("Practice hours done"), True),
]
SORT_KEYS = {key for key, _label, _number in COLUMNS}


def _is_regional_official(user) -> bool:
    return Role.REGIONAL_OFFICIAL in user.role_names


def _filter_query(request, **changes) -> str:
    """The address's filters (and sort), with `changes`, as a query string for a link."""
    query = request.GET.copy()
    for key in list(query):
        if key not in (*FILTER_FIELDS, "sort"):
            del query[key]
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return query.urlencode()


def _sorted(rows, sort: str):
    """Rows sorted by a column; regions without a figure (no rate yet) go last either way."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "name":
        return sorted(rows, key=lambda row: row.name.casefold(), reverse=descending)
    present = [row for row in rows if getattr(row, key) is not None]
    missing = [row for row in rows if getattr(row, key) is None]
    present.sort(key=lambda row: (Decimal(getattr(row, key)), row.name), reverse=descending)
    return present + sorted(missing, key=lambda row: row.name)


def _parse_sort(value: str) -> str:
    """A known column, with an optional leading minus; anything else sorts by name."""
    return value if value.lstrip("-") in SORT_KEYS and value.count("-") <= 1 else "name"


def _regions(form: DashboardFilterForm, sort: str) -> tuple[list[RegionFigures], RegionFigures]:
    """The regions in the table's order and the country's line: the page's and the file's."""
    regions = federal_region_figures(filters=form.filters())
    return _sorted(regions, sort), total_figures(regions, name=_("Whole country"))


@login_required
def federal(request):
    """/dashboards/: the regions side by side; a regional official goes to their own region."""
    user = request.user
    if not sees_all_regions(user):
        if _is_regional_official(user):
            return redirect("dashboards:region", code=user.region.code)
        raise PermissionDenied
    form = DashboardFilterForm(request.GET)
    sort = _parse_sort(request.GET.get("sort", ""))
    context = {"form": form, "valid": form.is_valid(), "sort": sort}
    if context["valid"]:
        ordered, total = _regions(form, sort)
        headers = []
        for key, label, number in COLUMNS:
            if sort.lstrip("-") == key:
                aria = "descending" if sort.startswith("-") else "ascending"
                following = key if sort.startswith("-") else f"-{key}"
            else:
                aria = ""
                following = f"-{key}" if number else key
            headers.append(
                {
                    "key": key,
                    "label": label,
                    "number": number,
                    "aria_sort": aria,
                    "query": _filter_query(request, sort=following),
                }
            )
        context.update(
            regions=ordered,
            total=total,
            # The chart follows the table's order, so that sorting the table sorts the chart.
            chart=regions_bar_svg(
                [(row.name, row.completion_rate) for row in ordered],
                title=_("Completion rate by region"),
            ),
            headers=headers,
            filter_query=_filter_query(request, sort=""),
            # The files keep the sort too: they list the regions in the table's order.
            export_query=_filter_query(request),
        )
    return render(request, "dashboards/federal.html", context)


def _visible_region(user, code: str) -> Region:
    """The region whose page (or file) the user asked for, if they may see it: federal officials
    and administrators any, a regional official their own (another's is 404), nobody else."""
    if not sees_all_regions(user) and not _is_regional_official(user):
        raise PermissionDenied
    region = get_object_or_404(Region, code=code)
    if not sees_all_regions(user) and region.pk != user.region_id:
        # Another region's official learns nothing, not even that the region exists.
        raise Http404
    return region


@login_required
def region(request, code: str):
    """/dashboards/regions/<code>/: one region's cohorts and its trainees at risk."""
    user = request.user
    all_regions = sees_all_regions(user)
    region = _visible_region(user, code)
    form = DashboardFilterForm(request.GET)
    context = {"form": form, "valid": form.is_valid(), "region": region, "all_regions": all_regions}
    if context["valid"]:
        filters = form.filters()
        cohorts = region_cohort_figures(region=region, filters=filters)
        weeks = weekly_completions(region=region, filters=filters)
        context.update(
            cohorts=cohorts,
            at_risk=trainees_at_risk(region=region, filters=filters),
            chart=completions_per_week_svg(
                [(week.start, week.count) for week in weeks],
                title=_("Completions per week"),
            ),
            filter_query=_filter_query(request, sort=""),
        )
    return render(request, "dashboards/region.html", context)


# The tables as files -------------------------------------------------------------------------

# Column widths of each file's sheet, in characters.
REGIONS_WIDTHS = (34, 10, 8, 10, 10, 10, 10, 12, 12, 12, 12, 12)
COHORTS_WIDTHS = (28, 40, 12, 12, 10, 10, 10, 10, 12, 12, 12, 12, 12)
AT_RISK_WIDTHS = (34, 28, 10, 80)


def _file(rows: list[list], *, fmt: str, name: str, sheet: str, widths):
    """The rows as a download: XLSX written in write-only mode to a temporary file, CSV
    streamed a chunk of rows at a time."""
    if fmt == "xlsx":
        response = FileResponse(xlsx_file([(sheet, rows, widths)]), content_type=XLSX)
    else:
        response = StreamingHttpResponse(csv_stream(rows), content_type=CSV)
    return attachment_headers(response, f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}")


@login_required
def regions_export(request, fmt: str):
    """/dashboards/regions.xlsx|.csv: the federal table with the page's filters and sort, and
    the country's line. Bad filters go back to the page, which says what is wrong."""
    user = request.user
    if not sees_all_regions(user):
        # As the page does: a regional official is sent to their own region.
        if _is_regional_official(user):
            return redirect("dashboards:region", code=user.region.code)
        raise PermissionDenied
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('dashboards:federal')}?{_filter_query(request)}")
    with translation.override("ru"):
        rows = regions_table(*_regions(form, _parse_sort(request.GET.get("sort", ""))))
        sheet = _("Regions")
    return _file(rows, fmt=fmt, name="regions", sheet=sheet, widths=REGIONS_WIDTHS)


def _region_export(request, code: str):
    """The region and the valid filters, or the page to go back to with bad ones."""
    region = _visible_region(request.user, code)
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        page = reverse("dashboards:region", args=(region.code,))
        return region, None, redirect(f"{page}?{_filter_query(request, sort='')}")
    return region, form.filters(), None


@login_required
def cohorts_export(request, code: str, fmt: str):
    """/dashboards/regions/<code>/cohorts.xlsx|.csv: the region's cohorts with their figures."""
    region, filters, back = _region_export(request, code)
    if back:
        return back
    with translation.override("ru"):
        rows = cohorts_table(region_cohort_figures(region=region, filters=filters))
        sheet = _("Cohorts")
    name = f"region-{region.code}-cohorts"
    return _file(rows, fmt=fmt, name=name, sheet=sheet, widths=COHORTS_WIDTHS)


@login_required
def at_risk_export(request, code: str, fmt: str):
    """/dashboards/regions/<code>/at-risk.xlsx|.csv: the trainees at risk and why."""
    region, filters, back = _region_export(request, code)
    if back:
        return back
    with translation.override("ru"):
        # The reasons are worked out here, in Russian, like the headings.
        rows = at_risk_table(trainees_at_risk(region=region, filters=filters))
        sheet = _("Trainees at risk")
    name = f"region-{region.code}-at-risk"
    return _file(rows, fmt=fmt, name=name, sheet=sheet, widths=AT_RISK_WIDTHS)
