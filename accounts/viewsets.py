from wagtail.users.views.users import UserViewSet

from .forms import SchoolUserCreationForm, SchoolUserEditForm


class SchoolUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return SchoolUserEditForm if for_update else SchoolUserCreationForm
