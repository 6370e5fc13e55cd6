"""Documents of the library reach only the people who may open the place that hands them out.

Every document × every role through Wagtail's serving view, and the development server's
/media/, which must not hand the same files out to anyone.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from content.documents import INSTRUCTOR_ONLY_COLLECTION, document_visible_to
from courses.models import CaseStudyAttachment, CaseStudyPage, Enrolment, LessonPage, ModulePage
from schedule.models import Session
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = [
    "anonymous",
    "trainee",
    "trainee_other_programme",
    "withdrawn",
    "instructor",
    "official_other_region",
    "official",
    "federal",
    "admin",
]


def make_document(title: str, collection: Collection | None = None):
    document = get_document_model()(title=title)
    if collection is not None:
        document.collection = collection
    document.file.save(f"{title}.txt", ContentFile(title.encode()), save=False)
    document.save()
    return document


@pytest.fixture
def world():
    home = factories.site_home()
    program = factories.program(title="Программа А")
    other_program = factories.program(title="Программа Б")
    cohort = factories.cohort(program, region_code="68")
    other_cohort = factories.cohort(other_program, region_code="68")
    users = {
        "anonymous": None,
        "trainee": factories.user("Trainee"),
        "trainee_other_programme": factories.user("Trainee"),
        "withdrawn": factories.user("Trainee"),
        "instructor": factories.user("Instructor"),
        "official_other_region": factories.user("Regional official", region_code="86"),
        "official": factories.user("Regional official", region_code="68"),
        "federal": factories.user("Federal official", region_code="77"),
        "admin": factories.user("Administrator"),
    }
    factories.enrol(users["trainee"], cohort)
    factories.enrol(users["trainee_other_programme"], other_cohort)
    factories.enrol(users["withdrawn"], cohort, status=Enrolment.Status.WITHDRAWN)
    cohort.instructors.add(users["instructor"])

    case = CaseStudyPage.objects.descendant_of(program).get()
    lesson = LessonPage.objects.descendant_of(program).get()
    module = ModulePage.objects.child_of(program).get()
    instructors_only = Collection.objects.get(name=INSTRUCTOR_ONLY_COLLECTION)

    documents = {
        "case attachment": make_document("case-certificate"),
        "lesson block": make_document("lesson-memo"),
        "session material": make_document("session-slides"),
        "instructor-only, attached to the case": make_document("answer-key", instructors_only),
        "attached to an unpublished case": make_document("draft-form"),
        "linked nowhere": make_document("loose"),
        "home page block": make_document("public-leaflet"),
    }
    CaseStudyAttachment.objects.create(page=case, document=documents["case attachment"])
    CaseStudyAttachment.objects.create(
        page=case, document=documents["instructor-only, attached to the case"]
    )
    lesson.body = [("document", {"document": documents["lesson block"], "note": ""})]
    lesson.save()
    draft_case = factories.case_study(module, live=False)
    CaseStudyAttachment.objects.create(
        page=draft_case, document=documents["attached to an unpublished case"]
    )
    start = timezone.now() + dt.timedelta(days=1)
    session = Session.objects.create(
        cohort=cohort, topic="Финансы семьи", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    session.materials.add(documents["session material"])
    home.body = [("document", {"document": documents["home page block"], "note": ""})]
    home.save()
    return {"users": users, "documents": documents, "lesson": lesson, "case": case}


# Those who may open programme A: its trainee, its instructors and authors, the official of its
# region, federal officials and administrators.
PROGRAMME_A = {
    "anonymous": LOGIN,
    "trainee": 200,
    "trainee_other_programme": 403,
    "withdrawn": 403,
    "instructor": 200,
    "official_other_region": 403,
    "official": 200,
    "federal": 200,
    "admin": 200,
}
TEACHING_ONLY = {**PROGRAMME_A, "trainee": 403, "official": 403, "federal": 403}
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}

EXPECTED = {
    "case attachment": PROGRAMME_A,
    "lesson block": PROGRAMME_A,
    "session material": PROGRAMME_A,
    "instructor-only, attached to the case": TEACHING_ONLY,
    "attached to an unpublished case": TEACHING_ONLY,  # authors only
    "linked nowhere": TEACHING_ONLY,  # authors only
    "home page block": SIGNED_IN,
}


@pytest.mark.parametrize("role", ROLES)
def test_every_document_answers_each_role_as_its_place_allows(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    failures = []
    for name, document in world["documents"].items():
        response = client.get(document.url)
        want = EXPECTED[name][role]
        if want == LOGIN:
            ok = response.status_code == 302 and "/login/" in response.url
        else:
            ok = response.status_code == want
        if ok and want == 200:
            ok = b"".join(response.streaming_content) == document.title.encode()
        if not ok:
            failures.append(f"{name}: {response.status_code}, expected {want}")
    assert failures == []


def test_the_session_material_follows_the_enrolment(world):
    trainee = world["users"]["trainee"]
    material = world["documents"]["session material"]
    assert document_visible_to(trainee, material)

    Enrolment.objects.filter(trainee=trainee).update(status=Enrolment.Status.WITHDRAWN)

    assert not document_visible_to(trainee, material)


def test_a_document_block_counts_once_published_and_stops_when_removed(client, world):
    lesson = world["lesson"]
    memo = world["documents"]["lesson block"]
    client.force_login(world["users"]["trainee"])
    assert client.get(memo.url).status_code == 200

    lesson.body = []
    lesson.save()

    assert client.get(memo.url).status_code == 403


def test_a_link_in_the_discussion_guide_hands_nothing_to_trainees(client, world):
    key = make_document("guide-key")
    case = world["case"]
    case.discussion_guide = f'<p><a linktype="document" id="{key.pk}">Ключ</a></p>'
    case.save()

    client.force_login(world["users"]["trainee"])
    assert client.get(key.url).status_code == 403
    client.force_login(world["users"]["instructor"])
    assert client.get(key.url).status_code == 200


# The development server's /media/ ---------------------------------------------------------


@pytest.fixture
def dev_urls(settings):
    """The URLs as `make run` (DEBUG on) builds them."""
    import lms.urls

    settings.DEBUG = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


@pytest.mark.parametrize("role", ["anonymous", "trainee", "admin"])
def test_media_under_debug_serves_images_but_no_document(client, world, dev_urls, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    image = default_storage.save("original_images/pixel.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    document = world["documents"]["case attachment"]

    assert client.get(f"/media/{image}").status_code == 200
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media/images/../{document.file.name}").status_code == 404
    assert client.get(f"/media/original_images/%2e%2e/{document.file.name}").status_code == 404
