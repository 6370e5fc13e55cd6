from django.urls import path

from .views import casework, quizzes

app_name = "assessments"

urlpatterns = [
    path("quizzes/<int:pk>/start/", quizzes.quiz_start, name="start"),
    path("attempts/<int:pk>/", quizzes.attempt_take, name="attempt"),
    path("attempts/<int:pk>/save/", quizzes.attempt_autosave, name="autosave"),
    path("attempts/<int:pk>/summary/", quizzes.attempt_check, name="summary"),
    path("attempts/<int:pk>/submit/", quizzes.attempt_finish, name="submit"),
    path("attempts/<int:pk>/result/", quizzes.attempt_result, name="result"),
    path("cases/<int:pk>/work/", casework.casework_save, name="casework_save"),
    path("files/<int:pk>/", casework.submission_file, name="submission_file"),
    path("cohorts/<int:pk>/queue/", casework.queue, name="queue"),
    path("cohorts/<int:pk>/release/", casework.release_all, name="release_all"),
    path("submissions/<int:pk>/grade/", casework.grade, name="grade"),
]
