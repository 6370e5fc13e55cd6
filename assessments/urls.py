from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("<int:pk>/start/", views.quiz_start, name="start"),
    path("attempts/<int:pk>/", views.attempt_take, name="attempt"),
    path("attempts/<int:pk>/save/", views.attempt_autosave, name="autosave"),
    path("attempts/<int:pk>/submit/", views.attempt_finish, name="submit"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="result"),
]
