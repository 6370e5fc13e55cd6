from django.urls import path

from .views import batches, exports, manage, public, trainee

app_name = "certificates"

urlpatterns = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("certificates/<int:pk>/", manage.detail, name="detail"),
    path("certificates/<int:pk>/pdf/", trainee.download, name="download"),
    path("certificates/<int:pk>/revoke/", manage.revoke, name="revoke"),
    path("certificates/<int:pk>/reissue/", manage.reissue, name="reissue"),
    # The register of issued certificates and its files (views/exports.py).
    path("certificates/register/", exports.register, name="register"),
    path(
        "certificates/register.xlsx",
        exports.register_export,
        {"fmt": "xlsx"},
        name="register_xlsx",
    ),
    path(
        "certificates/register.csv",
        exports.register_export,
        {"fmt": "csv"},
        name="register_csv",
    ),
    path("certificates/frdo.xlsx", exports.frdo_export, name="frdo_export"),
    path(
        "cohorts/<int:pk>/certificates.zip",
        exports.cohort_archive_download,
        name="cohort_archive",
    ),
    # Bulk issuance from the cohort page (views/batches.py).
    path(
        "cohorts/<int:cohort_pk>/certificates/batches/",
        batches.start,
        name="batch_start",
    ),
    path(
        "cohorts/<int:cohort_pk>/certificates/batches/<int:pk>/",
        batches.detail,
        name="batch",
    ),
    path(
        "cohorts/<int:cohort_pk>/certificates/batches/<int:pk>/status/",
        batches.status,
        name="batch_status",
    ),
]
