"""Case work: submitting answers and files, rubric grading, release, the gradebook."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessments.casework import (
    CaseWorkError,
    CriterionMark,
    grade_save,
    sniff_type,
    submission_save,
)
from assessments.gradebook import cohort_gradebook, final_grade
from assessments.models import CaseGrade, CaseSubmission, QuestionKind, QuizAttempt
from assessments.services import attempt_start, attempt_submit
from courses.models import ActivityCompletion, CaseStudyPage, ModulePage
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()
    case = CaseStudyPage.objects.descendant_of(program).get()
    criteria = factories.rubric(
        case,
        [
            ("Анализ ситуации", [("Слабо", "0"), ("Достаточно", "2"), ("Отлично", "4")]),
            ("План помощи", [("Нет плана", "0"), ("Есть план", "6")]),
        ],
    )
    cohort = factories.cohort(program)
    trainee = factories.user("Trainee")
    enrolment = factories.enrol(trainee, cohort)
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    return {
        "program": program,
        "case": case,
        "criteria": criteria,
        "cohort": cohort,
        "trainee": trainee,
        "enrolment": enrolment,
        "instructor": instructor,
        "task": case.tasks.get(),
    }


def submit(world, *, files=(), answer="Мой план помощи семье", submit=True):
    return submission_save(
        user=world["trainee"],
        case=world["case"],
        answers={str(world["task"].pk): answer},
        files=list(files),
        remove_files=[],
        submit=submit,
    )


def marks(world, *levels: int):
    return [
        CriterionMark(criterion_id=criterion.pk, level_id=criterion.levels[index].id, comment="ок")
        for criterion, index in zip(world["criteria"], levels, strict=True)
    ]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("photo.png", PNG, "png"),
        ("scan.jpg", b"\xff\xd8\xff\xe0rest", "jpg"),
        ("work.docx", docx_bytes(), "docx"),
        ("virus.pdf", b"MZ\x90\x00", None),  # the name says PDF, the content does not
        ("fake.docx", b"PK\x03\x04not a zip", None),
    ],
)
def test_file_type_is_told_by_content_not_name(name, data, kind):
    assert sniff_type(SimpleUploadedFile(name, data)) == kind


def test_a_trainee_submits_answers_and_files_and_the_case_is_done(world):
    submission = submit(world, files=[SimpleUploadedFile("plan.pdf", PDF)])

    assert submission.status == CaseSubmission.Status.SUBMITTED
    assert submission.answers == {str(world["task"].pk): "Мой план помощи семье"}
    [item] = submission.files.all()
    assert item.content_type == "application/pdf" and item.original_name == "plan.pdf"
    assert ActivityCompletion.objects.filter(
        enrolment=world["enrolment"], activity_id=world["case"].pk, source="submission"
    ).exists()


def test_bad_files_and_oversize_are_refused_and_nothing_is_saved(world):
    from assessments import casework

    with pytest.raises(CaseWorkError) as error:
        submit(world, files=[SimpleUploadedFile("x.pdf", b"MZ evil")])
    assert "x.pdf" in str(error.value)

    original = casework.MAX_FILE_BYTES
    casework.MAX_FILE_BYTES = 10
    try:
        with pytest.raises(CaseWorkError):
            submit(world, files=[SimpleUploadedFile("big.pdf", PDF)])
    finally:
        casework.MAX_FILE_BYTES = original
    assert not CaseSubmission.objects.exists()


def test_an_answer_for_a_task_of_another_case_is_refused(world):
    with pytest.raises(CaseWorkError):
        submission_save(
            user=world["trainee"],
            case=world["case"],
            answers={"999999": "чужое"},
            files=[],
            remove_files=[],
            submit=True,
        )


def test_resubmission_is_allowed_until_graded(world):
    submit(world, answer="Первый вариант")
    second = submit(world, answer="Исправленный вариант")
    assert second.times_submitted == 2

    grade_save(
        grader=world["instructor"],
        submission=second,
        marks=marks(world, 1, 1),
        comment="",
        release=False,
    )

    with pytest.raises(CaseWorkError):
        submit(world, answer="Поздно")


def test_nothing_can_be_submitted_after_the_deadline(world):
    cohort = world["cohort"]
    cohort.ends_on = dt.date(2020, 1, 31)
    cohort.starts_on = dt.date(2020, 1, 1)
    cohort.save()

    with pytest.raises(CaseWorkError):
        submit(world)


def test_grading_on_the_rubric_and_release_notifies_the_trainee(
    world, django_capture_on_commit_callbacks
):
    submission = submit(world)

    with django_capture_on_commit_callbacks(execute=True):
        grade = grade_save(
            grader=world["instructor"],
            submission=submission,
            marks=marks(world, 1, 1),
            comment="Хорошая работа",
            release=True,
        )

    assert (grade.score, grade.max_score, grade.percent) == (
        Decimal("8"),
        Decimal("10"),
        Decimal("80.0"),
    )
    assert [row["level_title"] for row in grade.criteria] == ["Достаточно", "Есть план"]
    assert Notification.objects.filter(recipient=world["trainee"]).count() == 1
    assert len(mail.outbox) == 1


def test_every_criterion_needs_a_level(world):
    submission = submit(world)
    only_one = marks(world, 2, 1)[:1]

    with pytest.raises(CaseWorkError) as error:
        grade_save(
            grader=world["instructor"],
            submission=submission,
            marks=only_one,
            comment="",
            release=False,
        )

    assert "План помощи" in str(error.value)
    assert not CaseGrade.objects.exists()


def test_only_the_cohorts_instructors_grade(world):
    from django.core.exceptions import PermissionDenied

    submission = submit(world)
    for outsider in (
        factories.user("Instructor"),
        factories.user("Regional official"),
        world["trainee"],
    ):
        with pytest.raises(PermissionDenied):
            grade_save(
                grader=outsider,
                submission=submission,
                marks=marks(world, 0, 0),
                comment="",
                release=False,
            )


# Pages -----------------------------------------------------------------------------------


def test_trainee_submits_through_the_case_page_and_sees_feedback_once_released(client, world):
    client.force_login(world["trainee"])
    url = reverse("assessments:casework_save", args=(world["case"].pk,))

    client.post(
        url,
        {
            f"task-{world['task'].pk}": "Ответ через страницу",
            "submit": "1",
            "files": SimpleUploadedFile("w.docx", docx_bytes()),
        },
    )

    submission = CaseSubmission.objects.get()
    assert submission.status == "submitted" and submission.files.count() == 1
    grade = grade_save(
        grader=world["instructor"],
        submission=submission,
        marks=marks(world, 2, 1),
        comment="Отлично",
        release=False,
    )
    assert "Отлично" not in client.get(world["case"].url).content.decode()  # not released yet

    client.force_login(world["instructor"])
    client.post(reverse("assessments:release_all", args=(world["cohort"].pk,)))
    grade.refresh_from_db()
    assert grade.is_released

    client.force_login(world["trainee"])
    html = client.get(world["case"].url).content.decode()
    assert "Отлично" in html and "100,0" in html


def test_a_refused_save_keeps_what_the_trainee_wrote(client, world):
    client.force_login(world["trainee"])

    client.post(
        reverse("assessments:casework_save", args=(world["case"].pk,)),
        {
            f"task-{world['task'].pk}": "Длинный ответ, который нельзя терять",
            "submit": "1",
            "files": SimpleUploadedFile("evil.pdf", b"MZ"),
        },
    )

    html = client.get(world["case"].url).content.decode()
    assert "Длинный ответ, который нельзя терять" in html and "evil.pdf" in html
    assert not CaseSubmission.objects.exists()


def test_instructor_grades_through_the_form(client, world):
    submission = submit(world)
    client.force_login(world["instructor"])
    url = reverse("assessments:grade", args=(submission.pk,))
    first, second = world["criteria"]

    missing = client.post(url, {f"criterion-{first.pk}": first.levels[2].id, "comment": "Итог"})
    assert missing.status_code == 400 and not CaseGrade.objects.exists()

    client.post(
        url,
        {
            f"criterion-{first.pk}": first.levels[2].id,
            f"criterion-{second.pk}": second.levels[1].id,
            f"comment-{second.pk}": "План реалистичен",
            "comment": "Итог",
            "release": "1",
        },
    )
    grade = CaseGrade.objects.get()
    assert grade.percent == Decimal("100.0") and grade.is_released
    assert grade.criteria[1]["comment"] == "План реалистичен"


def test_files_are_served_only_to_those_who_may_see_them(client, world):
    submission = submit(world, files=[SimpleUploadedFile("plan.pdf", PDF)])
    url = reverse("assessments:submission_file", args=(submission.files.get().pk,))

    client.force_login(world["trainee"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]

    client.force_login(world["instructor"])
    assert client.get(url).status_code == 200
    client.force_login(factories.user("Trainee"))
    assert client.get(url).status_code == 404


# Gradebook -------------------------------------------------------------------------------


def test_final_grade_follows_the_weights():
    assert final_grade(Decimal("50"), Decimal("100"), 40, 60) == Decimal("80.0")
    assert final_grade(None, Decimal("70"), 40, 60) == Decimal("70.0")  # no quizzes at all
    assert final_grade(None, None, 40, 60) is None


def test_gradebook_combines_quizzes_and_released_case_grades_and_regrading_recomputes(world):
    module = ModulePage.objects.child_of(world["program"]).get()
    bank = factories.question_bank()
    question = factories.question(bank, QuestionKind.TRUE_FALSE, correct_is_true=True)
    quiz = factories.quiz(module, [bank])
    attempt = attempt_start(user=world["trainee"], quiz=quiz)
    from django.http import QueryDict

    attempt_submit(attempt=attempt, data=QueryDict(f"q{question.pk}=true"))
    submission = submit(world)
    grade_save(
        grader=world["instructor"],
        submission=submission,
        marks=marks(world, 1, 0),
        comment="",
        release=True,
    )

    [row] = cohort_gradebook(world["cohort"]).rows
    assert row.quiz_average == Decimal("100.0") and row.case_average == Decimal("20.0")
    assert row.final == Decimal("52.0") and not row.passed  # 0.4·100 + 0.6·20

    grade_save(
        grader=world["instructor"],
        submission=CaseSubmission.objects.get(),
        marks=marks(world, 2, 1),
        comment="",
        release=True,
    )
    [row] = cohort_gradebook(world["cohort"]).rows
    assert row.final == Decimal("100.0") and row.passed
    assert QuizAttempt.objects.count() == 1


def test_gradebook_page_and_exports(client, world):
    submission = submit(world)
    grade_save(
        grader=world["instructor"],
        submission=submission,
        marks=marks(world, 2, 1),
        comment="",
        release=True,
    )
    client.force_login(world["instructor"])

    html = client.get(reverse("assessments:gradebook", args=(world["cohort"].pk,))).content.decode()
    xlsx = client.get(reverse("assessments:gradebook_export", args=(world["cohort"].pk, "xlsx")))
    csv = client.get(reverse("assessments:gradebook_export", args=(world["cohort"].pk, "csv")))

    assert world["trainee"].full_name in html and "100,0" in html
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == world["trainee"].full_name
    assert world["case"].title in [cell.value for cell in sheet[1]]
    assert "100,0" in csv.content.decode("utf-8-sig")


def test_gradebook_runs_a_constant_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        cohort_gradebook(world["cohort"])
    for _ in range(8):
        trainee = factories.user("Trainee")
        factories.enrol(trainee, world["cohort"])
        submission_save(
            user=trainee,
            case=world["case"],
            answers={str(world["task"].pk): "x"},
            files=[],
            remove_files=[],
            submit=True,
        )
    with CaptureQueriesContext(connection) as large:
        cohort_gradebook(world["cohort"])

    assert len(small) == len(large)
