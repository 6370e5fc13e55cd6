"""Cohorts and enrolments: the rules the database and the services hold, and the cohort pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Cohort, Enrolment
from courses.selectors import cohorts_visible_to, programs_visible_to
from courses.services import enrolment_create, enrolment_restore
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    factories.site_home()
    return factories.program()


def test_the_database_allows_one_active_enrolment_per_programme(trainee, program):
    factories.enrol(trainee, factories.cohort(program))
    other = factories.cohort(program)

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.enrol(trainee, other)


def test_a_withdrawn_enrolment_does_not_block_a_new_one(trainee, program):
    first = factories.enrol(trainee, factories.cohort(program))
    factories.withdraw(first)

    second = enrolment_create(trainee=trainee, cohort=factories.cohort(program))

    assert second.status == Enrolment.Status.ACTIVE
    assert first.trainee.enrolments.count() == 2


def test_enrolling_refuses_a_full_cohort_and_a_second_active_cohort(trainee, program):
    full = factories.cohort(program, capacity=1)
    factories.enrol(factories.user("Trainee"), full)
    with pytest.raises(ValidationError, match="full"):
        enrolment_create(trainee=trainee, cohort=full)

    enrolment_create(trainee=trainee, cohort=factories.cohort(program))
    with pytest.raises(ValidationError):
        enrolment_create(trainee=trainee, cohort=factories.cohort(program))


def test_enrolling_twice_in_the_same_cohort_changes_nothing(trainee, program):
    cohort = factories.cohort(program)

    first = enrolment_create(trainee=trainee, cohort=cohort)
    again = enrolment_create(trainee=trainee, cohort=cohort)

    assert first.pk == again.pk and Enrolment.objects.count() == 1


def test_withdraw_and_restore(trainee, program):
    enrolment = factories.enrol(trainee, factories.cohort(program))

    factories.withdraw(enrolment, on=dt.date(2026, 11, 1))
    assert enrolment.status == "withdrawn" and enrolment.withdrawn_on == dt.date(2026, 11, 1)
    assert not programs_visible_to(trainee).exists()

    enrolment_restore(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.withdrawn_on is None


def test_who_follows_which_cohorts(program):
    tambov = factories.cohort(program, region_code="68")
    yugra = factories.cohort(program, region_code="86")
    instructor = factories.user("Instructor")
    tambov.instructors.add(instructor)

    def visible(user):
        return set(cohorts_visible_to(user))

    assert visible(factories.user("Regional official", region_code="68")) == {tambov}
    assert visible(factories.user("Regional official", region_code="86")) == {yugra}
    assert visible(factories.user("Federal official", region_code="77")) == {tambov, yugra}
    assert visible(factories.user("Administrator")) == {tambov, yugra}
    assert visible(instructor) == {tambov}
    assert visible(factories.user("Instructor")) == set()


def test_a_regional_official_creates_a_cohort_in_their_region(client, official, program):
    client.force_login(official)
    data = {
        "program": program.pk,
        "region": official.region_id,
        "name": "Группа 2",
        "starts_on": "2027-01-10",
        "ends_on": "2027-03-20",
        "capacity": 18,
    }

    response = client.post(reverse("courses:cohort_create"), data)

    cohort = Cohort.objects.get(name="Группа 2")
    assert response.url == reverse("courses:cohort_detail", args=(cohort.pk,))
    assert cohort.region == official.region


def test_a_regional_official_cannot_create_a_cohort_in_another_region(client, official, program):
    client.force_login(official)
    data = {
        "program": program.pk,
        "region": factories.region("86").pk,
        "name": "Чужая группа",
        "starts_on": "2027-01-10",
        "ends_on": "2027-03-20",
        "capacity": 18,
    }

    response = client.post(reverse("courses:cohort_create"), data)

    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Cohort.objects.filter(name="Чужая группа").exists()


def test_bad_cohort_dates_and_capacity_get_messages_and_change_nothing(client, official, program):
    cohort = factories.cohort(program, capacity=5)
    for _ in range(3):
        factories.enrol(factories.user("Trainee"), cohort)
    client.force_login(official)
    data = {
        "program": program.pk,
        "region": cohort.region_id,
        "name": cohort.name,
        "starts_on": "2027-03-20",
        "ends_on": "2027-01-10",
        "capacity": 2,
    }

    response = client.post(reverse("courses:cohort_edit", args=(cohort.pk,)), data)

    errors = response.context["form"].errors
    assert "ends_on" in errors and "capacity" in errors
    cohort.refresh_from_db()
    assert cohort.capacity == 5


def test_cohort_page_shows_the_roster_with_progress(client, official, program):
    cohort = factories.cohort(program)
    trainee = factories.user("Trainee", last_name="Соколова")
    enrolment = factories.enrol(trainee, cohort)
    client.force_login(official)

    html = client.get(reverse("courses:cohort_detail", args=(cohort.pk,))).content.decode()

    assert "Соколова" in html
    assert reverse("courses:enrolment_withdraw", args=(enrolment.pk,)) in html
    assert reverse("courses:import_upload", args=(cohort.pk,)) in html


def test_an_instructor_sees_the_roster_but_cannot_manage_it(client, program):
    cohort = factories.cohort(program)
    enrolment = factories.enrol(factories.user("Trainee"), cohort)
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    client.force_login(instructor)

    html = client.get(reverse("courses:cohort_detail", args=(cohort.pk,))).content.decode()

    assert enrolment.trainee.full_name in html
    assert reverse("courses:enrolment_withdraw", args=(enrolment.pk,)) not in html


def test_an_official_withdraws_a_trainee_from_the_cohort_page(client, official, program):
    cohort = factories.cohort(program)
    enrolment = factories.enrol(factories.user("Trainee"), cohort)
    client.force_login(official)
    url = reverse("courses:enrolment_withdraw", args=(enrolment.pk,))

    assert client.get(url).status_code == 200  # asks first
    response = client.post(url, {"on": timezone.localdate().isoformat(), "reason": "Переезд"})

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawal_reason == "Переезд"


def test_cohort_roster_runs_a_constant_number_of_queries(client, official, program, drawn_afresh):
    cohort = factories.cohort(program)
    factories.enrol(factories.user("Trainee"), cohort)
    client.force_login(official)
    url = reverse("courses:cohort_detail", args=(cohort.pk,))
    client.get(url)

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(12):
        factories.enrol(factories.user("Trainee"), cohort)
    with CaptureQueriesContext(connection) as large:
        client.get(url)

    assert len(small) == len(large)
