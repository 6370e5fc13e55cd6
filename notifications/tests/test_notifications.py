import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import mark_all_read, mark_read, notify, notify_once
from tests import factories

pytestmark = pytest.mark.django_db


def test_notify_puts_a_message_in_the_inbox_and_emails_it(
    trainee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=trainee, subject="Оценка выставлена", body="Кейс 1: 8 из 10", url="/learning/"
        )

    assert Notification.objects.get() == notification
    [message] = mail.outbox
    assert message.to == [trainee.email] and message.subject == "Оценка выставлена"
    assert "Кейс 1: 8 из 10" in message.body and "/learning/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_user_who_turned_email_off_gets_only_the_inbox_copy(
    trainee, django_capture_on_commit_callbacks
):
    trainee.email_notifications = False
    trainee.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=trainee, subject="Завтра занятие")

    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_inbox_shows_unread_count_and_opening_marks_read(client, trainee):
    notification = notify(recipient=trainee, subject="Новое сообщение", url="/learning/")
    notify(recipient=factories.user("Trainee"), subject="Чужое сообщение")
    client.force_login(trainee)

    html = client.get(reverse("notifications:list")).content.decode()
    assert "Новое сообщение" in html and "Чужое сообщение" not in html
    assert 'badge text-bg-danger">1' in html

    response = client.get(reverse("notifications:open", args=(notification.pk,)))

    assert response.url == "/learning/"
    notification.refresh_from_db()
    assert notification.is_read
    assert (
        'badge text-bg-danger">' not in client.get(reverse("notifications:list")).content.decode()
    )


def test_a_notification_never_redirects_off_site(client, trainee):
    notification = notify(recipient=trainee, subject="x", url="https://evil.example/")
    client.force_login(trainee)

    response = client.get(reverse("notifications:open", args=(notification.pk,)))

    assert response.url == reverse("notifications:list")


def test_mark_all_read(client, trainee):
    for number in range(3):
        notify(recipient=trainee, subject=f"Сообщение {number}")
    someone_else = notify(recipient=factories.user("Trainee"), subject="Чужое")
    client.force_login(trainee)

    page = client.get(reverse("notifications:list")).content.decode()
    assert "Отметить все как прочитанные" in page
    client.post(reverse("notifications:read_all"))

    assert not Notification.objects.filter(recipient=trainee, read_at__isnull=True).exists()
    someone_else.refresh_from_db()
    assert not someone_else.is_read


def test_mark_all_read_is_one_query_whatever_the_count(trainee, django_assert_num_queries):
    for number in range(30):
        notify(recipient=trainee, subject=f"Сообщение {number}")

    with django_assert_num_queries(1):
        assert mark_all_read(recipient=trainee) == 30


def test_mark_all_read_takes_only_a_post(client, trainee):
    notify(recipient=trainee, subject="Сообщение")
    client.force_login(trainee)

    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_unread_messages_look_different_without_relying_on_colour(client, trainee):
    read = notify(recipient=trainee, subject="Прочитанное")
    mark_read(notification=read)
    notify(recipient=trainee, subject="Непрочитанное")
    client.force_login(trainee)

    html = client.get(reverse("notifications:list")).content.decode()

    items = {
        re.search(r">([^<]+)</a>", item).group(1): item
        for item in re.findall(r'<li class="list-group-item.*?</li>', html, re.S)
    }
    unread, seen = items["Непрочитанное"], items["Прочитанное"]
    # Weight and a visible word tell them apart, not colour alone.
    assert "новое" in unread and "fw-bold" in unread
    assert "новое" not in seen and "fw-bold" not in seen and "fw-normal" in seen


def test_notify_once_sends_once_per_kind_and_key(trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_once(recipient=trainee, kind="digest", once_key="03-04", subject="a")
        again = notify_once(recipient=trainee, kind="digest", once_key="03-04", subject="a")
        other_day = notify_once(recipient=trainee, kind="digest", once_key="03-05", subject="b")

    assert first is not None and again is None and other_day is not None
    assert len(mail.outbox) == 2
    # Ordinary messages have no key and are never held back.
    notify(recipient=trainee, subject="c")
    notify(recipient=trainee, subject="c")
    assert Notification.objects.filter(recipient=trainee).count() == 4


def test_someone_elses_notification_is_not_found(client, trainee):
    notification = notify(recipient=factories.user("Trainee"), subject="Чужое")
    client.force_login(trainee)

    assert client.get(reverse("notifications:open", args=(notification.pk,))).status_code == 404
