"""Serials under load: twenty issuances at the same moment on PostgreSQL share no number and
leave no gap (the region's counter row is locked while a number is taken)."""

from __future__ import annotations

from django.db import connection

from certificates.models import Certificate
from certificates.services import issue_certificate
from tests.concurrency import concurrency_test, run_together

from .conftest import School

PARALLEL = 20


@concurrency_test
def test_twenty_issuances_at_once_get_twenty_distinct_serials_without_a_gap():
    school = School(completed=PARALLEL)
    connection.close()  # each thread opens its own

    outcomes = run_together(
        *[
            lambda enrolment=enrolment: issue_certificate(enrolment=enrolment)
            for enrolment in school.done
        ]
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert errors == []
    issued = Certificate.objects.filter(cohort=school.cohort)
    year = issued.values_list("year", flat=True).first()
    assert sorted(issued.values_list("sequence", flat=True)) == list(range(1, PARALLEL + 1))
    assert sorted(issued.values_list("serial", flat=True)) == [
        f"68-{year}-{n:05d}" for n in range(1, PARALLEL + 1)
    ]
    assert sorted(issued.values_list("registration_number", flat=True)) == sorted(
        f"68/{n}" for n in range(1, PARALLEL + 1)
    )
    assert {c.enrolment_id for c in issued} == {e.pk for e in school.done}


@concurrency_test
def test_the_same_enrolment_issued_twice_at_once_gets_one_certificate_and_no_gap():
    """A double issuance of one trainee: one wins, the other hears AlreadyIssued; the loser's
    numbers roll back with it, so the next certificate takes number 2."""
    school = School(completed=2)
    connection.close()
    first, second = school.done

    outcomes = run_together(*[lambda: issue_certificate(enrolment=first)] * 4)

    winners = [outcome for outcome in outcomes if isinstance(outcome, Certificate)]
    assert len(winners) == 1
    assert all(
        type(outcome).__name__ == "AlreadyIssued" for outcome in outcomes if outcome not in winners
    )
    assert issue_certificate(enrolment=second).sequence == 2
