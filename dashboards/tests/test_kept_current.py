"""Each kind of change, made through the real service, changes its cohort's figures — and only
its cohort's — once the transaction commits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from assessments.casework import grade_release, grades_release_all, submission_save
from assessments.models import CaseGrade, CaseSubmission, QuizAttempt
from assessments.services import attempt_start
from certificates.models import Certificate
from certificates.services import (
    ensure_pdf,
    issue_certificate,
    reissue_certificate,
    revoke_certificate,
)
from courses.imports import import_apply, import_preview
from courses.models import ActivityCompletion, Enrolment
from courses.services import enrolment_create, enrolment_restore, enrolment_withdraw
from dashboards.models import FiguresInvalidation, TraineeFigures, WeeklyCompletions
from dashboards.services import week_start
from schedule.models import Attendance, Session
from schedule.services import attendance_mark, checkin, checkin_code, mark_all_present
from tests import factories

from .actions import complete, grade_case, study_lesson, submit_case, take_quiz
from .conftest import cohort_figures, snapshot, trainee_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def untouched(world):
    """The other cohorts' stored figures before the change, to check after it."""
    before = {
        cohort.pk: (snapshot_all(cohort), cohort_figures(cohort).updated_at)
        for cohort in (world.other, world.elsewhere)
    }

    def check():
        for cohort in (world.other, world.elsewhere):
            rows, updated_at = before[cohort.pk]
            assert snapshot_all(cohort) == rows
            assert cohort_figures(cohort).updated_at == updated_at

    return check


def snapshot_all(cohort):
    return (
        snapshot(TraineeFigures, cohort=cohort),
        snapshot(type(cohort_figures(cohort)), cohort=cohort),
    )


def held_session(cohort, *, days_ago: int = 1) -> Session:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return Session.objects.create(
        cohort=cohort, topic="Финансы семьи", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def test_an_activity_done(world, commit, untouched):
    enrolment = world.enrolments[0]
    before = trainee_figures(enrolment)

    commit(study_lesson, world, enrolment)

    after = trainee_figures(enrolment)
    assert (before.activities_done, after.activities_done) == (0, 1)
    assert after.hours_done == Decimal("2")
    assert after.last_activity_at is not None
    assert cohort_figures(world.cohort).hours_done == Decimal("2")
    assert commit.refreshes == 1
    untouched()


def test_a_quiz_attempt_submitted_and_graded(world, commit, untouched):
    enrolment = world.enrolments[0]

    commit(take_quiz, world, enrolment)

    after = trainee_figures(enrolment)
    # Quizzes weigh 40 %: 100 % on the quiz, nothing yet on two case studies.
    assert after.final_grade == Decimal("40.0")
    assert after.activities_done == 1
    # Not a final grade yet: the cases not done count 0 in it. The mean waits for completions.
    assert cohort_figures(world.cohort).mean_final_grade is None
    untouched()


def test_a_trainee_completing_moves_the_mean_final_grade(world, commit):
    first, second = world.enrolments[:2]
    commit(complete, world, first)
    figures = cohort_figures(world.cohort)
    assert (figures.graded, figures.mean_final_grade) == (1, Decimal("100.0"))
    # A grade below a completed trainee's, not yet final, leaves the mean alone ...
    commit(study_lesson, world, second)
    commit(take_quiz, world, second)
    commit(grade_case, world, commit(submit_case, world, second, 0), top=False)
    assert trainee_figures(second).final_grade == Decimal("40.0")
    assert cohort_figures(world.cohort).mean_final_grade == Decimal("100.0")
    # ... and moves it once the trainee completes: 100 % on the quiz (40 %), 0 and 100 % on
    # the cases (30 % each).
    commit(grade_case, world, commit(submit_case, world, second, 1))
    assert trainee_figures(second).complete
    figures = cohort_figures(world.cohort)
    assert (figures.graded, figures.mean_final_grade) == (2, Decimal("85.0"))


def test_case_work_submitted_then_graded_then_released(world, commit, untouched):
    enrolment = world.enrolments[0]

    submission = commit(submit_case, world, enrolment)
    assert trainee_figures(enrolment).activities_done == 1
    assert trainee_figures(enrolment).practice_hours_done == Decimal("6")

    grade = commit(grade_case, world, submission, release=False)
    # Graded but not released: the gradebook does not count it yet, so neither do the figures.
    assert trainee_figures(enrolment).final_grade == Decimal("0.0")

    commit(grade_release, grade=grade)
    # 100 % on one case of two, weighted 60 %.
    assert trainee_figures(enrolment).final_grade == Decimal("30.0")
    untouched()


def test_publish_all_grades_refreshes_the_cohort_once(world, commit, untouched):
    for enrolment in world.enrolments:
        commit(lambda e=enrolment: grade_case(world, submit_case(world, e), release=False))
    assert {trainee_figures(e).final_grade for e in world.enrolments} == {Decimal("0.0")}

    commit(transaction.atomic(grades_release_all), cohort=world.cohort)

    assert commit.result == 3
    assert {trainee_figures(e).final_grade for e in world.enrolments} == {Decimal("30.0")}
    assert commit.refreshes == 1
    untouched()


def test_one_attendance_mark(world, commit, untouched):
    session = commit(held_session, world.cohort)
    assert cohort_figures(world.cohort).counted == 3  # held, and nobody there yet
    enrolment = world.enrolments[0]

    commit(
        attendance_mark, session=session, enrolment=enrolment, status="present", by=world.instructor
    )

    figures = trainee_figures(enrolment)
    assert (figures.attended, figures.counted, figures.attendance_rate) == (1, 1, Decimal("100.0"))
    assert not figures.attendance_failing
    assert trainee_figures(world.enrolments[1]).attendance_failing
    assert cohort_figures(world.cohort).attendance_rate == Decimal("33.3")
    untouched()


def test_all_present_refreshes_the_cohort_once(world, commit, untouched):
    session = commit(held_session, world.cohort)

    commit(mark_all_present, session=session, by=world.instructor)

    assert commit.result == 3
    assert commit.refreshes == 1
    assert cohort_figures(world.cohort).attendance_rate == Decimal("100.0")
    untouched()


def test_a_qr_check_in(world, commit, untouched):
    start = timezone.now() - dt.timedelta(minutes=5)
    session = commit(
        Session.objects.create,
        cohort=world.cohort,
        topic="Мой бизнес",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    enrolment = world.enrolments[0]
    assert trainee_figures(enrolment).last_activity_at is None

    now = timezone.now()
    commit(
        checkin, user=enrolment.trainee, session=session, code=checkin_code(session, now), now=now
    )

    # Not held yet, so not counted; but being there is the trainee's latest activity.
    assert trainee_figures(enrolment).last_activity_at is not None
    assert cohort_figures(world.cohort).due_at == session.ends_at
    untouched()


def test_a_trainee_enrolled(world, commit, untouched):
    commit(enrolment_create, trainee=factories.user("Trainee"), cohort=world.cohort)

    figures = cohort_figures(world.cohort)
    assert (figures.enrolled, figures.active) == (4, 4)
    untouched()


def test_trainees_imported(world, commit, untouched):
    data = (
        "Фамилия;Имя;Отчество;E-mail;Телефон;Организация;Должность\n"
        "Петрова;Анна;Ивановна;petrova@example.org;+7 900 111-22-33;КЦСОН;Специалист\n"
        "Сидоров;Иван;;sidorov@example.org;8 (900) 222-33-44;;\n"
    ).encode()
    preview = import_preview(
        cohort=world.cohort, uploaded_by=world.official, file_name="list.csv", data=data
    )

    commit(import_apply, enrolment_import=preview)

    assert cohort_figures(world.cohort).enrolled == 5
    assert commit.refreshes == 1
    untouched()


def test_a_trainee_withdrawn_and_restored(world, commit, untouched):
    enrolment = world.enrolments[0]

    commit(
        enrolment_withdraw,
        enrolment=enrolment,
        on=timezone.localdate(),
        reason="Переезд",
        by=world.official,
    )
    figures = cohort_figures(world.cohort)
    assert (figures.enrolled, figures.active, figures.withdrawn) == (3, 2, 1)
    assert trainee_figures(enrolment).status == Enrolment.Status.WITHDRAWN

    commit(enrolment_restore, enrolment=enrolment, by=world.official)
    figures = cohort_figures(world.cohort)
    assert (figures.enrolled, figures.active, figures.withdrawn) == (3, 3, 0)
    untouched()


def test_a_certificate_issued_revoked_and_reissued(world, commit, untouched):
    factories.certificate_template(world.program)
    enrolment = world.enrolments[0]
    commit(complete, world, enrolment)
    assert trainee_figures(enrolment).complete
    figures = cohort_figures(world.cohort)
    assert (figures.completed, figures.active, figures.completion_rate) == (1, 2, Decimal("33.3"))

    certificate = commit(issue_certificate, enrolment=enrolment, issued_by=world.official)
    assert trainee_figures(enrolment).certificate_issued
    assert cohort_figures(world.cohort).certificates == 1

    commit(revoke_certificate, certificate=certificate, by=world.official, reason="Ошибка")
    assert not trainee_figures(enrolment).certificate_issued
    assert cohort_figures(world.cohort).certificates == 0
    untouched()


def test_a_valid_certificate_reissued_stays_counted_once(world, commit):
    factories.certificate_template(world.program)
    enrolment = world.enrolments[0]
    commit(complete, world, enrolment)
    certificate = commit(issue_certificate, enrolment=enrolment, issued_by=world.official)

    commit(reissue_certificate, certificate=certificate, by=world.official, reason="Опечатка")

    assert trainee_figures(enrolment).certificate_issued
    assert cohort_figures(world.cohort).certificates == 1


def test_the_published_curriculum_changes(world, commit, untouched):
    new_case = commit(factories.case_study, world.module, "4", live=False)
    assert trainee_figures(world.enrolments[0]).activities_total == 4

    assert commit.refreshes == 0  # a new draft changes nothing yet

    commit(lambda: new_case.save_revision().publish())

    assert trainee_figures(world.enrolments[0]).activities_total == 5
    # The other cohort of the programme changes too; the other programme's does not.
    assert trainee_figures(world.other_enrolment).activities_total == 5
    assert commit.refreshes == 2


def test_a_draft_saved_refreshes_nothing(world, commit, untouched):
    commit(lambda: world.lesson.save_revision())

    assert commit.refreshes == 0
    untouched()


def test_a_rolled_back_change_leaves_no_trace(world, commit):
    enrolment = world.enrolments[0]

    def failing():
        with transaction.atomic():
            study_lesson(world, enrolment)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        commit(failing)

    assert not FiguresInvalidation.objects.exists()
    assert trainee_figures(enrolment).activities_done == 0


def test_a_trainee_who_completed_and_then_withdrew_counts_as_withdrawn(world, commit, untouched):
    factories.certificate_template(world.program)
    done, studying, idle = world.enrolments
    commit(complete, world, done)
    commit(issue_certificate, enrolment=done, issued_by=world.official)
    commit(study_lesson, world, studying)
    assert WeeklyCompletions.objects.filter(cohort=world.cohort).exists()

    commit(enrolment_withdraw, enrolment=done, on=timezone.localdate(), reason="Переезд", by=None)

    # The record no longer calls them complete: completion needs them still enrolled.
    assert not trainee_figures(done).complete
    figures = cohort_figures(world.cohort)
    assert (figures.enrolled, figures.active, figures.completed, figures.withdrawn) == (3, 2, 0, 1)
    assert figures.completion_rate == Decimal("0.0")
    # The certificate stays counted; the rest counts only the two still in the cohort.
    assert figures.certificates == 1
    assert figures.hours_done == Decimal("2")
    studied = trainee_figures(studying).progress_percent
    assert studied > 0 and figures.median_progress == studied // 2  # the median of it and 0
    # The completions chart no longer counts them.
    assert not WeeklyCompletions.objects.filter(cohort=world.cohort).exists()
    untouched()


def test_the_last_grade_released_completes_the_trainee_in_the_week_of_the_release(world, commit):
    """Work done two weeks ago, its last grade released today: they completed this week, when
    the verdict tipped, not in the week of their last activity."""
    enrolment = world.enrolments[0]
    commit(study_lesson, world, enrolment)
    commit(take_quiz, world, enrolment)
    grades = [
        commit(lambda i=index: grade_case(world, submit_case(world, enrolment, i), release=False))
        for index in range(len(world.cases))
    ]
    weeks_ago = timezone.now() - dt.timedelta(days=15)
    ActivityCompletion.objects.filter(enrolment=enrolment).update(completed_at=weeks_ago)
    QuizAttempt.objects.filter(enrolment=enrolment).update(submitted_at=weeks_ago)
    CaseSubmission.objects.filter(enrolment=enrolment).update(submitted_at=weeks_ago)
    for grade in grades:
        commit(grade_release, grade=grade)

    figures = trainee_figures(enrolment)
    assert figures.complete
    assert figures.last_activity_at == weeks_ago
    [week] = WeeklyCompletions.objects.filter(cohort=world.cohort)
    assert (week.week_start, week.count) == (week_start(timezone.now()), 1)


def test_a_reissued_certificate_revoked_is_no_longer_counted(world, commit):
    factories.certificate_template(world.program)
    enrolment = world.enrolments[0]
    commit(complete, world, enrolment)
    first = commit(issue_certificate, enrolment=enrolment, issued_by=world.official)
    second = commit(reissue_certificate, certificate=first, by=world.official, reason="Опечатка")

    commit(revoke_certificate, certificate=second, by=world.official, reason="Ошибка")

    # The first is replaced, the second revoked: none in force.
    assert not trainee_figures(enrolment).certificate_issued
    assert cohort_figures(world.cohort).certificates == 0


def test_being_marked_absent_is_not_an_activity_being_there_late_is(world, commit):
    session = commit(held_session, world.cohort)
    absent, late = world.enrolments[:2]

    commit(attendance_mark, session=session, enrolment=absent, status="absent", by=None)
    commit(attendance_mark, session=session, enrolment=late, status="late", by=None)

    assert trainee_figures(absent).last_activity_at is None
    assert trainee_figures(late).last_activity_at is not None


# What does not change a figure refreshes nothing ------------------------------------------------


def test_a_certificates_pdf_made_after_issue_refreshes_nothing(world, commit):
    factories.certificate_template(world.program)
    commit(complete, world, world.enrolments[0])
    certificate = commit(factories.certificate, world.enrolments[0])

    commit(ensure_pdf, certificate=certificate)

    assert certificate.pdf
    assert commit.refreshes == 0


def test_a_quiz_started_and_case_work_saved_as_a_draft_refresh_nothing(world, commit):
    enrolment = world.enrolments[0]

    commit(attempt_start, user=enrolment.trainee, quiz=world.quiz)
    assert commit.refreshes == 0
    case = world.cases[0]
    commit(
        submission_save,
        user=enrolment.trainee,
        case=case,
        answers={str(task.pk): "Черновик" for task in case.tasks.all()},
        files=[],
        remove_files=[],
        submit=False,
    )
    assert commit.refreshes == 0


def test_one_transaction_touching_two_cohorts_refreshes_each_once(world, commit):
    def both():
        study_lesson(world, world.enrolments[0])
        study_lesson(world, world.other_enrolment)

    commit(transaction.atomic(both))

    assert commit.refreshes == 2
    assert trainee_figures(world.enrolments[0]).activities_done == 1
    assert trainee_figures(world.other_enrolment).activities_done == 1


# Deleting (as the admin may) refreshes too ------------------------------------------------------


def test_an_attendance_mark_deleted(world, commit):
    session = commit(held_session, world.cohort)
    enrolment = world.enrolments[0]
    mark = commit(attendance_mark, session=session, enrolment=enrolment, status="present", by=None)
    assert cohort_figures(world.cohort).attended == 1

    commit(Attendance.objects.filter(pk=mark.pk).get().delete)

    assert cohort_figures(world.cohort).attended == 0
    assert trainee_figures(enrolment).last_activity_at is None


def test_a_case_grade_deleted(world, commit):
    enrolment = world.enrolments[0]
    grade = commit(lambda: grade_case(world, submit_case(world, enrolment)))
    assert trainee_figures(enrolment).final_grade == Decimal("30.0")

    commit(CaseGrade.objects.get(pk=grade.pk).delete)

    assert trainee_figures(enrolment).final_grade == Decimal("0.0")


def test_a_grade_saved_directly(world, commit):
    """Any save of a grade is heard, not only the grading service's (which also saves the
    submission): a correction made in the shell reaches the figures too."""
    enrolment = world.enrolments[0]
    grade = commit(lambda: grade_case(world, submit_case(world, enrolment)))
    assert trainee_figures(enrolment).final_grade == Decimal("30.0")

    grade.refresh_from_db()
    grade.percent = Decimal("50.0")
    commit(grade.save)

    assert trainee_figures(enrolment).final_grade == Decimal("15.0")


def test_a_session_a_certificate_and_an_enrolment_deleted(world, commit):
    session = commit(held_session, world.cohort)
    assert cohort_figures(world.cohort).counted == 3
    commit(Session.objects.get(pk=session.pk).delete)
    assert cohort_figures(world.cohort).counted == 0

    certificate = commit(factories.certificate, world.enrolments[0])
    assert cohort_figures(world.cohort).certificates == 1
    commit(Certificate.objects.get(pk=certificate.pk).delete)
    assert cohort_figures(world.cohort).certificates == 0

    commit(Enrolment.objects.get(pk=world.enrolments[2].pk).delete)
    assert cohort_figures(world.cohort).enrolled == 2


def copies(enrolment) -> tuple:
    row = trainee_figures(enrolment)
    return (
        row.trainee_id,
        row.enrolled_on,
        row.cohort_name,
        row.cohort_starts_on,
        row.cohort_ends_on,
        row.cohort_median_progress,
    )


def test_the_cohorts_and_the_enrolments_facts_reach_every_trainees_row(world, commit, untouched):
    """The at-risk list reads the cohort's name, dates and median and the enrolment's date from
    the trainee's row: a cohort renamed or moved, an enrolment dated anew, a median that moves
    are on every row of the cohort at once."""
    first, second, third = world.enrolments
    cohort = world.cohort
    today = timezone.localdate()
    assert copies(first) == (
        first.trainee_id,
        first.enrolled_on,
        "Группа A",
        today - dt.timedelta(days=30),
        today + dt.timedelta(days=40),
        0,
    )

    cohort.name = "Группа A-2"
    cohort.starts_on = today - dt.timedelta(days=20)
    cohort.ends_on = today + dt.timedelta(days=10)
    commit(cohort.save)
    first.enrolled_on = today - dt.timedelta(days=5)
    commit(first.save)
    # Two of three done with the lesson: the median moves from 0 to their progress.
    commit(study_lesson, world, first)
    commit(study_lesson, world, second)

    for enrolment, enrolled_on in (
        (first, today - dt.timedelta(days=5)),
        (second, second.enrolled_on),
        (third, third.enrolled_on),
    ):
        assert copies(enrolment) == (
            enrolment.trainee_id,
            enrolled_on,
            "Группа A-2",
            today - dt.timedelta(days=20),
            today + dt.timedelta(days=10),
            cohort_figures(cohort).median_progress,
        )
    assert cohort_figures(cohort).median_progress == trainee_figures(first).progress_percent > 0
    untouched()
