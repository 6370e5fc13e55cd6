"""The officials' dashboards: the regions side by side (federal officials, administrators) and
one region's cohorts with its trainees at risk (and the region's own officials).

Every figure comes from `dashboards.selectors`, which read the rollups: each page runs a fixed
number of queries whatever the number of regions, cohorts or trainees.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Region
from accounts.roles import Role
from courses.selectors import sees_all_regions

from .charts import completions_per_week_svg, regions_bar_svg
from .forms import DashboardFilterForm
from .selectors import (
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
        regions = federal_region_figures(filters=form.filters())
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
        ordered = _sorted(regions, sort)
        context.update(
            regions=ordered,
            total=total_figures(regions, name=_("Whole country")),
            # The chart follows the table's order, so that sorting the table sorts the chart.
            chart=regions_bar_svg(
                [(row.name, row.completion_rate) for row in ordered],
                title=_("Completion rate by region"),
            ),
            headers=headers,
            filter_query=_filter_query(request, sort=""),
        )
    return render(request, "dashboards/federal.html", context)


@login_required
def region(request, code: str):
    """/dashboards/regions/<code>/: one region's cohorts and its trainees at risk."""
    user = request.user
    all_regions = sees_all_regions(user)
    if not all_regions and not _is_regional_official(user):
        raise PermissionDenied
    region = get_object_or_404(Region, code=code)
    if not all_regions and region.pk != user.region_id:
        # Another region's official learns nothing, not even that the region exists.
        raise Http404
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
