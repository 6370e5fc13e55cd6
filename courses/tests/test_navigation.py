"""Previous and next links on every activity page, and «Отметить как изученное» leading on."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import ActivityPage, LessonPage, ModulePage
from courses.progress import activity_neighbours
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    """Module 1: lesson, case; module 2: lesson, lesson."""
    factories.site_home()
    return factories.program(
        [[("theory", "2"), ("practice", "6")], [("theory", "1"), ("theory", "1")]]
    )


@pytest.fixture
def enrolment(trainee, program):
    return factories.enrol(trainee, factories.cohort(program))


def activities(program) -> list[ActivityPage]:
    return list(ActivityPage.objects.descendant_of(program).order_by("path").specific())


def nav_links(html: str) -> dict[str, tuple[str, str]]:
    """{"prev"/"next": (href, text)} of the page's activity navigation."""
    found = {}
    for rel, href, text in re.findall(r'<a[^>]*rel="(prev|next)" href="([^"]*)">(.*?)</a>', html):
        found[rel] = (href, unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ").strip())
    return found


def test_each_activity_links_to_its_neighbours_across_modules(client, trainee, enrolment):
    lesson_1, case_1, lesson_2a, lesson_2b = activities(enrolment.program)
    client.force_login(trainee)

    first = nav_links(client.get(lesson_1.url).content.decode())
    middle = nav_links(client.get(case_1.url).content.decode())
    across = nav_links(client.get(lesson_2a.url).content.decode())
    last = nav_links(client.get(lesson_2b.url).content.decode())

    assert first == {"next": (case_1.url, f"Следующее: {case_1.title} →")}
    # The last of module 1 leads into module 2, and back.
    assert middle == {
        "prev": (lesson_1.url, f"← Предыдущее: {lesson_1.title}"),
        "next": (lesson_2a.url, f"Следующее: {lesson_2a.title} →"),
    }
    assert across["prev"][0] == case_1.url and across["next"][0] == lesson_2b.url
    assert last == {"prev": (lesson_2a.url, f"← Предыдущее: {lesson_2a.title}")}


def test_the_links_have_their_accessible_labels(client, trainee, enrolment):
    _lesson, case, _, _ = activities(enrolment.program)
    client.force_login(trainee)

    html = client.get(case.url).content.decode()

    assert 'class="activity-nav" aria-label="Предыдущее и следующее занятие"' in html
    # The arrows are decoration: the name read out is «Предыдущее: …».
    assert '<span aria-hidden="true">←&nbsp;</span>Предыдущее: ' in html


def test_drafts_and_activities_of_unpublished_modules_are_skipped(client, trainee, enrolment):
    program = enrolment.program
    lesson_1, case_1, lesson_2a, _ = activities(program)
    module_1, module_2 = ModulePage.objects.child_of(program).order_by("path")
    draft = factories.lesson(module_1, "1", live=False)  # after case_1 in module 1
    hidden_module = ModulePage(title="Черновик модуля", slug="draft-module", live=False)
    # Between module 1 and module 2 in the tree, live activity inside, module itself a draft.
    module_1.add_sibling(pos="right", instance=hidden_module)
    hidden_module = ModulePage.objects.get(pk=hidden_module.pk)
    factories.lesson(hidden_module, "1")
    module_2.refresh_from_db()  # moved one place right
    assert module_1.path < hidden_module.path < module_2.path and draft.path > case_1.path

    neighbours = activity_neighbours(activity=case_1)

    assert (neighbours.previous.id, neighbours.next.id) == (lesson_1.pk, lesson_2a.pk)
    client.force_login(trainee)
    assert nav_links(client.get(case_1.url).content.decode())["next"][0] == lesson_2a.url
    # A draft seen in preview still finds its place between its live neighbours.
    assert activity_neighbours(activity=draft).previous.id == case_1.pk
    assert activity_neighbours(activity=draft).next.id == lesson_2a.pk


def test_the_quiz_page_has_the_links_too(client, trainee, enrolment):
    module_1 = ModulePage.objects.child_of(enrolment.program).order_by("path").first()
    quiz = factories.quiz(module_1, [factories.question_bank()])
    case_1 = activities(enrolment.program)[1]
    lesson_2a = activities(enrolment.program)[3]
    client.force_login(trainee)

    links = nav_links(client.get(quiz.url).content.decode())

    assert links["prev"][0] == case_1.url and links["next"][0] == lesson_2a.url
    assert nav_links(client.get(case_1.url).content.decode())["next"][0] == quiz.url


def test_marking_studied_leads_on_to_the_next_activity(client, trainee, enrolment):
    lesson_1, case_1, _, _ = activities(enrolment.program)
    client.force_login(trainee)

    response = client.post(reverse("courses:mark_studied", args=(lesson_1.pk,)), follow=True)

    assert response.redirect_chain == [(case_1.url, 302)]
    html = response.content.decode()
    assert f"«{lesson_1.title}» отмечено как изученное." in html
    assert f'<h1 class="mb-2">{case_1.title}</h1>' in html


def test_marking_the_last_activity_studied_returns_to_my_learning(client, trainee, enrolment):
    *_, lesson_2a, lesson_2b = activities(enrolment.program)
    client.force_login(trainee)

    # The last but one still leads on; the last goes back to «Моё обучение».
    before_last = client.post(reverse("courses:mark_studied", args=(lesson_2a.pk,)))
    response = client.post(reverse("courses:mark_studied", args=(lesson_2b.pk,)), follow=True)

    assert before_last.url == lesson_2b.url
    assert response.redirect_chain == [(reverse("courses:learning"), 302)]
    assert "Это было последнее занятие программы." in response.content.decode()


def test_a_draft_after_the_last_lesson_does_not_count_as_next(client, trainee, enrolment):
    *_, lesson_2b = activities(enrolment.program)
    factories.lesson(LessonPage.objects.get(pk=lesson_2b.pk).get_parent().specific, live=False)
    client.force_login(trainee)

    response = client.post(reverse("courses:mark_studied", args=(lesson_2b.pk,)))

    assert response.url == reverse("courses:learning")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_neighbours_take_three_queries_and_pages_stay_constant(
    client, trainee, enrolment, drawn_afresh
):
    program = enrolment.program
    lesson_1, case_1, _, _ = activities(program)
    client.force_login(trainee)
    client.get(lesson_1.url)  # warm caches (site root paths)

    case = ActivityPage.objects.get(pk=case_1.pk)
    with CaptureQueriesContext(connection) as captured:
        activity_neighbours(activity=case)
    small = (_queries(client, lesson_1.url), _queries(client, case_1.url))
    for number in range(4):
        extra = ModulePage(title=f"Ещё {number}", slug=f"more-{number}")
        module = program.add_child(instance=extra)
        for _ in range(5):
            factories.lesson(module, "1")
            factories.case_study(module, "3")
    large = (_queries(client, lesson_1.url), _queries(client, case_1.url))

    assert len(captured) == 3
    assert small == large
    # A budget: the page found in one query (`HomePage.route`), its programme asked for once.
    assert small[0] <= 18 and small[1] <= 22, small


def test_a_title_with_its_own_quotes_nests_them_in_the_message(client, trainee, enrolment):
    *_, lesson_2a, _lesson_2b = activities(enrolment.program)
    LessonPage.objects.filter(pk=lesson_2a.pk).update(title="Методика «Круг поддержки»")
    client.force_login(trainee)

    response = client.post(reverse("courses:mark_studied", args=(lesson_2a.pk,)), follow=True)

    html = response.content.decode()
    assert "«Методика „Круг поддержки“» отмечено как изученное." in html
    assert "««" not in html and "»»" not in html
