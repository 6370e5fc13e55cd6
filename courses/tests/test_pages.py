"""What trainees and instructors see on the curriculum pages."""

import pytest
from wagtail.models import Page

from courses.models import CaseStudyPage, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db

GUIDE = "Секретная подсказка для преподавателя"


@pytest.fixture
def program():
    factories.site_home()
    return factories.program([[("theory", "2"), ("practice", "4.5"), ("practice", "1.5")]])


@pytest.fixture
def trainee(trainee, program):
    factories.enrol(trainee, factories.cohort(program))
    return trainee


def test_anonymous_visitors_are_sent_to_sign_in(client, program):
    response = client.get(program.url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_programme_page_shows_total_practice_theory_hours_and_share(client, trainee, program):
    client.force_login(trainee)

    html = client.get(program.url).content.decode()

    assert program.title in html
    for figure in ("8", "6", "2", "75"):  # total, practice, theory, share
        assert f"<dd>{figure}" in html
    assert "Модуль 1" in html


def test_module_page_lists_its_published_activities_with_hours(client, trainee, program):
    module = ModulePage.objects.child_of(program).get()
    draft = factories.lesson(module, "1", live=False, title="Неопубликованный урок")
    client.force_login(trainee)

    html = client.get(module.url).content.decode()

    assert "4,5" in html
    assert draft.title not in html


def test_discussion_guide_is_never_shown_to_a_trainee(client, trainee, program):
    case = CaseStudyPage.objects.descendant_of(program).first()
    case.discussion_guide = f"<p>{GUIDE}</p>"
    case.save()
    client.force_login(trainee)

    html = client.get(case.url).content.decode()

    assert "Составьте план" in html  # the task is there
    assert GUIDE not in html


def test_discussion_guide_is_shown_to_an_instructor(client, instructor, program):
    case = CaseStudyPage.objects.descendant_of(program).first()
    case.discussion_guide = f"<p>{GUIDE}</p>"
    case.save()
    client.force_login(instructor)

    assert GUIDE in client.get(case.url).content.decode()


def test_discussion_guide_is_not_searchable(program):
    case = CaseStudyPage.objects.descendant_of(program).first()
    case.discussion_guide = f"<p>{GUIDE}</p>"
    case.save()

    assert case.pk in [page.pk for page in Page.objects.live().search("обратилась")]
    assert not Page.objects.live().search("Секретная подсказка")


def test_a_case_study_is_always_practice(program):
    module = ModulePage.objects.child_of(program).get()

    case = factories.case_study(module, "2", kind="theory")

    assert case.kind == "practice"


def test_draft_pages_are_not_served(client, trainee, program):
    module = ModulePage.objects.child_of(program).get()
    draft = factories.lesson(module, "1", live=False)
    client.force_login(trainee)

    assert client.get(f"{module.url}{draft.slug}/").status_code == 404
