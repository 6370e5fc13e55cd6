"""The practice rule through the Wagtail admin: publish, unpublish and workflow approval."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.curriculum import curriculum_breakdown
from courses.models import CaseStudyPage, LessonPage, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


def lesson_form(title: str, hours: str, action: str = "action-publish", **extra) -> dict:
    data = {
        "title": title,
        "slug": extra.pop("slug", "new-lesson"),
        "hours": hours,
        "kind": "theory",
        "summary": "",
        "body": streamfield([]),
        "comments": inline_formset([]),
        **extra,
    }
    data = nested_form_data(data)
    data[action] = action
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def program():
    return factories.program()  # 2 h theory + 6 h practice = 75 %, live


@pytest.fixture
def module(program):
    return ModulePage.objects.child_of(program).get()


def test_publishing_a_new_theory_lesson_below_the_target_is_refused(
    client, senior_instructor, program, module
):
    client.force_login(senior_instructor)
    url = reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", module.pk))

    response = client.post(url, lesson_form("Лишняя теория", "2"))

    lesson = LessonPage.objects.get(slug="new-lesson")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
    [message] = messages_of(response)
    # 4 h of theory need 12 h of practice: 6 are missing, and the share would be 60 %.
    assert re.search(r"\b6\b", message) and "60" in message and "75" in message
    # Nothing is lost: the lesson is kept as a draft, and the programme is unchanged.
    assert not lesson.live
    assert lesson.get_latest_revision() is not None
    assert curriculum_breakdown(program).total_hours == Decimal("8")

    # The editor is sent back to the edit page, which shows the reason.
    follow = client.get(response.url)
    assert follow.status_code == 200
    assert "75" in follow.content.decode()


def test_publishing_a_balanced_change_goes_live(client, senior_instructor, program, module):
    client.force_login(senior_instructor)
    lesson = LessonPage.objects.child_of(module).get()
    url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))

    response = client.post(url, lesson_form("Новое название", "1.5", slug=lesson.slug))

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "Новое название"
    assert curriculum_breakdown(program).theory_hours == Decimal("1.5")


def test_editing_a_live_lesson_above_the_target_keeps_the_live_version(
    client, senior_instructor, program, module
):
    client.force_login(senior_instructor)
    lesson = LessonPage.objects.child_of(module).get()
    url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))

    response = client.post(url, lesson_form(lesson.title, "3", slug=lesson.slug))

    assert response.status_code == 302
    # 3 h of theory need 9 h of practice: 3 are missing, and the share would be 66,7 %.
    [message] = messages_of(response)
    assert re.search(r"\b3\b", message) and "66,7" in message
    lesson.refresh_from_db()
    assert lesson.hours == Decimal("2")  # the live version is untouched
    draft = lesson.get_latest_revision_as_object()
    assert draft.hours == Decimal("3")  # the edit is kept as a draft


def test_raising_the_programme_target_through_the_admin_is_refused(
    client, senior_instructor, program
):
    client.force_login(senior_instructor)
    data = nested_form_data(
        {
            "title": program.title,
            "slug": program.slug,
            "summary": "",
            "description": streamfield([]),
            "practice_target": "80",
            "quiz_weight": "40",
            "case_weight": "60",
            "pass_mark": "60",
            "attendance_threshold": "80",
            "comments": inline_formset([]),
        }
    )
    data["action-publish"] = "action-publish"

    response = client.post(reverse("wagtailadmin_pages:edit", args=(program.pk,)), data)

    assert response.status_code == 302
    assert "80" in messages_of(response)[0]
    program.refresh_from_db()
    assert program.practice_target == 75


def test_unpublishing_practice_below_the_target_is_refused(client, senior_instructor, program):
    client.force_login(senior_instructor)
    case = CaseStudyPage.objects.descendant_of(program).get()

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=(case.pk,)))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live
    assert messages_of(response)


def test_a_senior_instructor_cannot_approve_what_breaks_the_rule(
    client, instructor, senior_instructor, program, module
):
    # An instructor writes a lesson and submits it for moderation (they cannot publish).
    client.force_login(instructor)
    url = reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", module.pk))
    response = client.post(url, lesson_form("Ещё теория", "2", action="action-submit"))
    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="new-lesson")
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(lesson.pk))
    task_state = state.current_task_state

    client.force_login(senior_instructor)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(lesson.pk, "approve", task_state.pk)
    )
    response = client.post(approve, HTTP_REFERER=reverse("wagtailadmin_home"))

    assert response.status_code in {200, 302}
    lesson.refresh_from_db()
    assert not lesson.live
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS
    assert any("75" in message for message in messages_of(response))


def test_instructors_cannot_publish_directly(client, instructor, program, module):
    client.force_login(instructor)
    url = reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", module.pk))

    client.post(url, lesson_form("Урок", "0.5"))

    assert not LessonPage.objects.get(slug="new-lesson").live


def test_deleting_live_practice_below_the_target_is_refused(client, program):
    admin = factories.user("Administrator", is_superuser=True)
    client.force_login(admin)
    case = CaseStudyPage.objects.descendant_of(program).get()

    response = client.post(reverse("wagtailadmin_pages:delete", args=(case.pk,)))

    assert response.status_code == 302
    assert CaseStudyPage.objects.filter(pk=case.pk).exists()
    assert messages_of(response)


def test_deleting_a_draft_is_not_held_by_the_rule(client, program, module):
    admin = factories.user("Administrator", is_superuser=True)
    client.force_login(admin)
    draft = factories.lesson(module, "5", live=False)

    client.post(reverse("wagtailadmin_pages:delete", args=(draft.pk,)))

    assert not LessonPage.objects.filter(pk=draft.pk).exists()


def test_an_instructor_previews_a_case_study_with_its_discussion_guide(client, instructor, program):
    client.force_login(instructor)
    case = CaseStudyPage.objects.descendant_of(program).get()

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=(case.pk,)))

    assert response.status_code == 200
    assert "Разбор для преподавателя" in response.content.decode()
