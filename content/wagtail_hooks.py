from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from wagtail import hooks

from .documents import document_visible_to


# order=-1: before Wagtail's own collection-privacy check, which would send a signed-in trainee
# back to the sign-in page instead of saying no.
@hooks.register("before_serve_document", order=-1)
def documents_for_those_who_may_open_them(document, request):
    """Case documents are study material for the people of the programme, not public files."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not document_visible_to(request.user, document):
        raise PermissionDenied
    return None
