"""The schedule tests' world: a Yugra cohort running now, its instructor and one trainee."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()
    today = timezone.localdate()
    cohort = factories.cohort(
        program,
        region_code="86",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    instructor = factories.user("Instructor", region_code="86")
    cohort.instructors.add(instructor)
    trainee = factories.user("Trainee", region_code="86")
    enrolment = factories.enrol(trainee, cohort)
    return {
        "program": program,
        "cohort": cohort,
        "instructor": instructor,
        "trainee": trainee,
        "enrolment": enrolment,
    }
