from django.urls import path

from . import views

app_name = "replication"

urlpatterns = [path("programmes/catalogue/", views.catalogue, name="catalogue")]
