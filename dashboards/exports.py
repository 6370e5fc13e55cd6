"""The dashboards' tables as files: the regions side by side (with the country's line), a
region's cohorts and its trainees at risk, each as XLSX or CSV.

Each table here prints the very objects the page prints (the views compute them once, with the
page's filters and, for the regions, its sort), so a file holds exactly the page's rows. The
headings and reasons are Russian whatever the request's language, like the certificates'
register; every cell goes through `core.spreadsheets.spreadsheet_value` (a cohort named
«=HYPERLINK(…)» stays text), the CSV is streamed and the XLSX written in openpyxl's write-only
mode (`core.spreadsheets.csv_stream`, `xlsx_file`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certificates.exports import ru_date

from .models import Figures
from .selectors import AtRisk, RegionFigures

FIGURES = (
    "enrolled",
    "active",
    "completed",
    "withdrawn",
    "completion_rate",
    "mean_final_grade",
    "attendance_rate",
    "certificates",
    "practice_hours_done",
)


def _figure_headings() -> list[str]:
    # The page's headings; rates and means are per cent, as the page shows them with «%».
    return [
        pgettext("dashboard column", "Enrolled"),
        pgettext("dashboard column", "Active"),
        pgettext("dashboard column", "Completed"),
        pgettext("dashboard column", "Withdrawn"),
        _("Completion rate") + ", %",
        _("Mean final grade") + ", %",
        _("Attendance rate") + ", %",
        _("Certificates issued"),
        _("Practice hours done"),
    ]


def _figure_cells(figures: Figures) -> list:
    # A rate without a figure (nobody left, nothing graded) is an empty cell, «—» on the page.
    return [getattr(figures, name) for name in FIGURES]


def regions_table(regions: Sequence[RegionFigures], total: RegionFigures) -> list[list]:
    """The header, a row per region in the page's order, then the country's line (if any
    region matched, as on the page). Call it with the language the file is in active."""
    rows = [[_("Region"), _("Region code"), _("Cohorts"), *_figure_headings()]]
    for row in regions:
        rows.append([row.name, row.code, row.cohorts, *_figure_cells(row)])
    if regions:
        rows.append([total.name, "", total.cohorts, *_figure_cells(total)])
    return rows


def cohorts_table(cohorts: Sequence) -> list[list]:
    """The header and a row per cohort (`CohortFigures`), in the page's order."""
    rows = [[_("Cohort"), _("Programme"), _("Starts on"), _("Ends on"), *_figure_headings()]]
    for row in cohorts:
        rows.append(
            [
                row.cohort.name,
                row.program.title,
                ru_date(row.starts_on),
                ru_date(row.ends_on),
                *_figure_cells(row),
            ]
        )
    return rows


def at_risk_table(at_risk: Sequence[AtRisk]) -> list[list]:
    """The header and a row per trainee at risk, their reasons in one cell, one a line."""
    rows = [[_("Trainee"), _("Cohort"), _("Progress") + ", %", _("Reasons")]]
    for item in at_risk:
        rows.append(
            [
                item.enrolment.trainee.full_name,
                item.figures.cohort.name,
                item.figures.progress_percent,
                "\n".join(f"{reason.label}: {reason.detail}" for reason in item.reasons),
            ]
        )
    return rows
