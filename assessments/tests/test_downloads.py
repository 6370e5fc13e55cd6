"""A trainee's case-work file is downloaded under a name we make, never the one it came with."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.casework import submission_save
from courses.models import CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


@pytest.fixture
def work(client):
    factories.site_home()
    program = factories.program()
    case = CaseStudyPage.objects.descendant_of(program).get()
    case.title = 'Семья Петровых: "поиск" работы'
    case.save()
    cohort = factories.cohort(program)
    trainee = factories.user(
        "Trainee", last_name="Иванова", first_name="Мария", patronymic="Сергеевна"
    )
    factories.enrol(trainee, cohort)
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    submission = submission_save(
        user=trainee,
        case=case,
        answers={},
        files=[
            SimpleUploadedFile("../../evil.html", PDF, content_type="text/html"),
            SimpleUploadedFile("x.pdf.exe", PNG, content_type="application/x-msdownload"),
        ],
        remove_files=[],
        submit=False,
    )
    pdf, png = submission.files.order_by("pk")
    return {"trainee": trainee, "instructor": instructor, "pdf": pdf, "png": png}


def download(client, item):
    response = client.get(reverse("assessments:submission_file", args=(item.pk,)))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("who", ["trainee", "instructor"])
def test_a_file_is_an_attachment_named_after_the_case_and_the_trainee(client, work, who):
    client.force_login(work[who])

    response = download(client, work["pdf"])

    assert response["Content-Disposition"] == (
        'attachment; filename="semya-petrovykh-poisk-raboty-ivanova-mariya-sergeevna-1.pdf"; '
        "filename*=UTF-8''"
        "%D1%81%D0%B5%D0%BC%D1%8C%D1%8F-%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D1%8B%D1%85-"
        "%D0%BF%D0%BE%D0%B8%D1%81%D0%BA-%D1%80%D0%B0%D0%B1%D0%BE%D1%82%D1%8B-"
        "%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0-%D0%BC%D0%B0%D1%80%D0%B8%D1%8F-"
        "%D1%81%D0%B5%D1%80%D0%B3%D0%B5%D0%B5%D0%B2%D0%BD%D0%B0-1.pdf"
    )
    exact = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert exact == "семья-петровых-поиск-работы-иванова-мария-сергеевна-1.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PDF


def test_the_extension_comes_from_the_content_never_from_the_uploaded_name(client, work):
    client.force_login(work["trainee"])

    html_named = download(client, work["pdf"])["Content-Disposition"]
    exe_named = download(client, work["png"])

    assert "evil" not in html_named and ".html" not in html_named and "/" not in html_named
    disposition = exe_named["Content-Disposition"]
    assert disposition.startswith(
        'attachment; filename="semya-petrovykh-poisk-raboty-ivanova-mariya-sergeevna-2.png"; '
    )
    assert disposition.endswith("-2.png") and ".exe" not in disposition
    assert exe_named["Content-Type"] == "image/png"


def test_the_name_is_plain_ascii_when_nothing_needs_encoding(client, work):
    trainee = work["trainee"]
    trainee.last_name, trainee.first_name, trainee.patronymic = "Ivanova", "Maria", ""
    trainee.save()
    case = CaseStudyPage.objects.get()
    case.title = "Family case"
    case.save()
    client.force_login(trainee)

    response = download(client, work["pdf"])

    assert (
        response["Content-Disposition"] == 'attachment; filename="family-case-ivanova-maria-1.pdf"'
    )
