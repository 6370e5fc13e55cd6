from django.contrib import messages
from django.shortcuts import redirect

from core.http import safe_return_url

from .curriculum import PracticeBalanceError


class PracticeBalanceMiddleware:
    """Turn a refused publication that surfaced outside the edit view into a message.

    Workflow approvals and bulk actions publish deep inside Wagtail; when the practice rule
    refuses there, the editor goes back where they came from and reads why, instead of an error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PracticeBalanceError):
            return None
        messages.error(request, " ".join(exception.messages))
        return redirect(safe_return_url(request, fallback="wagtailadmin_home"))
