from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content.views import toggle_low_vision
from core.health import health


class FaviconView(RedirectView):
    """/favicon.ico → the site's icon among the static files (its hashed name in production)."""

    permanent = False  # the hashed name changes with the icon

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("privacy.urls")),
    path("", include("replication.urls")),
    path("assessments/", include("assessments.urls")),
    path("schedule/", include("schedule.urls")),
    path("", include("dashboards.urls")),
    path("", include("certificates.urls")),
    path("", include("records.urls")),
    path("", include("courses.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accessibility/low-vision/", toggle_low_vision, name="toggle_low_vision"),
    # Browsers ask for /favicon.ico on their own (and tools that ignore <link rel="icon">).
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # For load balancers and monitoring: whether each dependency answers (core.health).
    path("health/", health, name="health"),
]
# The database lost outside a view (a page's route, a session saved) is a 503 page too.
handler500 = "core.outages.server_error"

if settings.DEBUG:
    # Images only: documents are never plain files under MEDIA_URL (see content/documents.py).
    from content.documents import public_media_urlpatterns

    urlpatterns += public_media_urlpatterns()

if settings.BENCH_FLOOR:
    # The benchmarks' floor: only where the benchmark starts the site with BENCH_FLOOR=1.
    from core.views import floor

    urlpatterns.append(path("bench/floor/", floor, name="bench_floor"))

# Wagtail's page serving last: it answers every path not matched above.
urlpatterns.append(path("", include(wagtail_urls)))
