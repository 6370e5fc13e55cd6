from django.urls import path

from . import views

app_name = "schedule"

urlpatterns = [
    path("", views.my_schedule, name="mine"),
    path("calendar/reset/", views.reset_feed, name="reset_feed"),
    path("calendar/<str:token>/sessions.ics", views.trainee_feed, name="trainee_feed"),
    path("calendar/<str:token>/cohorts/<int:pk>.ics", views.cohort_feed, name="cohort_feed"),
    path("cohorts/<int:pk>/", views.cohort_schedule, name="cohort"),
    path("cohorts/<int:pk>/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/register/", views.register_save, name="register"),
    path("sessions/<int:pk>/all-present/", views.register_all_present, name="all_present"),
    path("sessions/<int:pk>/qr/", views.checkin_screen, name="checkin_screen"),
    path("sessions/<int:pk>/feedback/", views.feedback_save, name="feedback"),
    path("check-in/<int:pk>/<slug:code>/", views.checkin_confirm, name="checkin"),
    path("speakers/<int:pk>/", views.speaker_report, name="speaker"),
]
