import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Region
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
