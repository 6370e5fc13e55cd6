"""The issuing rules: who may have one, the numbers, the period of study, the expiry."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from certificates.models import Certificate
from certificates.services import (
    AlreadyIssued,
    NotEligible,
    NoTemplate,
    add_months,
    expiry_date,
    issue_certificate,
)
from courses.models import ActivityCompletion
from tests import factories

from .conftest import complete

pytestmark = pytest.mark.django_db


def test_only_a_trainee_who_has_completed_is_issued_and_told_what_is_missing(school):
    with translation.override("ru"), pytest.raises(NotEligible) as refused:
        issue_certificate(enrolment=school.behind)

    assert refused.value.missing and all("— ещё нет: " in line for line in refused.value.missing)
    assert not Certificate.objects.filter(enrolment=school.behind).exists()
    issue_certificate(enrolment=school.done[0])
    assert Certificate.objects.filter(enrolment=school.done[0]).count() == 1


def test_a_second_issuance_of_the_same_enrolment_is_refused_and_takes_no_number(school):
    first = issue_certificate(enrolment=school.done[0])

    with pytest.raises(AlreadyIssued) as refused:
        issue_certificate(enrolment=school.done[0])

    assert refused.value.certificate == first
    second = issue_certificate(enrolment=school.done[1])
    assert second.sequence == first.sequence + 1


def test_an_issued_certificate_is_already_issued_even_when_the_record_has_changed_since(school):
    """Asked again after the trainee's record lost a completion (an activity reopened, say), the
    answer is still «issued before» with the certificate, not «not eligible»: the batch page
    must not list a holder among those who have not completed."""
    first = issue_certificate(enrolment=school.done[0])
    ActivityCompletion.objects.filter(enrolment=school.done[0]).delete()

    with pytest.raises(AlreadyIssued) as refused:
        issue_certificate(enrolment=school.done[0])

    assert refused.value.certificate == first
    with pytest.raises(NotEligible):
        issue_certificate(enrolment=school.behind)


def test_a_programme_without_a_template_issues_nothing(db):
    program = factories.program()
    enrolment = complete(factories.enrol(factories.user(), factories.cohort(program)))

    with pytest.raises(NoTemplate):
        issue_certificate(enrolment=enrolment)
    assert not Certificate.objects.exists()


def test_serials_count_per_region_and_year_and_registration_numbers_never_restart(school):
    first = issue_certificate(enrolment=school.done[0])
    year = first.issued_on.year

    assert first.serial == f"68-{year}-00001" and first.registration_number == "68/1"
    # Another region counts from 1 on its own.
    other = school.done[1]
    other.cohort.region = factories.region("86")
    other.cohort.save()
    elsewhere = issue_certificate(enrolment=other)
    assert elsewhere.serial == f"86-{year}-00001"


def test_the_period_of_study_is_the_trainees_own(school, monkeypatch):
    cohort = school.cohort
    cohort.starts_on, cohort.ends_on = dt.date(2026, 9, 1), dt.date(2026, 12, 18)
    cohort.save()
    late, early = school.done
    late.enrolled_on = dt.date(2026, 9, 2)  # joined a day after the start
    late.save()
    early.enrolled_on = dt.date(2026, 8, 31)  # enrolled before the start
    early.save()
    monkeypatch.setattr(
        timezone, "now", lambda: dt.datetime(2026, 12, 17, 12, tzinfo=dt.UTC)
    )  # completed the day before the cohort ends

    joined_late = issue_certificate(enrolment=late)
    joined_early = issue_certificate(enrolment=early)

    assert (joined_late.studied_from, joined_late.studied_to) == (
        dt.date(2026, 9, 2),
        dt.date(2026, 12, 17),
    )
    assert joined_early.studied_from == dt.date(2026, 9, 1)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 19, 12, tzinfo=dt.UTC))
    third = factories.enrol(factories.user(), cohort, enrolled_on=dt.date(2026, 9, 1))
    after_the_end = issue_certificate(enrolment=complete(third))
    assert after_the_end.studied_to == dt.date(2026, 12, 18)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 25), 2, dt.date(2027, 1, 25)),
        (dt.date(2026, 11, 25), 36, dt.date(2029, 11, 25)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_certificate_is_valid_to_the_day_before_the_same_date_months_later(school):
    assert expiry_date(issued_on=dt.date(2026, 11, 25), validity_months=None) is None
    assert expiry_date(issued_on=dt.date(2026, 11, 25), validity_months=12) == dt.date(2027, 11, 24)
    school.template.validity_months = 12
    school.template.save()

    certificate = issue_certificate(enrolment=school.done[0])

    assert certificate.expires_on == add_months(certificate.issued_on, 12) - dt.timedelta(days=1)
    assert certificate.status_on(certificate.expires_on) == Certificate.Status.VALID
    assert (
        certificate.status_on(certificate.expires_on + dt.timedelta(days=1))
        == Certificate.Status.EXPIRED
    )
