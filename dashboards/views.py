"""The officials' dashboards: the regions side by side (federal officials, administrators),
one region's cohorts with its trainees at risk, and one cohort's trainees (these two for the
region's own officials too) — the drill-down country → region → cohort → a trainee's record.

Every figure comes from `dashboards.selectors`, which read the rollups: each page runs a fixed
number of queries whatever the number of regions, cohorts or trainees.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from accounts.models import Region
from accounts.roles import Role
from core.fragments import data_key
from core.http import CSV, XLSX, attachment_headers
from core.replica import reads_from_replica
from core.spreadsheets import csv_stream, xlsx_file
from courses.models import Cohort
from courses.selectors import sees_all_regions

from .charts import completions_per_week_svg, regions_bar_svg
from .exports import at_risk_table, cohort_trainees_table, cohorts_table, regions_table
from .forms import DashboardFilterForm
from .selectors import (
    CohortRow,
    RegionFigures,
    at_risk_figures,
    cohort_figures,
    cohort_trainees,
    federal_region_figures,
    region_cohort_figures,
    total_figures,
    trainees_at_risk,
    weekly_completions,
    with_reasons,
)

FILTER_FIELDS = ("program", "status", "period_from", "period_to")

# The federal table's columns: the `?sort=` key, the heading, whether it is a number (numbers
# sort largest first on the first click, names A to Z) and, for the longest headings, a short
# one shown instead (the full one in its <abbr title>), so that every column fits a desk.
SHORT = "dashboard column, short"
COLUMNS = [
    ("name", gettext_lazy("Region"), False, ""),
    ("cohorts", gettext_lazy("Cohorts"), True, ""),
    ("enrolled", pgettext_lazy("dashboard column", "Enrolled"), True, ""),
    ("active", pgettext_lazy("dashboard column", "Active"), True, ""),
    ("completed", pgettext_lazy("dashboard column", "Completed"), True, ""),
    ("withdrawn", pgettext_lazy("dashboard column", "Withdrawn"), True, ""),
    ("completion_rate", gettext_lazy("Completion rate"), True, ""),
    ("mean_final_grade", gettext_lazy("Mean final grade"), True, ""),
    ("attendance_rate", gettext_lazy("Attendance rate"), True, ""),
    (
        "certificates",
        gettext_lazy("Certificates issued"),
        True,
        pgettext_lazy(SHORT, "Certificates"),
    ),
    (
        "practice_hours_done",
        gettext_lazy("Practice hours done"),
        True,
        pgettext_lazy(SHORT, "Practice, h"),
    ),
]
SORT_KEYS = {column[0] for column in COLUMNS}

# The cohort's trainees: the same, with no key for the columns that do not sort.
TRAINEE_COLUMNS = [
    ("name", gettext_lazy("Trainee"), False, ""),
    ("", gettext_lazy("Status"), False, ""),
    ("progress", gettext_lazy("Progress"), True, ""),
    ("grade", gettext_lazy("Final grade"), True, ""),
    ("", gettext_lazy("Attendance rate"), True, ""),
    ("", gettext_lazy("Practice hours done"), True, pgettext_lazy(SHORT, "Practice, h")),
    ("", gettext_lazy("Last activity"), False, ""),
    ("", gettext_lazy("Certificate"), False, ""),
    ("", gettext_lazy("Reasons"), False, ""),
]
TRAINEE_SORT_KEYS = {column[0] for column in TRAINEE_COLUMNS if column[0]}

# Trainees at risk on one page of a region's list; `DASHBOARDS_AT_RISK_PER_PAGE` overrides.
AT_RISK_PER_PAGE = 20
PAGE_OFFSET_LIMIT = 2**31


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
    """Rows (regions, trainees) sorted by a column; rows without a figure (no rate yet) go
    last either way, and rows with the same figure stay in name order either way."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    by_name = sorted(rows, key=lambda row: row.name.casefold())
    if key == "name":
        return by_name[::-1] if descending else by_name
    present = [row for row in by_name if getattr(row, key) is not None]
    missing = [row for row in by_name if getattr(row, key) is None]
    # Python's sort is stable, reversed too: equal figures keep the name order.
    present.sort(key=lambda row: Decimal(getattr(row, key)), reverse=descending)
    return present + missing


def _parse_sort(value: str, keys=SORT_KEYS) -> str:
    """A known column, with an optional leading minus; anything else sorts by name."""
    return value if value.lstrip("-") in keys and value.count("-") <= 1 else "name"


def _headers(request, columns, sort: str) -> list[dict]:
    """A table's headings: a sortable one links to the page sorted by it (the filters kept),
    the other way round if it is the sorted one, which says so in `aria-sort` and, for the eye,
    with ▲ or ▼ (`mark`)."""
    headers = []
    for key, label, number, short in columns:
        aria = following = mark = ""
        if key and sort.lstrip("-") == key:
            aria = "descending" if sort.startswith("-") else "ascending"
            mark = "▼" if sort.startswith("-") else "▲"
            following = key if sort.startswith("-") else f"-{key}"
        elif key:
            following = f"-{key}" if number else key
        headers.append(
            {
                "key": key,
                "label": label,
                "short": short,
                "number": number,
                "aria_sort": aria,
                "mark": mark,
                "query": _filter_query(request, sort=following) if key else "",
            }
        )
    return headers


def _regions(form: DashboardFilterForm, sort: str) -> tuple[list[RegionFigures], RegionFigures]:
    """The regions in the table's order and the country's line: the page's and the file's."""
    regions = federal_region_figures(filters=form.filters())
    return _sorted(regions, sort), total_figures(regions, name=_("Whole country"))


@require_safe
@login_required
@reads_from_replica
def federal(request):
    """/dashboards/: the regions side by side; a regional official goes to their own region."""
    user = request.user
    if not sees_all_regions(user):
        if _is_regional_official(user):
            return redirect("dashboards:region", code=user.region.code)
        raise PermissionDenied
    form = DashboardFilterForm(request.GET, user=request.user)
    sort = _parse_sort(request.GET.get("sort", ""))
    context = {"form": form, "valid": form.is_valid(), "sort": sort}
    if context["valid"]:
        ordered, total = _regions(form, sort)
        # The files keep the sort too: they list the regions in the table's order.
        export_query = _filter_query(request)
        context.update(
            regions=ordered,
            total=total,
            # The table and the chart are drawn once per exact figures, filters and sort (see
            # core.fragments); the headings and the chart are worked out only to draw them.
            figures_key=data_key(export_query, ordered, total),
            # The chart follows the table's order, so that sorting the table sorts the chart.
            chart=SimpleLazyObject(
                lambda: regions_bar_svg(
                    [(row.name, row.completion_rate) for row in ordered],
                    title=_("Completion rate by region"),
                )
            ),
            headers=SimpleLazyObject(lambda: _headers(request, COLUMNS, sort)),
            filter_query=_filter_query(request, sort=""),
            export_query=export_query,
        )
    return render(request, "dashboards/federal.html", context)


def _check_official(user) -> None:
    """Officials and administrators only: a trainee or an instructor is refused (403)."""
    if not sees_all_regions(user) and not _is_regional_official(user):
        raise PermissionDenied


def _check_region(user, region_id: int) -> None:
    # Another region's official learns nothing, not even that the region (or cohort) exists.
    if not sees_all_regions(user) and region_id != user.region_id:
        raise Http404


def _visible_region(user, code: str) -> Region:
    """The region whose page (or file) the user asked for, if they may see it: federal officials
    and administrators any, a regional official their own (another's is 404), nobody else."""
    _check_official(user)
    region = get_object_or_404(Region, code=code)
    _check_region(user, region.pk)
    return region


def _visible_cohort(user, pk: int) -> Cohort:
    """The cohort whose dashboard (or file) the user asked for, by its region's rule.

    Instructors are refused here as on the region page, their own cohorts too: they follow
    them on the cohort page and in the gradebook, which show the same trainees with more, and
    the dashboards stay one rule for one audience, the officials (the menu offers them to
    nobody else)."""
    _check_official(user)
    cohort = get_object_or_404(Cohort.objects.select_related("region", "program"), pk=pk)
    _check_region(user, cohort.region_id)
    return cohort


def _at_risk_per_page() -> int:
    return int(getattr(settings, "DASHBOARDS_AT_RISK_PER_PAGE", AT_RISK_PER_PAGE))


def _page_of(request, items) -> tuple[Page, str]:
    """The page of `items` the address asks for (`?page=N`, none: the first), and a note when
    it asks for one that is not there: words or a number below 1 get the first page, a number
    past the end the last, never an error.

    `items` is `at_risk_figures`' query (`at_risk_condition` is the rules of `risk_reasons` in
    SQL): the page's rows come with the length of the whole list (a window count) in one query,
    which `with_reasons` then explains. Only an address past the end costs a count and its last
    page more. A page costs the same whatever the region's size.
    """
    per_page = _at_risk_per_page()
    asked = request.GET.get("page", "")
    try:
        number = int(asked or 1)
    except ValueError:
        number = 0
    wanted = max(number, 1)
    rows = []
    # A number no list reaches is past the end without asking (an offset the database may not
    # hold).
    if wanted * per_page <= PAGE_OFFSET_LIMIT:
        rows = list(
            items.annotate(listed=Window(Count("*")))[(wanted - 1) * per_page : wanted * per_page]
        )
    paginator = Paginator(items, per_page)
    # Paginator.count is a cached property: the window's count spares it its own query.
    if rows:
        paginator.count = rows[0].listed
    elif wanted == 1:
        paginator.count = 0
    shown = min(wanted, paginator.num_pages)
    note = ""
    if shown != number:
        note = _(
            "There is no page «%(asked)s» of this list; this is page %(shown)s of %(pages)s."
        ) % {"asked": asked[:20], "shown": shown, "pages": paginator.num_pages}
    page = paginator.page(shown)
    page.object_list = with_reasons(rows if shown == wanted else page.object_list)
    return page, note


@require_safe
@login_required
@reads_from_replica
def region(request, code: str):
    """/dashboards/regions/<code>/: one region's cohorts and its trainees at risk."""
    user = request.user
    all_regions = sees_all_regions(user)
    region = _visible_region(user, code)
    form = DashboardFilterForm(request.GET, user=request.user)
    context = {"form": form, "valid": form.is_valid(), "region": region, "all_regions": all_regions}
    if context["valid"]:
        filters = form.filters()
        cohorts = region_cohort_figures(region=region, filters=filters)
        weeks = weekly_completions(region=region, filters=filters)
        at_risk, page_note = _page_of(request, at_risk_figures(region=region, filters=filters))
        programmes = _programmes(cohorts)
        previous_query = _filter_query(request, sort="", page=_previous(at_risk))
        next_query = _filter_query(request, sort="", page=_next(at_risk))
        filter_query = _filter_query(request, sort="")
        context.update(
            cohorts=cohorts,
            # A column that says the same on every row says it once, above the table.
            programme_column=len(programmes) > 1,
            only_programme=programmes[0] if len(programmes) == 1 else None,
            at_risk=at_risk,
            page_note=page_note,
            previous_query=previous_query,
            next_query=next_query,
            # The chart and the tables are drawn once per exact rows, page and addresses (see
            # core.fragments); the chart is worked out only to draw it.
            figures_key=data_key(
                (region.pk, region.code, region.name),
                cohorts,
                weeks,
                at_risk.object_list,
                (at_risk.number, at_risk.paginator.count, at_risk.paginator.num_pages),
                page_note,
                previous_query,
                next_query,
                filter_query,
            ),
            chart=SimpleLazyObject(
                lambda: completions_per_week_svg(
                    [(week.start, week.count) for week in weeks],
                    title=_("Completions per week"),
                )
            ),
            filter_query=filter_query,
        )
    return render(request, "dashboards/region.html", context)


@dataclasses.dataclass(frozen=True)
class Programme:
    pk: int
    title: str


def _programmes(cohorts: list[CohortRow]) -> list[Programme]:
    """The programmes of the cohorts shown, each once, in the table's order. With one (the
    region runs one programme, or the filter chose it) the region page names it above the table
    instead of repeating its long title on every row; with several it gets its column. The
    files keep the column either way: a file travels without the page around it."""
    programmes = {}
    for row in cohorts:
        programmes.setdefault(row.program_id, Programme(row.program_id, row.program_title))
    return list(programmes.values())


def _previous(page: Page) -> str:
    # Page 1 is the address without `page`: one address per page, as bookmarked.
    if not page.has_previous() or page.previous_page_number() == 1:
        return ""
    return str(page.previous_page_number())


def _next(page: Page) -> str:
    return str(page.next_page_number()) if page.has_next() else ""


def _cohort_trainees(cohort: Cohort, sort: str):
    return _sorted(cohort_trainees(cohort_id=cohort.pk), sort)


@require_safe
@login_required
@reads_from_replica
def cohort(request, pk: int):
    """/dashboards/cohorts/<pk>/: one cohort's line, its completions per week and its trainees,
    each linking to their record, with the at-risk list's reasons.

    The filters of the address are kept in its links back to the region (and the regions), so
    the drill-down keeps its selection; here the cohort is chosen by its id, so only the period
    narrows what is shown (the chart's weeks). A bad filter gets the same message as elsewhere.
    """
    user = request.user
    cohort = _visible_cohort(user, pk)
    form = DashboardFilterForm(request.GET, user=request.user)
    sort = _parse_sort(request.GET.get("sort", ""), TRAINEE_SORT_KEYS)
    context = {
        "form": form,
        "valid": form.is_valid(),
        "cohort": cohort,
        "region": cohort.region,
        "all_regions": sees_all_regions(user),
        "sort": sort,
    }
    if context["valid"]:
        period = dataclasses.replace(form.filters(), program_id=None, status="")
        weeks = weekly_completions(cohort_ids=[cohort.pk], filters=period)
        context.update(
            figures=cohort_figures(cohort_id=cohort.pk),
            trainees=_cohort_trainees(cohort, sort),
            headers=_headers(request, TRAINEE_COLUMNS, sort),
            chart=completions_per_week_svg(
                [(week.start, week.count) for week in weeks],
                title=_("Completions per week"),
            ),
            filter_query=_filter_query(request, sort=""),
            # The file lists the trainees in the table's order.
            export_query=_filter_query(request),
        )
    return render(request, "dashboards/cohort.html", context)


# The tables as files -------------------------------------------------------------------------

# Column widths of each file's sheet, in characters.
REGIONS_WIDTHS = (34, 10, 8, 10, 10, 10, 10, 12, 12, 12, 12, 12)
COHORTS_WIDTHS = (28, 40, 12, 12, 10, 10, 10, 10, 12, 12, 12, 12, 12)
AT_RISK_WIDTHS = (34, 28, 10, 80)
TRAINEES_WIDTHS = (34, 12, 10, 10, 10, 12, 12, 12, 80)


def _file(rows: list[list], *, fmt: str, name: str, sheet: str, widths):
    """The rows as a download: XLSX written in write-only mode to a temporary file, CSV
    streamed a chunk of rows at a time."""
    if fmt == "xlsx":
        response = FileResponse(xlsx_file([(sheet, rows, widths)]), content_type=XLSX)
    else:
        response = StreamingHttpResponse(csv_stream(rows), content_type=CSV)
    return attachment_headers(response, f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}")


@require_safe
@login_required
@reads_from_replica
def regions_export(request, fmt: str):
    """/dashboards/regions.xlsx|.csv: the federal table with the page's filters and sort, and
    the country's line. Bad filters go back to the page, which says what is wrong."""
    user = request.user
    if not sees_all_regions(user):
        # As the page does: a regional official is sent to their own region.
        if _is_regional_official(user):
            return redirect("dashboards:region", code=user.region.code)
        raise PermissionDenied
    form = DashboardFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return redirect(f"{reverse('dashboards:federal')}?{_filter_query(request)}")
    with translation.override("ru"):
        rows = regions_table(*_regions(form, _parse_sort(request.GET.get("sort", ""))))
        sheet = _("Regions")
    return _file(rows, fmt=fmt, name="regions", sheet=sheet, widths=REGIONS_WIDTHS)


def _region_export(request, code: str):
    """The region and the valid filters, or the page to go back to with bad ones."""
    region = _visible_region(request.user, code)
    form = DashboardFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        page = reverse("dashboards:region", args=(region.code,))
        return region, None, redirect(f"{page}?{_filter_query(request, sort='')}")
    return region, form.filters(), None


@require_safe
@login_required
@reads_from_replica
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


@require_safe
@login_required
@reads_from_replica
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


@require_safe
@login_required
@reads_from_replica
def cohort_trainees_export(request, pk: int, fmt: str):
    """/dashboards/cohorts/<pk>/trainees.xlsx|.csv: the cohort's trainees, in the page's order,
    with their reasons. Bad filters go back to the page, which says what is wrong."""
    cohort = _visible_cohort(request.user, pk)
    form = DashboardFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        page = reverse("dashboards:cohort", args=(cohort.pk,))
        return redirect(f"{page}?{_filter_query(request)}")
    sort = _parse_sort(request.GET.get("sort", ""), TRAINEE_SORT_KEYS)
    with translation.override("ru"):
        # The reasons are worked out here, in Russian, like the headings.
        rows = cohort_trainees_table(_cohort_trainees(cohort, sort))
        sheet = _("Trainees")
    name = f"cohort-{cohort.pk}-trainees"
    return _file(rows, fmt=fmt, name=name, sheet=sheet, widths=TRAINEES_WIDTHS)
