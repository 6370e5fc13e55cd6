"""Sending messages to people: the one way every feature notifies a user."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import freshness
from core.links import absolute_url

from .models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipient, subject: str, body: str = "", url: str = "") -> Notification:
    """Put a message in the user's inbox and, unless they turned it off, e-mail it.

    The e-mail goes out after the surrounding transaction commits, so that a rolled-back change
    never announces itself.
    """
    notification = Notification.objects.create(
        recipient=recipient, subject=subject, body=body, url=url
    )
    _email_after_commit(notification)
    return notification


def notify_once(
    *, recipient, kind: str, once_key: str, subject: str, body: str = "", url: str = ""
) -> Notification | None:
    """Like `notify`, but only if `recipient` never got a message of this `kind` for `once_key`.

    None when it was sent before. The unique rule of the table decides, so that two runs of a job
    at the same moment (two workers, a timer and a hand-started run) still send one message.
    """
    try:
        with transaction.atomic():  # a savepoint: the refused insert leaves the caller's work
            notification = Notification.objects.create(
                recipient=recipient,
                subject=subject,
                body=body,
                url=url,
                kind=kind,
                once_key=once_key,
            )
    except IntegrityError:
        return None
    _email_after_commit(notification)
    return notification


def _email_after_commit(notification: Notification) -> None:
    recipient = notification.recipient
    if recipient.email_notifications and recipient.email:
        transaction.on_commit(lambda: _email(notification.pk))


def _email(notification_id: int) -> None:
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    text = notification.body
    if notification.url:
        link = notification.url
        if link.startswith("/") and not link.startswith("//"):
            link = absolute_url(link)
        text = f"{text}\n\n{link}".strip()
    try:
        send_mail(
            subject=notification.subject,
            message=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except OSError:
        # The inbox copy is kept; a mail outage must not break the action that notified.
        logger.exception("Could not e-mail notification %s", notification_id)
        return
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(*, recipient) -> int:
    marked = Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    freshness.bump(freshness.trainee(recipient.pk))  # an update sends no post_save
    return marked
