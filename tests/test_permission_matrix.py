"""Every URL of the project × every role → the answer each must get.

A URL pattern without a row here fails the test: no view slips in unreviewed. Patterns are told
apart by name *and* route, and each row's URL must resolve to the route of its pattern, so a new
route that reuses an existing name cannot hide behind the old one's row. The admin views our apps
add to Wagtail's admin — snippets, viewsets, `register_admin_urls` hooks, the users and groups
viewsets we swap in — each have a row too; the rest of Wagtail's own URL trees (the admin,
documents, page serving) are one row each, checked on a representative URL.

On every page, no role but the teaching ones may read a case study's discussion guide.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.documents import get_document_model

from accounts.models import ConsentText
from assessments.casework import submission_save
from assessments.services import attempt_start
from certificates.models import CertificateBatch
from courses.imports import import_preview
from courses.models import CaseStudyAttachment, CaseStudyPage, LessonPage, ModulePage
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
LOGIN = "login"  # a redirect to the sign-in page (the admin's, for the admin)
# Only these roles may read a discussion guide; the matrix looks for it on every page.
GUIDE = "Разбор-только-для-преподавателей"
GUIDE_READERS = {"instructor_a", "admin"}


@dataclass
class World:
    users: dict
    program_a: object
    program_b: object
    cohort_a: object
    enrolment_a: object
    lesson_a: object
    case_a: object
    import_a: object
    notification_a: object
    document: object
    question: object
    quiz_a: object
    attempt_a: object
    submission_a: object
    session_a: object
    speaker: object
    feed_token: str
    certificate_a: object
    certificate_template_a: object


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
    question = factories.question(bank, "true_false")
    quiz_a = factories.quiz(ModulePage.objects.child_of(program_a).first(), [bank])
    attempt_a = attempt_start(user=users["trainee_a"], quiz=quiz_a)
    case_a = CaseStudyPage.objects.descendant_of(program_a).first()
    case_a.discussion_guide = f"<p>{GUIDE}</p>"
    case_a.save()
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
    # A case study's attachment: served to those who may open programme A.
    CaseStudyAttachment.objects.create(page=case_a, document=document)
    return World(
        users=users,
        program_a=program_a,
        program_b=program_b,
        cohort_a=cohort_a,
        enrolment_a=enrolment_a,
        lesson_a=LessonPage.objects.descendant_of(program_a).first(),
        case_a=CaseStudyPage.objects.get(pk=case_a.pk),
        import_a=import_a,
        notification_a=notify(recipient=users["trainee_a"], subject="Привет", url="/learning/"),
        document=document,
        question=question,
        quiz_a=quiz_a,
        attempt_a=attempt_a,
        submission_a=submission_a,
        session_a=session_a,
        speaker=speaker,
        feed_token=calendar_token(users["trainee_a"]).token,
        certificate_a=factories.certificate(enrolment_a),
        certificate_template_a=factories.certificate_template(program_a),
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

# Who issues cohort A's certificates (certificates.selectors.can_issue_certificates).
BATCH_ISSUERS = signed_in(200, trainee_a=403, trainee_b=404, official_y=404)
BATCH_ISSUERS_POST = signed_in(302, trainee_a=403, trainee_b=404, official_y=404)


def adoption_of(w: World):
    """Programme A adopted by region 86 (replication), made once for the rows that need it."""
    from replication.exporting import package_bytes, release_of
    from replication.importing import import_package
    from replication.models import Adoption

    adoption = Adoption.objects.filter(origin_page=w.program_a).first()
    if adoption is None:
        data = package_bytes(release_of(w.program_a))
        adoption = import_package(data, region=factories.region("86")).adoption
    return adoption


def batch_of(w: World):
    """Cohort A's certificate batch (a row of its own, so that the URL exists for every role)."""
    return CertificateBatch.objects.filter(cohort=w.cohort_a).first() or (
        CertificateBatch.objects.create(cohort=w.cohort_a)
    )


MATRIX: dict[str, Row] = {
    "accounts:login": Row(
        "get", lambda w: reverse("accounts:login"), signed_in(302, anonymous=200)
    ),
    "accounts:logout": Row("post", lambda w: reverse("accounts:logout"), everyone(302)),
    "accounts:profile": Row("get", lambda w: reverse("accounts:profile"), signed_in(200)),
    "accounts:consent_renew": Row(
        "post", lambda w: reverse("accounts:consent_renew"), signed_in(302)
    ),
    # A person's own data and its archive: only their own, whoever they are (privacy.views).
    "privacy:my_data": Row("get", lambda w: reverse("privacy:my_data"), signed_in(200)),
    # The catalogue of programmes and their copies: federal officials and authors.
    "replication:catalogue": Row(
        "get", lambda w: reverse("replication:catalogue"), signed_in(403, federal=200, admin=200)
    ),
    "privacy:my_data_archive": Row(
        "get", lambda w: reverse("privacy:my_data_archive"), signed_in(200)
    ),
    # A link that is not one of the signed-in person's own e-mail change links.
    "accounts:email_confirm": Row(
        "get", lambda w: reverse("accounts:email_confirm", args=("not-a-token",)), signed_in(400)
    ),
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
    "favicon": Row("get", lambda w: reverse("favicon"), everyone(302)),
    # For load balancers and monitoring: up or down per dependency, nothing more (core.health).
    "health": Row("get", lambda w: reverse("health"), everyone(200)),
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
    # The confirmation page; the withdrawal itself is its POST (tests in courses/tests).
    "courses:enrolment_withdraw": Row(
        "get",
        lambda w: reverse("courses:enrolment_withdraw", args=(w.enrolment_a.pk,)),
        MANAGERS,
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
    # The import is awaiting confirmation, so a retry changes nothing and goes back to it.
    "courses:import_retry": Row(
        "post",
        lambda w: reverse("courses:import_retry", args=(w.import_a.pk,)),
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
    "assessments:summary": Row(
        "get",
        lambda w: reverse("assessments:summary", args=(w.attempt_a.pk,)),
        signed_in(404, trainee_a=200),
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
    "records:gradebook": Row(
        "get", lambda w: reverse("records:gradebook", args=(w.cohort_a.pk,)), FOLLOWERS
    ),
    "records:gradebook_export": Row(
        "get",
        lambda w: reverse("records:gradebook_export", args=(w.cohort_a.pk, "csv")),
        FOLLOWERS,
    ),
    # Trainee A's record: theirs, and the people who follow cohort A; nobody else learns it exists.
    "records:record": Row(
        "get",
        lambda w: reverse("records:record", args=(w.enrolment_a.pk,)),
        signed_in(404, trainee_a=200, instructor_a=200, official_x=200, federal=200, admin=200),
    ),
    # Each trainee's own record; staff without an enrolment have none.
    "records:mine": Row(
        "get", lambda w: reverse("records:mine"), signed_in(404, trainee_a=200, trainee_b=200)
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
    # Certificates. Verification is public: anyone holding the paper may check it.
    "certificates:verify_form": Row(
        "get", lambda w: reverse("certificates:verify_form"), everyone(200)
    ),
    "certificates:verify": Row(
        "get",
        lambda w: reverse("certificates:verify", args=(w.certificate_a.code,)),
        everyone(200),
    ),
    # Dashboards (helper "dashpages"): the regions side by side for federal officials and
    # administrators (a regional official is sent to their region's page), and one region's
    # page, which another region's official never sees (404). Trainees and instructors: 403.
    "dashboards:federal": Row(
        "get",
        lambda w: reverse("dashboards:federal"),
        signed_in(403, official_x=302, official_y=302, federal=200, admin=200),
    ),
    "dashboards:region": Row(
        "get",
        lambda w: reverse("dashboards:region", args=("68",)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    # One cohort's dashboard and its trainees' files (helper "cohortdash"): the region page's
    # rule for the cohort's region; the cohort's own instructor and trainee are refused too.
    "dashboards:cohort": Row(
        "get",
        lambda w: reverse("dashboards:cohort", args=(w.cohort_a.pk,)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    "dashboards:cohort_trainees_xlsx": Row(
        "get",
        lambda w: reverse("dashboards:cohort_trainees_xlsx", args=(w.cohort_a.pk,)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    "dashboards:cohort_trainees_csv": Row(
        "get",
        lambda w: reverse("dashboards:cohort_trainees_csv", args=(w.cohort_a.pk,)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    # Dashboards' files (helper "dashexports"): each table as XLSX and CSV, under the pages'
    # rules: the regions for federal officials and administrators (a regional official is sent
    # to their region's page), a region's cohorts and trainees at risk never to another
    # region's official (404). Trainees and instructors: 403.
    "dashboards:regions_xlsx": Row(
        "get",
        lambda w: reverse("dashboards:regions_xlsx"),
        signed_in(403, official_x=302, official_y=302, federal=200, admin=200),
    ),
    "dashboards:cohorts_xlsx": Row(
        "get",
        lambda w: reverse("dashboards:cohorts_xlsx", args=("68",)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    "dashboards:at_risk_xlsx": Row(
        "get",
        lambda w: reverse("dashboards:at_risk_xlsx", args=("68",)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    "dashboards:regions_csv": Row(
        "get",
        lambda w: reverse("dashboards:regions_csv"),
        signed_in(403, official_x=302, official_y=302, federal=200, admin=200),
    ),
    "dashboards:cohorts_csv": Row(
        "get",
        lambda w: reverse("dashboards:cohorts_csv", args=("68",)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    "dashboards:at_risk_csv": Row(
        "get",
        lambda w: reverse("dashboards:at_risk_csv", args=("68",)),
        signed_in(403, official_x=200, official_y=404, federal=200, admin=200),
    ),
    # Certificates (helper "verify"): the holder's PDF, and the staff's page of one certificate
    # with its revocation and reissue. A trainee never gets another's (404); the cohort's
    # followers get the page; only officials of the region, federal officials and
    # administrators may revoke or reissue (an empty form: 200 with its errors, nothing changes).
    "certificates:download": Row(
        "get",
        lambda w: reverse("certificates:download", args=(w.certificate_a.pk,)),
        signed_in(200, trainee_b=404, official_y=404),
    ),
    "certificates:detail": Row(
        "get", lambda w: reverse("certificates:detail", args=(w.certificate_a.pk,)), FOLLOWERS
    ),
    "certificates:revoke": Row(
        "post",
        lambda w: reverse("certificates:revoke", args=(w.certificate_a.pk,)),
        dict(FOLLOWERS, instructor_a=403),
    ),
    "certificates:reissue": Row(
        "post",
        lambda w: reverse("certificates:reissue", args=(w.certificate_a.pk,)),
        dict(FOLLOWERS, instructor_a=403),
    ),
    # Certificates, the register and its files (helper "exports"): staff who follow cohorts,
    # each seeing the certificates of their own cohorts; the ФИС ФРДО report for officials and
    # administrators only. A bad filter (official_y's unknown cohort A) is sent back to the page.
    "certificates:register": Row("get", lambda w: reverse("certificates:register"), STAFF_ONLY),
    "certificates:register_xlsx": Row(
        "get", lambda w: reverse("certificates:register_xlsx"), STAFF_ONLY
    ),
    "certificates:register_csv": Row(
        "get", lambda w: reverse("certificates:register_csv"), STAFF_ONLY
    ),
    "certificates:frdo_export": Row(
        "get",
        lambda w: f"{reverse('certificates:frdo_export')}?cohort={w.cohort_a.pk}",
        signed_in(200, trainee_a=403, trainee_b=403, instructor_a=403, official_y=302),
    ),
    "certificates:cohort_archive": Row(
        "get", lambda w: reverse("certificates:cohort_archive", args=(w.cohort_a.pk,)), FOLLOWERS
    ),
    # Certificates: bulk issuance (helper "batch"). Cohort A's instructor, its officials and
    # administrators; a trainee of the cohort is refused, those who cannot see it get 404.
    "certificates:batch_start": Row(
        "post",
        lambda w: reverse("certificates:batch_start", args=(w.cohort_a.pk,)),
        BATCH_ISSUERS_POST,
    ),
    "certificates:batch": Row(
        "get",
        lambda w: reverse("certificates:batch", args=(w.cohort_a.pk, batch_of(w).pk)),
        BATCH_ISSUERS,
    ),
    "certificates:batch_status": Row(
        "get",
        lambda w: reverse("certificates:batch_status", args=(w.cohort_a.pk, batch_of(w).pk)),
        BATCH_ISSUERS,
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
    "audit_trail": Row(
        "get",
        lambda w: reverse("audit_trail"),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    "audit_trail_export": Row(
        "get",
        lambda w: reverse("audit_trail_export", args=("csv",)),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    # «Персональные данные»: administrators find a person, export and erase (privacy).
    "privacy_index": Row(
        "get", lambda w: reverse("privacy_index"), signed_in(LOGIN, instructor_a=302, admin=200)
    ),
    "privacy_person": Row(
        "get",
        lambda w: reverse("privacy_person", args=(w.users["trainee_b"].pk,)),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    "privacy_export": Row(
        "get",
        lambda w: reverse("privacy_export", args=(w.users["trainee_b"].pk,)),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    # «Тиражирование программ»: authors who export and adopt programmes (replication).
    "replication_index": Row(
        "get", lambda w: reverse("replication_index"), signed_in(LOGIN, instructor_a=302, admin=200)
    ),
    "replication_export": Row(
        "post",
        lambda w: reverse("replication_export", args=(w.program_a.pk,)),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    "replication_copy": Row(
        "get",
        lambda w: reverse("replication_copy", args=(adoption_of(w).pk,)),
        signed_in(LOGIN, instructor_a=302, admin=200),
    ),
    "replication_decide": Row(
        "post",
        lambda w: reverse(
            "replication_decide",
            args=(adoption_of(w).pk, w.program_a.translation_key, "decline"),
        ),
        # nothing waits in a fresh copy: the administrator is told so, back on the copy's page
        signed_in(LOGIN, instructor_a=302, admin=302),
    ),
    # The confirmation of a change that lowers trainees' figures: for those who may publish (or
    # approve) the page; the others are sent back to the admin's home.
    "records_publish_confirm": Row(
        "get",
        lambda w: reverse("records_publish_confirm", args=(w.lesson_a.pk,)),
        # the lesson has no draft to confirm: the administrator is sent to its edit page
        signed_in(LOGIN, instructor_a=302, admin=302),
    ),
    "records_approve_confirm": Row(
        "get",
        lambda w: reverse("records_approve_confirm", args=(0,)),
        signed_in(LOGIN, instructor_a=404, admin=404),
    ),
    # Wagtail's URL trees, one representative URL each.
    "wagtail admin": Row(
        "get", lambda w: reverse("wagtailadmin_home"), signed_in(302, instructor_a=200, admin=200)
    ),
    "wagtail documents": Row("get", lambda w: w.document.url, PROGRAM_A),
    "wagtail pages: home": Row("get", lambda w: "/", everyone(200)),
    "wagtail pages: programme": Row("get", lambda w: w.program_a.url, PROGRAM_A),
    "wagtail pages: lesson": Row("get", lambda w: w.lesson_a.url, PROGRAM_A),
    "wagtail pages: quiz": Row("get", lambda w: w.quiz_a.url, PROGRAM_A),
    "wagtail pages: case study": Row("get", lambda w: w.case_a.url, PROGRAM_A),
}

# The admin views our apps add to Wagtail. Authors (instructors) and administrators use the
# snippets; nobody else reaches the admin at all; instructors may not delete; only
# administrators manage people.
AUTHORS = {
    **everyone(LOGIN),
    "instructor_a": 200,
    "admin": 200,
}
ADMINISTRATORS = dict(AUTHORS, instructor_a=302)  # sent back to the admin's home, with a message
SNIPPET_VIEWS = {
    "list": AUTHORS,
    "list_results": AUTHORS,
    "add": AUTHORS,
    "edit": AUTHORS,
    "delete": ADMINISTRATORS,
    "usage": AUTHORS,
    "history": AUTHORS,
    "history_results": AUTHORS,
    "copy": AUTHORS,
}
CHOOSER_VIEWS = {
    "choose": AUTHORS,
    "choose_results": AUTHORS,
    "chosen": AUTHORS,
    "chosen_multiple": AUTHORS,
    "create": AUTHORS,
}
USER_VIEWS = {
    "index": ADMINISTRATORS,
    "index_results": ADMINISTRATORS,
    "add": ADMINISTRATORS,
    "edit": ADMINISTRATORS,
    "delete": ADMINISTRATORS,
    "history": ADMINISTRATORS,
    "history_results": ADMINISTRATORS,
    "usage": ADMINISTRATORS,
    "copy": ADMINISTRATORS,
}
# The groups viewset is ours too (it names the roles in the interface's language).
GROUP_VIEWS = {
    "index": ADMINISTRATORS,
    "index_results": ADMINISTRATORS,
    "add": ADMINISTRATORS,
    "edit": ADMINISTRATORS,
    "delete": ADMINISTRATORS,
    "history": ADMINISTRATORS,
    "history_results": ADMINISTRATORS,
    "usage": ADMINISTRATORS,
}
# Certificate templates: instructors may look (the list and the read-only inspect page), not
# change; senior instructors (not in this world) edit, as accounts/tests show.
CERTIFICATE_TEMPLATE_VIEWS = {
    "list": AUTHORS,
    "list_results": AUTHORS,
    "inspect": AUTHORS,
    "add": ADMINISTRATORS,
    "edit": ADMINISTRATORS,
    "delete": ADMINISTRATORS,
    "usage": ADMINISTRATORS,
    "history": ADMINISTRATORS,
    "history_results": ADMINISTRATORS,
    "copy": ADMINISTRATORS,
    "preview_on_add": ADMINISTRATORS,
    "preview_on_edit": ADMINISTRATORS,
}
CERTIFICATE_TEMPLATE_CHOOSER_VIEWS = dict(CHOOSER_VIEWS, create=ADMINISTRATORS)
CONSENT_TEXT_VIEWS = dict.fromkeys(SNIPPET_VIEWS, ADMINISTRATORS)
# Views of one object take its primary key; the others take nothing.
OBJECT_VIEWS = {
    "edit",
    "delete",
    "usage",
    "history",
    "history_results",
    "copy",
    "chosen",
    "preview_on_edit",
    "inspect",
}


def admin_rows(
    namespace: str, views: dict[str, dict], obj: Callable[[World], object]
) -> dict[str, Row]:
    def url(view: str) -> Callable[[World], str]:
        if view in OBJECT_VIEWS:
            return lambda w: reverse(f"{namespace}:{view}", args=(obj(w).pk,))
        return lambda w: reverse(f"{namespace}:{view}")

    return {f"{namespace}:{view}": Row("get", url(view), expect) for view, expect in views.items()}


for _namespace, _views, _obj in [
    ("wagtailsnippets_assessments_questionbank", SNIPPET_VIEWS, lambda w: w.question.bank),
    ("wagtailsnippetchoosers_assessments_questionbank", CHOOSER_VIEWS, lambda w: w.question.bank),
    ("wagtailsnippets_assessments_question", SNIPPET_VIEWS, lambda w: w.question),
    ("wagtailsnippetchoosers_assessments_question", CHOOSER_VIEWS, lambda w: w.question),
    ("wagtailsnippets_schedule_speaker", SNIPPET_VIEWS, lambda w: w.speaker),
    ("wagtailsnippetchoosers_schedule_speaker", CHOOSER_VIEWS, lambda w: w.speaker),
    # Certificate templates (issue 11): senior instructors and administrators edit them,
    # instructors only look; see accounts/roles.py.
    (
        "wagtailsnippets_certificates_certificatetemplate",
        CERTIFICATE_TEMPLATE_VIEWS,
        lambda w: w.certificate_template_a,
    ),
    (
        "wagtailsnippetchoosers_certificates_certificatetemplate",
        CERTIFICATE_TEMPLATE_CHOOSER_VIEWS,
        lambda w: w.certificate_template_a,
    ),
    # The versions of the consent text (privacy.wagtail_hooks): administrators only.
    ("wagtailsnippets_accounts_consenttext", CONSENT_TEXT_VIEWS, lambda w: ConsentText.current()),
    (
        "wagtailsnippetchoosers_accounts_consenttext",
        # The texts are public (every person reads them on the profile): choosing one is not.
        dict(CHOOSER_VIEWS, create=ADMINISTRATORS),
        lambda w: ConsentText.current(),
    ),
    ("wagtailusers_users", USER_VIEWS, lambda w: w.users["trainee_b"]),
    ("wagtailusers_groups", GROUP_VIEWS, lambda w: w.users["trainee_b"].groups.get()),
]:
    MATRIX.update(admin_rows(_namespace, _views, _obj))
# Page serving is one URL pattern; the rows above check it for each kind of page.
WAGTAIL_TREES = {
    "wagtail.admin.urls": "wagtail admin",
    "wagtail.documents.urls": "wagtail documents",
    "wagtail.urls": "wagtail pages: home",
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route of an unnamed pattern
    route: str  # as Django's resolver reports it (ResolverMatch.route)


def _join(prefix: str, route: str) -> str:
    return prefix + route.removeprefix("^")  # as django.urls.URLResolver joins routes


def _walk(patterns: Iterable, namespace: str = "", prefix: str = "", tree: str = "") -> Iterable:
    """(pattern, namespaced name, full route, Wagtail tree it is in or "") for every URL pattern
    and every include."""
    for pattern in patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            inner_tree = tree or (module if module in WAGTAIL_TREES else "")
            yield pattern, namespace, route, inner_tree
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, route, inner_tree)
        elif isinstance(pattern, URLPattern):
            yield pattern, f"{namespace}{pattern.name or pattern.pattern}", route, tree


def _our_packages() -> set[str]:
    """The top-level packages of the project's own apps (not the installed ones)."""
    return {
        app.name.split(".")[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and "-packages" not in app.path
    }


def _ours(thing) -> bool:
    return (getattr(thing, "__module__", "") or "").split(".")[0] in _our_packages()


def _viewsets(registered) -> Iterable:
    for viewset in registered if isinstance(registered, list | tuple) else [registered]:
        if isinstance(viewset, ViewSetGroup):
            yield from _viewsets(list(viewset.registerables))
        else:
            yield viewset


def our_admin_namespaces() -> set[str]:
    """URL namespaces of the admin viewsets our apps add: snippets (and their choosers) of our
    models, viewsets of our classes (the users viewset we swap in), and whatever our
    `register_admin_viewset` hooks return."""
    get_resolver().url_patterns  # noqa: B018 - loading the admin's URLs registers the viewsets
    namespaces = set()
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if _ours(type(viewset)) or (isinstance(model, type) and _ours(model)):
            namespaces.add(viewset.url_namespace)
    for hook in hooks.get_hooks("register_admin_viewset"):
        if _ours(hook):
            namespaces |= {viewset.url_namespace for viewset in _viewsets(hook())}
    return namespaces


def our_admin_hook_routes(admin_prefix: str) -> set[str]:
    """Routes our `register_admin_urls` hooks add to the admin."""
    routes = set()
    for hook in hooks.get_hooks("register_admin_urls"):
        if _ours(hook):
            routes |= {
                route
                for pattern, _name, route, _tree in _walk(hook() or [], prefix=admin_prefix)
                if isinstance(pattern, URLPattern)
            }
    return routes


def project_url_patterns() -> tuple[set[str], list[Pattern]]:
    """The Wagtail URL trees (one row each) and every URL pattern of ours, those we add to the
    admin included."""
    trees, ours = set(), []
    namespaces = our_admin_namespaces()
    hook_routes: set[str] = set()
    for pattern, name, route, tree in _walk(get_resolver().url_patterns):
        if isinstance(pattern, URLResolver):
            if tree:
                trees.add(WAGTAIL_TREES[tree])
            if getattr(pattern.urlconf_module, "__name__", "") == "wagtail.admin.urls":
                hook_routes = our_admin_hook_routes(route)
            continue
        view = getattr(pattern.callback, "view_class", pattern.callback)
        if not tree or name.split(":")[0] in namespaces or route in hook_routes or _ours(view):
            ours.append(Pattern(name, route))
    return trees, ours


def test_our_admin_views_are_found():
    """The search for admin views of ours finds the ones we know of (it is not looking away)."""
    names = {pattern.name for pattern in project_url_patterns()[1]}

    for known in (
        "wagtailsnippets_schedule_speaker:list",
        "wagtailsnippetchoosers_assessments_question:chosen",
        "wagtailusers_users:edit",
    ):
        assert known in names
    assert "wagtailadmin_home" not in names  # Wagtail's own views stay one row


def test_url_names_are_unique():
    names = Counter(pattern.name for pattern in project_url_patterns()[1])

    assert [name for name, count in names.items() if count > 1] == []


def test_every_url_pattern_has_a_row_in_the_matrix(world):
    trees, patterns = project_url_patterns()

    assert trees - set(MATRIX) == set(), "Wagtail URL trees with no row in the matrix"
    missing, elsewhere = [], []
    for pattern in patterns:
        row = MATRIX.get(pattern.name)
        if row is None:
            missing.append(pattern)
            continue
        match = resolve(urlsplit(row.url(world)).path)
        if (match.view_name, match.route) != (pattern.name, pattern.route):
            elsewhere.append((pattern, match.view_name, match.route))
    assert missing == [], "URL patterns with no row in the permission matrix"
    assert elsewhere == [], "rows whose URL does not reach the pattern they stand for"
    known = {pattern.name for pattern in patterns} | trees
    stale = {key for key in MATRIX if key not in known and not key.startswith("wagtail ")}
    assert stale == set(), "rows for URL patterns that no longer exist"


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


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
        if role not in GUIDE_READERS and GUIDE in body_of(response):
            failures.append(f"{key} {row.method.upper()} {url}: shows the discussion guide")
    assert failures == []
