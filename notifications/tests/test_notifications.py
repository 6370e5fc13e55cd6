import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
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
    client.force_login(trainee)

    client.post(reverse("notifications:read_all"))

    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client, trainee):
    notification = notify(recipient=factories.user("Trainee"), subject="Чужое")
    client.force_login(trainee)

    assert client.get(reverse("notifications:open", args=(notification.pk,))).status_code == 404
