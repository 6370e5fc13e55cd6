from django.urls import path

from .views import batches, public

app_name = "certificates"

urlpatterns = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:code>/", public.verify, name="verify"),
]

# Bulk issuance from the cohort page (views/batches.py).
urlpatterns += [
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
