from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.federal, name="federal"),
    path("dashboards/regions/<str:code>/", views.region, name="region"),
]
