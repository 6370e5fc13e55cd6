"""Changes to a running programme: the impact on active trainees, the confirmation, the notice."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from assessments.models import CaseGrade, CaseSubmission
from courses.models import ActivityCompletion, CaseStudyPage, Enrolment, LessonPage, ModulePage
from notifications.models import Notification
from records.impact import change_impact
from tests import factories

pytestmark = pytest.mark.django_db


def complete(enrolment, activity, *, grade: str | None = None) -> None:
    ActivityCompletion.objects.create(
        enrolment=enrolment,
        activity=activity,
        source=ActivityCompletion.Source.SUBMISSION
        if isinstance(activity, CaseStudyPage)
        else ActivityCompletion.Source.SELF,
        completed_at=timezone.now(),
    )
    if grade is not None:
        submission = CaseSubmission.objects.create(
            enrolment=enrolment,
            case=activity,
            status=CaseSubmission.Status.GRADED,
            submitted_at=timezone.now(),
            times_submitted=1,
        )
        CaseGrade.objects.create(
            submission=submission,
            grader=factories.user("Instructor"),
            score=Decimal(grade),
            max_score=Decimal("100"),
            percent=Decimal(grade),
            graded_at=timezone.now(),
            released_at=timezone.now(),
        )


class School:
    """A live programme (2 h theory + 6 h practice) with one cohort of three trainees — one who
    has completed everything, one who has studied the lesson only, one withdrawn — and another
    programme with a trainee of its own."""

    def __init__(self):
        self.program = factories.program()
        self.module = ModulePage.objects.child_of(self.program).get()
        self.lesson = LessonPage.objects.child_of(self.module).get()
        self.case = CaseStudyPage.objects.child_of(self.module).get()
        self.cohort = factories.cohort(self.program, name="Группа 1")
        self.done = factories.enrol(factories.user("Trainee", last_name="Готова"), self.cohort)
        complete(self.done, self.lesson)
        complete(self.done, self.case, grade="90")
        self.halfway = factories.enrol(factories.user("Trainee", last_name="Начала"), self.cohort)
        complete(self.halfway, self.lesson)
        self.withdrawn = factories.enrol(
            factories.user("Trainee"), self.cohort, status=Enrolment.Status.WITHDRAWN
        )
        complete(self.withdrawn, self.lesson)
        self.other_program = factories.program()
        self.other = factories.enrol(
            factories.user("Trainee"), factories.cohort(self.other_program)
        )


@pytest.fixture
def school():
    return School()


def new_case(module, hours="2"):
    """A case study written in the admin and saved as a draft (not yet live)."""
    case = factories.case_study(module, hours, live=False, title="Новый кейс")
    case.save_revision()
    return case


def case_form(case: CaseStudyPage, **extra) -> dict:
    data = nested_form_data(
        {
            "title": case.title,
            "slug": case.slug,
            "hours": str(case.hours),
            "summary": "",
            "scenario": streamfield([("paragraph", rich_text("<p>Сценарий.</p>"))]),
            "profile_summary": "",
            "family": streamfield([]),
            "tasks": inline_formset([{"title": "План", "instructions": rich_text("")}]),
            "attachments": inline_formset([]),
            "rubric_criteria": inline_formset([]),
            "discussion_guide": rich_text(""),
            "comments": inline_formset([]),
        }
    )
    data["action-publish"] = "action-publish"
    data.update(extra)
    return data


# The numbers -----------------------------------------------------------------------------------


def test_a_new_case_lowers_progress_grade_and_completion_exactly(school):
    case = new_case(school.module)

    impact = change_impact(page=case)

    [cohort] = impact.cohorts
    assert cohort.cohort == school.cohort
    assert cohort.active == 2  # the withdrawn trainee is not studying any more
    by_enrolment = {trainee.enrolment_id: trainee for trainee in cohort.trainees}
    assert set(by_enrolment) == {school.done.pk, school.halfway.pk}
    done = by_enrolment[school.done.pk]
    # 8 of 8 hours → 8 of 10; the case average (90 + 0) / 2; the 60 % pass mark is missed.
    assert (done.progress_before, done.progress_after) == (100, 80)
    assert (done.grade_before, done.grade_after) == (Decimal("90.0"), Decimal("45.0"))
    assert done.loses_completion
    halfway = by_enrolment[school.halfway.pk]
    assert (halfway.progress_before, halfway.progress_after) == (25, 20)
    assert not halfway.grade_falls  # 0 before, 0 after
    assert not halfway.loses_completion  # had not completed
    assert cohort.progress_changes == [(25, 20, 1), (100, 80, 1)]
    assert impact.completion_lost == 1


def test_a_trainee_stays_completed_when_the_grade_still_passes(school):
    # Already done: the new case is the one they completed before it went live (the pass mark
    # 60 % is met by (90 + 90) / 2); only progress of the others falls.
    case = new_case(school.module)
    complete(school.done, case, grade="90")

    impact = change_impact(page=case)

    affected = {trainee.enrolment_id for trainee in impact.trainees}
    assert affected == {school.halfway.pk}
    assert impact.completion_lost == 0


def test_a_lower_grade_alone_takes_completion_away_at_the_pass_mark(school):
    # The new case is done but graded 30: (90 + 30) / 2 = 60 passes; 29 gives 59,5 and fails.
    case = new_case(school.module)
    complete(school.done, case, grade="30")
    assert change_impact(page=case).completion_lost == 0

    CaseGrade.objects.filter(submission__case=case).update(percent=Decimal("29"))
    assert change_impact(page=case).completion_lost == 1


def test_a_change_of_words_only_affects_nobody(school):
    school.lesson.title = "Новое название"
    assert not change_impact(page=school.lesson)


def test_more_hours_for_a_lesson_lower_progress(school):
    school.case.hours = Decimal("9")  # practice only, so that the 75 % rule still holds

    impact = change_impact(page=school.case)

    halfway = next(t for t in impact.trainees if t.enrolment_id == school.halfway.pk)
    assert (halfway.progress_before, halfway.progress_after) == (25, 18)  # 2 of 11 h
    assert all(t.enrolment_id != school.done.pk for t in impact.trainees)  # 100 % stays 100 %


def test_unpublishing_a_case_a_trainee_was_graded_on(school):
    factories.case_study(school.module, "6")  # keeps the programme balanced without the case

    impact = change_impact(page=school.case, unpublishing=True)

    done = next(t for t in impact.trainees if t.enrolment_id == school.done.pk)
    assert (done.progress_before, done.progress_after) == (57, 25)  # 8 of 14 h → 2 of 8 h
    assert done.grade_after < done.grade_before


def test_a_draft_programme_has_nobody_to_affect(school):
    Page.objects.filter(pk=school.program.pk).update(live=False)
    assert not change_impact(page=new_case(school.module))


# The confirmation ------------------------------------------------------------------------------


def test_publishing_without_the_confirmation_does_not_go_live(
    client, senior_instructor, school, django_capture_on_commit_callbacks
):
    client.force_login(senior_instructor)
    case = new_case(school.module)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailadmin_pages:edit", args=(case.pk,)), case_form(case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Опубликовать всё равно" in page
    assert "Группа 1" in page
    assert "с 100 % до 80 %" in page and "с 25 % до 20 %" in page
    assert "перестанет считаться завершившим" in page
    case.refresh_from_db()
    assert not case.live
    assert not Notification.objects.exists()

    # The confirmation page itself refuses a POST without the flag.
    revision = case.get_latest_revision()
    url = reverse("records_publish_confirm", args=(case.pk,))
    response = client.post(url, {"revision": revision.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert not case.live


def test_publishing_with_the_confirmation_goes_live_and_tells_each_affected_trainee_once(
    client, senior_instructor, school, django_capture_on_commit_callbacks
):
    client.force_login(senior_instructor)
    case = new_case(school.module)
    client.post(reverse("wagtailadmin_pages:edit", args=(case.pk,)), case_form(case))
    case.refresh_from_db()
    revision = case.get_latest_revision()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("records_publish_confirm", args=(case.pk,)),
            {"revision": revision.pk, "confirm-impact": "1"},
        )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live
    recipients = sorted(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == sorted([school.done.trainee_id, school.halfway.trainee_id])
    message = Notification.objects.get(recipient=school.done.trainee)
    assert "80 %" in message.body and "100 %" in message.body
    assert "45,0 %" in message.body or "45.0 %" in message.body
    assert "met every requirement" in message.body

    # Publishing the same version again changes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("wagtailadmin_pages:edit", args=(case.pk,)), case_form(case))
    assert Notification.objects.count() == 2


def test_a_draft_programme_publishes_without_confirmation(client, senior_instructor):
    program = factories.program(live=False)
    module = ModulePage.objects.child_of(program).get()
    factories.enrol(factories.user("Trainee"), factories.cohort(program))
    client.force_login(senior_instructor)
    case = new_case(module)

    response = client.post(reverse("wagtailadmin_pages:edit", args=(case.pk,)), case_form(case))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live
    assert not Notification.objects.exists()


def test_creating_and_publishing_a_case_asks_first(client, senior_instructor, school):
    client.force_login(senior_instructor)
    url = reverse("wagtailadmin_pages:add", args=("courses", "casestudypage", school.module.pk))
    draft = CaseStudyPage(title="Новый кейс", slug="new-case", hours=Decimal("2"))

    response = client.post(url, case_form(draft))

    assert response.status_code == 200
    assert "Опубликовать всё равно" in response.content.decode()
    created = CaseStudyPage.objects.get(slug="new-case")
    assert not created.live  # kept as a draft, not added live by Wagtail's create view


def test_approving_in_the_workflow_asks_first(
    client, instructor, senior_instructor, school, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    case = new_case(school.module)
    submit = case_form(case)
    del submit["action-publish"]
    submit["action-submit"] = "action-submit"
    client.post(reverse("wagtailadmin_pages:edit", args=(case.pk,)), submit)
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(case.pk))
    task_state = state.current_task_state

    client.force_login(senior_instructor)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(case.pk, "approve", task_state.pk)
    )
    response = client.post(approve)

    confirm = reverse("records_approve_confirm", args=(task_state.pk,))
    assert response.status_code == 302 and response.url == confirm
    case.refresh_from_db()
    assert not case.live
    assert "Утвердить всё равно" in client.get(confirm).content.decode()
    assert client.post(confirm).status_code == 400
    case.refresh_from_db()
    assert not case.live

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm, {"confirm-impact": "1"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live
    assert Notification.objects.count() == 2


def test_bulk_publishing_asks_first(client, senior_instructor, school):
    client.force_login(senior_instructor)
    case = new_case(school.module)
    url = (
        reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
        + f"?id={case.pk}&next=/admin/"
    )

    response = client.post(url, {})

    assert response.status_code == 200
    assert "Опубликовать всё равно" in response.content.decode()
    case.refresh_from_db()
    assert not case.live

    response = client.post(url, {"confirm-impact": "1"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live


def test_scheduled_publishing_tells_trainees_when_it_goes_live(
    client, senior_instructor, school, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    client.force_login(senior_instructor)
    case = new_case(school.module)
    tomorrow = timezone.localtime(timezone.now() + timezone.timedelta(days=1))
    client.post(
        reverse("wagtailadmin_pages:edit", args=(case.pk,)),
        case_form(case, go_live_at=tomorrow.strftime("%Y-%m-%d %H:%M")),
    )
    case.refresh_from_db()
    revision = case.get_latest_revision()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("records_publish_confirm", args=(case.pk,)),
            {"revision": revision.pk, "confirm-impact": "1"},
        )
    case.refresh_from_db()
    assert not case.live
    assert not Notification.objects.exists()  # scheduled, not yet live

    # A day passes: the scheduled time is now in the past.
    past = timezone.now() - timezone.timedelta(minutes=1)
    revision.refresh_from_db()
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    Page.objects.filter(pk=case.pk).update(go_live_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")

    case.refresh_from_db()
    assert case.live
    assert Notification.objects.count() == 2


def test_the_edit_page_warns_about_a_draft_that_lowers_figures(client, senior_instructor, school):
    client.force_login(senior_instructor)
    case = new_case(school.module)

    response = client.get(reverse("wagtailadmin_pages:edit", args=(case.pk,)))

    assert "2 активных слушателей" in response.content.decode()


def test_unpublishing_practice_trainees_did_asks_first(client, senior_instructor, school):
    factories.case_study(school.module, "6")
    client.force_login(senior_instructor)
    url = reverse("wagtailadmin_pages:unpublish", args=(school.case.pk,))

    response = client.post(url)

    assert response.status_code == 200
    assert "Снять с публикации всё равно" in response.content.decode()
    school.case.refresh_from_db()
    assert school.case.live

    client.post(url, {"confirm-impact": "1"})
    school.case.refresh_from_db()
    assert not school.case.live
