from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content.views import toggle_low_vision

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("assessments/", include("assessments.urls")),
    path("schedule/", include("schedule.urls")),
    path("", include("records.urls")),
    path("", include("courses.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accessibility/low-vision/", toggle_low_vision, name="toggle_low_vision"),
]

if settings.DEBUG:
    # Images only: documents are never plain files under MEDIA_URL (see content/documents.py).
    from content.documents import public_media_urlpatterns

    urlpatterns += public_media_urlpatterns()

# Wagtail's page serving last: it answers every path not matched above.
urlpatterns.append(path("", include(wagtail_urls)))
