from django.db.models import QuerySet

from .models import Notification


def inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
