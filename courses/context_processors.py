from django.utils.functional import SimpleLazyObject

from .selectors import follows_cohorts


def navigation(request):
    return {"nav_follows_cohorts": SimpleLazyObject(lambda: follows_cohorts(request.user))}
