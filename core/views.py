"""The benchmarks' floor: the cheapest page Django can serve behind the site's middleware.

`make bench-dashboards` (and issue 13's `make bench`) divide each page's time by this view's,
measured in the same run, so that a ratio says what our code costs over the framework's own.
It is mounted only with `BENCH_FLOOR=1` (see `lms/urls.py`), never on a real site.
"""

from django.http import HttpResponse


def floor(request) -> HttpResponse:
    """A few bytes, without the session, the user or the database: the framework alone."""
    return HttpResponse(b"floor", content_type="text/plain")
