"""What trainees, instructors and officials do, through the real services, for the tests."""

from __future__ import annotations

from django.http import QueryDict

from assessments.casework import CriterionMark, grade_save, submission_save
from assessments.layout import token_of
from assessments.services import attempt_start, attempt_submit
from courses.services import lesson_mark_studied


def study_lesson(world, enrolment):
    return lesson_mark_studied(user=enrolment.trainee, lesson=world.lesson)


def take_quiz(world, enrolment, *, right: bool = True):
    attempt = attempt_start(user=enrolment.trainee, quiz=world.quiz)
    entry = next(entry for entry in attempt.layout if entry["question"] == world.question.pk)
    option = next(o.pk for o in world.question.options.all() if o.is_correct == right)
    data = QueryDict(mutable=True)
    data[f"q{world.question.pk}"] = token_of(entry["options"], option)
    attempt, errors = attempt_submit(attempt=attempt, data=data)
    assert errors == {}
    return attempt


def submit_case(world, enrolment, index: int = 0):
    case = world.cases[index]
    return submission_save(
        user=enrolment.trainee,
        case=case,
        answers={str(task.pk): "План помощи семье" for task in case.tasks.all()},
        files=[],
        remove_files=[],
        submit=True,
    )


def grade_case(world, submission, *, top: bool = True, release: bool = True):
    index = world.cases.index(next(c for c in world.cases if c.pk == submission.case_id))
    criterion = world.criteria[index]
    return grade_save(
        grader=world.instructor,
        submission=submission,
        marks=[
            CriterionMark(
                criterion_id=criterion.pk,
                level_id=criterion.levels[1 if top else 0].id,
                comment="",
            )
        ],
        comment="",
        release=release,
    )


def complete(world, enrolment) -> None:
    """Everything done and graded well: the trainee completes."""
    study_lesson(world, enrolment)
    take_quiz(world, enrolment)
    for index in range(len(world.cases)):
        grade_case(world, submit_case(world, enrolment, index))
