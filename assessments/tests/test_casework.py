"""Case work: submitting answers and files, rubric grading, release, the gradebook."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.casework import (
    MAX_ANSWER_CHARS,
    MAX_COMMENT_CHARS,
    MAX_FILE_BYTES,
    MAX_FILES,
    CaseWorkError,
    CriterionMark,
    can_change,
    grade_save,
    sniff_type,
    submission_save,
)
from assessments.gradebook import cohort_gradebook, exact_final_grade, shown_grade
from assessments.models import (
    CaseGrade,
    CaseSubmission,
    QuestionKind,
    QuizAttempt,
    SubmissionFile,
)
from assessments.services import attempt_start, attempt_submit
from assessments.views import casework as casework_views
from courses.models import ActivityCompletion, CaseStudyPage, Enrolment, ModulePage
from notifications.models import Notification
from tests import factories
from tests.concurrency import client_for, concurrency_test, run_together, status_codes

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


def test_submitting_unchanged_work_again_is_the_same_submission(world):
    first = submit(world, answer="План")
    again = submit(world, answer="План")  # a double click, one after the other

    assert (again.times_submitted, again.submitted_at) == (1, first.submitted_at)
    assert submit(world, answer="План, исправленный").times_submitted == 2


def test_removing_a_file_the_other_tab_already_removed_is_not_an_error(world):
    submission = submit(world, files=[SimpleUploadedFile("plan.pdf", PDF)], submit=False)
    gone = submission.files.get().pk
    remove = {"answers": {}, "files": [], "remove_files": [gone], "submit": False}
    submission_save(user=world["trainee"], case=world["case"], **remove)

    submission_save(user=world["trainee"], case=world["case"], **remove)

    assert not SubmissionFile.objects.exists()


# A withdrawn trainee ----------------------------------------------------------------------


def test_a_withdrawn_trainee_can_no_longer_save_or_submit_but_still_reads_their_work(client, world):
    draft = submit(world, answer="Черновик", submit=False, files=[SimpleUploadedFile("a.pdf", PDF)])
    factories.withdraw(world["enrolment"])
    client.force_login(world["trainee"])
    url = reverse("assessments:casework_save", args=(world["case"].pk,))

    for data in (
        {f"task-{world['task'].pk}": "Новый текст"},
        {f"task-{world['task'].pk}": "Новый текст", "submit": "1"},
        {"files": SimpleUploadedFile("b.pdf", PDF)},
        {"remove": str(draft.files.get().pk)},
    ):
        assert client.post(url, data).status_code == 403
    with pytest.raises(PermissionDenied):
        submit(world, answer="Новый текст")

    work = CaseSubmission.objects.get()
    assert (work.status, work.answers, work.times_submitted) == (
        CaseSubmission.Status.DRAFT,
        draft.answers,
        0,
    )
    assert [item.original_name for item in work.files.all()] == ["a.pdf"]
    assert not ActivityCompletion.objects.exists()
    # What they did stays theirs to read.
    download = client.get(reverse("assessments:submission_file", args=(work.files.get().pk,)))
    assert download.status_code == 200
    assert client.get(reverse("courses:learning")).status_code == 200


def test_work_cannot_change_once_the_enrolment_is_not_active(world):
    submission = submit(world, submit=False)
    for status in (Enrolment.Status.WITHDRAWN, Enrolment.Status.COMPLETED):
        world["enrolment"].status = status
        assert not can_change(submission, world["enrolment"], timezone.now())
    world["enrolment"].status = Enrolment.Status.ACTIVE
    assert can_change(submission, world["enrolment"], timezone.now())


# Bad input: a clear refusal, never a 500, and nothing changed ------------------------------


@pytest.fixture
def draft(client, world):
    """The trainee, signed in, with a saved draft holding one file."""
    client.force_login(world["trainee"])
    return submit(
        world, answer="Сохранённый текст", submit=False, files=[SimpleUploadedFile("a.pdf", PDF)]
    )


def assert_draft_unchanged(draft):
    work = CaseSubmission.objects.get(pk=draft.pk)
    assert (work.status, work.answers, work.times_submitted) == (
        CaseSubmission.Status.DRAFT,
        draft.answers,
        0,
    )
    assert list(work.files.values_list("original_name", flat=True)) == ["a.pdf"]


def save_url(world) -> str:
    return reverse("assessments:casework_save", args=(world["case"].pk,))


@pytest.mark.parametrize("value", ["²", "-1", "1.0", "", " 7", "1" * 19, "٣"])
def test_a_malformed_file_id_to_remove_is_a_400(client, world, draft, value):
    response = client.post(
        save_url(world),
        {f"task-{world['task'].pk}": "Новый", "remove": value, "submit": "1"},
    )

    assert response.status_code == 400
    assert "Список файлов для удаления искажён." in response.content.decode()
    assert_draft_unchanged(draft)


def test_the_file_of_another_trainee_cannot_be_removed(client, world, draft):
    other = factories.user("Trainee")
    factories.enrol(other, world["cohort"])
    theirs = submission_save(
        user=other,
        case=world["case"],
        answers={},
        files=[SimpleUploadedFile("theirs.pdf", PDF)],
        remove_files=[],
        submit=False,
    ).files.get()

    response = client.post(
        save_url(world), {f"task-{world['task'].pk}": "Новый", "remove": str(theirs.pk)}
    )

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Файл, который вы хотите удалить, не относится к этой работе."
    ]
    assert SubmissionFile.objects.filter(pk=theirs.pk).exists()
    assert_draft_unchanged(draft)


@pytest.mark.parametrize(
    "answer",
    ["x" * (MAX_ANSWER_CHARS + 1), "до\x00после"],
    ids=["one character too long", "a NUL character"],
)
def test_an_answer_that_cannot_be_kept_is_refused_with_a_message(client, world, draft, answer):
    response = client.post(save_url(world), {f"task-{world['task'].pk}": answer, "submit": "1"})

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert_draft_unchanged(draft)


def test_an_answer_exactly_at_the_limit_is_saved(client, world, draft):
    client.post(save_url(world), {f"task-{world['task'].pk}": "x" * MAX_ANSWER_CHARS})

    assert CaseSubmission.objects.get().answers[str(world["task"].pk)] == "x" * MAX_ANSWER_CHARS


@pytest.mark.parametrize("key", ["task-999999", "task-²", "task-", "task-" + "9" * 40])
def test_an_answer_to_a_task_the_case_does_not_have_is_refused(client, world, draft, key):
    response = client.post(save_url(world), {key: "чужое", "submit": "1"})

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert_draft_unchanged(draft)


def test_a_request_larger_than_the_form_can_send_is_refused_before_it_is_read(
    client, world, draft, monkeypatch
):
    body = encode_multipart(
        BOUNDARY,
        {f"task-{world['task'].pk}": "Новый", "files": SimpleUploadedFile("b.pdf", PDF)},
    )

    def post():
        # The body as bytes, so that its length is known: the client sends it as it is.
        return client.post(
            save_url(world), body, content_type="multipart/form-data; boundary=" + BOUNDARY
        )

    monkeypatch.setattr(casework_views, "MAX_WORK_REQUEST_BYTES", len(body) - 1)
    refused = post()
    assert refused.status_code == 400
    assert "Отправленная работа слишком велика" in refused.content.decode()
    assert_draft_unchanged(draft)

    monkeypatch.setattr(casework_views, "MAX_WORK_REQUEST_BYTES", len(body))
    assert post().status_code == 302
    assert CaseSubmission.objects.get().files.count() == 2


def test_the_real_limit_allows_five_full_files():
    assert casework_views.MAX_WORK_REQUEST_BYTES > MAX_FILES * MAX_FILE_BYTES


def test_case_work_still_needs_the_csrf_token(world, draft):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["trainee"])

    response = strict.post(save_url(world), {f"task-{world['task'].pk}": "Новый", "submit": "1"})

    assert response.status_code == 403
    assert_draft_unchanged(draft)


@pytest.mark.parametrize("where", ["overall", "criterion"])
def test_a_grading_comment_over_the_limit_is_refused_and_at_the_limit_kept(client, world, where):
    submission = submit(world)
    first, second = world["criteria"]
    client.force_login(world["instructor"])
    url = reverse("assessments:grade", args=(submission.pk,))

    def post(comment: str):
        return client.post(
            url,
            {
                f"criterion-{first.pk}": first.levels[2].id,
                f"criterion-{second.pk}": second.levels[1].id,
                "comment" if where == "overall" else f"comment-{first.pk}": comment,
            },
        )

    for refused in ("x" * (MAX_COMMENT_CHARS + 1), "a\x00b"):
        response = post(refused)
        assert response.status_code == 400 and "alert-danger" in response.content.decode()
        assert not CaseGrade.objects.exists()

    assert post("x" * MAX_COMMENT_CHARS).status_code == 302
    grade = CaseGrade.objects.get()
    kept = grade.comment if where == "overall" else grade.criteria[0]["comment"]
    assert kept == "x" * MAX_COMMENT_CHARS


# Gradebook -------------------------------------------------------------------------------


def test_final_grade_follows_the_weights():
    def final_grade(*args):
        return shown_grade(exact_final_grade(*args))

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
    assert row.final == Decimal("52.0")  # 0.4·100 + 0.6·20

    grade_save(
        grader=world["instructor"],
        submission=CaseSubmission.objects.get(),
        marks=marks(world, 2, 1),
        comment="",
        release=True,
    )
    [row] = cohort_gradebook(world["cohort"]).rows
    assert row.final == Decimal("100.0")
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

    html = client.get(reverse("records:gradebook", args=(world["cohort"].pk,))).content.decode()
    xlsx = client.get(reverse("records:gradebook_export", args=(world["cohort"].pk, "xlsx")))
    csv = client.get(reverse("records:gradebook_export", args=(world["cohort"].pk, "csv")))

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


# Concurrency: double clicks and two tabs (PostgreSQL, real parallel requests) ---------------


def post_work(client, world, *, answer: str, submit: bool = False, files: int = 0):
    """The case page's form, as the browser sends it."""
    data = {f"task-{world['task'].pk}": answer}
    if submit:
        data["submit"] = "1"
    if files:
        data["files"] = [SimpleUploadedFile(f"scan{n}.png", PNG) for n in range(files)]
    return client.post(reverse("assessments:casework_save", args=(world["case"].pk,)), data)


@concurrency_test
def test_two_tabs_saving_the_first_draft_at_once_make_one_submission(world):
    tabs = [client_for(world["trainee"]) for _ in range(6)]

    outcomes = run_together(
        *[lambda tab=tab: post_work(tab, world, answer="Черновик") for tab in tabs]
    )

    assert status_codes(outcomes) == [302] * 6
    submission = CaseSubmission.objects.get()
    assert submission.answers == {str(world["task"].pk): "Черновик"}
    assert submission.status == CaseSubmission.Status.DRAFT


@concurrency_test
def test_a_double_clicked_submit_submits_once(world):
    tabs = [client_for(world["trainee"]) for _ in range(3)]

    outcomes = run_together(
        *[lambda tab=tab: post_work(tab, world, answer="Мой план", submit=True) for tab in tabs]
    )

    assert status_codes(outcomes) == [302] * 3
    submission = CaseSubmission.objects.get()
    assert submission.status == CaseSubmission.Status.SUBMITTED
    assert submission.times_submitted == 1
    assert ActivityCompletion.objects.filter(activity_id=world["case"].pk).count() == 1


@concurrency_test
def test_the_file_limit_holds_when_tabs_upload_at_once(world):
    tabs = [client_for(world["trainee"]) for _ in range(3)]

    outcomes = run_together(
        *[lambda tab=tab: post_work(tab, world, answer="Сканы", files=2) for tab in tabs]
    )

    assert status_codes(outcomes) == [302] * 3
    # Two uploads of two files fit under the limit of five; the third is refused, not added.
    assert SubmissionFile.objects.count() == 4
    assert CaseSubmission.objects.count() == 1


@concurrency_test
def test_grading_the_same_work_twice_at_once_grades_and_notifies_once(world):
    submission = submit(world)
    first, second = world["criteria"]
    data = {
        f"criterion-{first.pk}": first.levels[2].id,
        f"criterion-{second.pk}": second.levels[1].id,
        "comment": "Итог",
        "release": "1",
    }
    url = reverse("assessments:grade", args=(submission.pk,))
    tabs = [client_for(world["instructor"]) for _ in range(3)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url, data) for tab in tabs])

    assert status_codes(outcomes) == [302] * 3
    grade = CaseGrade.objects.get()
    assert grade.percent == Decimal("100.0") and grade.is_released
    assert Notification.objects.filter(recipient=world["trainee"]).count() == 1


@concurrency_test
def test_releasing_all_grades_twice_at_once_tells_each_trainee_once(world):
    trainees = [world["trainee"]]
    for _ in range(3):
        trainee = factories.user("Trainee")
        factories.enrol(trainee, world["cohort"])
        trainees.append(trainee)
    for trainee in trainees:
        work = submission_save(
            user=trainee,
            case=world["case"],
            answers={str(world["task"].pk): "План"},
            files=[],
            remove_files=[],
            submit=True,
        )
        grade_save(
            grader=world["instructor"],
            submission=work,
            marks=marks(world, 1, 1),
            comment="",
            release=False,
        )
    url = reverse("assessments:release_all", args=(world["cohort"].pk,))
    tabs = [client_for(world["instructor"]) for _ in range(3)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url) for tab in tabs])

    assert status_codes(outcomes) == [302] * 3
    assert not CaseGrade.objects.filter(released_at__isnull=True).exists()
    for trainee in trainees:
        assert Notification.objects.filter(recipient=trainee).count() == 1
    # Each says what it did: together, the four grades once.
    counts = [
        int(str(message).rsplit(" ", 1)[-1].rstrip("."))
        for response in outcomes
        for message in response.wsgi_request._messages
    ]
    assert sum(counts) == 4
