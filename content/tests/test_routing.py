"""Finding the page of an address (`HomePage.route`): by its `url_path` in one query, with the
answers Wagtail's level-by-level walk gives."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from courses.models import ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    return factories.lesson(module)


def route(path: str):
    home = factories.site_home()
    return home.route(RequestFactory().get(path), [part for part in path.split("/") if part])


def test_an_activity_six_levels_down_is_found_in_two_queries(lesson, django_assert_num_queries):
    home = factories.site_home()
    components = [part for part in lesson.url_path.removeprefix(home.url_path).split("/") if part]
    assert len(components) == 4  # programmes, programme, module, lesson

    with django_assert_num_queries(2):  # the page, then its own table
        page, args, kwargs = home.route(RequestFactory().get("/"), components)

    assert page == lesson and type(page).__name__ == "LessonPage"
    assert (args, kwargs) == ([], {})


def test_the_home_page_is_its_own_address(lesson):
    assert route("/")[0] == factories.site_home()


def test_a_page_not_live_is_not_found_but_a_live_one_under_it_is(lesson):
    home = factories.site_home()
    relative = lesson.url_path.removeprefix(home.url_path)
    module = lesson.get_parent().specific
    module.live = False
    module.save(update_fields=["live"])

    with pytest.raises(Http404):
        route(module.url_path.removeprefix(home.url_path))
    # As Wagtail's own walk answers: only the last page of the address must be live.
    assert route(relative)[0] == lesson

    lesson.live = False
    lesson.save(update_fields=["live"])
    with pytest.raises(Http404):
        route(relative)


@pytest.mark.parametrize("extra", ["unknown/", "lesson-x/unknown/"])
def test_an_address_past_a_page_or_beside_it_is_not_found(lesson, extra):
    home = factories.site_home()
    with pytest.raises(Http404):
        route(lesson.url_path.removeprefix(home.url_path) + extra)
    with pytest.raises(Http404):
        route(lesson.get_parent().url_path.removeprefix(home.url_path) + extra)


def test_the_page_is_served_at_its_address(client, lesson):
    enrolment = factories.enrol(factories.user("Trainee"), factories.cohort(lesson.program))
    client.force_login(enrolment.trainee)

    response = client.get(lesson.url)

    assert response.status_code == 200
    assert lesson.title in response.content.decode()


# The page of an address remembered (content.middleware.PageRouteMiddleware) -------------------


def _page_queries(client, url) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    pages = [q for q in captured.captured_queries if '"wagtailcore_site"' in q["sql"]]
    return response.status_code, len(pages)


@pytest.fixture
def reader_and_lesson(client):
    """A trainee signed in, and the lesson of their programme (2 h of theory to 6 of practice:
    publishing it again keeps the 75 % rule)."""
    from courses.models import LessonPage

    factories.site_home()
    program = factories.program()
    trainee = factories.user("Trainee")
    factories.enrol(trainee, factories.cohort(program))
    client.force_login(trainee)
    return LessonPage.objects.descendant_of(program).get()


def test_an_address_is_remembered_until_the_pages_change(client, reader_and_lesson):
    lesson = reader_and_lesson
    url = lesson.url

    assert _page_queries(client, url) == (200, 1)  # the site looked up, once
    assert _page_queries(client, url) == (200, 0)  # then remembered

    lesson.slug = "renamed"
    lesson.save_revision().publish()
    lesson.refresh_from_db()

    assert lesson.url != url
    assert client.get(url).status_code == 404
    assert client.get(lesson.url).status_code == 200


def test_an_unpublished_page_is_not_found_at_once(client, reader_and_lesson):
    lesson = reader_and_lesson
    url = lesson.url
    assert client.get(url).status_code == 200

    lesson.unpublish()

    assert client.get(url).status_code == 404
