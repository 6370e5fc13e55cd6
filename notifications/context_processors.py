from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def inbox(request):
    # Lazy: pages that never show the counter run no query for it.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=request.user))}
