"""A person's rights over their data: see it, take it away as an archive, have it erased."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsentText, User
from accounts.services import consent_give
from assessments.casework import submission_save
from assessments.models import CaseGrade, CaseSubmission, QuizPage, ReviewPolicy, SubmissionFile
from certificates.models import Certificate
from certificates.services import ensure_pdf
from courses.imports import import_preview
from courses.models import EnrolmentEvent
from dashboards.models import TraineeFigures
from dashboards.services import rebuild_figures
from dashboards.tests.actions import complete, grade_case, submit_case, take_quiz
from notifications.services import notify
from privacy.erasure import ANNULLED_REASON, ErasureRefused, erase
from privacy.models import Erasure
from schedule.models import CalendarToken, Session, SessionFeedback
from schedule.services import calendar_token
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
HOUR = dt.timedelta(hours=1)


def with_file(world, enrolment):
    case = world.cases[0]
    return submission_save(
        user=enrolment.trainee,
        case=case,
        answers={str(task.pk): "Семья Петровых: план" for task in case.tasks.all()},
        files=[SimpleUploadedFile("план.pdf", PDF)],
        remove_files=[],
        submit=True,
    )


def archive_of(response) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("data.json")), archive


def admin():
    return factories.user("Administrator", username="admin-privacy")


# Seeing what is held ---------------------------------------------------------------------------


def test_my_data_shows_their_own_data_and_nobody_elses(client, world):
    trainee = world.trainee
    trainee.phone = "+79001234567"
    trainee.save()
    other = world.enrolments[1].trainee
    client.force_login(trainee)

    page = client.get(reverse("privacy:my_data")).content.decode()

    assert trainee.username in page and "+79001234567" in page and world.cohort.name in page
    assert other.username not in page


def test_my_data_needs_signing_in(client):
    response = client.get(reverse("privacy:my_data"))

    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_archive_holds_their_data_and_their_files(client, world):
    enrolment = world.enrolments[0]
    with_file(world, enrolment)
    consent_give(user=enrolment.trainee, text=ConsentText.current())
    client.force_login(enrolment.trainee)

    response = client.get(reverse("privacy:my_data_archive"))
    data, archive = archive_of(response)

    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert data["account"]["login"] == enrolment.trainee.username
    assert data["consents"][0]["version"] == "1.0"
    [work] = data["case_work"]
    assert "Семья Петровых: план" in json.dumps(work["answers"], ensure_ascii=False)
    [file] = work["files"]
    assert archive.read(file["in_archive"]) == PDF


def test_a_grade_reaches_the_archive_only_once_released(client, world):
    enrolment = world.enrolments[0]
    grade_case(world, submit_case(world, enrolment), release=False)
    client.force_login(enrolment.trainee)

    held_back, _ = archive_of(client.get(reverse("privacy:my_data_archive")))
    grade = CaseSubmission.objects.get(enrolment=enrolment).grade
    grade.released_at = timezone.now()
    grade.save()
    released, _ = archive_of(client.get(reverse("privacy:my_data_archive")))

    assert "grade" not in held_back["case_work"][0]
    assert released["case_work"][0]["grade"]["percent"] == "100.0"


def test_the_archive_names_no_employee_who_saw_the_data(client, world):
    client.force_login(world.instructor)
    client.get(reverse("records:record", args=(world.enrolments[0].pk,)))
    client.force_login(world.trainee)

    data, _ = archive_of(client.get(reverse("privacy:my_data_archive")))

    assert data["seen_or_changed"], "the instructor's view is on record"
    assert world.instructor.username not in json.dumps(data, ensure_ascii=False)


# The administrators' export --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Regional official", "Instructor", "Trainee"])
def test_only_administrators_reach_the_personal_data_pages(client, world, role):
    client.force_login(factories.user(role))
    person = world.trainee

    for url in (
        reverse("privacy_index"),
        reverse("privacy_person", args=(person.pk,)),
        reverse("privacy_export", args=(person.pk,)),
    ):
        assert client.get(url).status_code in (302, 403), url
    response = client.post(
        reverse("privacy_person", args=(person.pk,)),
        {"requested_on": "2026-12-01", "confirm": person.username},
    )
    assert response.status_code in (302, 403)
    person.refresh_from_db()
    assert person.erased_at is None


def test_an_administrator_finds_a_person_and_the_export_is_on_record(client, world):
    staff = admin()
    client.force_login(staff)
    person = world.trainee

    found = client.get(reverse("privacy_index"), {"q": person.last_name}).content.decode()
    response = client.get(reverse("privacy_export", args=(person.pk,)))
    data, _ = archive_of(response)

    assert reverse("privacy_person", args=(person.pk,)) in found
    assert data["account"]["login"] == person.username
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=staff).get()
    assert entry.additional_data == {"trainee": person.pk}


# Erasure ---------------------------------------------------------------------------------------


def standing(enrolment) -> tuple:
    figures = TraineeFigures.objects.get(enrolment=enrolment)
    return (figures.complete, figures.final_grade, figures.activities_done, figures.attended)


def erase_through_admin(client, person, **changes):
    data = {"requested_on": "2026-12-01", "reference": "17", "confirm": person.username}
    data.update(changes)
    return client.post(reverse("privacy_person", args=(person.pk,)), data)


def test_erasure_removes_who_they_were_and_keeps_every_figure(
    client, world, django_capture_on_commit_callbacks
):
    enrolment = world.enrolments[0]
    person = enrolment.trainee
    complete(world, enrolment)
    submission = with_file(world, world.other_enrolment)  # someone else's work stays
    certificate = factories.certificate(enrolment)
    notify(recipient=person, subject="Напоминание", body="Завтра занятие")
    consent_give(user=person, text=ConsentText.current())
    rebuild_figures()
    figures_before = standing(enrolment)
    assert figures_before[0], "the trainee completed before the erasure"
    client.force_login(admin())

    with django_capture_on_commit_callbacks(execute=True):
        response = erase_through_admin(client, person)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None and not person.is_active
    assert (person.first_name, person.last_name, person.email, person.phone) == ("", "", "", "")
    assert person.username == f"erased-{person.pk}" and not person.has_usable_password()
    assert "Иванов0" not in person.full_name
    assert not person.notifications.exists()
    assert CaseSubmission.objects.filter(enrolment=enrolment).exclude(answers={}).count() == 0
    assert SubmissionFile.objects.filter(submission=submission).count() == 1
    # Every figure still counts them.
    rebuild_figures()
    assert standing(enrolment) == figures_before
    certificate.refresh_from_db()
    assert certificate.status_on(timezone.localdate()) == Certificate.Status.ANNULLED
    assert (certificate.last_name, certificate.first_name, certificate.pdf.name) == ("", "", "")
    assert Erasure.objects.get(person=person).reference == "17"


def test_an_erased_persons_certificate_verifies_as_annulled_without_a_name(client, world):
    enrolment = world.enrolments[0]
    certificate = factories.certificate(enrolment)
    url = reverse("certificates:verify", args=(certificate.code,))
    before = client.get(url).content.decode()

    erase(person=enrolment.trainee, by=admin(), requested_on=dt.date(2026, 12, 1))
    after = client.get(url).content.decode()

    assert enrolment.trainee.last_name in before and 'data-status="valid"' in before
    assert 'data-status="annulled"' in after
    assert "Аннулирован" in after and enrolment.trainee.last_name not in after
    assert Certificate.objects.get().revocation_public_reason == ANNULLED_REASON


def test_an_annulled_certificate_is_not_made_again_for_anyone(client, world):
    enrolment = world.enrolments[0]
    certificate = factories.certificate(enrolment)
    url = reverse("certificates:download", args=(certificate.pk,))
    client.force_login(world.instructor)
    assert client.get(url).status_code == 200  # made and served while in force

    erase(person=enrolment.trainee, by=admin(), requested_on=dt.date(2026, 12, 1))

    assert client.get(url).status_code == 404
    certificate.refresh_from_db()
    assert certificate.pdf.name == ""


def test_an_erased_person_cannot_sign_in(client, world):
    person = world.trainee
    person.set_password("Пароль-1234")
    person.save()

    erase(person=person, by=admin(), requested_on=dt.date(2026, 12, 1))

    assert not client.login(request=HttpRequest(), username=person.username, password="Пароль-1234")
    assert not User.objects.get(pk=person.pk).check_password("Пароль-1234")


def test_the_rows_of_an_import_naming_them_go_and_others_stay(world):
    person = world.trainee
    person.email = "ivanov@example.org"
    person.save()
    data = (
        "Фамилия;Имя;Электронная почта;Телефон\n"
        "Иванов0;Иван;ivanov@example.org;+79001112233\n"
        "Петрова;Анна;petrova@example.org;+79001112244\n"
    ).encode()
    preview = import_preview(
        cohort=world.cohort, uploaded_by=world.official, file_name="list.csv", data=data
    )

    erase(person=person, by=admin(), requested_on=dt.date(2026, 12, 1))

    preview.refresh_from_db()
    emails = [row.get("email") for row in preview.rows]
    assert emails == ["petrova@example.org"]


def test_a_wrong_login_typed_back_erases_nothing(client, world):
    person = world.trainee
    client.force_login(admin())

    response = erase_through_admin(client, person, confirm=person.username + "x")

    assert response.status_code == 400
    person.refresh_from_db()
    assert person.erased_at is None and person.last_name == "Иванов0"


def test_a_request_dated_in_the_future_is_refused(client, world):
    person = world.trainee
    client.force_login(admin())
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    refused = erase_through_admin(client, person, requested_on=tomorrow.isoformat())
    today = erase_through_admin(client, person, requested_on=timezone.localdate().isoformat())

    assert refused.status_code == 400 and today.status_code == 302


def test_staff_and_the_already_erased_are_not_erased(world):
    staff = admin()
    erase(person=world.trainee, by=staff, requested_on=dt.date(2026, 12, 1))

    for person in (world.instructor, world.official, staff, world.trainee):
        with pytest.raises(ErasureRefused):
            erase(person=person, by=staff, requested_on=dt.date(2026, 12, 1))
    world.instructor.refresh_from_db()
    assert world.instructor.erased_at is None and world.instructor.last_name


def test_the_gradebook_still_lists_an_erased_trainee_without_a_name(client, world):
    enrolment = world.enrolments[0]
    erase(person=enrolment.trainee, by=admin(), requested_on=dt.date(2026, 12, 1))
    client.force_login(world.instructor)

    page = client.get(reverse("records:gradebook", args=(world.cohort.pk,))).content.decode()

    assert f"(№ {enrolment.trainee_id})" in page and "Иванов0" not in page
    assert "Иванов1" in page


def test_erasure_leaves_nothing_they_wrote_or_that_was_written_about_them(
    world, django_capture_on_commit_callbacks
):
    enrolment = world.enrolments[0]
    person = enrolment.trainee
    person.snils, person.birth_date = "11223344595", dt.date(1990, 5, 17)
    person.save()
    consent_give(user=person, text=ConsentText.current())
    attempt = take_quiz(world, enrolment)
    submission = with_file(world, enrolment)
    [upload] = submission.files.all()
    grade_case(world, submission)
    CaseGrade.objects.filter(submission=submission).update(comment="Иванов0 забыл про бюджет")
    start = timezone.now() - dt.timedelta(days=1)
    session = Session.objects.create(
        cohort=world.cohort, topic="Бюджет семьи", starts_at=start, ends_at=start + HOUR
    )
    SessionFeedback.objects.create(
        session=session, enrolment=enrolment, rating=4, comment="Я, Иванов0, всё понял"
    )
    certificate = factories.certificate(enrolment)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(PDF))
    token = calendar_token(person).token
    factories.withdraw(enrolment, reason="Иванов0 переехал в Москву")
    storage = Certificate._meta.get_field("pdf").storage
    assert storage.exists(certificate.pdf.name) and upload.file.storage.exists(upload.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = erase(person=person, by=admin(), requested_on=dt.date(2026, 12, 1))

    attempt.refresh_from_db()
    assert attempt.answers == {} and attempt.score is not None, "the mark still counts"
    assert not SubmissionFile.objects.filter(pk=upload.pk).exists()
    assert not upload.file.storage.exists(upload.file.name)
    assert not storage.exists(certificate.pdf.name)
    assert CaseGrade.objects.get(submission=submission).comment == ""
    assert SessionFeedback.objects.get(enrolment=enrolment).comment == ""
    assert SessionFeedback.objects.get(enrolment=enrolment).rating == 4
    enrolment.refresh_from_db()
    assert enrolment.withdrawal_reason == ""
    assert not EnrolmentEvent.objects.filter(enrolment=enrolment).exclude(reason="").exists()
    assert not CalendarToken.objects.filter(token=token).exists()
    person.refresh_from_db()
    assert (person.snils, person.birth_date) == ("", None)
    assert not person.consents.filter(withdrawn_at__isnull=True).exists()
    assert person.consents.count() == 1, "the history of consents is kept"
    assert erasure.removed["quiz_answers"] == erasure.removed["grading_comments"] == 1
    assert erasure.removed["withdrawal_reasons"] == 2  # the enrolment's and its event's


def test_a_trainee_with_access_to_the_admin_is_not_erased(world):
    person = world.trainee
    person.is_staff = True
    person.save()

    with pytest.raises(ErasureRefused):
        erase(person=person, by=admin(), requested_on=dt.date(2026, 12, 1))

    person.refresh_from_db()
    assert person.erased_at is None and person.last_name == "Иванов0"


def test_an_earlier_revocation_keeps_its_date_and_author_when_annulled(world):
    enrolment = world.enrolments[0]
    revoked_at = timezone.now() - dt.timedelta(days=10)
    certificate = factories.certificate(
        enrolment, revoked_at=revoked_at, revoked_by=world.instructor
    )

    erase(person=enrolment.trainee, by=admin(), requested_on=dt.date(2026, 12, 1))

    certificate.refresh_from_db()
    assert certificate.annulled_at is not None
    assert (certificate.revoked_at, certificate.revoked_by) == (revoked_at, world.instructor)


def test_import_rows_naming_them_go_whatever_the_case_of_the_address(world):
    person = world.trainee
    person.email = "Ivanov@Example.org"
    person.save()
    data = (
        "Фамилия;Имя;Электронная почта;Телефон\n"
        "Иванов0;Иван;Ivanov@Example.ORG;+79001112233\n"
        "Петрова;Анна;petrova@example.org;+79001112244\n"
    ).encode()
    preview = import_preview(
        cohort=world.cohort, uploaded_by=world.official, file_name="list.csv", data=data
    )

    erasure = erase(person=person, by=admin(), requested_on=dt.date(2026, 12, 1))

    preview.refresh_from_db()
    assert [row.get("email") for row in preview.rows] == ["petrova@example.org"]
    assert erasure.removed["import_rows"] == 1


def test_quiz_marks_reach_the_archive_only_when_their_review_is_open(client, world):
    enrolment = world.enrolments[0]
    QuizPage.objects.filter(pk=world.quiz.pk).update(review_policy=ReviewPolicy.NEVER)
    take_quiz(world, enrolment)
    client.force_login(enrolment.trainee)

    held_back, _ = archive_of(client.get(reverse("privacy:my_data_archive")))
    QuizPage.objects.filter(pk=world.quiz.pk).update(review_policy=ReviewPolicy.AFTER_ATTEMPT)
    open_, _ = archive_of(client.get(reverse("privacy:my_data_archive")))

    [hidden] = held_back["quiz_attempts"]
    assert "score" not in hidden and "percent" not in hidden and "questions" not in hidden
    [shown] = open_["quiz_attempts"]
    assert shown["percent"] == "100.0"
    assert len(shown["questions"]) == 1


def test_the_archive_holds_their_messages_and_nobody_elses(client, world):
    person = world.trainee
    notify(recipient=person, subject="Напоминание для вас", body="Завтра занятие")
    notify(recipient=world.enrolments[1].trainee, subject="Чужое письмо", body="Секрет")
    client.force_login(person)

    data, _ = archive_of(client.get(reverse("privacy:my_data_archive")))

    assert [item["subject"] for item in data["notifications"]] == ["Напоминание для вас"]


def test_who_may_only_export_cannot_erase(client, world):
    clerk = factories.user(None, is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="export_personal_data"),
    )
    person = world.trainee
    client.force_login(clerk)

    page = client.get(reverse("privacy_person", args=(person.pk,)))
    response = erase_through_admin(client, person)

    assert page.status_code == 200
    assert response.status_code in (302, 403)
    person.refresh_from_db()
    assert person.erased_at is None and person.last_name == "Иванов0"


def test_an_annulled_certificate_gets_no_new_pdf_from_any_caller(world):
    enrolment = world.enrolments[0]
    certificate = factories.certificate(enrolment)
    erase(person=enrolment.trainee, by=admin(), requested_on=dt.date(2026, 12, 1))
    certificate.refresh_from_db()

    ensure_pdf(certificate=certificate)

    assert Certificate.objects.get(pk=certificate.pk).pdf.name == ""
