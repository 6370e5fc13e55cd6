"""The trainee's record: progress, grades, attendance and completion, read from every app below.

`cohort_records` gathers the facts for every trainee of a cohort in a fixed number of queries and
asks `records.completion` for the verdict; `trainee_record` is the same for one trainee, and
`record_detail` adds what the record page lists (every attempt, case grade, session and change of
enrolment). The gradebook, its exports, "Моё обучение", the record page and, later, certificates
and dashboards all read completion here, so that they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.casework import can_grade
from assessments.gradebook import Gradebook, GradebookRow, cohort_gradebook
from assessments.models import CaseSubmission, QuizAttempt
from courses.curriculum import (
    ActivityHours,
    ModuleBreakdown,
    ProgramBreakdown,
    curriculum_breakdown,
)
from courses.models import ActivityCompletion, Cohort, Enrolment, EnrolmentEvent
from courses.progress import Progress, progress_of
from courses.selectors import can_view_program
from schedule.selectors import AttendanceRate, SessionMark, attendance_by_session, cohort_attendance

from .completion import CompletionState, completion_state


@dataclass
class TraineeRecord:
    """One trainee's standing in their cohort, and whether they have completed."""

    enrolment: Enrolment
    breakdown: ProgramBreakdown
    done: Progress
    completed: dict[int, dt.datetime]  # activity id → when
    grades: GradebookRow
    attendance: AttendanceRate
    completion: CompletionState

    @property
    def complete(self) -> bool:
        return self.completion.complete


@dataclass
class CohortRecords:
    cohort: Cohort
    breakdown: ProgramBreakdown
    gradebook: Gradebook
    records: list[TraineeRecord]

    def __iter__(self):
        return iter(self.records)


def cohort_records(
    *, cohort: Cohort, only: Enrolment | None = None, now: dt.datetime | None = None
) -> CohortRecords:
    """Every trainee of the cohort (or `only` one) with their record.

    Ten queries whatever the number of trainees, activities and sessions: the curriculum (2), the
    gradebook (5), the completions (1) and the attendance (2).
    """
    program = cohort.program
    breakdown = curriculum_breakdown(program)
    activities = [activity for module in breakdown.modules for activity in module.activities]
    gradebook = cohort_gradebook(cohort, only=only)
    enrolments = [row.enrolment for row in gradebook.rows]
    completed: dict[int, dict[int, dt.datetime]] = {enrolment.pk: {} for enrolment in enrolments}
    for row in ActivityCompletion.objects.filter(enrolment__in=enrolments).values(
        "enrolment_id", "activity_id", "completed_at"
    ):
        completed[row["enrolment_id"]][row["activity_id"]] = row["completed_at"]
    attendance = cohort_attendance(cohort_id=cohort.pk, enrolments=enrolments, now=now)
    records = []
    for row in gradebook.rows:
        enrolment = row.enrolment
        done = completed[enrolment.pk]
        records.append(
            TraineeRecord(
                enrolment=enrolment,
                breakdown=breakdown,
                done=progress_of(breakdown, done),
                completed=done,
                grades=row,
                attendance=attendance[enrolment.pk],
                completion=completion_state(
                    program=program,
                    activities=activities,
                    done=done,
                    final_grade=row.final,
                    final_exact=row.final_exact,
                    attendance=attendance[enrolment.pk],
                    withdrawn=enrolment.status == Enrolment.Status.WITHDRAWN,
                    withdrawn_on=enrolment.withdrawn_on,
                ),
            )
        )
    return CohortRecords(cohort=cohort, breakdown=breakdown, gradebook=gradebook, records=records)


def trainee_record(*, enrolment: Enrolment, now: dt.datetime | None = None) -> TraineeRecord:
    """One trainee's record, computed exactly as for their whole cohort."""
    [record] = cohort_records(cohort=enrolment.cohort, only=enrolment, now=now).records
    return record


# The record page -----------------------------------------------------------------------------


@dataclass
class ActivityLine:
    activity: ActivityHours
    completed_at: dt.datetime | None


@dataclass
class ModuleLine:
    module: ModuleBreakdown
    done: Progress
    activities: list[ActivityLine]

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.activities if line.completed_at is not None)


@dataclass
class AttemptLine:
    attempt: QuizAttempt
    url: str  # the result page, when the viewer may open it


@dataclass
class QuizLine:
    title: str
    counted: object  # the per cent the gradebook counts, or None
    attempts: list[AttemptLine] = field(default_factory=list)


@dataclass
class CaseLine:
    submission: CaseSubmission
    grade_percent: object  # None while not graded or not yet released to this viewer
    grade_pending: bool  # graded, not yet released
    grading_url: str  # the grading page, for those who grade
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, download URL)


@dataclass
class HistoryLine:
    kind: str
    label: str
    on: dt.date
    reason: str = ""
    by: str = ""


@dataclass
class RecordDetail:
    record: TraineeRecord
    modules: list[ModuleLine]
    quizzes: list[QuizLine]
    cases: list[CaseLine]
    sessions: list[SessionMark]
    history: list[HistoryLine]
    own: bool  # the trainee looking at their own record
    can_study: bool  # may open the programme's pages (links to activities)


def enrolment_history(enrolment: Enrolment) -> list[HistoryLine]:
    """Enrolled, then every withdrawal and restoration in order, with reasons and by whom."""
    history = [HistoryLine(kind="enrolled", label=_("Enrolled"), on=enrolment.enrolled_on)]
    for event in EnrolmentEvent.objects.filter(enrolment=enrolment).select_related("by"):
        history.append(
            HistoryLine(
                kind=event.kind,
                label=event.get_kind_display(),
                on=event.on,
                reason=event.reason,
                by=event.by.full_name if event.by else "",
            )
        )
    return history


def record_detail(*, enrolment: Enrolment, viewer) -> RecordDetail:
    """Everything the record page lists; `viewer` decides the links and what is not yet theirs
    to see (a trainee sees a case grade once it is released)."""
    cohort_view = cohort_records(cohort=enrolment.cohort, only=enrolment)
    [record] = cohort_view.records
    own = enrolment.trainee_id == viewer.pk
    modules = []
    for module in record.breakdown.modules:
        lines = [
            ActivityLine(activity=activity, completed_at=record.completed.get(activity.id))
            for activity in module.activities
        ]
        modules.append(
            ModuleLine(
                module=module,
                done=progress_of(ProgramBreakdown(modules=[module]), record.completed.keys()),
                activities=lines,
            )
        )
    # Every published quiz, attempted or not, then attempts of quizzes no longer published.
    quizzes = {
        item.id: QuizLine(title=item.title, counted=record.grades.cells.get(item.id))
        for item in cohort_view.gradebook.items
        if item.category == "quiz"
    }
    for attempt in (
        QuizAttempt.objects.filter(enrolment=enrolment)
        .select_related("quiz")
        .order_by("quiz__path", "number")
    ):
        line = quizzes.setdefault(attempt.quiz_id, QuizLine(title=attempt.quiz.title, counted=None))
        # Only the trainee opens an attempt's result page (it may show the answers).
        url = reverse("assessments:result", args=(attempt.pk,)) if own else ""
        line.attempts.append(AttemptLine(attempt=attempt, url=url))
    cases = []
    for submission in (
        CaseSubmission.objects.filter(enrolment=enrolment)
        .exclude(status=CaseSubmission.Status.DRAFT)
        .select_related("case", "grade", "enrolment__cohort")
        .prefetch_related("files")
        .order_by("case__path")
    ):
        grade = getattr(submission, "grade", None)
        released = grade is not None and grade.is_released
        # Staff see a grade as soon as it is given; the trainee once it is released.
        shown = grade is not None and (released or not own)
        cases.append(
            CaseLine(
                submission=submission,
                grade_percent=grade.percent if shown else None,
                grade_pending=grade is not None and not released,
                grading_url=reverse("assessments:grade", args=(submission.pk,))
                if can_grade(viewer, submission)
                else "",
                files=[
                    (file.original_name, reverse("assessments:submission_file", args=(file.pk,)))
                    for file in submission.files.all()
                ],
            )
        )
    return RecordDetail(
        record=record,
        modules=modules,
        quizzes=list(quizzes.values()),
        cases=cases,
        sessions=attendance_by_session(enrolment=enrolment),
        history=enrolment_history(enrolment),
        own=own,
        can_study=can_view_program(viewer, enrolment.program),
    )
