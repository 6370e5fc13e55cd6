"""The 75 % rule on both sides of its boundary, and on every admin path that publishes or
unpublishes: the edit view, the bulk actions of the page explorer.

Each test drives the real admin URL a senior instructor would use, so that skipping the rule on
one path (a hook that forgets "unpublish", a bulk action checked page by page) fails here.
"""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.curriculum import curriculum_breakdown, practice_balance_error
from courses.models import CaseStudyPage, LessonPage, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def lesson_form(lesson: LessonPage, hours: str) -> dict:
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "hours": hours,
            "kind": "theory",
            "summary": "",
            "body": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    data["action-publish"] = "action-publish"
    return data


def bulk_url(action: str, pages) -> str:
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", action))
    return url + "?" + "&".join(f"id={page.pk}" for page in pages)


def live(page) -> bool:
    page.refresh_from_db()
    return page.live


# The rule itself, exactly at the target and just below it --------------------------------


def test_a_programme_exactly_at_75_percent_may_go_live():
    program = factories.program([[("theory", "1.5"), ("practice", "4.5")]], live=False)

    assert curriculum_breakdown(program).practice_share == Decimal("75.0")
    assert practice_balance_error(program) is None


def test_a_tenth_of_an_hour_below_75_percent_is_refused_naming_the_shortfall():
    program = factories.program([[("theory", "1.5"), ("practice", "4.4")]], live=False)

    message = practice_balance_error(program)

    # 1,5 h of theory need 4,5 h of practice: 0,1 h is missing; the share is 74,6 %.
    assert message is not None
    assert "0.1 more academic hours of practice are missing" in message
    assert "74.6%" in message and "75%" in message


def test_a_shortfall_smaller_than_a_tenth_of_an_hour_is_still_refused():
    # At a 70 % target 1 h of theory needs 2,33… h of practice: 2,3 h is short by 0,03 h,
    # which must round up to 0,1 (never down to nothing, which would let it through).
    short = factories.program([[("theory", "1"), ("practice", "2.3")]], practice_target=70)
    enough = factories.program([[("theory", "1"), ("practice", "2.4")]], practice_target=70)

    message = practice_balance_error(short)

    assert message is not None and "0.1 more academic hours" in message
    assert practice_balance_error(enough) is None


# The edit view: exactly at the target goes live, a tenth of an hour more theory does not -----


def test_editing_a_lesson_up_to_exactly_75_percent_publishes_and_a_tenth_more_is_refused(
    client, senior_instructor
):
    program = factories.program([[("theory", "1.5"), ("practice", "6")]])  # 80 %
    lesson = LessonPage.objects.descendant_of(program).get()
    url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
    client.force_login(senior_instructor)

    response = client.post(url, lesson_form(lesson, "2"))

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.hours == Decimal("2")  # 2 h theory, 6 h practice: exactly 75 %, live
    assert curriculum_breakdown(program).practice_share == Decimal("75.0")

    response = client.post(url, lesson_form(lesson, "2.1"))

    lesson.refresh_from_db()
    assert lesson.hours == Decimal("2")  # the live version is kept
    message = messages_of(response)[-1]  # after the first edit's "published"
    # 2,1 h of theory need 6,3 h of practice: 0,3 h is missing, the share would be 74,1 %.
    assert "0,3" in message and "74,1" in message
    assert lesson.get_latest_revision_as_object().hours == Decimal("2.1")  # kept as a draft


# Bulk unpublish in the page explorer ------------------------------------------------------


def test_bulk_unpublish_of_practice_below_the_target_is_refused(client, senior_instructor):
    program = factories.program()  # 2 h theory, 6 h practice: 75 %
    case = CaseStudyPage.objects.descendant_of(program).get()
    client.force_login(senior_instructor)

    response = client.post(bulk_url("unpublish", [case]), {"include_descendants": ""})

    assert response.status_code == 302
    assert live(case)
    [message] = messages_of(response)
    assert "75" in message and "6" in message


def test_bulk_unpublish_that_leaves_exactly_75_percent_goes_ahead(client, senior_instructor):
    program = factories.program([[("theory", "2"), ("practice", "6"), ("practice", "2")]])
    spare = CaseStudyPage.objects.descendant_of(program).get(hours=Decimal("2"))
    client.force_login(senior_instructor)

    response = client.post(bulk_url("unpublish", [spare]), {"include_descendants": ""})

    assert response.status_code == 302
    assert not live(spare)
    assert curriculum_breakdown(program).practice_share == Decimal("75.0")


def test_bulk_unpublish_judges_the_selected_pages_together(client, senior_instructor):
    # 2 h theory, 5 + 1 + 1 h practice: 77,8 %. Either 1-hour case alone may go (6 of 8: 75 %),
    # both together may not (5 of 7: 71,4 %).
    program = factories.program(
        [[("theory", "2"), ("practice", "5"), ("practice", "1"), ("practice", "1")]]
    )
    small = list(CaseStudyPage.objects.descendant_of(program).filter(hours=Decimal("1")))
    client.force_login(senior_instructor)

    response = client.post(bulk_url("unpublish", small), {"include_descendants": ""})

    assert response.status_code == 302
    assert all(live(case) for case in small)
    assert any("71,4" in message for message in messages_of(response))


def test_bulk_unpublish_of_a_module_with_its_activities_is_refused(client, senior_instructor):
    program = factories.program([[("theory", "2"), ("practice", "4")], [("practice", "2")]])
    second = ModulePage.objects.child_of(program).get(title="Модуль 2")
    case = CaseStudyPage.objects.child_of(second).get()
    client.force_login(senior_instructor)

    response = client.post(bulk_url("unpublish", [second]), {"include_descendants": "on"})

    assert response.status_code == 302
    assert live(second) and live(case)
    assert messages_of(response)


# Bulk publish in the page explorer --------------------------------------------------------


def test_bulk_publish_judges_the_selected_drafts_together(client, senior_instructor):
    # 2 h theory, 9 h practice: 81,8 %. One more hour of theory keeps 75 % (9 of 12);
    # two more do not (9 of 13: 69,2 %).
    program = factories.program([[("theory", "2"), ("practice", "9")]])
    module = ModulePage.objects.child_of(program).get()
    drafts = [factories.lesson(module, "1", live=False) for _ in range(2)]
    for draft in drafts:
        draft.save_revision()
    client.force_login(senior_instructor)

    response = client.post(bulk_url("publish", drafts), {"include_descendants": ""})

    assert response.status_code == 302
    assert not any(live(draft) for draft in drafts)
    assert curriculum_breakdown(program).theory_hours == Decimal("2")
    assert messages_of(response)

    response = client.post(bulk_url("publish", drafts[:1]), {"include_descendants": ""})

    assert live(drafts[0])
    assert curriculum_breakdown(program).practice_share == Decimal("75.0")
