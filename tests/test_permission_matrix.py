"""Every URL of the project × every role → the answer each must get.

A URL pattern without a row here fails the test: no view slips in unreviewed. Wagtail's own URL
trees (the admin, documents, page serving) are one row each, checked on a representative URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from assessments.casework import submission_save
from assessments.services import attempt_start
from courses.imports import import_preview
from courses.models import CaseStudyPage, LessonPage, ModulePage
from notifications.services import notify
from schedule.models import Session, Speaker
from schedule.services import calendar_token
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "trainee_a",
    "trainee_b",
    "instructor_a",
    "official_x",
    "official_y",
    "federal",
    "admin",
]
LOGIN = "login"  # a redirect to the sign-in page


@dataclass
class World:
    users: dict
    program_a: object
    program_b: object
    cohort_a: object
    enrolment_a: object
    lesson_a: object
    import_a: object
    notification_a: object
    document: object
    quiz_a: object
    attempt_a: object
    submission_a: object
    session_a: object
    speaker: object
    feed_token: str


@pytest.fixture
def world(django_capture_on_commit_callbacks) -> World:
    factories.site_home()
    program_a = factories.program(title="Программа А")
    program_b = factories.program(title="Программа Б")
    cohort_a = factories.cohort(program_a, region_code="68")
    cohort_b = factories.cohort(program_b, region_code="86")
    users = {
        "anonymous": None,
        "trainee_a": factories.user("Trainee", region_code="68"),
        "trainee_b": factories.user("Trainee", region_code="86"),
        "instructor_a": factories.user("Instructor", region_code="68"),
        "official_x": factories.user("Regional official", region_code="68"),
        "official_y": factories.user("Regional official", region_code="86"),
        "federal": factories.user("Federal official", region_code="77"),
        "admin": factories.user("Administrator", is_superuser=True),
    }
    enrolment_a = factories.enrol(users["trainee_a"], cohort_a)
    factories.enrol(users["trainee_b"], cohort_b)
    cohort_a.instructors.add(users["instructor_a"])
    import_a = import_preview(
        cohort=cohort_a,
        uploaded_by=users["official_x"],
        file_name="x.csv",
        data="Фамилия;Имя;E-mail;Телефон\nНовая;Анна;new@example.org;+79001112233".encode(),
    )
    bank = factories.question_bank()
    factories.question(bank, "true_false")
    quiz_a = factories.quiz(ModulePage.objects.child_of(program_a).first(), [bank])
    attempt_a = attempt_start(user=users["trainee_a"], quiz=quiz_a)
    case_a = CaseStudyPage.objects.descendant_of(program_a).first()
    submission_a = submission_save(
        user=users["trainee_a"],
        case=case_a,
        answers={},
        files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")],
        remove_files=[],
        submit=True,
    )
    speaker = Speaker.objects.create(name="Ольга Никитина", organisation="Банк России")
    start = timezone.now() - dt.timedelta(days=1)
    session_a = Session.objects.create(
        cohort=cohort_a,
        topic="Финансы семьи",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    session_a.speakers.add(speaker)
    document = get_document_model()(title="Памятка")
    document.file.save("memo.txt", ContentFile(b"memo"), save=False)
    document.save()
    return World(
        users=users,
        program_a=program_a,
        program_b=program_b,
        cohort_a=cohort_a,
        enrolment_a=enrolment_a,
        lesson_a=LessonPage.objects.descendant_of(program_a).first(),
        import_a=import_a,
        notification_a=notify(recipient=users["trainee_a"], subject="Привет", url="/learning/"),
        document=document,
        quiz_a=quiz_a,
        attempt_a=attempt_a,
        submission_a=submission_a,
        session_a=session_a,
        speaker=speaker,
        feed_token=calendar_token(users["trainee_a"]).token,
    )


@dataclass
class Row:
    method: str
    url: Callable[[World], str]
    expect: dict[str, int | str]


def everyone(code, **overrides) -> dict:
    return {role: overrides.get(role, code) for role in ROLES}


def signed_in(code, **overrides) -> dict:
    return everyone(code, **{"anonymous": LOGIN, **overrides})


STAFF_ONLY = signed_in(200, trainee_a=403, trainee_b=403)
MANAGERS = {
    "anonymous": LOGIN,
    "trainee_a": 403,  # sees cohort A (their own) but does not manage it
    "trainee_b": 404,
    "instructor_a": 403,
    "official_x": 200,
    "official_y": 404,
    "federal": 200,
    "admin": 200,
}
IMPORTS = dict(MANAGERS, trainee_a=404, instructor_a=404)
PROGRAM_A = signed_in(200, trainee_b=403, official_y=403)
FOLLOWERS = signed_in(200, trainee_a=403, trainee_b=403, official_y=404)
# The cohort's instructors and administrators; others who can see the cohort are refused.
TEACHERS = signed_in(403, trainee_b=404, official_y=404, instructor_a=200, admin=200)

MATRIX: dict[str, Row] = {
    "accounts:login": Row(
        "get", lambda w: reverse("accounts:login"), signed_in(302, anonymous=200)
    ),
    "accounts:logout": Row("post", lambda w: reverse("accounts:logout"), everyone(302)),
    "accounts:profile": Row("get", lambda w: reverse("accounts:profile"), signed_in(200)),
    "accounts:password_reset": Row(
        "get", lambda w: reverse("accounts:password_reset"), everyone(200)
    ),
    "accounts:password_reset_done": Row(
        "get", lambda w: reverse("accounts:password_reset_done"), everyone(200)
    ),
    "accounts:password_reset_confirm": Row(
        "get",
        lambda w: reverse("accounts:password_reset_confirm", args=("MQ", "bad-token")),
        everyone(200),
    ),
    "accounts:password_reset_complete": Row(
        "get", lambda w: reverse("accounts:password_reset_complete"), everyone(200)
    ),
    "set_language": Row("post", lambda w: reverse("set_language"), everyone(302)),
    "toggle_low_vision": Row("post", lambda w: reverse("toggle_low_vision"), everyone(302)),
    "notifications:list": Row("get", lambda w: reverse("notifications:list"), signed_in(200)),
    "notifications:open": Row(
        "get",
        lambda w: reverse("notifications:open", args=(w.notification_a.pk,)),
        signed_in(404, trainee_a=302),
    ),
    "notifications:read_all": Row(
        "post", lambda w: reverse("notifications:read_all"), signed_in(302)
    ),
    "courses:learning": Row(
        "get", lambda w: reverse("courses:learning"), signed_in(302, trainee_a=200, trainee_b=200)
    ),
    "courses:mark_studied": Row(
        "post",
        lambda w: reverse("courses:mark_studied", args=(w.lesson_a.pk,)),
        signed_in(403, trainee_a=302),
    ),
    "courses:cohort_list": Row("get", lambda w: reverse("courses:cohort_list"), STAFF_ONLY),
    "courses:cohort_create": Row(
        "get",
        lambda w: reverse("courses:cohort_create"),
        signed_in(200, trainee_a=403, trainee_b=403, instructor_a=403),
    ),
    "courses:cohort_detail": Row(
        "get",
        lambda w: reverse("courses:cohort_detail", args=(w.cohort_a.pk,)),
        signed_in(200, trainee_a=403, trainee_b=403, official_y=404),
    ),
    "courses:cohort_edit": Row(
        "get", lambda w: reverse("courses:cohort_edit", args=(w.cohort_a.pk,)), MANAGERS
    ),
    "courses:import_upload": Row(
        "get", lambda w: reverse("courses:import_upload", args=(w.cohort_a.pk,)), MANAGERS
    ),
    "courses:enrolment_withdraw": Row(
        "post",
        lambda w: reverse("courses:enrolment_withdraw", args=(w.enrolment_a.pk,)),
        {**MANAGERS, "official_x": 302, "federal": 302, "admin": 302},
    ),
    "courses:enrolment_restore": Row(
        "post",
        lambda w: reverse("courses:enrolment_restore", args=(w.enrolment_a.pk,)),
        {**MANAGERS, "official_x": 302, "federal": 302, "admin": 302},
    ),
    "courses:import_detail": Row(
        "get", lambda w: reverse("courses:import_detail", args=(w.import_a.pk,)), IMPORTS
    ),
    "courses:import_confirm": Row(
        "post",
        lambda w: reverse("courses:import_confirm", args=(w.import_a.pk,)),
        {**IMPORTS, "official_x": 302, "federal": 302, "admin": 302},
    ),
    "courses:import_template": Row(
        "get",
        lambda w: reverse("courses:import_template", args=("csv",)),
        signed_in(200, trainee_a=403, trainee_b=403, instructor_a=403),
    ),
    "assessments:start": Row(
        "post",
        lambda w: reverse("assessments:start", args=(w.quiz_a.pk,)),
        signed_in(403, trainee_a=302),
    ),
    "assessments:attempt": Row(
        "get",
        lambda w: reverse("assessments:attempt", args=(w.attempt_a.pk,)),
        signed_in(404, trainee_a=200),
    ),
    "assessments:autosave": Row(
        "post",
        lambda w: reverse("assessments:autosave", args=(w.attempt_a.pk,)),
        signed_in(404, trainee_a=302),
    ),
    "assessments:submit": Row(
        "post",
        lambda w: reverse("assessments:submit", args=(w.attempt_a.pk,)),
        signed_in(404, trainee_a=302),
    ),
    "assessments:result": Row(
        "get",
        lambda w: reverse("assessments:result", args=(w.attempt_a.pk,)),
        signed_in(404, trainee_a=200),
    ),
    "assessments:casework_save": Row(
        "post",
        lambda w: reverse("assessments:casework_save", args=(w.submission_a.case_id,)),
        signed_in(403, trainee_a=302),
    ),
    "assessments:submission_file": Row(
        "get",
        lambda w: reverse("assessments:submission_file", args=(w.submission_a.files.get().pk,)),
        signed_in(200, trainee_b=404, official_y=404),
    ),
    "assessments:queue": Row(
        "get", lambda w: reverse("assessments:queue", args=(w.cohort_a.pk,)), FOLLOWERS
    ),
    "assessments:gradebook": Row(
        "get", lambda w: reverse("assessments:gradebook", args=(w.cohort_a.pk,)), FOLLOWERS
    ),
    "assessments:gradebook_export": Row(
        "get",
        lambda w: reverse("assessments:gradebook_export", args=(w.cohort_a.pk, "csv")),
        FOLLOWERS,
    ),
    "assessments:release_all": Row(
        "post",
        lambda w: reverse("assessments:release_all", args=(w.cohort_a.pk,)),
        {**FOLLOWERS, "instructor_a": 302, "official_x": 403, "federal": 403, "admin": 302},
    ),
    "assessments:grade": Row(
        "get",
        lambda w: reverse("assessments:grade", args=(w.submission_a.pk,)),
        signed_in(403, trainee_b=404, official_y=404, instructor_a=200, admin=200),
    ),
    "schedule:mine": Row("get", lambda w: reverse("schedule:mine"), signed_in(200)),
    "schedule:trainee_feed": Row(
        "get", lambda w: reverse("schedule:trainee_feed", args=(w.feed_token,)), everyone(200)
    ),
    "schedule:cohort_feed": Row(
        "get",
        lambda w: reverse("schedule:cohort_feed", args=(w.feed_token, w.cohort_a.pk)),
        everyone(200),
    ),
    # After the feeds: it changes the key they are read with.
    "schedule:reset_feed": Row("post", lambda w: reverse("schedule:reset_feed"), signed_in(302)),
    "schedule:cohort": Row(
        "get",
        lambda w: reverse("schedule:cohort", args=(w.cohort_a.pk,)),
        signed_in(200, trainee_b=404, official_y=404),
    ),
    "schedule:session": Row(
        "get",
        lambda w: reverse("schedule:session", args=(w.session_a.pk,)),
        signed_in(200, trainee_b=404, official_y=404),
    ),
    "schedule:session_create": Row(
        "get", lambda w: reverse("schedule:session_create", args=(w.cohort_a.pk,)), TEACHERS
    ),
    "schedule:session_edit": Row(
        "get", lambda w: reverse("schedule:session_edit", args=(w.session_a.pk,)), TEACHERS
    ),
    "schedule:checkin_screen": Row(
        "get", lambda w: reverse("schedule:checkin_screen", args=(w.session_a.pk,)), TEACHERS
    ),
    "schedule:register": Row(
        "post",
        lambda w: reverse("schedule:register", args=(w.session_a.pk,)),
        {**TEACHERS, "instructor_a": 302, "admin": 302},
    ),
    "schedule:all_present": Row(
        "post",
        lambda w: reverse("schedule:all_present", args=(w.session_a.pk,)),
        {**TEACHERS, "instructor_a": 302, "admin": 302},
    ),
    "schedule:feedback": Row(
        "post",
        lambda w: reverse("schedule:feedback", args=(w.session_a.pk,)),
        signed_in(404, trainee_a=302),
    ),
    "schedule:checkin": Row(
        "get",
        lambda w: reverse("schedule:checkin", args=(w.session_a.pk, "abc")),
        signed_in(403, trainee_a=200),
    ),
    "schedule:speaker": Row(
        "get",
        lambda w: reverse("schedule:speaker", args=(w.speaker.pk,)),
        signed_in(200, trainee_a=403, trainee_b=403),
    ),
    # Admin views added through a Wagtail hook: staff without the permission are sent back to
    # the dashboard, people without admin access to the admin's sign-in.
    "security_lockouts": Row(
        "get",
        lambda w: reverse("security_lockouts"),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    "security_lockout_release": Row(
        "post",
        lambda w: reverse("security_lockout_release", args=(1,)),
        signed_in(LOGIN, instructor_a=302, admin=302),
    ),
    # Wagtail's URL trees, one representative URL each.
    "wagtail admin": Row(
        "get", lambda w: reverse("wagtailadmin_home"), signed_in(302, instructor_a=200, admin=200)
    ),
    "wagtail documents": Row("get", lambda w: w.document.url, signed_in(200)),
    "wagtail pages: home": Row("get", lambda w: "/", everyone(200)),
    "wagtail pages: programme": Row("get", lambda w: w.program_a.url, PROGRAM_A),
    "wagtail pages: lesson": Row("get", lambda w: w.lesson_a.url, PROGRAM_A),
    "wagtail pages: quiz": Row("get", lambda w: w.quiz_a.url, PROGRAM_A),
}
# Page serving is one URL pattern; the rows above check it for each kind of page.
WAGTAIL_TREES = {
    "wagtail.admin.urls": "wagtail admin",
    "wagtail.documents.urls": "wagtail documents",
    "wagtail.urls": "wagtail pages: home",
}


def project_url_keys() -> set[str]:
    """One key per URL pattern of ours, and one per Wagtail URL tree."""
    keys = set()

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if module in WAGTAIL_TREES:
                    keys.add(WAGTAIL_TREES[module])
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                keys.add(f"{namespace}{pattern.name or pattern.pattern}")

    walk(get_resolver().url_patterns)
    return keys


def test_every_url_pattern_has_a_row_in_the_matrix():
    keys = project_url_keys()

    assert keys - set(MATRIX) == set(), "URL patterns with no row in the permission matrix"
    assert {key for key in keys if not key.startswith("wagtail")} <= set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(client, world, role):
    user = world.users[role]
    failures = []
    for key, row in MATRIX.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        url = row.url(world)
        response = getattr(client, row.method)(url)
        expected = row.expect[role]
        if expected == LOGIN:
            ok = response.status_code == 302 and "/login/" in response.url
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(
                f"{key} {row.method.upper()} {url}: {response.status_code}, expected {expected}"
            )
    assert failures == []
