from django.urls import path

from .views import manage, public, trainee

app_name = "certificates"

urlpatterns = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("certificates/<int:pk>/", manage.detail, name="detail"),
    path("certificates/<int:pk>/pdf/", trainee.download, name="download"),
    path("certificates/<int:pk>/revoke/", manage.revoke, name="revoke"),
    path("certificates/<int:pk>/reissue/", manage.reissue, name="reissue"),
]
