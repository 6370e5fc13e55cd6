"""The dashboards' tables as files: the regions side by side (with the country's line), a
region's cohorts and its trainees at risk, and a cohort's trainees, each as XLSX or CSV.

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
from .selectors import AtRisk, CohortTrainee, Reason, RegionFigures

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
    """The header and a row per cohort (`CohortRow`), in the page's order."""
    rows = [[_("Cohort"), _("Programme"), _("Starts on"), _("Ends on"), *_figure_headings()]]
    for row in cohorts:
        rows.append(
            [
                row.cohort_name,
                row.program_title,
                ru_date(row.starts_on),
                ru_date(row.ends_on),
                *_figure_cells(row),
            ]
        )
    return rows


def _reasons_cell(reasons: Sequence[Reason]) -> str:
    # One a line, as the page lists them, in the words the page uses (`Reason.__str__`).
    return "\n".join(str(reason) for reason in reasons)


def at_risk_table(at_risk: Sequence[AtRisk]) -> list[list]:
    """The header and a row per trainee at risk, their reasons in one cell, one a line."""
    rows = [[_("Trainee"), _("Cohort"), _("Progress") + ", %", _("Reasons")]]
    for item in at_risk:
        rows.append(
            [
                item.trainee.full_name,
                item.figures.cohort_name,
                item.figures.progress_percent,
                _reasons_cell(item.reasons),
            ]
        )
    return rows


def cohort_trainees_table(trainees: Sequence[CohortTrainee]) -> list[list]:
    """The header and a row per trainee of the cohort (`cohort_trainees`), in the page's order:
    standing, figures, the day of the last activity, the certificate, the at-risk reasons."""
    rows = [
        [
            _("Trainee"),
            _("Status"),
            _("Progress") + ", %",
            _("Final grade") + ", %",
            _("Attendance rate") + ", %",
            _("Practice hours done"),
            _("Last activity"),
            _("Certificate"),
            _("Reasons"),
        ]
    ]
    for row in trainees:
        figures = row.figures
        rows.append(
            [
                row.name,
                str(row.standing.label),  # now, while the file's language is active
                figures.progress_percent,
                figures.final_grade,
                figures.attendance_rate,
                figures.practice_hours_done,
                ru_date(row.last_activity_on),
                _("Issued") if figures.certificate_issued else _("Not issued"),
                _reasons_cell(row.reasons),
            ]
        )
    return rows
