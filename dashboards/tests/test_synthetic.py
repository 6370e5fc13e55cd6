"""The synthetic national data set: its counts, its certificates, its serials, reset and refusal.

Built at a tiny size (2 regions × 2 cohorts × 4 trainees); the full size is timed by hand (see
the README).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Page

from accounts.models import Region
from assessments.models import (
    CaseGrade,
    CaseSubmission,
    Question,
    QuestionBank,
    QuizAttempt,
    SubmissionFile,
)
from certificates.models import Certificate, CertificateTemplate, SerialCounter
from certificates.services import ensure_pdf
from courses.models import ActivityCompletion, Cohort, Enrolment, EnrolmentEvent
from dashboards.synthetic import (
    PROGRAM_SLUG,
    SESSIONS_PER_COHORT,
    SyntheticSetExists,
    build_synthetic,
    reset_synthetic,
    synthetic_users,
)
from records.selectors import cohort_records
from schedule.models import Attendance, Session
from tests import factories

pytestmark = pytest.mark.django_db

TINY = {"regions": 2, "cohorts_per_region": 2, "trainees_per_cohort": 4}
TINY_ARGS = ["--regions", "2", "--cohorts-per-region", "2", "--trainees-per-cohort", "4"]
MODELS = [
    get_user_model(),
    get_user_model().groups.through,
    Cohort,
    Cohort.instructors.through,
    Enrolment,
    EnrolmentEvent,
    ActivityCompletion,
    QuizAttempt,
    CaseSubmission,
    CaseGrade,
    Session,
    Attendance,
    Certificate,
    CertificateTemplate,
    Page,
    QuestionBank,
    Question,
]


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in MODELS}


def synthetic_cohorts():
    return Cohort.objects.filter(program__slug=PROGRAM_SLUG).select_related("program", "region")


def test_a_tiny_set_has_what_was_asked_for():
    report = build_synthetic(**TINY, seed=7)

    first_two = list(Region.objects.order_by("code")[:2])
    cohorts = synthetic_cohorts()
    assert {cohort.region for cohort in cohorts} == set(first_two)
    assert cohorts.count() == report.cohorts == 4
    assert Enrolment.objects.filter(cohort__in=cohorts).count() == report.trainees == 16
    # Trainees, three instructors and an official a region, and one federal official.
    assert synthetic_users().count() == 16 + 2 * 4 + 1
    assert synthetic_users().filter(groups__name="Trainee").count() == 16
    assert synthetic_users().filter(groups__name="Federal official").count() == 1
    assert synthetic_users().filter(groups__name="Regional official").count() == 2
    for cohort in cohorts:
        assert cohort.instructors.count() == 2
        assert cohort.sessions.count() == SESSIONS_PER_COHORT
    # Each region has a finished cohort (from two cohorts up) and one still running.
    today = timezone.localdate()
    for region in first_two:
        assert cohorts.filter(region=region, ends_on__lt=today).count() == 1
        assert cohorts.filter(region=region, starts_on__lte=today, ends_on__gte=today).count() == 1
    assert report.cohorts_by_state == {"finished": 2, "running": 2}
    # The report says what is in the database, and there is something of every kind.
    assert ActivityCompletion.objects.count() == report.completions > 0
    assert QuizAttempt.objects.filter(status="graded", percent__isnull=False).count() == (
        report.attempts
    )
    assert report.attempts > 0
    assert CaseSubmission.objects.exclude(status="draft").count() == report.submissions > 0
    assert CaseGrade.objects.filter(released_at__isnull=False).count() == report.grades > 0
    assert Attendance.objects.count() == report.attendance > 0
    assert Session.objects.count() == report.sessions == 4 * SESSIONS_PER_COHORT
    assert Certificate.objects.count() == report.certificates > 0
    withdrawn = Enrolment.objects.filter(status=Enrolment.Status.WITHDRAWN)
    assert withdrawn.count() == report.withdrawn
    assert EnrolmentEvent.objects.filter(kind="withdrawn").count() == report.withdrawn
    # Quizzes count as done only when passed, as the grading service records them.
    for completion in ActivityCompletion.objects.filter(source="quiz"):
        assert QuizAttempt.objects.filter(
            enrolment_id=completion.enrolment_id,
            quiz_id=completion.activity_id,
            percent__gte=60,
        ).exists()


def test_certificates_go_to_exactly_those_the_record_says_have_completed():
    build_synthetic(**TINY, seed=7)

    completed = not_completed = 0
    for cohort in synthetic_cohorts():
        certified = set(
            Certificate.objects.filter(cohort=cohort).values_list("enrolment_id", flat=True)
        )
        for record in cohort_records(cohort=cohort):
            assert record.complete == (record.enrolment.pk in certified), (
                record.enrolment.trainee.username,
                [(rule.name, rule.detail) for rule in record.completion.rules if not rule.met],
            )
            completed += record.complete
            not_completed += not record.complete
    # Both sides are there: the check above compares something.
    assert completed > 0
    assert not_completed > 0
    for region in Region.objects.order_by("code")[:2]:
        assert Certificate.objects.filter(region=region).exists()


def test_a_certificate_holds_the_frozen_copy_the_service_writes():
    build_synthetic(**TINY, seed=7)

    for certificate in Certificate.objects.select_related("enrolment__trainee", "cohort"):
        assert_frozen_copy(certificate)


def assert_frozen_copy(certificate):
    trainee, cohort = certificate.enrolment.trainee, certificate.cohort
    assert certificate.trainee == trainee
    assert (certificate.last_name, certificate.first_name, certificate.patronymic) == (
        trainee.last_name,
        trainee.first_name,
        trainee.patronymic,
    )
    assert certificate.kind == "qualification"  # 72 hours: an удостоверение
    assert (certificate.total_hours, certificate.practice_hours) == (72, 54)
    assert certificate.studied_from == max(cohort.starts_on, certificate.enrolment.enrolled_on)
    assert certificate.studied_to == min(cohort.ends_on, certificate.issued_on)
    assert certificate.issued_on <= timezone.localdate()
    assert certificate.printed["signatories"]
    assert certificate.issued_by in cohort.instructors.all()
    assert not certificate.pdf  # made on the first download


def test_a_synthetic_certificate_renders_on_first_download_and_reset_removes_the_file():
    build_synthetic(**TINY, seed=7)
    certificate = Certificate.objects.first()

    ensure_pdf(certificate=certificate)

    with certificate.pdf.open("rb") as pdf:
        text = PdfReader(pdf).pages[0].extract_text()
    assert certificate.last_name in text
    assert certificate.serial in text
    storage, name = certificate.pdf.storage, certificate.pdf.name
    assert storage.exists(name)
    # A file a synthetic trainee uploaded since goes too.
    upload = SubmissionFile(
        submission=CaseSubmission.objects.first(),
        original_name="план.pdf",
        content_type="application/pdf",
        size=3,
    )
    upload.file.save("plan.pdf", ContentFile(b"pdf"))
    reset_synthetic()
    assert not storage.exists(name)
    assert not upload.file.storage.exists(upload.file.name)
    assert not SubmissionFile.objects.exists()


def test_serials_run_from_one_without_a_gap_in_each_region_and_year():
    build_synthetic(**{**TINY, "cohorts_per_region": 4}, seed=3)

    sequences = defaultdict(list)
    registrations = defaultdict(list)
    for certificate in Certificate.objects.select_related("region").order_by("issued_on", "pk"):
        code = certificate.region.code
        sequences[code, certificate.year].append(certificate.sequence)
        registrations[code].append(int(certificate.registration_number.split("/")[1]))
        assert certificate.serial == f"{code}-{certificate.year}-{certificate.sequence:05d}"
        assert certificate.year == certificate.issued_on.year
    assert sequences
    for (code, year), numbers in sequences.items():
        # In order of issue, 1 to n: sorted by date they are already in order.
        assert numbers == list(range(1, len(numbers) + 1)), (code, year)
        counter = SerialCounter.objects.get(region__code=code, year=year)
        assert counter.last == len(numbers)
    for code, numbers in registrations.items():
        assert numbers == list(range(1, len(numbers) + 1))
        assert SerialCounter.objects.get(region__code=code, year=0).last == len(numbers)


def test_the_same_seed_builds_the_same_set():
    def signature():
        return (
            list(synthetic_users().order_by("username").values_list("username", "last_name")),
            list(
                Enrolment.objects.order_by("trainee__username").values_list(
                    "trainee__username", "status", "withdrawn_on"
                )
            ),
            list(
                ActivityCompletion.objects.order_by(
                    "enrolment__trainee__username", "activity__path"
                ).values_list("enrolment__trainee__username", "activity__slug", "completed_at")
            ),
            list(Certificate.objects.order_by("serial").values_list("serial", "code", "issued_on")),
        )

    now = timezone.now()
    build_synthetic(**TINY, seed=11, now=now)
    first = signature()
    reset_synthetic()
    build_synthetic(**TINY, seed=11, now=now)
    assert signature() == first
    reset_synthetic()
    build_synthetic(**TINY, seed=12, now=now)
    assert signature() != first


def test_a_second_run_without_reset_refuses_and_changes_nothing():
    call_command("make_synthetic", *TINY_ARGS, stdout=StringIO())
    before = counts()

    with pytest.raises(CommandError, match="--reset"):
        call_command("make_synthetic", *TINY_ARGS, stdout=StringIO())
    with pytest.raises(SyntheticSetExists):
        build_synthetic(**TINY)

    assert counts() == before


def test_reset_removes_exactly_the_synthetic_set():
    # Real data beside it: a programme, a trainee in the first region with certificate No. 1 of
    # this year, and the counters that issued it.
    program = factories.program()
    cohort = factories.cohort(program, region_code="01")
    trainee = factories.user("Trainee", region_code="01")
    enrolment = factories.enrol(trainee, cohort)
    year = timezone.localdate().year
    real = factories.certificate(enrolment, year=year, sequence=1)
    region = Region.objects.get(code="01")
    SerialCounter.objects.create(region=region, year=year, last=1)
    SerialCounter.objects.create(region=region, year=0, last=1)
    before = counts()

    out = StringIO()
    call_command("make_synthetic", *TINY_ARGS, "--cohorts-per-region", "4", stdout=out)
    built = counts()
    # The synthetic certificates of the first region follow the real one: no number twice.
    this_year = Certificate.objects.filter(region=region, year=year).exclude(pk=real.pk)
    assert sorted(this_year.values_list("sequence", flat=True)) == list(
        range(2, this_year.count() + 2)
    )
    assert SerialCounter.objects.get(region=region, year=0).last == (
        Certificate.objects.filter(region=region).count()
    )

    # --reset replaces the set with the same one.
    call_command("make_synthetic", *TINY_ARGS, "--cohorts-per-region", "4", "--reset", stdout=out)
    assert counts() == built

    assert reset_synthetic() == 16 * 2
    assert counts() == before
    assert Certificate.objects.get() == real
    assert Enrolment.objects.get() == enrolment
    assert not synthetic_users().exists()
    assert not Page.objects.filter(slug=PROGRAM_SLUG).exists()
    # The counters are back where the real certificates left them.
    assert set(SerialCounter.objects.values_list("region__code", "year", "last")) == {
        ("01", year, 1),
        ("01", 0, 1),
    }


def test_the_command_reports_and_draws_a_progress_bar(capsys):
    call_command("make_synthetic", *TINY_ARGS, "--seed", "5")

    out = capsys.readouterr().out
    assert "\r[" in out  # redrawn in place
    assert "Built 2 regions, 4 cohorts" in out
    assert "16 trainees" in out


@pytest.mark.parametrize("argument", ["--regions", "--cohorts-per-region", "--trainees-per-cohort"])
def test_a_size_out_of_range_is_refused(argument):
    with pytest.raises(CommandError, match=argument):
        call_command("make_synthetic", argument, "0")
    assert not synthetic_users().exists()


def test_dates_are_realistic():
    build_synthetic(**{**TINY, "cohorts_per_region": 10}, seed=2)

    now = timezone.now()
    assert not ActivityCompletion.objects.filter(completed_at__gt=now).exists()
    assert not Attendance.objects.filter(session__ends_at__gt=now).exists()
    assert not CaseGrade.objects.filter(graded_at__gt=now).exists()
    for completion in ActivityCompletion.objects.select_related("enrolment__cohort"):
        cohort = completion.enrolment.cohort
        day = completion.completed_at.date()
        assert (
            cohort.starts_on - dt.timedelta(days=1) <= day <= cohort.ends_on + dt.timedelta(days=1)
        )
    # A tenth of the cohorts is planned: nobody has started there.
    planned = synthetic_cohorts().filter(starts_on__gt=timezone.localdate())
    assert planned.count() == 2
    assert not ActivityCompletion.objects.filter(enrolment__cohort__in=planned).exists()
