from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("learning/record/", views.my_record, name="mine"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/cohorts/<int:pk>/gradebook/", views.gradebook, name="gradebook"),
    path(
        "records/cohorts/<int:pk>/gradebook.<slug:fmt>",
        views.gradebook_export,
        name="gradebook_export",
    ),
]
