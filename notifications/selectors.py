from django.db.models import QuerySet

from core import freshness

from .models import Notification


def inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    # Remembered until a message of theirs is written or read (core.freshness).
    return freshness.remembered(
        ("unread", user.pk),
        [freshness.trainee(user.pk)],
        lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    )
