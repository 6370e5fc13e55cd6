import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Region, User
from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_regions_of_russia_are_loaded_with_their_codes_and_time_zones():
    assert Region.objects.count() == 89
    tambov = Region.objects.get(code="68")
    yugra = Region.objects.get(code="86")
    assert tambov.name == "Тамбовская область" and tambov.time_zone == "Europe/Moscow"
    assert "Югра" in yugra.name and yugra.time_zone == "Asia/Yekaterinburg"


def test_every_role_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) == {role.value for role in Role}


@pytest.mark.parametrize(
    ("role", "can_publish", "can_edit", "admin_access"),
    [
        (Role.TRAINEE, False, False, False),
        (Role.INSTRUCTOR, False, True, True),
        (Role.SENIOR_INSTRUCTOR, True, True, True),
        (Role.REGIONAL_OFFICIAL, False, False, False),
        (Role.FEDERAL_OFFICIAL, False, False, False),
        (Role.ADMINISTRATOR, True, True, True),
    ],
)
def test_roles_carry_their_authoring_permissions(role, can_publish, can_edit, admin_access):
    person = factories.user(role)
    program = factories.program()
    permissions = program.permissions_for_user(person)

    assert permissions.can_publish() is can_publish
    assert permissions.can_edit() is can_edit
    assert person.has_perm("wagtailadmin.access_admin") is admin_access


def test_officials_can_follow_reports_but_only_federal_ones_see_all_regions():
    regional = factories.user(Role.REGIONAL_OFFICIAL)
    federal = factories.user(Role.FEDERAL_OFFICIAL, region_code="77")

    assert regional.has_perm("accounts.view_regional_reports")
    assert not regional.has_perm("accounts.view_all_regions")
    assert federal.has_perm("accounts.view_all_regions")


def test_curriculum_pages_go_through_the_moderation_workflow():
    program = factories.program()
    case = program.get_descendants().type(factories.CaseStudyPage).get().specific

    workflow = case.get_workflow()

    assert workflow is not None and workflow.active
    [task] = workflow.tasks.all()
    assert set(task.specific.groups.values_list("name", flat=True)) == {
        Role.SENIOR_INSTRUCTOR.value,
        Role.ADMINISTRATOR.value,
    }


def test_role_names_are_read_once_per_user(django_assert_num_queries):
    person = factories.user(Role.INSTRUCTOR)

    with django_assert_num_queries(1):
        assert Role.INSTRUCTOR in person.role_names
        assert Role.TRAINEE not in person.role_names


def test_roles_and_permissions_are_read_together_in_one_query(django_assert_num_queries):
    person = factories.user(Role.INSTRUCTOR)
    own = Permission.objects.get(codename="view_regional_reports")
    person.user_permissions.add(own)  # a permission of the user's own, besides the groups'
    person = User.objects.get(pk=person.pk)

    with django_assert_num_queries(1):
        assert person.has_perm("wagtailadmin.access_admin")  # the group's
        assert person.has_perm("accounts.view_regional_reports")  # the user's own
        assert not person.has_perm("accounts.view_all_regions")  # nobody's
        assert person.role_names == {Role.INSTRUCTOR}
        assert person.has_module_perms("wagtailadmin")
        assert not person.has_module_perms("dashboards")


@pytest.mark.parametrize("role", list(Role))
def test_the_permissions_read_with_the_roles_are_djangos(role):
    """What `_load_access` keeps is what Django's ModelBackend reads on its own, for each role
    and for a permission of the user's own, however they are asked."""
    person = factories.user(role)
    # A permission no role holds, the user's own.
    person.user_permissions.add(Permission.objects.get(codename="delete_group"))
    ours = User.objects.get(pk=person.pk)
    assert ours.role_names == {role}  # the roles first, then the permissions
    djangos = User.objects.get(pk=person.pk)
    backend = ModelBackend()

    assert ours.get_all_permissions() == backend.get_all_permissions(djangos)
    assert ours.get_user_permissions() == {"auth.delete_group"}
    assert ours.get_group_permissions() == backend.get_group_permissions(djangos)
    assert "auth.delete_group" not in ours.get_group_permissions()
    assert ours.has_perm("auth.delete_group")


def test_a_user_without_a_role_has_no_role_and_only_their_own_permissions():
    person = factories.user(None)
    person.user_permissions.add(Permission.objects.get(codename="view_region"))
    person = User.objects.get(pk=person.pk)

    assert person.has_perm("accounts.view_region")
    assert not person.has_perm("wagtailadmin.access_admin")
    assert person.role_names == frozenset()


def test_an_inactive_user_has_no_permission_and_a_superuser_every_one():
    inactive = factories.user(Role.ADMINISTRATOR, is_active=False)
    superuser = factories.user(Role.TRAINEE, is_superuser=True)
    inactive, superuser = (User.objects.get(pk=person.pk) for person in (inactive, superuser))

    assert not inactive.has_perm("wagtailadmin.access_admin")
    assert inactive.get_all_permissions() == set()
    assert superuser.has_perm("accounts.view_all_regions")
    assert superuser.get_all_permissions() == {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert superuser.role_names == {Role.TRAINEE}


def test_a_new_role_is_seen_by_the_next_request():
    """Roles and permissions are kept on the user of one request, never longer."""
    person = factories.user(Role.TRAINEE)
    first = User.objects.get(pk=person.pk)
    assert not first.has_perm("wagtailadmin.access_admin")

    person.groups.add(Group.objects.get(name=Role.INSTRUCTOR))
    second = User.objects.get(pk=person.pk)

    assert second.has_perm("wagtailadmin.access_admin")
    assert second.role_names == {Role.TRAINEE, Role.INSTRUCTOR}


def test_an_administrator_creates_a_user_with_a_region_in_the_admin(client):
    admin = factories.user(Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)
    data = {
        "username": "new.coordinator",
        "email": "new@example.org",
        "first_name": "Ольга",
        "last_name": "Петрова",
        "patronymic": "Ивановна",
        "region": Region.objects.get(code="86").pk,
        "password1": "Str0ng-pass-phrase",
        "password2": "Str0ng-pass-phrase",
        "groups": [Group.objects.get(name=Role.TRAINEE).pk],
    }

    response = client.post(reverse("wagtailusers_users:add"), data)

    assert response.status_code == 302
    created = type(admin).objects.get(username="new.coordinator")
    assert created.region.code == "86" and created.patronymic == "Ивановна"


def test_a_user_without_a_region_is_refused_with_a_message(client):
    admin = factories.user(Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "no.region",
            "email": "x@example.org",
            "first_name": "Имя",
            "last_name": "Фамилия",
            "password1": "Str0ng-pass-phrase",
            "password2": "Str0ng-pass-phrase",
        },
    )

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not type(admin).objects.filter(username="no.region").exists()
