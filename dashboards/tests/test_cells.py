"""The figure cells of the dashboards' tables, written by a tag for speed: the same text as the
template the tag replaced, in either language and with either number format."""

from __future__ import annotations

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
def test_the_cells_are_what_the_template_wrote(
    settings, language, grouping, count_cohorts, figures
):
    settings.USE_THOUSAND_SEPARATOR = grouping
    context = {"figures": figures, "count_cohorts": count_cohorts}
    with translation.override(language):
        before = engines["django"].from_string(TEMPLATE_BEFORE).render(context)
        now = render_to_string("dashboards/includes/figures_cells.html", context)

    assert cells(now) == cells(before)
    assert len(cells(now)) == 9 + count_cohorts


def test_russian_cells_read_as_russian_numbers():
    with translation.override("ru"):
        now = render_to_string(
            "dashboards/includes/figures_cells.html", {"figures": FIGURES[0], "count_cohorts": True}
        )
    # cohorts … withdrawn, then completion 3 of 15 still in, mean grade, attendance 7 of 9
    assert cells(now) == [
        "1234",
        "20345",
        "12",
        "3",
        "5",
        "0,0 %",
        "50,4 %",
        "77,8 %",
        "3",
        "12345,5",
    ]
