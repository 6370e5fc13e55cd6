"""A case study's discussion guide reaches instructors only, on every path that renders the page.

The paths: the page itself, the admin's previews (draft, edit preview, a revision, a comparison
of revisions, the moderation preview), the admin's edit page and API, and the search index (the
site has no search page of its own and no public API). Trainees and officials — regional or
federal — never get the guide's text; instructors, senior instructors and administrators do.
The permission matrix (`tests/test_permission_matrix.py`) also checks that no URL of the project
shows it to anyone but the teaching roles.
"""

import pytest
from django.urls import reverse
from wagtail.models import Page

from courses.models import CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db

GUIDE_WORD = "Разборсекретный"  # one word, so that search can look for it
GUIDE = f"{GUIDE_WORD}: ожидаемый ответ слушателя"
SCENARIO_WORD = "обратилась"

READERS = ["instructor", "senior", "admin"]
NOT_READERS = ["trainee", "official", "federal", "other_official"]


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()
    case = CaseStudyPage.objects.descendant_of(program).get()
    case.discussion_guide = f"<p>{GUIDE}</p>"
    case.save_revision().publish()
    cohort = factories.cohort(program, region_code="68")
    people = {
        "trainee": factories.user("Trainee", region_code="68"),
        "official": factories.user("Regional official", region_code="68"),
        "other_official": factories.user("Regional official", region_code="86"),
        "federal": factories.user("Federal official", region_code="77"),
        "instructor": factories.user("Instructor", region_code="68"),
        "senior": factories.user("Senior instructor", region_code="68"),
        "admin": factories.user("Administrator", is_superuser=True),
    }
    factories.enrol(people["trainee"], cohort)
    cohort.instructors.add(people["instructor"])
    return {"case": CaseStudyPage.objects.get(pk=case.pk), "people": people}


def admin_paths(case) -> dict[str, str]:
    """Every admin URL that renders the case study or its fields."""
    revision = case.latest_revision
    return {
        "draft": reverse("wagtailadmin_pages:view_draft", args=(case.pk,)),
        "edit preview": reverse("wagtailadmin_pages:preview_on_edit", args=(case.pk,)),
        "revision": reverse("wagtailadmin_pages:revisions_view", args=(case.pk, revision.pk)),
        "comparison": reverse(
            "wagtailadmin_pages:revisions_compare", args=(case.pk, "earliest", "latest")
        ),
        "edit": reverse("wagtailadmin_pages:edit", args=(case.pk,)),
        "api": reverse("wagtailadmin_api:pages:detail", args=(case.pk,)) + "?fields=*",
    }


@pytest.mark.parametrize("role", READERS + NOT_READERS)
def test_the_case_page_shows_the_guide_to_instructors_only(client, world, role):
    client.force_login(world["people"][role])

    response = client.get(world["case"].url)

    html = response.content.decode()
    if role == "other_official":  # the programme is not taught in their region
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert SCENARIO_WORD in html  # the page itself is shown
    assert (GUIDE in html) is (role in READERS)


@pytest.mark.parametrize("role", NOT_READERS)
def test_no_admin_preview_or_api_shows_the_guide_to_trainees_or_officials(client, world, role):
    client.force_login(world["people"][role])

    for name, url in admin_paths(world["case"]).items():
        response = client.get(url)
        assert GUIDE_WORD not in response.content.decode(), name
        assert response.status_code in {302, 403}, name  # sent away, not shown the page


@pytest.mark.parametrize("role", READERS)
def test_instructors_read_the_guide_in_the_admin_previews(client, world, role):
    client.force_login(world["people"][role])
    paths = admin_paths(world["case"])

    for name in ("draft", "revision"):
        response = client.get(paths[name])
        assert response.status_code == 200, name
        assert GUIDE_WORD in response.content.decode(), name


def test_the_moderation_preview_shows_the_guide_to_the_reviewer_only(client, world):
    case = world["case"]
    people = world["people"]
    state = case.get_workflow().start(case, people["instructor"])
    url = reverse(
        "wagtailadmin_pages:workflow_preview",
        args=(case.pk, state.current_task_state.task_id),
    )

    client.force_login(people["senior"])
    assert GUIDE_WORD in client.get(url).content.decode()
    for role in NOT_READERS:
        client.force_login(people[role])
        response = client.get(url)
        assert GUIDE_WORD not in response.content.decode(), role


def test_the_guide_is_not_in_the_search_index(world):
    case = world["case"]

    assert case.pk in [page.pk for page in Page.objects.live().search(SCENARIO_WORD)]
    assert not Page.objects.search(GUIDE_WORD)
    assert not CaseStudyPage.objects.search(GUIDE_WORD)
