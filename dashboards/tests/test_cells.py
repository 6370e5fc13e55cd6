"""The figure cells of the dashboards' tables, written by a tag for speed: the same text as the
template the tag replaced, in either language and with either number format."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from dashboards.selectors import RegionFigures

# templates/dashboards/includes/figures_cells.html as it was, cell by cell.
TEMPLATE_BEFORE = """
{% if count_cohorts %}<td class="text-end">{{ figures.cohorts }}</td>{% endif %}
<td class="text-end">{{ figures.enrolled }}</td>
<td class="text-end">{{ figures.active }}</td>
<td class="text-end">{{ figures.completed }}</td>
<td class="text-end">{{ figures.withdrawn }}</td>
<td class="text-end">{% if figures.completion_rate is None %}—{% else %}{{ figures.completion_rate }} %{% endif %}</td>
<td class="text-end">{% if figures.mean_final_grade is None %}—{% else %}{{ figures.mean_final_grade }} %{% endif %}</td>
<td class="text-end">{% if figures.attendance_rate is None %}—{% else %}{{ figures.attendance_rate }} %{% endif %}</td>
<td class="text-end">{{ figures.certificates }}</td>
<td class="text-end">{{ figures.practice_hours_done }}</td>
"""  # noqa: E501

FIGURES = [
    RegionFigures(
        region_id=1,
        name="Тамбовская область",
        code="68",
        cohorts=1234,
        enrolled=20345,
        active=12,
        completed=3,
        withdrawn=5,
        graded=3,
        grade_sum=Decimal("151.3"),
        attended=7,
        counted=9,
        certificates=3,
        practice_hours_done=Decimal("12345.5"),
    ),
    # Nobody yet: the rates are "—".
    RegionFigures(region_id=2, name="Югра", code="86"),
]


def cells(markup: str) -> list[str]:
    return re.findall(r'<td class="text-end">([^<]*)</td>', markup)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("count_cohorts", [False, True])
@pytest.mark.parametrize("figures", FIGURES, ids=["figures", "nobody"])
def test_the_cells_are_what_the_template_wrote_grouped(
    settings, language, grouping, count_cohorts, figures
):
    """The same text as the template with thousands grouped, whatever the setting says."""
    context = {"figures": figures, "count_cohorts": count_cohorts}
    with translation.override(language):
        settings.USE_THOUSAND_SEPARATOR = True
        before = engines["django"].from_string(TEMPLATE_BEFORE).render(context)
        settings.USE_THOUSAND_SEPARATOR = grouping
        now = render_to_string("dashboards/includes/figures_cells.html", context)

    assert cells(now) == cells(before)
    assert len(cells(now)) == 9 + count_cohorts


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # cohorts … withdrawn, then completion 3 of 15 still in, mean grade, attendance 7 of 9
        (
            "ru",
            [
                "1\xa0234",
                "20\xa0345",
                "12",
                "3",
                "5",
                "0,0 %",
                "50,4 %",
                "77,8 %",
                "3",
                "12\xa0345,5",
            ],
        ),
        (
            "en",
            ["1,234", "20,345", "12", "3", "5", "0.0 %", "50.4 %", "77.8 %", "3", "12,345.5"],
        ),
    ],
)
def test_cells_group_thousands_as_the_language_does(settings, language, expected):
    settings.USE_THOUSAND_SEPARATOR = False  # the project's setting: the cells group anyway
    with translation.override(language):
        now = render_to_string(
            "dashboards/includes/figures_cells.html", {"figures": FIGURES[0], "count_cohorts": True}
        )
    assert cells(now) == expected
    # Below a thousand nothing is grouped: «999», not «0 999».
    small = dataclasses.replace(FIGURES[0], cohorts=999, practice_hours_done=Decimal("999.5"))
    with translation.override(language):
        now = cells(
            render_to_string(
                "dashboards/includes/figures_cells.html", {"figures": small, "count_cohorts": True}
            )
        )
    assert now[0] == "999" and now[-1] == ("999,5" if language == "ru" else "999.5")
