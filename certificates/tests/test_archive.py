"""A cohort's certificates as one ZIP, streamed: each PDF as stored, and nothing of another
cohort."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import ensure_pdf, issue_certificate, issue_with_pdf
from tests import factories

pytestmark = pytest.mark.django_db


def archive_url(cohort) -> str:
    return reverse("certificates:cohort_archive", args=(cohort.pk,))


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_archive_holds_each_stored_pdf_and_a_register(client, school):
    first = issue_with_pdf(enrolment=school.done[0])
    # Issued but its PDF not made yet (a worker stopped between the two steps): made first.
    second = issue_certificate(enrolment=school.done[1])
    assert not second.pdf
    elsewhere = factories.certificate(
        factories.enrol(factories.user("Trainee"), factories.cohort(school.program))
    )
    client.force_login(school.official)

    archive = open_zip(client.get(archive_url(school.cohort)))

    second.refresh_from_db()
    assert second.pdf
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    # The school's trainees are «Иванова Мария0», «Иванова Мария1», without a patronymic.
    assert pdfs == sorted(f"{c.serial} Иванова М.pdf" for c in (first, second))
    for certificate in (first, second):
        with certificate.pdf.open("rb") as stored:
            assert archive.read(f"{certificate.serial} Иванова М.pdf") == stored.read()
    assert not any(elsewhere.serial in name for name in archive.namelist())
    register = list(
        csv.reader(io.StringIO(archive.read("Реестр.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert {row[0] for row in register[1:]} == {first.serial, second.serial}
    assert archive.testzip() is None


def test_superseded_and_revoked_ones_are_left_out(client, school):
    kept = issue_with_pdf(enrolment=school.done[0])
    old = issue_with_pdf(enrolment=school.done[1])
    new = ensure_pdf(
        certificate=issue_certificate(enrolment=school.done[1], replaces=old, reissue_reason="ФИО")
    )
    revoked = factories.certificate(
        factories.enrol(factories.user("Trainee"), school.cohort), revoked_at=timezone.now()
    )
    client.force_login(school.official)

    names = open_zip(client.get(archive_url(school.cohort))).namelist()

    serials = {name.split(" ")[0] for name in names if name.endswith(".pdf")}
    assert serials == {kept.serial, new.serial}
    assert old.serial not in serials and revoked.serial not in serials


def test_names_are_unique_and_safe():
    from certificates.exports import archive_name

    taken: set[str] = set()
    certificate = Certificate(
        serial="68-2026-00001",
        last_name="Иванова/Петрова",
        first_name="Мария",
        patronymic="Ивановна",
    )
    first = archive_name(certificate, taken)
    again = archive_name(certificate, taken)
    assert first == "68-2026-00001 Иванова Петрова М. И.pdf"
    assert again == "68-2026-00001 Иванова Петрова М. И (2).pdf"


def test_an_empty_cohort_gets_a_message_not_an_empty_zip(client, school):
    client.force_login(school.official)

    response = client.get(archive_url(school.cohort), follow=True)

    assert response.redirect_chain[0][0].endswith(f"?cohort={school.cohort.pk}")
    assert "скачивать нечего" in response.content.decode()


def test_another_regions_official_and_a_trainee_cannot(client, school):
    issue_with_pdf(enrolment=school.done[0])
    client.force_login(factories.user("Regional official", region_code="86"))
    assert client.get(archive_url(school.cohort)).status_code == 404
    client.force_login(school.done[0].trainee)
    assert client.get(archive_url(school.cohort)).status_code == 403
