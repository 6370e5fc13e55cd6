"""A region's copy is approved by that region's reviewers: «its own moderation workflow»."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import TaskState

from accounts.models import Region
from courses.models import CurriculumReviewTask, LessonPage
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.updates import apply, changes
from tests import factories

from .test_updates import republish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers(db):
    return {
        "tambov": factories.user("Senior instructor", region_code="68"),
        "yugra": factories.user("Senior instructor", region_code="86"),
        "admin": factories.user("Administrator", region_code="68"),
    }


def task() -> CurriculumReviewTask:
    return CurriculumReviewTask.objects.get()


def test_a_copys_page_is_approved_in_its_region_only(origin, reviewers):
    adoption = import_package(
        package_bytes(release_of(origin.program)), region=Region.objects.get(code="86")
    ).adoption
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    page = apply(adoption, change.uid, user=reviewers["yugra"]).page.specific
    review = task()

    assert review.get_actions(page, reviewers["tambov"]) == []
    assert review.locked_for_user(page, reviewers["tambov"])
    assert not review.user_can_access_editor(page, reviewers["tambov"])
    assert [name for name, *_rest in review.get_actions(page, reviewers["yugra"])][-1] == "approve"
    assert not review.locked_for_user(page, reviewers["yugra"])
    assert review.get_actions(page, reviewers["admin"])  # administrators review every region

    waiting = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
    assert waiting.count() == 1
    assert not review.get_task_states_user_can_moderate(reviewers["tambov"]).exists()
    assert review.get_task_states_user_can_moderate(reviewers["yugra"]).count() == 1

    state = waiting.get()
    with pytest.raises(PermissionDenied):
        review.on_action(state, reviewers["tambov"], "approve")
    page.current_workflow_state.current_task_state.approve(user=reviewers["yugra"])
    page.refresh_from_db()
    assert page.live and page.summary == "Правка"


def test_the_origins_page_is_approved_in_the_origins_region(origin, reviewers):
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.get_workflow().start(lesson, reviewers["tambov"])
    review = task()
    assert review.get_actions(lesson, reviewers["yugra"]) == []
    assert review.get_actions(lesson, reviewers["tambov"])


def test_a_programme_of_no_region_is_reviewed_by_every_reviewer(reviewers):
    program = factories.program()
    lesson = LessonPage.objects.descendant_of(program).get()
    lesson.save_revision()
    lesson.get_workflow().start(lesson, reviewers["tambov"])
    review = task()
    assert review.get_actions(lesson, reviewers["yugra"])
    assert review.get_actions(lesson, reviewers["tambov"])
    assert review.get_task_states_user_can_moderate(reviewers["yugra"]).count() == 1
