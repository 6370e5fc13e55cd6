"""Arbitrary values sent, through the Django test client, to the endpoints that take a trainee's
or an official's input: the quiz answers (autosave and submit), case work, the import preview,
the attendance register and session feedback.

Whatever arrives — text, unicode digits such as «²», huge numbers, very long strings, lists
where one value is expected, keys missing or unknown — the answer is never a 500, and a request
the server refuses (a 4xx, a form shown again with its errors, an error message) changes
nothing. The field names come from the pages themselves, so the tests follow the forms as they
change.

Hypothesis draws the values. Each test builds its world once; every example runs inside a
savepoint that is rolled back, so the examples do not see each other's changes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.casework import submission_save
from assessments.models import CaseSubmission, QuizAttempt, SubmissionFile
from assessments.services import attempt_start
from courses.models import (
    ActivityCompletion,
    CaseStudyPage,
    Enrolment,
    EnrolmentImport,
    ModulePage,
)
from schedule.models import Attendance, AttendanceChange, Session, SessionFeedback
from schedule.services import attendance_mark
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI fails on a bug, never on luck
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values people (and scripts) send where a number, a choice or a short text is expected.
TRICKY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "5",
    "²",
    "¹²",
    "١٢",
    "½",
    "Ⅻ",
    "𝟗",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "1_000",
    "0x1F",
    "1,5",
    "1 500",
    "\x00",
    "\u200b",
    "true",
    "false",
    "null",
    "[]",
    "<script>",
    "' OR 1=1 --",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(
    st.sampled_from(TRICKY),
    TEXT,
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**400).map(str),
    st.integers(min_value=1_000, max_value=30_000).map(lambda size: "я" * size),
)


def field_value(valid: list[str]) -> st.SearchStrategy:
    """One value or several (a list where one is expected), sometimes a valid one."""
    one = st.one_of(VALUE, st.sampled_from(valid)) if valid else VALUE
    return st.one_of(one, st.lists(one, max_size=4))


FILE_NAME = TEXT.map(lambda name: name.replace("/", "_").replace("\\", "_").strip(".") or "file")
JUNK = st.dictionaries(TEXT.filter(lambda key: key != "csrfmiddlewaretoken"), field_value([]))


@contextmanager
def rolled_back(client):
    """Run one example in a savepoint that is undone afterwards, its messages its own."""
    client.cookies.pop("messages", None)  # not the messages of the example before
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def error_messages(response) -> list[str]:
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level == messages.ERROR
    ]


def names_and_values(html: str) -> tuple[list[str], list[str]]:
    """Field names and offered values in a piece of a page, in order, without duplicates."""
    names = re.findall(r'name="([^"]+)"', html)
    values = re.findall(r'value="([^"]*)"', html)
    names = [name for name in names if name != "csrfmiddlewaretoken"]
    return list(dict.fromkeys(names)), list(dict.fromkeys(values))


def form_html(html: str, action: str) -> str:
    match = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL)
    assert match, f"no form posting to {action}"
    return match.group(0)


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program([[("theory", "2"), ("practice", "6")]])
    today = timezone.localdate()
    cohort = factories.cohort(
        program, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30)
    )
    trainee = factories.user("Trainee")
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    return {
        "program": program,
        "cohort": cohort,
        "trainee": trainee,
        "enrolment": factories.enrol(trainee, cohort),
        "instructor": instructor,
        "official": factories.user("Regional official"),
    }


# Quiz answers -----------------------------------------------------------------------------


@pytest.fixture
def attempt(world):
    bank = factories.question_bank()
    options = [("Первый", True), ("Второй", False), ("Третий", False)]
    factories.question(bank, "single", options=options)
    factories.question(bank, "multiple", options=options)
    factories.question(bank, "true_false", correct_is_true=True)
    factories.question(bank, "short_text", accepted_answers="пособие")
    factories.question(
        bank, "numeric", numeric_answer=Decimal("12.5"), numeric_tolerance=Decimal("0")
    )
    factories.question(bank, "matching", options=[("Пенсия", "СФР"), ("Пособие", "МФЦ")])
    factories.question(bank, "ordering", options=[("Первое", True), ("Второе", True)])
    quiz = factories.quiz(ModulePage.objects.child_of(world["program"]).get(), [bank])
    return attempt_start(user=world["trainee"], quiz=quiz)


def attempt_questions(client, attempt) -> dict[str, tuple[list[str], list[str]]]:
    """Each question shown in the attempt: its field names and the values its inputs offer."""
    html = client.get(reverse("assessments:attempt", args=(attempt.pk,))).content.decode()
    return {
        pk: names_and_values(body)
        for pk, body in re.findall(
            r'<fieldset[^>]*id="question-(\d+)"(.*?)</fieldset>', html, re.DOTALL
        )
    }


def quiz_post(questions) -> st.SearchStrategy:
    """A subset of the questions' fields with drawn values, and some unknown keys."""
    fields = {name: field_value(values) for names, values in questions.values() for name in names}
    return st.builds(
        lambda chosen, junk: {**junk, **chosen},
        st.fixed_dictionaries({}, optional=fields),
        JUNK,
    )


def test_quiz_answers_never_fail_and_a_refused_answer_changes_nothing(client, world, attempt):
    client.force_login(world["trainee"])
    questions = attempt_questions(client, attempt)
    assert len(questions) == 7  # every kind of question is on the page

    every_field = [name for names, _values in questions.values() for name in names]

    @EXAMPLES
    @given(
        data=quiz_post(questions),
        endpoint=st.sampled_from(["autosave", "submit"]),
        fetch=st.booleans(),
    )
    @example(data=dict.fromkeys(every_field, "²"), endpoint="submit", fetch=False)
    @example(data=dict.fromkeys(every_field, "\x00"), endpoint="autosave", fetch=False)
    @example(data=dict.fromkeys(every_field, "9" * 400), endpoint="autosave", fetch=True)
    @example(data=dict.fromkeys(every_field, "я" * 100_000), endpoint="submit", fetch=False)
    @example(data=dict.fromkeys(every_field, ["1", "1", "2"]), endpoint="autosave", fetch=True)
    def check(data, endpoint, fetch):
        with rolled_back(client):
            before = QuizAttempt.objects.get(pk=attempt.pk)
            headers = {"X-Requested-With": "fetch"} if fetch and endpoint == "autosave" else {}

            response = client.post(
                reverse(f"assessments:{endpoint}", args=(attempt.pk,)), data, headers=headers
            )

            assert response.status_code < 500
            after = QuizAttempt.objects.get(pk=attempt.pk)
            if response.headers.get("Content-Type", "").startswith("application/json"):
                refused = set(json.loads(response.content).get("errors", {}))
            else:
                refused = set(re.findall(r'id="error-(\d+)"', response.content.decode()))
            if response.status_code >= 400 and not refused:
                refused = set(questions)  # refused as a whole
            # Autosave keeps each valid answer; an answer it refuses leaves its question as it was.
            for pk in refused:
                assert after.answers.get(pk) == before.answers.get(pk), pk
            if refused:
                assert (after.status, after.score) == (before.status, before.score)

    check()


# Case work --------------------------------------------------------------------------------


def test_case_work_never_fails_and_a_refused_save_changes_nothing(client, world):
    case = CaseStudyPage.objects.descendant_of(world["program"]).get()
    submission_save(
        user=world["trainee"],
        case=case,
        answers={},
        files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")],
        remove_files=[],
        submit=False,
    )
    client.force_login(world["trainee"])
    action = reverse("assessments:casework_save", args=(case.pk,))
    names, values = names_and_values(form_html(client.get(case.url).content.decode(), action))
    assert any(name.startswith("task-") for name in names) and "remove" in names
    fields = {name: field_value(values) for name in names if name != "files"}
    tasks = [name for name in names if name.startswith("task-")]
    upload = st.builds(
        SimpleUploadedFile,
        FILE_NAME,
        st.one_of(st.binary(max_size=200), st.just(b"%PDF-1.4 " + b"x" * 100)),
    )

    def state():
        return (
            list(CaseSubmission.objects.values_list("answers", "status", "times_submitted")),
            sorted(SubmissionFile.objects.values_list("pk", flat=True)),
            ActivityCompletion.objects.count(),
        )

    @EXAMPLES
    @given(
        chosen=st.fixed_dictionaries({}, optional=fields),
        junk=JUNK,
        files=st.lists(upload, max_size=2),
    )
    @example(chosen={"remove": "²"}, junk={}, files=[])  # a digit to str.isdigit, not to int
    @example(chosen={"remove": str(2**64)}, junk={}, files=[])
    @example(chosen=dict.fromkeys(tasks, "\x00"), junk={}, files=[])
    @example(chosen=dict.fromkeys(tasks, "я" * 100_000), junk={}, files=[])
    def check(chosen, junk, files):
        with rolled_back(client):
            before = state()
            data = {**junk, **chosen}
            if files:
                data["files"] = files

            response = client.post(action, data)

            assert response.status_code < 500
            if response.status_code >= 400 or error_messages(response):
                assert state() == before

    check()


# Import preview ---------------------------------------------------------------------------

HEADER = "Фамилия;Имя;Отчество;E-mail;Телефон;Организация;Должность;Группа"
CSV_ROW = st.lists(VALUE.filter(lambda value: len(value) < 400), min_size=0, max_size=9).map(
    ";".join
)
SPREADSHEET = st.one_of(
    st.builds(
        lambda header, rows, encoding: "\n".join([header, *rows]).encode(encoding, "replace"),
        st.one_of(st.just(HEADER), TEXT),
        st.lists(CSV_ROW, max_size=5),
        st.sampled_from(["utf-8", "cp1251", "utf-16"]),
    ),
    st.binary(max_size=500),
    st.binary(max_size=300).map(lambda tail: b"PK\x03\x04" + tail),  # looks like an XLSX
)


def test_the_import_preview_never_fails_and_never_enrols_anyone(client, world):
    client.force_login(world["official"])
    url = reverse("courses:import_upload", args=(world["cohort"].pk,))

    def people():
        return (get_user_model().objects.count(), Enrolment.objects.count())

    @EXAMPLES
    @given(
        name=st.one_of(FILE_NAME, st.sampled_from(["trainees.csv", "trainees.xlsx", "x.exe"])),
        content=SPREADSHEET,
        with_file=st.booleans(),
        junk=JUNK,
    )
    @example(
        name="trainees.csv",
        content=f"{HEADER}\nИва\x00нова;Мария;;m@example.org;+79001112233;;;".encode(),
        with_file=True,
        junk={},
    )
    @example(
        name="trainees.csv",
        content=f"{HEADER}\nИванова;Мария;;{'m' * 300}@example.org;²;;;{2**64}".encode(),
        with_file=True,
        junk={},
    )
    def check(name, content, with_file, junk):
        with rolled_back(client):
            before = people(), EnrolmentImport.objects.count()
            data = dict(junk)
            if with_file:
                data["file"] = SimpleUploadedFile(name, content)

            response = client.post(url, data)

            assert response.status_code < 500
            assert people() == before[0]  # a preview enrols nobody
            if response.status_code != 302:  # the form came back (with its errors, if sent)
                form = response.context["form"]
                assert form.errors or not form.is_bound
                assert EnrolmentImport.objects.count() == before[1]

    check()


# Attendance register and feedback ---------------------------------------------------------


@pytest.fixture
def held_session(world):
    start = timezone.now() - dt.timedelta(days=1)
    session = Session.objects.create(
        cohort=world["cohort"],
        topic="Финансы семьи",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    # A second trainee, so that the register has more than one row.
    factories.enrol(factories.user("Trainee"), world["cohort"])
    return session


def test_the_register_never_fails_and_a_refused_save_changes_nothing(client, world, held_session):
    client.force_login(world["instructor"])
    page = reverse("schedule:session", args=(held_session.pk,))
    action = reverse("schedule:register", args=(held_session.pk,))
    names, values = names_and_values(form_html(client.get(page).content.decode(), action))
    assert sum(name.startswith("status-") for name in names) == 2
    fields = {name: field_value(values) for name in names}
    odd_keys = st.dictionaries(
        st.one_of(TEXT, st.sampled_from(TRICKY)).map(lambda key: f"status-{key}"),
        field_value(values),
        max_size=2,
    )

    def state():
        return (
            sorted(Attendance.objects.values_list("enrolment_id", "status")),
            AttendanceChange.objects.count(),
        )

    valid_key = next(name for name in names if name.startswith("status-"))

    @EXAMPLES
    @given(chosen=st.fixed_dictionaries({}, optional=fields), odd=odd_keys, junk=JUNK)
    @example(chosen={valid_key: "present"}, odd={"status-²": "present"}, junk={})
    @example(chosen={valid_key: "present"}, odd={f"status-{2**64}": "absent"}, junk={})
    @example(chosen={valid_key: ["present", "nonsense"]}, odd={}, junk={})
    def check(chosen, odd, junk):
        with rolled_back(client):
            before = state()

            response = client.post(action, {**junk, **odd, **chosen})

            assert response.status_code < 500
            if response.status_code >= 400 or error_messages(response):
                assert state() == before

    check()


def test_feedback_never_fails_and_a_refused_rating_changes_nothing(client, world, held_session):
    attendance_mark(session=held_session, enrolment=world["enrolment"], status="present", by=None)
    client.force_login(world["trainee"])
    action = reverse("schedule:feedback", args=(held_session.pk,))
    page = reverse("schedule:session", args=(held_session.pk,))
    names, values = names_and_values(form_html(client.get(page).content.decode(), action))
    assert {"rating", "comment"} <= set(names)
    fields = {name: field_value(values) for name in names}

    @EXAMPLES
    @given(chosen=st.fixed_dictionaries({}, optional=fields), junk=JUNK)
    @example(chosen={"rating": "²", "comment": ""}, junk={})
    @example(chosen={"rating": "5", "comment": "я" * 5000}, junk={})
    @example(chosen={"rating": ["5", "1"], "comment": "\x00"}, junk={})
    def check(chosen, junk):
        with rolled_back(client):
            before = list(SessionFeedback.objects.values_list("rating", "comment"))

            response = client.post(action, {**junk, **chosen})

            assert response.status_code < 500
            after = list(SessionFeedback.objects.values_list("rating", "comment"))
            if response.status_code >= 400 or error_messages(response):
                assert after == before
            else:
                [(rating, comment)] = after
                assert 1 <= rating <= 5 and len(comment) <= 2000

    check()
