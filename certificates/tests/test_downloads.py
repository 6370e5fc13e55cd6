"""The PDF for its holder and for the staff who follow the cohort, and the certificate on the
trainee's home and record page: state, validity, when to recertify, fixed query counts."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.codes import display_code
from certificates.models import Certificate
from certificates.selectors import current_certificates
from certificates.services import (
    ensure_pdf,
    issue_certificate,
    issue_with_pdf,
    reissue_certificate,
    revoke_certificate,
)
from tests import factories

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def download(client, certificate):
    return client.get(reverse("certificates:download", args=[certificate.pk]))


def pdf_bytes(response) -> bytes:
    return response.content


@pytest.fixture
def issued(school):
    return issue_with_pdf(enrolment=school.done[0], issued_by=school.official)


# Who gets the PDF


def test_the_holder_downloads_the_stored_pdf_the_same_bytes_each_time(client, issued):
    client.force_login(issued.trainee)

    first, second = download(client, issued), download(client, issued)

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == (
        f'attachment; filename="udostoverenie-{issued.serial}.pdf"'
    )
    assert first["Cache-Control"] == "no-store"
    assert first.content.startswith(b"%PDF")
    assert first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == issued.pdf_sha256


def test_a_certificate_without_its_pdf_yet_gets_it_made_on_the_first_download(client, school):
    certificate = issue_certificate(enrolment=school.done[0])
    assert not certificate.pdf
    client.force_login(certificate.trainee)

    response = download(client, certificate)

    certificate.refresh_from_db()
    assert response.status_code == 200
    assert certificate.pdf and certificate.pdf_sha256
    assert hashlib.sha256(response.content).hexdigest() == certificate.pdf_sha256
    assert download(client, certificate).content == response.content


def test_a_second_caller_that_read_the_row_before_the_pdf_was_made_keeps_the_first_pdf(school):
    """Two downloads (or a download and a batch worker) that both read the certificate before
    its PDF existed: the second finds the first's PDF under the row lock and renders nothing, so
    the stored bytes and their checksum never change."""
    certificate = issue_certificate(enrolment=school.done[0])
    stale = Certificate.objects.get(pk=certificate.pk)  # read before any PDF was made
    first = ensure_pdf(certificate=certificate)
    name, digest = first.pdf.name, first.pdf_sha256

    second = ensure_pdf(certificate=stale)

    assert (second.pdf.name, second.pdf_sha256) == (name, digest)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert (stored.pdf.name, stored.pdf_sha256) == (name, digest)


def test_who_may_download(client, school):
    # A quick certificate row (no PDF rendering needed to check access: 404s come first).
    certificate = factories.certificate(school.done[0])
    other_trainee = school.done[1].trainee
    other_cohort = factories.cohort(school.program, name="Чужая группа")
    stranger_instructor = factories.user("Instructor")
    other_cohort.instructors.add(stranger_instructor)
    answers = {}
    for name, user in {
        "classmate": other_trainee,
        "instructor of another cohort": stranger_instructor,
        "official of another region": factories.user("Regional official", region_code="86"),
    }.items():
        client.force_login(user)
        answers[name] = download(client, certificate).status_code
    client.logout()
    anonymous = download(client, certificate)

    assert set(answers.values()) == {404}, answers
    assert anonymous.status_code == 302 and "/login/" in anonymous.url


def test_the_cohort_s_instructor_and_the_region_s_official_download(client, issued, school):
    instructor = factories.user("Instructor")
    school.cohort.instructors.add(instructor)

    for user in (instructor, school.official, factories.user("Federal official")):
        client.force_login(user)
        assert download(client, issued).content == issued.pdf.open("rb").read()


def test_a_withdrawn_holder_still_downloads_their_certificate(client, issued):
    factories.withdraw(issued.enrolment)
    client.force_login(issued.trainee)

    assert download(client, issued).status_code == 200


def test_a_revoked_certificate_is_no_longer_offered_to_its_holder_but_staff_keep_it(
    client, issued, school
):
    revoke_certificate(certificate=issued, by=school.official, reason="ошибка")
    client.force_login(issued.trainee)

    refused = download(client, issued)
    messages = [str(m) for m in refused.wsgi_request._messages]
    client.force_login(school.official)
    staff = download(client, issued)

    assert refused.status_code == 302
    assert refused.url == reverse("records:record", args=[issued.enrolment_id])
    assert messages == ["Этот документ отозван: скачать его больше нельзя."]
    assert staff.status_code == 200 and staff.content.startswith(b"%PDF")


def test_a_replaced_certificate_sends_its_holder_to_the_new_one(client, issued, school):
    new = reissue_certificate(certificate=issued, by=school.official, reason="опечатка")
    client.force_login(issued.trainee)

    old = download(client, issued)

    assert old.status_code == 302
    assert download(client, new).status_code == 200


# On the trainee's home and record


def learning(client, user):
    client.force_login(user)
    return client.get(reverse("courses:learning")).content.decode()


def record(client, user, enrolment):
    client.force_login(user)
    return client.get(reverse("records:record", args=[enrolment.pk])).content.decode()


def test_the_home_and_the_record_show_the_certificate_with_its_links(client, school):
    certificate = factories.certificate(school.done[0])
    trainee = certificate.trainee

    for page in (learning(client, trainee), record(client, trainee, certificate.enrolment)):
        assert certificate.serial in page
        assert "Удостоверение о повышении квалификации" in page
        assert "20 ноября 2026" in page
        assert reverse("certificates:download", args=[certificate.pk]) in page
        assert "Скачать PDF" in page
        assert reverse("certificates:verify", args=[display_code(certificate.code)]) in page
        assert "Действительно" in page
        # The staff's page of the certificate is not the trainee's.
        detail = reverse("certificates:detail", args=[certificate.pk])
        assert f'href="{detail}"' not in page


def test_staff_see_the_certificate_s_own_page_from_the_record(client, school):
    certificate = factories.certificate(school.done[0])

    page = record(client, school.official, certificate.enrolment)

    assert reverse("certificates:detail", args=[certificate.pk]) in page
    assert reverse("certificates:download", args=[certificate.pk]) in page


def test_a_trainee_without_a_certificate_sees_none(client, school):
    page = learning(client, school.behind.trainee)

    assert "Документ об обучении" not in page


def test_a_revoked_certificate_shows_its_public_reason_and_no_download(client, school):
    certificate = factories.certificate(school.done[0])
    revoke_certificate(
        certificate=certificate,
        by=school.official,
        reason="служебная причина",
        public_reason="Выдано ошибочно",
    )

    for page in (
        learning(client, certificate.trainee),
        record(client, certificate.trainee, certificate.enrolment),
    ):
        assert "Отозвано" in page and "Выдано ошибочно" in page
        assert "служебная причина" not in page
        assert reverse("certificates:download", args=[certificate.pk]) not in page


def test_after_a_reissue_the_new_certificate_is_shown(client, school):
    old = factories.certificate(school.done[0])
    new = factories.certificate(school.done[0], replaces=old, reissue_reason="смена фамилии")

    page = learning(client, old.trainee)

    assert new.serial in page
    assert f"Взамен № {old.serial}" in page
    assert reverse("certificates:download", args=[new.pk]) in page
    assert reverse("certificates:download", args=[old.pk]) not in page


def freeze(monkeypatch, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=MOSCOW)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(
    ("today", "notice"),
    [
        (dt.date(2027, 9, 19), None),  # 61 days before the last valid day
        (dt.date(2027, 9, 20), "истекает"),  # 60 days before: time to recertify
        (dt.date(2027, 11, 19), "истекает"),  # the last valid day
        (dt.date(2027, 11, 20), "истёк"),  # the day after
    ],
)
def test_the_trainee_is_told_when_to_recertify(client, school, monkeypatch, today, notice):
    certificate = factories.certificate(school.done[0], expires_on=dt.date(2027, 11, 19))
    freeze(monkeypatch, today)
    client.force_login(certificate.trainee)

    page = client.get(reverse("courses:learning")).content.decode()

    assert "Действительно до 19 ноября 2027" in page
    if notice is None:
        assert "Пора пройти повторное обучение" not in page
    else:
        assert f"Пора пройти повторное обучение: срок действия удостоверения {notice}" in page
        assert ("Срок действия истёк" in page) == (notice == "истёк")


@pytest.mark.parametrize("today", [dt.date(2027, 10, 1), dt.date(2027, 11, 20)])
def test_a_revoked_certificate_brings_no_notice_to_recertify(client, school, monkeypatch, today):
    """Within the notice period or after expiry, a revoked document is not one to renew: the
    panel says it was revoked and nothing about its validity running out."""
    certificate = factories.certificate(school.done[0], expires_on=dt.date(2027, 11, 19))
    freeze(monkeypatch, today)
    revoke_certificate(certificate=certificate, by=school.official, reason="Ошибка")
    client.force_login(certificate.trainee)

    page = client.get(reverse("courses:learning")).content.decode()

    assert "Пора пройти повторное обучение" not in page
    # The page hides it behind the revocation; the state itself says so too, for any other
    # page that shows it.
    state = current_certificates(trainee_id=certificate.trainee_id)[certificate.enrolment_id]
    assert state.status == Certificate.Status.REVOKED and not state.recertify


@pytest.mark.parametrize(
    ("kind", "noun", "expired"),
    [
        ("qualification", "удостоверения истёк (оно действовало", True),
        ("qualification", "удостоверения истекает", False),
        ("certificate", "сертификата истёк (он действовал", True),
        ("certificate", "сертификата истекает", False),
    ],
)
def test_the_panel_names_the_document_it_holds_in_agreeing_russian(
    client, school, monkeypatch, kind, noun, expired
):
    """An удостоверение is neuter and a сертификат masculine: the panel's sentences name the
    document the trainee holds and agree with it (no «удостоверение … выдан»)."""
    certificate = factories.certificate(school.done[0], kind=kind, expires_on=dt.date(2027, 11, 19))
    freeze(monkeypatch, dt.date(2027, 11, 20) if expired else dt.date(2027, 11, 1))

    page = learning(client, certificate.trainee)

    assert f"Пора пройти повторное обучение: срок действия {noun}" in page
    assert "</strong>, дата выдачи 20 ноября 2026" in page
    assert ", выдан " not in page


# Query counts


def chain_of_three(enrolment):
    first = factories.certificate(enrolment)
    second = factories.certificate(enrolment, replaces=first)
    return factories.certificate(enrolment, replaces=second)


def count_queries(client, user, url) -> int:
    """Queries of the second look at the page (the first fills Wagtail's per-process caches)."""
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_home_page_asks_the_same_whatever_the_number_of_certificates(client, school):
    one, three = school.done
    factories.certificate(one)
    chain_of_three(three)
    url = reverse("courses:learning")

    with_one = count_queries(client, one.trainee, url)
    with_three = count_queries(client, three.trainee, url)
    without = count_queries(client, school.behind.trainee, url)

    assert with_one == with_three
    # The certificates cost one query on the page, no more.
    assert with_one <= without + 1


def test_the_record_page_asks_the_same_whatever_the_number_of_certificates(client, school):
    one, three = school.done
    factories.certificate(one)
    chain_of_three(three)

    for viewer in ("trainee", "official"):
        counts = [
            count_queries(
                client,
                enrolment.trainee if viewer == "trainee" else school.official,
                reverse("records:record", args=[enrolment.pk]),
            )
            for enrolment in (one, three)
        ]
        assert counts[0] == counts[1], viewer
