"""What a person sees when the database stops answering while their request is handled.

Not a «server error»: a 503 page that says the database cannot be reached, that nothing was
saved (every write of ours is one transaction, rolled back), and that what they typed is kept in
their browser (`static/js/drafts.js`, on forms marked `data-keep-draft`) — go back and send it
again in a minute. The page is drawn without the database: no session, no user, no context
processors, only the template and the static files.

`DatabaseUnavailableMiddleware` answers for views (and templates drawn after them);
`server_error`, the site's handler500, for what fails before a view runs (a page's route, read in
middleware) or after it (a session saved at the end).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def _back_url(request: HttpRequest) -> str:
    """The page the form was sent from, if it is on this site (read from the request alone)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        allowed = {request.get_host()}
    except Exception:  # a host the site does not serve: no link back
        return ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts=allowed, require_https=request.is_secure()
    ):
        return referer
    return ""


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, drawn from the template and the request alone."""
    html = render_to_string(
        "database_unavailable.html",
        {"back_url": _back_url(request), "sent": request.method not in ("GET", "HEAD")},
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database (a connection refused or cut, a server shutting down)
    answers with the 503 page; the error is logged with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error(
            "The database did not answer during %s %s",
            request.method,
            request.path,
            exc_info=exception,
        )
        return database_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when what failed is the database, Django's 500 page otherwise.
    Django has logged the error already."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request)
