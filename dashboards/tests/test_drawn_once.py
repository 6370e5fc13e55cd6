"""The dashboards' tables, charts and filters are drawn once per exact data (`core.fragments`)
and kept: the same page again is not drawn again, and any change of what it shows — a figure,
a name, the filters, the sort, the language — is seen by the very next request."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from courses.services import enrolment_withdraw
from dashboards import views
from tests import factories

pytestmark = pytest.mark.django_db

FEDERAL = reverse("dashboards:federal")
REGION = reverse("dashboards:region", args=("68",))


@pytest.fixture(autouse=True)
def no_kept_drawings():
    """Each test starts with no drawing kept (they live as long as the process otherwise)."""
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


@pytest.fixture
def drawings(monkeypatch):
    """How many times each chart was worked out: only when its part of the page is drawn."""
    counts = {"regions": 0, "weeks": 0}

    def counting(name, draw):
        def drawn(*args, **kwargs):
            counts[name] += 1
            return draw(*args, **kwargs)

        return drawn

    monkeypatch.setattr(views, "regions_bar_svg", counting("regions", views.regions_bar_svg))
    monkeypatch.setattr(
        views, "completions_per_week_svg", counting("weeks", views.completions_per_week_svg)
    )
    return counts


def page(response) -> str:
    """The page without its CSRF tokens, which are masked anew in every answer."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def federal_official(client):
    client.force_login(factories.user("Federal official", region_code="77"))
    return client


def withdraw(world, commit, enrolment):
    commit(
        enrolment_withdraw,
        enrolment=enrolment,
        on=timezone.localdate(),
        reason="Переезд",
        by=world.official,
    )


def test_the_same_federal_page_is_drawn_once(client, world, drawings):
    federal_official(client)
    first = page(client.get(FEDERAL))
    second = page(client.get(FEDERAL))

    assert drawings["regions"] == 1
    assert second == first


def test_a_changed_figure_is_on_the_federal_page_at_once(client, world, commit, drawings):
    federal_official(client)
    before = client.get(FEDERAL).context["total"].withdrawn

    withdraw(world, commit, world.enrolments[0])
    response = client.get(FEDERAL)

    assert drawings["regions"] == 2
    assert response.context["total"].withdrawn == before + 1
    total_row = response.content.decode().split('data-testid="total-row"', 1)[1]
    assert total_row.split("</tr>", 1)[0].count(f'<td class="text-end">{before + 1}</td>') >= 1


@pytest.mark.parametrize(
    "query", ["?sort=-enrolled", "?status=running", "?period_from=2020-01-01", "?sort=name"]
)
def test_another_sort_or_filter_is_another_drawing(client, world, drawings, query):
    federal_official(client)
    client.get(FEDERAL)
    other = client.get(FEDERAL + query)

    assert drawings["regions"] == 2
    # The drawn links carry the address's own sort and filters.
    headings = other.content.decode().split("<thead>", 1)[1].split("</thead>", 1)[0]
    key, value = query[1:].split("=")
    if key != "sort":
        assert f"{key}={value}" in headings


def test_the_other_language_is_another_drawing(client, world, drawings):
    federal_official(client)
    russian = client.get(FEDERAL).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(FEDERAL).content.decode()

    assert drawings["regions"] == 2
    assert "Доля завершивших по регионам" in russian.split('data-testid="regions-chart"', 1)[1]
    assert "Completion rate by region" in english.split('data-testid="regions-chart"', 1)[1]


def test_the_same_region_page_is_drawn_once(client, world, drawings):
    client.force_login(world.official)
    first = page(client.get(REGION))
    second = page(client.get(REGION))

    assert drawings["weeks"] == 1
    assert second == first


def test_a_withdrawn_trainee_leaves_the_at_risk_list_at_once(client, world, commit, drawings):
    client.force_login(world.official)
    enrolment = world.enrolments[0]
    record = reverse("records:record", args=(enrolment.pk,))
    assert record in client.get(REGION).content.decode()

    withdraw(world, commit, enrolment)
    body = client.get(REGION).content.decode()

    assert drawings["weeks"] == 2
    assert record not in body.split('id="at-risk"', 1)[1]


def test_a_renamed_trainee_is_listed_by_the_new_name_at_once(client, world, drawings):
    """A name is not a figure: the drawing is keyed by the rows' every loaded field."""
    client.force_login(world.official)
    trainee = world.enrolments[0].trainee
    assert trainee.last_name in client.get(REGION).content.decode()

    trainee.last_name = "Переименованная"
    trainee.save(update_fields=["last_name"])
    body = client.get(REGION).content.decode()

    assert "Переименованная" in body.split('id="at-risk"', 1)[1]
    assert drawings["weeks"] == 2


def test_a_renamed_cohort_is_shown_by_the_new_name_at_once(client, world, commit, drawings):
    client.force_login(world.official)
    client.get(REGION)

    world.cohort.name = "Группа переименованная"
    # Committed: the refresh copies the name onto the trainees' rows the at-risk list reads.
    commit(world.cohort.save, update_fields=["name"])
    body = client.get(REGION).content.decode()

    assert body.count("Группа переименованная") >= 2  # the cohorts' table and the at-risk list


def test_a_renamed_programme_is_in_the_filters_at_once(client, world):
    federal_official(client)
    client.get(FEDERAL)

    world.program.title = "Программа с новым названием"
    world.program.save(update_fields=["title"])
    form = client.get(FEDERAL).content.decode().split('class="card card-body', 1)[1]

    assert "Программа с новым названием" in form.split("</form>", 1)[0]


def test_a_bad_filter_is_drawn_with_its_message_and_a_good_one_without(client, world):
    federal_official(client)
    bad = page(client.get(FEDERAL + "?period_from=-"))
    good = page(client.get(FEDERAL + "?period_from=2020-01-01"))
    bad_again = page(client.get(FEDERAL + "?period_from=-"))

    assert "is-invalid" in bad and "is-invalid" not in good
    assert bad_again == bad
