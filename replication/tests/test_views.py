"""The replication pages as each role meets them: authors in the admin, federal officials in the
catalogue, and everyone else kept out."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.models import Adoption, Decision, Release
from replication.updates import changes
from tests import factories

from .conftest import build_origin
from .test_packages import _counts
from .test_updates import republish

pytestmark = pytest.mark.django_db


@pytest.fixture
def yugra_author(db):
    return factories.user("Senior instructor", region_code="86")


def upload(data: bytes, name="programme.zip"):
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_an_author_adopts_a_programme_for_their_region(client, origin, yugra_author):
    client.force_login(yugra_author)
    page = client.get(reverse("replication_index"))
    assert page.status_code == 200
    region_field = page.context["form"].fields["region"]
    assert list(region_field.queryset) == [Region.objects.get(code="86")]

    data = package_bytes(release_of(origin.program))
    response = client.post(
        reverse("replication_index"), {"package": upload(data), "region": yugra_author.region_id}
    )
    adoption = Adoption.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("replication_copy", args=[adoption.pk])
    assert adoption.created_by == yugra_author and adoption.region.code == "86"


def test_an_author_cannot_adopt_for_another_region(client, origin, yugra_author):
    client.force_login(yugra_author)
    data = package_bytes(release_of(origin.program))
    response = client.post(
        reverse("replication_index"),
        {"package": upload(data), "region": Region.objects.get(code="77").pk},
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Adoption.objects.exists()


def test_a_broken_upload_is_explained_and_changes_nothing(client, origin, yugra_author):
    client.force_login(yugra_author)
    release_of(origin.program)
    before = _counts()
    response = client.post(
        reverse("replication_index"),
        {"package": upload(b"not a zip at all"), "region": yugra_author.region_id},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["package"] == [
        "Файл не является пакетом программы или обрезан."
    ]
    assert "Файл не является пакетом программы или обрезан." in response.content.decode()
    assert _counts() == before


def test_the_same_upload_twice_makes_one_copy(client, origin, yugra_author):
    client.force_login(yugra_author)
    data = package_bytes(release_of(origin.program))
    for _ in range(2):
        response = client.post(
            reverse("replication_index"),
            {"package": upload(data), "region": yugra_author.region_id},
        )
        assert response.status_code == 302
    assert Adoption.objects.count() == 1


@pytest.mark.parametrize("role", ["Trainee", "Instructor", "Regional official"])
def test_others_cannot_adopt_or_export(client, origin, role):
    client.force_login(factories.user(role, region_code="86"))
    assert client.get(reverse("replication_index")).status_code in (302, 403)
    response = client.post(reverse("replication_export", args=[origin.program.pk]))
    assert response.status_code in (302, 403)
    assert not Release.objects.exists()


def test_export_is_a_post_that_downloads_the_package(client, origin):
    client.force_login(factories.user("Senior instructor"))
    url = reverse("replication_export", args=[origin.program.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{origin.program.slug}-v1.zip"'
    assert response.content == package_bytes(Release.objects.get())


def test_exporting_a_draft_programme_says_why_not(client, db):
    client.force_login(factories.user("Senior instructor"))
    draft = factories.program(live=False)
    response = client.post(reverse("replication_export", args=[draft.pk]), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "Экспортировать можно только опубликованную программу."
    ]
    assert not Release.objects.exists()


@pytest.fixture
def adoption(origin):
    data = package_bytes(release_of(origin.program))
    return import_package(data, region=Region.objects.get(code="86")).adoption


def test_the_copy_page_lists_the_origins_change_with_its_diff(
    client, adoption, origin, yugra_author
):
    republish(origin, origin.lesson, summary="Добавлена памятка")
    client.force_login(yugra_author)
    response = client.get(reverse("replication_copy", args=[adoption.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span class="addition">Добавлена памятка</span>' in body
    [change] = changes(adoption)
    apply_url = reverse("replication_decide", args=[adoption.pk, change.uid, "apply"])
    assert f'action="{apply_url}"' in body


def test_taking_and_declining_from_the_copy_page(client, adoption, origin, yugra_author):
    republish(origin, origin.lesson, summary="Правка 1")
    client.force_login(yugra_author)
    [change] = changes(adoption)
    url = reverse("replication_decide", args=[adoption.pk, change.uid, "apply"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)  # a second click: told, nothing twice
    assert [str(message) for message in again.context["messages"]] == [
        "«Лекция»: изменение стало черновиком и отправлено на согласование.".replace(
            "Лекция", change.title
        ),
        "Это изменение больше не ожидает решения: по нему уже решили, или исходная программа "
        "снова изменилась.",
    ]
    decline_url = reverse("replication_decide", args=[adoption.pk, change.uid, "decline"])
    assert client.post(decline_url).status_code == 302
    assert Decision.objects.get().action == Decision.Action.SUBMITTED


def test_another_regions_author_cannot_touch_the_copy(client, adoption, origin):
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    client.force_login(factories.user("Senior instructor", region_code="77"))
    assert client.get(reverse("replication_copy", args=[adoption.pk])).status_code in (302, 403)
    url = reverse("replication_decide", args=[adoption.pk, change.uid, "decline"])
    assert client.post(url).status_code in (302, 403)
    assert not Decision.objects.exists()


def test_an_unknown_action_is_not_found(client, adoption, yugra_author):
    client.force_login(yugra_author)
    url = f"/admin/replication/copies/{adoption.pk}/changes/{adoption.origin_uid}/publish/"
    assert client.post(url).status_code == 404


def test_the_catalogue_for_a_federal_official(client, adoption, origin):
    republish(origin, origin.lesson, summary="Правка")
    client.force_login(factories.user("Federal official", region_code="77"))
    response = client.get(reverse("replication:catalogue"))
    assert response.status_code == 200
    [row] = [row for row in response.context["rows"] if row.copies]
    assert row.title == origin.program.title and row.latest_version == 2
    [copy] = row.copies
    assert (copy.adoption.region.code, copy.waiting, copy.behind) == ("86", 1, True)
    assert (copy.adapted, copy.own, copy.pages) == (0, 0, 5)


@pytest.mark.parametrize("role", ["Trainee", "Regional official", "Instructor"])
def test_the_catalogue_is_not_for_everyone(client, db, role):
    client.force_login(factories.user(role))
    assert client.get(reverse("replication:catalogue")).status_code == 403


def test_the_catalogue_asks_the_same_queries_for_more_copies(client, origin):
    data = package_bytes(release_of(origin.program))
    import_package(data, region=Region.objects.get(code="86"))
    client.force_login(factories.user("Federal official", region_code="77"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("replication:catalogue")).status_code == 200
        return len(captured)

    one = queries()
    import_package(data, region=Region.objects.get(code="77"))
    second = build_origin(bank_title="Трудоустройство")
    import_package(package_bytes(release_of(second.program)), region=Region.objects.get(code="86"))
    assert queries() == one


def test_the_catalogue_counts_what_the_region_did(client, adoption, origin, yugra_author):
    from courses.models import LessonPage, ModulePage
    from replication.updates import decline

    from .test_updates import copy_of

    lesson = copy_of(adoption, origin.lesson)
    version = lesson.get_latest_revision_as_object()
    version.summary = "Югорская редакция"
    version.save_revision(user=yugra_author)
    factories.lesson(ModulePage.objects.child_of(adoption.programme).get(), "1", live=False)
    republish(origin, origin.quiz, summary="Правка теста")
    copy_of(adoption, origin.case).delete()
    republish(origin, origin.case, summary="Правка кейса")  # deleted in the copy: not waiting

    def row():
        client.force_login(factories.user("Federal official", region_code="77"))
        [found] = [
            r for r in client.get(reverse("replication:catalogue")).context["rows"] if r.copies
        ]
        return found.copies[0]

    copy = row()
    assert (copy.adapted, copy.own, copy.waiting, copy.behind) == (1, 1, 1, True)
    assert copy.pages == 5  # programme, module, lesson, quiz and the region's own lesson
    [change] = changes(adoption)
    decline(adoption, change.uid, user=yugra_author)
    copy = row()
    assert (copy.waiting, copy.behind) == (0, False)
    assert LessonPage.objects.descendant_of(adoption.programme).count() == 2


@pytest.fixture
def exporter(db):
    from django.contrib.auth.models import Permission

    user = factories.user(None, region_code="86")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["access_admin", "export_programme"])
    )
    return user


@pytest.fixture
def adopter(db):
    from django.contrib.auth.models import Permission

    user = factories.user(None, region_code="86")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["access_admin", "adopt_programme"])
    )
    return user


def test_an_exporter_alone_may_export_and_read_but_not_adopt(client, adoption, origin, exporter):
    client.force_login(exporter)
    page = client.get(reverse("replication_index"))
    assert page.status_code == 200 and not page.context["may_adopt"]
    assert list(page.context["form"].fields["region"].queryset) == []
    data = package_bytes(release_of(origin.program))
    response = client.post(reverse("replication_index"), {"package": upload(data), "region": 1})
    assert response.status_code == 302 and response["Location"] != reverse(
        "replication_copy", args=[adoption.pk]
    )
    assert Adoption.objects.count() == 1
    assert client.get(reverse("replication_copy", args=[adoption.pk])).status_code == 302
    assert client.get(reverse("replication:catalogue")).status_code == 200
    assert client.post(reverse("replication_export", args=[origin.program.pk])).status_code == 200


def test_an_adopter_alone_may_not_export(client, origin, adopter):
    client.force_login(adopter)
    release_of(origin.program)
    response = client.post(reverse("replication_export", args=[origin.program.pk]))
    assert response.status_code == 302
    assert "application/zip" not in response.get("Content-Type", "")
    assert Release.objects.count() == 1
    assert client.get(reverse("replication:catalogue")).status_code == 200
