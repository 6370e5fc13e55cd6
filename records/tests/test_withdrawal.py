"""Withdrawal: asked for on a page, with a date and a reason; the trainee is told; the history
keeps every withdrawal and restoration, and the withdrawn trainee's home says what happened.

The withdrawal itself is a courses service; it is tested here, beside the record and the home
page that show it.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, EnrolmentEvent
from courses.services import WITHDRAWAL_REASON_MAX, enrolment_restore, enrolment_withdraw
from notifications.models import Notification
from tests import factories
from tests.concurrency import client_for, concurrency_test, run_together, status_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    factories.site_home()
    program = factories.program()
    today = timezone.localdate()
    cohort = factories.cohort(
        program, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30)
    )
    trainee = factories.user("Trainee", last_name="Соколова")
    enrolment = factories.enrol(trainee, cohort, enrolled_on=today - dt.timedelta(days=10))
    official = factories.user("Regional official", region_code="68")
    return {"cohort": cohort, "trainee": trainee, "enrolment": enrolment, "official": official}


def post_withdrawal(client, setup, **data):
    client.force_login(setup["official"])
    url = reverse("courses:enrolment_withdraw", args=(setup["enrolment"].pk,))
    return client.post(url, data)


def status_of(setup) -> str:
    return Enrolment.objects.get(pk=setup["enrolment"].pk).status


def test_the_page_asks_for_the_date_and_the_reason_before_anything_changes(client, setup):
    client.force_login(setup["official"])

    html = client.get(
        reverse("courses:enrolment_withdraw", args=(setup["enrolment"].pk,))
    ).content.decode()

    assert 'name="on"' in html and 'name="reason"' in html
    assert status_of(setup) == "active"


@pytest.mark.parametrize(
    ("days_after_enrolment", "accepted"),
    [(-1, False), (0, True), (10, True), (11, False)],  # enrolled 10 days ago: today is +10
)
def test_the_date_is_neither_before_the_enrolment_nor_in_the_future(
    client, setup, days_after_enrolment, accepted
):
    on = setup["enrolment"].enrolled_on + dt.timedelta(days=days_after_enrolment)

    response = post_withdrawal(client, setup, on=on.isoformat(), reason="Переезд")

    assert response.status_code == (302 if accepted else 400)
    assert status_of(setup) == ("withdrawn" if accepted else "active")
    assert EnrolmentEvent.objects.count() == (1 if accepted else 0)


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [("", False), ("   ", False), ("x" * WITHDRAWAL_REASON_MAX, True)],
)
def test_a_reason_is_required(client, setup, reason, accepted):
    response = post_withdrawal(client, setup, on=timezone.localdate().isoformat(), reason=reason)

    assert response.status_code == (302 if accepted else 400)
    assert status_of(setup) == ("withdrawn" if accepted else "active")


def test_a_reason_one_character_too_long_is_refused_with_a_message(client, setup):
    response = post_withdrawal(
        client, setup, on=timezone.localdate().isoformat(), reason="x" * (WITHDRAWAL_REASON_MAX + 1)
    )

    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert status_of(setup) == "active"


def test_the_service_refuses_what_the_form_would_refuse(setup):
    with pytest.raises(Exception, match="reason|enrolment|future"):
        enrolment_withdraw(
            enrolment=setup["enrolment"], on=timezone.localdate() + dt.timedelta(days=1), reason="x"
        )
    with pytest.raises(Exception, match="reason|Say why"):
        enrolment_withdraw(enrolment=setup["enrolment"], on=timezone.localdate(), reason=" ")
    assert status_of(setup) == "active"


def test_a_date_that_is_not_a_date_is_refused_not_a_500(client, setup):
    response = post_withdrawal(client, setup, on="31.02.2026", reason="Переезд")

    assert response.status_code == 400
    assert status_of(setup) == "active"


def test_the_trainee_is_told_with_the_reason(client, setup):
    post_withdrawal(client, setup, on=timezone.localdate().isoformat(), reason="Переезд в Казань")

    [message] = Notification.objects.filter(recipient=setup["trainee"])
    assert setup["cohort"].name in message.subject
    assert "Переезд в Казань" in message.body


def test_a_second_withdrawal_changes_nothing_and_records_nothing(setup):
    enrolment_withdraw(
        enrolment=setup["enrolment"], on=timezone.localdate(), reason="Переезд", by=None
    )
    enrolment_withdraw(
        enrolment=Enrolment.objects.get(pk=setup["enrolment"].pk),
        on=timezone.localdate(),
        reason="Другое",
    )

    assert list(EnrolmentEvent.objects.values_list("kind", "reason")) == [("withdrawn", "Переезд")]
    assert Notification.objects.filter(recipient=setup["trainee"]).count() == 1


def test_restoring_keeps_the_history_and_the_record_shows_it(client, setup):
    official = setup["official"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    enrolment_withdraw(enrolment=setup["enrolment"], on=yesterday, reason="Болезнь", by=official)
    enrolment_restore(enrolment=setup["enrolment"], by=official)
    enrolment_withdraw(
        enrolment=setup["enrolment"], on=timezone.localdate(), reason="Переезд", by=official
    )

    assert list(EnrolmentEvent.objects.values_list("kind", "reason")) == [
        ("withdrawn", "Болезнь"),
        ("restored", ""),
        ("withdrawn", "Переезд"),
    ]
    client.force_login(official)
    html = client.get(reverse("records:record", args=(setup["enrolment"].pk,))).content.decode()
    history = html[html.index("record-history") :]
    kinds = [
        kind for kind in ("enrolled", "withdrawn", "restored") if f'data-kind="{kind}"' in html
    ]
    assert kinds == ["enrolled", "withdrawn", "restored"]
    assert (
        history.index("Болезнь") < history.index('data-kind="restored"') < history.index("Переезд")
    )
    assert official.full_name in history


def test_the_withdrawn_trainees_home_says_from_where_when_and_why(client, setup):
    enrolment_withdraw(
        enrolment=setup["enrolment"], on=timezone.localdate(), reason="Переезд в Казань"
    )
    client.force_login(setup["trainee"])

    html = client.get(reverse("courses:learning")).content.decode()

    assert 'data-testid="withdrawn"' in html
    assert setup["cohort"].name in html and "Переезд в Казань" in html
    assert timezone.localdate().strftime("%Y") in html
    assert "Вы пока не зачислены" not in html
    assert reverse("records:record", args=(setup["enrolment"].pk,)) in html
    # Read only: the record opens, but no longer the programme's pages.
    record = client.get(reverse("records:record", args=(setup["enrolment"].pk,)))
    assert record.status_code == 200
    assert setup["cohort"].program.url not in record.content.decode()


def test_a_trainee_studying_again_elsewhere_sees_that_cohort_not_the_withdrawal(client, setup):
    enrolment_withdraw(enrolment=setup["enrolment"], on=timezone.localdate(), reason="Перевод")
    other = factories.cohort(setup["cohort"].program, name="Группа 2")
    factories.enrol(setup["trainee"], other)
    client.force_login(setup["trainee"])

    html = client.get(reverse("courses:learning")).content.decode()

    assert 'data-testid="withdrawn"' not in html and "Группа 2" in html


@concurrency_test
def test_a_withdrawal_sent_from_three_tabs_at_once_is_recorded_once(setup):
    url = reverse("courses:enrolment_withdraw", args=(setup["enrolment"].pk,))
    form = {"on": timezone.localdate().isoformat(), "reason": "Переезд"}
    tabs = [client_for(setup["official"]) for _ in range(3)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url, form) for tab in tabs])

    assert status_codes(outcomes) == [302] * 3
    assert list(EnrolmentEvent.objects.values_list("kind", flat=True)) == ["withdrawn"]
    assert Notification.objects.filter(recipient=setup["trainee"]).count() == 1


@concurrency_test
def test_a_restoration_sent_twice_at_once_is_recorded_once(setup):
    enrolment_withdraw(enrolment=setup["enrolment"], on=timezone.localdate(), reason="Переезд")
    url = reverse("courses:enrolment_restore", args=(setup["enrolment"].pk,))
    tabs = [client_for(setup["official"]) for _ in range(2)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url) for tab in tabs])

    assert status_codes(outcomes) == [302] * 2
    assert status_of(setup) == "active"
    assert list(EnrolmentEvent.objects.values_list("kind", flat=True)) == [
        "withdrawn",
        "restored",
    ]
