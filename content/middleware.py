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
