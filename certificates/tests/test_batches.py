"""Bulk issuance: who a batch issues to, that it issues nothing twice, resuming, the pages and
the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from certificates.batches import RESUMED, RUNNING, STARTED, batch_start, batch_work
from certificates.models import BatchItem, Certificate, CertificateBatch, CertificateTemplate
from certificates.selectors import STALL_AFTER, batch_progress, can_issue_certificates, is_stalled
from certificates.services import issue_certificate
from records.selectors import trainee_record
from tests import factories
from tests.concurrency import client_for, concurrency_test, run_times, status_codes

from .conftest import School, complete

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
State = BatchItem.State


def drains() -> list[int]:
    """The batch ids of the drain tasks waiting in the database queue."""
    return [
        result.args_kwargs["args"][0]
        for result in DBTaskResult.objects.filter(
            task_path="certificates.tasks.issue_batch", status="READY"
        )
    ]


def run_batch(school, django_capture_on_commit_callbacks, *, by=None):
    """Start the cohort's batch; the immediate backend drains it when the start commits."""
    with django_capture_on_commit_callbacks(execute=True):
        batch, outcome = batch_start(cohort=school.cohort, started_by=by or school.official)
    batch.refresh_from_db()
    return batch, outcome


def test_a_batch_issues_to_every_trainee_who_completed_and_to_nobody_else(
    school, django_capture_on_commit_callbacks
):
    withdrawn = complete(factories.enrol(factories.user("Trainee"), school.cohort))
    factories.withdraw(withdrawn)

    batch, outcome = run_batch(school, django_capture_on_commit_callbacks)

    assert outcome == STARTED
    assert batch.finished_at is not None
    items = {item.enrolment_id: item for item in batch.items.select_related("certificate")}
    # The withdrawn trainee is not in the batch at all.
    assert set(items) == {enrolment.pk for enrolment in [*school.done, school.behind]}
    for enrolment in school.done:
        item = items[enrolment.pk]
        assert item.state == State.DONE
        assert item.certificate.enrolment_id == enrolment.pk
        assert item.certificate.pdf and item.certificate.pdf_sha256
        assert item.certificate.issued_by == school.official
    assert Certificate.objects.filter(enrolment__in=school.done).count() == len(school.done)
    assert not Certificate.objects.filter(enrolment=school.behind).exists()
    assert not Certificate.objects.filter(enrolment=withdrawn).exists()

    # What is missing, rule by rule, named.
    behind = items[school.behind.pk]
    assert behind.state == State.NOT_ELIGIBLE and behind.certificate is None
    with translation.override("ru"):  # the site's language, whoever ran the batch
        rules = trainee_record(enrolment=school.behind).completion.rules
    unmet = [rule for rule in rules if not rule.met]
    assert unmet
    assert behind.detail.splitlines() == [f"{rule.name} — ещё нет: {rule.detail}" for rule in unmet]
    assert sorted(
        Certificate.objects.filter(cohort=school.cohort).values_list("sequence", flat=True)
    ) == [1, 2]


def test_running_it_twice_issues_nothing_twice(school, django_capture_on_commit_callbacks):
    first, _outcome = run_batch(school, django_capture_on_commit_callbacks)
    serials = set(Certificate.objects.values_list("serial", flat=True))
    pdfs = set(Certificate.objects.values_list("pdf_sha256", flat=True))

    second, outcome = run_batch(school, django_capture_on_commit_callbacks)

    assert outcome == STARTED and second.pk != first.pk and second.finished_at
    assert set(Certificate.objects.values_list("serial", flat=True)) == serials
    assert set(Certificate.objects.values_list("pdf_sha256", flat=True)) == pdfs
    states = dict(second.items.values_list("enrolment_id", "state"))
    assert states == {
        **{e.pk: State.ALREADY for e in school.done},
        school.behind.pk: "not_eligible",
    }
    assert {item.certificate.serial for item in second.items.filter(state=State.ALREADY)} == serials


def test_issued_before_names_the_certificate_in_force_after_a_reissue_and_marks_a_revoked_one(
    client, school, django_capture_on_commit_callbacks
):
    """A trainee whose original was reissued is listed with the reissue's serial (the one the
    holder now has), not the replaced original's; a revoked one says it is revoked."""
    reissued, revoked = school.done
    original = factories.certificate(reissued)
    second = factories.certificate(reissued, replaces=original)
    third = factories.certificate(reissued, replaces=second)
    withdrawn = factories.certificate(revoked, revoked_at=timezone.now())

    batch, _outcome = run_batch(school, django_capture_on_commit_callbacks)

    items = dict(batch.items.values_list("enrolment_id", "certificate_id"))
    assert items[reissued.pk] == third.pk
    assert items[revoked.pk] == withdrawn.pk
    client.force_login(school.official)
    page = client.get(reverse("certificates:batch", args=(school.cohort.pk, batch.pk)))
    already = page.content.decode().split('data-testid="already"')[1].split("</ul>")[0]
    assert third.serial in already
    assert original.serial not in already and second.serial not in already
    lines = {line for line in already.splitlines() if "<li" in line}
    assert [line for line in lines if withdrawn.serial in line][0].count("(отозвано)") == 1
    assert all("(отозвано)" not in line for line in lines if third.serial in line)


def test_an_item_cut_short_after_its_numbers_gets_its_pdf_when_the_batch_resumes(school):
    """A worker killed between the two steps: the item is `issued`, its certificate has no PDF;
    the next drain makes the PDF (same serial) and finishes the batch."""
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=school.cohort, started_by=school.official)
    first = batch.items.get(enrolment=school.done[0])
    first.certificate = issue_certificate(enrolment=school.done[0])
    first.state = State.ISSUED
    first.save()

    batch_work(batch_id=batch.pk)

    first.refresh_from_db()
    batch.refresh_from_db()
    assert first.state == State.DONE and first.certificate.pdf
    assert first.certificate.serial.endswith("-00001")
    assert batch.finished_at is not None
    assert Certificate.objects.count() == 2


def test_each_certificate_gets_its_pdf_straight_after_its_numbers(school):
    """A worker makes the PDF right after issuing, so that one killed at any step leaves at
    most one certificate without its PDF (and the list of the issued fills with documents)."""
    school.done.append(complete(factories.enrol(factories.user("Trainee"), school.cohort)))
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=school.cohort, started_by=school.official)
    without_pdf = []

    batch_work(
        batch_id=batch.pk,
        on_step=lambda: without_pdf.append(Certificate.objects.filter(pdf="").count()),
    )

    assert Certificate.objects.count() == 3 and max(without_pdf) == 1
    assert without_pdf[-1] == 0


def test_a_batch_whose_last_drain_died_after_its_last_step_is_closed_and_a_new_one_starts(
    school, django_capture_on_commit_callbacks
):
    """Every item closed but the batch never marked finished: starting again does not find it
    «running» (nothing would ever move it); it is closed and a new batch issues nothing twice."""
    first, _outcome = run_batch(school, django_capture_on_commit_callbacks)
    CertificateBatch.objects.filter(pk=first.pk).update(finished_at=None)

    second, outcome = run_batch(school, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    assert outcome == STARTED and second.pk != first.pk
    assert first.finished_at is not None and second.finished_at is not None
    assert Certificate.objects.count() == 2


def test_a_certificate_issued_before_without_its_pdf_gets_it_from_the_batch(
    school, django_capture_on_commit_callbacks
):
    """A single issuance cut short between its numbers and its PDF: the batch lists it as
    issued before and makes the missing PDF, with the same serial."""
    earlier = issue_certificate(enrolment=school.done[0])
    assert not earlier.pdf

    batch, _outcome = run_batch(school, django_capture_on_commit_callbacks)

    earlier.refresh_from_db()
    assert batch.items.get(enrolment=school.done[0]).state == State.ALREADY
    assert earlier.pdf and earlier.serial.endswith("-00001")
    assert Certificate.objects.filter(pdf="").count() == 0


@override_settings(TASKS=QUEUED, CERTIFICATE_WORKERS_HINT=3)
def test_starting_queues_the_drains_and_a_second_start_resumes_only_a_stalled_batch(
    school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch, outcome = batch_start(cohort=school.cohort, started_by=school.official)
    assert outcome == STARTED and drains() == [batch.pk] * 3

    # Still moving: the same batch, nothing more queued.
    with django_capture_on_commit_callbacks(execute=True):
        again, outcome = batch_start(cohort=school.cohort, started_by=school.official)
    assert (again.pk, outcome) == (batch.pk, RUNNING) and len(drains()) == 3

    # Every queued drain was consumed and the workers died: after two minutes without
    # progress, starting again queues new drains.
    DBTaskResult.objects.all().delete()
    long_ago = timezone.now() - STALL_AFTER - dt.timedelta(seconds=1)
    CertificateBatch.objects.filter(pk=batch.pk).update(created_at=long_ago)
    BatchItem.objects.update(updated_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        again, outcome = batch_start(cohort=school.cohort, started_by=school.official)
    assert (again.pk, outcome) == (batch.pk, RESUMED) and drains() == [batch.pk] * 3
    assert CertificateBatch.objects.count() == 1


def test_stalled_means_two_minutes_without_progress(school, monkeypatch):
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=school.cohort)
    item = batch.items.first()
    item.save()  # a step was made just now
    moved = item.updated_at
    # Spelled out rather than `STALL_AFTER`, so that a changed constant fails here.
    two_minutes = dt.timedelta(minutes=2)
    assert not is_stalled(batch, now=moved + two_minutes - dt.timedelta(seconds=1))
    assert is_stalled(batch, now=moved + two_minutes)
    # The progress the page shows agrees, on both sides of the same instant.
    for moment, stalled in [
        (moved + two_minutes - dt.timedelta(seconds=1), False),
        (moved + two_minutes, True),
    ]:
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        assert batch_progress(batch).stalled is stalled
    monkeypatch.undo()
    batch.finished_at = timezone.now()
    assert not is_stalled(batch, now=moved + two_minutes)
    assert not batch_progress(batch).stalled


def test_resuming_adds_trainees_enrolled_since(school, django_capture_on_commit_callbacks):
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=school.cohort)
    late = complete(factories.enrol(factories.user("Trainee"), school.cohort))

    again, outcome = run_batch(school, django_capture_on_commit_callbacks)

    assert (again.pk, outcome) == (batch.pk, RESUMED)
    assert again.items.get(enrolment=late).state == State.DONE
    assert again.finished_at is not None


def test_a_programme_without_a_template_fails_each_item_with_a_clear_message(
    school, django_capture_on_commit_callbacks
):
    CertificateTemplate.objects.filter(pk=school.template.pk).delete()

    batch, _outcome = run_batch(school, django_capture_on_commit_callbacks)

    failed = batch.items.filter(state=State.FAILED)
    assert failed.count() == 3  # the template is looked for before eligibility
    # The service's message, which names the programme.
    assert all(f"«{school.program.title}»" in item.detail for item in failed)
    assert batch.finished_at is not None and not Certificate.objects.exists()


# Who may ------------------------------------------------------------------------------------


def test_who_may_issue_a_cohorts_certificates(school):
    instructor = factories.user("Instructor")
    school.cohort.instructors.add(instructor)
    assert can_issue_certificates(instructor, school.cohort)
    assert can_issue_certificates(school.official, school.cohort)  # region 68's official
    assert can_issue_certificates(factories.user("Federal official"), school.cohort)
    assert can_issue_certificates(factories.user("Administrator"), school.cohort)
    assert not can_issue_certificates(factories.user("Instructor"), school.cohort)  # not theirs
    assert not can_issue_certificates(
        factories.user("Regional official", region_code="86"), school.cohort
    )
    assert not can_issue_certificates(school.done[0].trainee, school.cohort)


# Pages ----------------------------------------------------------------------------------------


def test_the_cohort_page_shows_the_panel_and_its_button_starts_the_batch(
    client, school, django_capture_on_commit_callbacks
):
    client.force_login(school.official)
    cohort_url = reverse("courses:cohort_detail", args=(school.cohort.pk,))
    page = client.get(cohort_url).content.decode()
    assert "Выдать удостоверения" in page
    assert "Выдано удостоверений в группе: 0." in page
    assert reverse("certificates:cohort_archive", args=(school.cohort.pk,)) not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:batch_start", args=(school.cohort.pk,)))

    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("certificates:batch", args=(school.cohort.pk, batch.pk))
    page = client.get(response.url).content.decode()
    serial = Certificate.objects.filter(enrolment=school.done[0]).get().serial
    assert serial in page and school.done[0].trainee.full_name in page
    assert "Сидоров Пётр" in page  # not yet eligible, with what is missing
    assert 'http-equiv="refresh"' not in page  # finished: nothing to refresh
    assert "<progress" in page and "3 из 3" in page
    panel = client.get(cohort_url).content.decode()
    assert 'data-testid="latest-batch"' in panel
    # Once there are certificates, the panel leads to the cohort's register and its ZIP.
    assert f"{reverse('certificates:register')}?cohort={school.cohort.pk}" in panel
    assert reverse("certificates:cohort_archive", args=(school.cohort.pk,)) in panel


def test_a_trainee_never_sees_the_panel(client, school, rf):
    from certificates.templatetags.certificate_batches import certificate_batch_panel

    request = rf.get("/")
    request.user = school.done[0].trainee
    assert certificate_batch_panel({"request": request}, school.cohort) == {"show": False}
    request.user = school.official
    assert certificate_batch_panel({"request": request}, school.cohort)["show"] is True


@override_settings(TASKS=QUEUED)
def test_a_running_batch_page_polls_and_refreshes_without_script(client, school):
    batch, _outcome = batch_start(cohort=school.cohort, started_by=school.official)
    client.force_login(school.official)

    page = client.get(reverse("certificates:batch", args=(school.cohort.pk, batch.pk)))
    body = page.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in body
    assert "js/certificate-batch.js" in body and "0 из 3" in body

    status = client.get(reverse("certificates:batch_status", args=(school.cohort.pk, batch.pk)))
    data = status.json()
    assert (data["total"], data["finished"], data["running"]) == (3, 0, True)
    assert data["text"] == "0 из 3" and "Не допущены" not in data["text"]

    batch_work(batch_id=batch.pk)
    data = client.get(
        reverse("certificates:batch_status", args=(school.cohort.pk, batch.pk))
    ).json()
    assert (data["finished"], data["running"]) == (3, False)
    assert Certificate.objects.get(enrolment=school.done[1]).serial in data["lists"]


def test_a_batch_of_another_cohort_is_not_found(client, school):
    other = factories.cohort(school.program)
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=other)
    client.force_login(school.official)
    url = reverse("certificates:batch", args=(school.cohort.pk, batch.pk))
    assert client.get(url).status_code == 404


def test_starting_needs_a_post(client, school):
    client.force_login(school.official)
    url = reverse("certificates:batch_start", args=(school.cohort.pk,))
    assert client.get(url).status_code == 405
    assert not CertificateBatch.objects.exists()


@pytest.mark.parametrize("trainees", [3, 9])
def test_the_batch_page_costs_the_same_queries_for_any_cohort_size(
    db, client, django_assert_max_num_queries, trainees, django_capture_on_commit_callbacks
):
    school = School(completed=trainees - 1)
    run_batch(school, django_capture_on_commit_callbacks)
    batch = CertificateBatch.objects.get()
    client.force_login(school.official)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("certificates:batch", args=(school.cohort.pk, batch.pk)))
    assert page.status_code == 200
    assert page.content.decode().count('class="mb-1"') >= trainees - 1


# A double click -----------------------------------------------------------------------------


@concurrency_test
@override_settings(TASKS=QUEUED)
def test_a_double_click_on_start_gives_one_batch_and_no_error():
    school = School(completed=2)
    tabs = [client_for(school.official) for _ in range(4)]
    url = reverse("certificates:batch_start", args=(school.cohort.pk,))

    outcomes = run_times(4, lambda: tabs.pop().post(url))

    assert status_codes(outcomes) == [302] * 4
    batch = CertificateBatch.objects.get()
    assert {response.url for response in outcomes} == {
        reverse("certificates:batch", args=(school.cohort.pk, batch.pk))
    }
    assert batch.items.count() == 3
    assert drains() == [batch.pk] * 4  # queued once, by the click that started it


# The command ----------------------------------------------------------------------------------


def test_the_command_issues_with_a_progress_bar_and_a_summary(school):
    out = io.StringIO()

    with override_settings(TASKS=QUEUED):
        call_command(
            "issue_certificates",
            "--cohort",
            str(school.cohort.pk),
            "--by",
            "official68",
            stdout=out,
        )

    text = out.getvalue()
    certificates = Certificate.objects.order_by("sequence")
    assert [c.issued_by for c in certificates] == [school.official] * 2
    assert "[" in text and "3/3" in text
    assert "Issued: 2" in text and all(c.serial in text for c in certificates)
    assert "Not yet eligible: 1" in text and "Сидоров Пётр" in text
    assert "Failed" not in text
    batch = CertificateBatch.objects.get()
    assert batch.finished_at is not None
    assert not DBTaskResult.objects.exists()  # the terminal drains; nothing is queued

    again = io.StringIO()
    call_command("issue_certificates", "--cohort", str(school.cohort.pk), stdout=again)
    assert "Issued: 0" in again.getvalue() and "Issued before: 2" in again.getvalue()
    assert Certificate.objects.count() == 2


def test_the_command_resumes_an_unfinished_batch(school):
    with override_settings(TASKS=QUEUED):
        batch, _outcome = batch_start(cohort=school.cohort)
    out = io.StringIO()

    call_command("issue_certificates", "--cohort", str(school.cohort.pk), stdout=out)

    assert f"Resuming batch {batch.pk}" in out.getvalue()
    batch.refresh_from_db()
    assert batch.finished_at is not None and Certificate.objects.count() == 2


def test_the_command_fails_when_an_item_fails(school):
    CertificateTemplate.objects.filter(pk=school.template.pk).delete()
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("issue_certificates", "--cohort", str(school.cohort.pk), stdout=out)
    assert error.value.returncode == 1
    assert "Failed: 3" in out.getvalue() and f"«{school.program.title}»" in out.getvalue()


def test_the_command_refuses_an_unknown_cohort_or_user(school):
    with pytest.raises(CommandError, match="No cohort with the id 999999"):
        call_command("issue_certificates", "--cohort", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user with the username 'nobody'"):
        call_command(
            "issue_certificates",
            "--cohort",
            str(school.cohort.pk),
            "--by",
            "nobody",
            stdout=io.StringIO(),
        )
    assert not CertificateBatch.objects.exists()
