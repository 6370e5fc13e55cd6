from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.federal, name="federal"),
    path("dashboards/regions/<str:code>/", views.region, name="region"),
    path("dashboards/cohorts/<int:pk>/", views.cohort, name="cohort"),
    # The tables as files, with the page's filters: `?program=…&status=…` as on the page.
    *[
        route
        for fmt in ("xlsx", "csv")
        for route in (
            path(
                f"dashboards/regions.{fmt}",
                views.regions_export,
                {"fmt": fmt},
                name=f"regions_{fmt}",
            ),
            path(
                f"dashboards/regions/<str:code>/cohorts.{fmt}",
                views.cohorts_export,
                {"fmt": fmt},
                name=f"cohorts_{fmt}",
            ),
            path(
                f"dashboards/regions/<str:code>/at-risk.{fmt}",
                views.at_risk_export,
                {"fmt": fmt},
                name=f"at_risk_{fmt}",
            ),
            path(
                f"dashboards/cohorts/<int:pk>/trainees.{fmt}",
                views.cohort_trainees_export,
                {"fmt": fmt},
                name=f"cohort_trainees_{fmt}",
            ),
        )
    ],
]
