from django.urls import path

from .views import cohorts, imports, learning

app_name = "courses"

urlpatterns = [
    path("learning/", learning.learning_home, name="learning"),
    path("learning/lessons/<int:pk>/studied/", learning.mark_studied, name="mark_studied"),
    path("cohorts/", cohorts.cohort_index, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/import/", imports.import_upload, name="import_upload"),
    path(
        "cohorts/enrolments/<int:pk>/withdraw/",
        cohorts.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
    path(
        "cohorts/enrolments/<int:pk>/restore/",
        cohorts.enrolment_restore_view,
        name="enrolment_restore",
    ),
    path("cohorts/imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("cohorts/imports/<int:pk>/confirm/", imports.import_confirm_view, name="import_confirm"),
    path("cohorts/imports/<int:pk>/retry/", imports.import_retry_view, name="import_retry"),
    path(
        "cohorts/import-template.<slug:fmt>",
        imports.import_template,
        name="import_template",
    ),
]
