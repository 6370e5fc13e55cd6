"""Revoking and reissuing: who may, what is recorded, what the holder is told, a second
submission refused with a message, and a reissue that prints the corrected name while the old
PDF stays as it was."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.selectors import can_revoke
from certificates.services import (
    CannotChange,
    issue_with_pdf,
    reissue_certificate,
    revoke_certificate,
)
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def revoke(client, certificate, **data):
    return client.post(
        reverse("certificates:revoke", args=[certificate.pk]),
        {f"revoke-{key}": value for key, value in data.items()},
    )


def reissue(client, certificate, **data):
    return client.post(
        reverse("certificates:reissue", args=[certificate.pk]),
        {f"reissue-{key}": value for key, value in data.items()},
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def certificate(school):
    return factories.certificate(school.done[0])


# Who may


def test_who_may_revoke_and_reissue(certificate, school):
    instructor = factories.user("Instructor")
    school.cohort.instructors.add(instructor)
    answers = {
        "official of the region": can_revoke(school.official, certificate),
        "official of another region": can_revoke(
            factories.user("Regional official", region_code="86"), certificate
        ),
        "federal official": can_revoke(factories.user("Federal official"), certificate),
        "administrator": can_revoke(factories.user("Administrator"), certificate),
        "the cohort's instructor": can_revoke(instructor, certificate),
        "the holder": can_revoke(certificate.trainee, certificate),
    }

    assert answers == {
        "official of the region": True,
        "official of another region": False,
        "federal official": True,
        "administrator": True,
        "the cohort's instructor": False,
        "the holder": False,
    }


def test_an_instructor_sees_the_page_but_may_not_revoke(client, certificate, school):
    instructor = factories.user("Instructor")
    school.cohort.instructors.add(instructor)
    client.force_login(instructor)

    page = client.get(reverse("certificates:detail", args=[certificate.pk]))
    refused = revoke(client, certificate, reason="попытка")
    refused_reissue = reissue(client, certificate, reason="попытка")

    certificate.refresh_from_db()
    assert page.status_code == 200
    assert reverse("certificates:revoke", args=[certificate.pk]) not in page.content.decode()
    assert refused.status_code == refused_reissue.status_code == 403
    assert certificate.revoked_at is None
    assert not Certificate.objects.filter(replaces=certificate).exists()


# Revocation


def test_revoking_records_who_when_and_why_and_tells_the_holder(client, certificate, school):
    client.force_login(school.official)

    response = revoke(
        client, certificate, reason="Служебная проверка № 5", public_reason="Выдано ошибочно"
    )

    certificate.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("certificates:detail", args=[certificate.pk])
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == school.official
    assert certificate.revocation_reason == "Служебная проверка № 5"
    assert certificate.revocation_public_reason == "Выдано ошибочно"
    [notice] = Notification.objects.filter(recipient=certificate.trainee)
    assert notice.subject == f"Ваш документ № {certificate.serial} отозван"
    assert notice.body == "Причина: Выдано ошибочно"
    assert notice.url == reverse("records:record", args=[certificate.enrolment_id])
    # The staff's page keeps the whole story.
    page = client.get(response.url).content.decode()
    for text in ("Служебная проверка № 5", "Выдано ошибочно", school.official.full_name):
        assert text in page


def test_the_holder_is_never_told_the_internal_reason(certificate, school):
    revoke_certificate(certificate=certificate, by=school.official, reason="Внутренняя причина")

    [notice] = Notification.objects.filter(recipient=certificate.trainee)
    assert "Внутренняя" not in notice.subject + notice.body


def test_a_revocation_needs_a_reason(client, certificate, school):
    client.force_login(school.official)

    response = revoke(client, certificate, reason="  ", public_reason="Публичная")

    certificate.refresh_from_db()
    assert response.status_code == 200
    assert "Требуется заполнить это поле" in response.content.decode()
    assert certificate.revoked_at is None
    assert not Notification.objects.filter(recipient=certificate.trainee).exists()


def test_a_second_revocation_says_it_is_revoked_already(client, certificate, school):
    client.force_login(school.official)
    revoke(client, certificate, reason="первая")
    certificate.refresh_from_db()
    first_at = certificate.revoked_at

    second = revoke(client, certificate, reason="вторая")

    certificate.refresh_from_db()
    assert second.status_code == 302
    assert messages_of(second)[-1] == "Этот документ уже отозван."
    assert certificate.revoked_at == first_at and certificate.revocation_reason == "первая"
    assert Notification.objects.filter(recipient=certificate.trainee).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_revocations_at_once_make_one(school):
    certificate = factories.certificate(school.done[0])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(reason: str) -> None:
        barrier.wait()
        try:
            revoke_certificate(certificate=certificate, by=school.official, reason=reason)
            outcomes.append("revoked")
        except CannotChange:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(reason,)) for reason in ("а", "б")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "revoked"]
    assert Notification.objects.filter(recipient=certificate.trainee).count() == 1


# Reissue


def test_a_reissue_after_a_name_correction_prints_the_new_name_and_keeps_the_old_pdf(
    client, school
):
    old = issue_with_pdf(enrolment=school.done[0], issued_by=school.official)
    old_bytes = old.pdf.open("rb").read()
    trainee = old.trainee
    trainee.last_name = "Орлова"
    trainee.save()
    client.force_login(school.official)

    response = reissue(client, old, reason="исправление фамилии")

    old.refresh_from_db()
    new = Certificate.objects.get(replaces=old)
    assert response.status_code == 302
    assert response.url == reverse("certificates:detail", args=[new.pk])
    assert new.serial != old.serial and new.code != old.code
    assert new.last_name == "Орлова" and new.issued_by == school.official
    assert new.reissue_reason == "исправление фамилии"
    assert "Орлова" in pdf_text(new.pdf.open("rb").read())
    assert old.pdf.open("rb").read() == old_bytes
    assert hashlib.sha256(old_bytes).hexdigest() == old.pdf_sha256
    assert "Иванова" in pdf_text(old_bytes) and "Орлова" not in pdf_text(old_bytes)
    [notice] = Notification.objects.filter(recipient=trainee)
    assert notice.subject == (f"Ваш документ переоформлен: № {new.serial} взамен № {old.serial}")
    assert notice.body == "Причина: исправление фамилии"
    assert notice.url == reverse("records:record", args=[new.enrolment_id])
    # The old one's page links the chain both ways.
    page = client.get(reverse("certificates:detail", args=[old.pk])).content.decode()
    assert reverse("certificates:detail", args=[new.pk]) in page
    assert "Заменено" in page


def test_a_reissue_needs_a_reason(client, certificate, school):
    client.force_login(school.official)

    response = reissue(client, certificate, reason="")

    assert response.status_code == 200
    assert not Certificate.objects.filter(replaces=certificate).exists()


def test_a_second_reissue_of_the_same_certificate_is_refused(client, certificate, school):
    client.force_login(school.official)
    reissue(client, certificate, reason="первое")

    second = reissue(client, certificate, reason="второе")

    assert second.status_code == 302
    assert messages_of(second)[-1] == "Этот документ уже заменён переоформленным."
    assert Certificate.objects.filter(enrolment=certificate.enrolment).count() == 2


def test_a_revoked_certificate_is_not_reissued_and_a_replaced_one_not_revoked(client, school):
    revoked = factories.certificate(school.done[0])
    replaced = factories.certificate(school.done[1])
    revoke_certificate(certificate=revoked, by=school.official, reason="ошибка")
    reissue_certificate(certificate=replaced, by=school.official, reason="опечатка")
    client.force_login(school.official)

    refused_reissue = reissue(client, revoked, reason="попытка")
    refused_revoke = revoke(client, replaced, reason="попытка")

    assert messages_of(refused_reissue) == ["Этот документ уже отозван."]
    assert messages_of(refused_revoke)[-1] == "Этот документ уже заменён переоформленным."
    replaced.refresh_from_db()
    assert replaced.revoked_at is None
    assert Certificate.objects.filter(enrolment=revoked.enrolment).count() == 1
