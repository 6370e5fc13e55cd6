"""Wagtail's user and group admin, adapted to the school's users and roles."""

from wagtail.admin.ui.tables import TitleColumn
from wagtail.users.views import groups
from wagtail.users.views.users import UserViewSet

from .forms import SchoolUserCreationForm, SchoolUserEditForm
from .roles import role_label


class SchoolUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return SchoolUserEditForm if for_update else SchoolUserCreationForm


class SchoolGroupIndexView(groups.IndexView):
    # The list reads the name itself, not str(group): show the role's label instead.
    columns = [
        TitleColumn(
            "name",
            label=groups.IndexView.columns[0].label,
            accessor=lambda group: role_label(group.name),
            sort_key="name",
            url_name="wagtailusers_groups:edit",
        ),
    ]


class SchoolGroupViewSet(groups.GroupViewSet):
    index_view_class = SchoolGroupIndexView
