from django.conf import settings
from django.utils import translation


class SiteLanguageMiddleware:
    """Russian unless the visitor chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the school's site is
    Russian by default, so only the explicit choice (the language cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PageRouteMiddleware:
    """The page an address leads to, remembered until the school's pages change.

    Wagtail finds the site of each request, its root page and the page at the address — five
    queries before the page's own work begins. The answer depends on the host, the address and
    the pages alone, so it is remembered (`core.freshness.remembered`, under the school's
    version, which every write to a page bumps) and handed to Wagtail's `serve`, which reads
    it where it keeps its own answer for the request. An address that leads nowhere is
    remembered as such, and answers 404 as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail.models import Page, Site
        from wagtail.views import serve

        from core import freshness

        if view_func is not serve or request.method not in ("GET", "HEAD"):
            return None
        path = view_kwargs.get("path", view_args[0] if view_args else "")

        def find():
            return Site.find_for_request(request), Page.route_for_request(request, path)

        site, route = freshness.remembered(
            ("route", request.get_host(), request.get_port(), path), [], find
        )
        request._wagtail_site = site
        request._wagtail_route_for_request = route
        return None
