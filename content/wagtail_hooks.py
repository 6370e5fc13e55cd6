from django.contrib.auth.views import redirect_to_login
from wagtail import hooks


@hooks.register("before_serve_document")
def documents_for_signed_in_users_only(document, request):
    """Case documents are study material, not public downloads."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None
