from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST

from core.http import safe_return_url

from .accessibility import LOW_VISION_COOKIE, LOW_VISION_MAX_AGE


@require_POST
def toggle_low_vision(request):
    """Switch the low-vision mode on or off and return to the page the visitor was on."""
    response = HttpResponseRedirect(safe_return_url(request))
    if request.POST.get("enable") == "1":
        response.set_cookie(
            LOW_VISION_COOKIE, "1", max_age=LOW_VISION_MAX_AGE, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(LOW_VISION_COOKIE, samesite="Lax")
    return response
