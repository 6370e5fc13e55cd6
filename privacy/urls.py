from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/archive.zip", views.my_data_archive, name="my_data_archive"),
]
