"""A small school whose trainees have completed: what every certificate test starts from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import CaseGrade, CaseSubmission
from certificates.models import CertificateSignatory, CertificateTemplate
from courses.models import ActivityCompletion, ActivityPage, CaseStudyPage, Enrolment
from tests import factories


def complete(enrolment: Enrolment, *, grade: str = "90") -> Enrolment:
    """Every activity of the programme done, case work graded `grade` per cent and released."""
    grader = factories.user("Instructor", username=f"grader-{enrolment.pk}")
    for activity in ActivityPage.objects.descendant_of(enrolment.program).live().specific():
        ActivityCompletion.objects.create(
            enrolment=enrolment,
            activity=activity,
            source=ActivityCompletion.Source.SUBMISSION
            if isinstance(activity, CaseStudyPage)
            else ActivityCompletion.Source.SELF,
            completed_at=timezone.now(),
        )
        if isinstance(activity, CaseStudyPage):
            submission = CaseSubmission.objects.create(
                enrolment=enrolment,
                case=activity,
                status=CaseSubmission.Status.GRADED,
                submitted_at=timezone.now(),
                times_submitted=1,
            )
            CaseGrade.objects.create(
                submission=submission,
                grader=grader,
                score=Decimal(grade),
                max_score=Decimal("100"),
                percent=Decimal(grade),
                graded_at=timezone.now(),
                released_at=timezone.now(),
            )
    return enrolment


class School:
    """An 18-hour programme (4 h theory, 14 h practice) with its certificate template, a cohort
    in the Tambov region (68) and trainees: `done` have completed, `behind` has not."""

    def __init__(self, *, completed: int = 2, hours=(("theory", "4"), ("practice", "14"))):
        self.program = factories.program([list(hours)], title="Школа социальных координаторов")
        self.template = CertificateTemplate.objects.create(
            program=self.program,
            organisation="ТОГОАУ ДПО «Институт повышения квалификации»",
            licence="Лицензия № Л035-01234-68/00123456 от 01.02.2021",
            city="Тамбов",
            body="прошёл(ла) обучение по программе «{program}» в объёме {total_hours} ак. ч.",
        )
        CertificateSignatory.objects.create(
            template=self.template, name="И. И. Петрова", position="Ректор", sort_order=0
        )
        self.cohort = factories.cohort(self.program, name="Группа 1")
        self.official = factories.user("Regional official", username="official68")
        self.done = [
            complete(
                factories.enrol(
                    factories.user("Trainee", last_name="Иванова", first_name=f"Мария{i}"),
                    self.cohort,
                )
            )
            for i in range(completed)
        ]
        self.behind = factories.enrol(
            factories.user("Trainee", last_name="Сидоров", first_name="Пётр"), self.cohort
        )


@pytest.fixture
def school(db) -> School:
    return School()
