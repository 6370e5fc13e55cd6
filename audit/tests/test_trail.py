"""The audit trail: what is recorded, by whom and from where, what it never keeps, who may
browse it, and that nobody can rewrite it."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.middleware import acting
from audit.registration import HIDDEN
from courses.services import enrolment_withdraw
from dashboards.tests.actions import grade_case, submit_case
from dashboards.tests.conftest import World
from schedule.models import Attendance, Session
from schedule.services import attendance_mark
from tests import factories
from tests.concurrency import require_postgresql

ACCESS, UPDATE, CREATE = LogEntry.Action.ACCESS, LogEntry.Action.UPDATE, LogEntry.Action.CREATE


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        return World()


@pytest.fixture
def admin_client(db, client):
    client.force_login(factories.user("Administrator"))
    return client


def entries(**filters):
    return list(LogEntry.objects.filter(**filters).order_by("pk"))


def trail_page(client, **query):
    return client.get(reverse("audit_trail"), query)


def listed(response) -> list[LogEntry]:
    return list(response.context["page"].object_list)


# What is recorded -------------------------------------------------------------------------


def test_a_profile_change_is_recorded_by_its_author_without_the_values(client, world):
    trainee = world.enrolments[0].trainee
    client.force_login(trainee)

    client.post(
        reverse("accounts:profile"),
        {"email": trainee.email, "phone": "+7 900 123-45-67", "organisation": "ЦЗН Тамбова"},
        REMOTE_ADDR="192.0.2.7",
    )

    [entry] = entries(content_type__model="user", action=UPDATE, actor=trainee)
    assert (entry.actor, entry.remote_addr) == (trainee, "192.0.2.7")
    assert entry.additional_data == {"trainee": trainee.pk}
    assert entry.changes_dict["phone"] == [HIDDEN, HIDDEN]
    assert entry.changes_dict["organisation"] == [HIDDEN, HIDDEN]
    assert "900" not in str(entry.changes) and "Тамбова" not in str(entry.changes)
    assert entry.object_repr == f"user #{trainee.pk}"
    assert trainee.last_name not in entry.object_repr


def test_enrolment_attendance_grade_and_certificate_changes_are_recorded(world):
    enrolment = world.enrolments[0]
    session = Session.objects.create(
        cohort=world.cohort,
        topic="Финансовая грамотность",
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    with acting(world.instructor, remote_addr="198.51.100.4"):
        attendance_mark(
            session=session, enrolment=enrolment, status=Attendance.Status.PRESENT, by=None
        )
        grade = grade_case(world, submit_case(world, enrolment))
        enrolment_withdraw(
            enrolment=world.enrolments[1],
            on=timezone.localdate(),
            reason="Переезд",
            by=world.instructor,
        )
        certificate = factories.certificate(world.enrolments[2])

    by_kind = {entry.content_type.model: entry for entry in entries(actor=world.instructor)}
    assert by_kind["attendance"].additional_data == {"enrolment": enrolment.pk}
    assert by_kind["casegrade"].additional_data == {"submission": grade.submission_id}
    assert by_kind["enrolment"].action == UPDATE
    assert by_kind["enrolment"].changes_dict["status"][1] == "withdrawn"
    assert by_kind["certificate"].additional_data["trainee"] == world.enrolments[2].trainee_id
    assert certificate.last_name not in str(by_kind["certificate"].changes)
    assert {entry.remote_addr for entry in by_kind.values()} == {"198.51.100.4"}


def test_a_staff_view_of_a_record_is_recorded_and_the_trainees_own_is_not(client, world):
    enrolment = world.enrolments[0]
    url = reverse("records:record", args=(enrolment.pk,))

    client.force_login(enrolment.trainee)
    assert client.get(url).status_code == 200
    assert entries(action=ACCESS) == []

    client.force_login(world.instructor)
    assert client.get(url).status_code == 200
    [entry] = entries(action=ACCESS)
    assert (entry.actor, entry.content_type.model) == (world.instructor, "enrolment")
    assert entry.additional_data["trainee"] == enrolment.trainee_id


def test_a_gradebook_seen_is_filed_under_its_cohorts_trainees(admin_client, client, world):
    instructor_client = client.__class__()
    instructor_client.force_login(world.instructor)
    assert (
        instructor_client.get(reverse("records:gradebook", args=(world.cohort.pk,))).status_code
        == 200
    )
    [seen] = entries(action=ACCESS)

    in_cohort = world.enrolments[0].trainee.last_name
    elsewhere = world.other_enrolment.trainee.last_name
    assert seen in listed(trail_page(admin_client, trainee=in_cohort))
    assert seen not in listed(trail_page(admin_client, trainee=elsewhere))


@pytest.mark.parametrize(
    ("proxies", "expected"), [(0, "10.0.0.9"), (1, "203.0.113.5")], ids=["direct", "proxied"]
)
def test_the_address_is_read_past_the_trusted_proxies_only(
    client, world, settings, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    client.force_login(world.instructor)

    client.get(
        reverse("records:record", args=(world.enrolments[0].pk,)),
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )

    [entry] = entries(action=ACCESS)
    assert entry.remote_addr == expected


def test_an_anonymous_visitors_change_is_recorded_from_their_address_by_nobody(world):
    enrolment = world.enrolments[0]

    with acting(AnonymousUser(), "198.51.100.4"):
        enrolment_withdraw(enrolment=enrolment, on=timezone.localdate(), reason="Переезд", by=None)

    [entry] = entries(content_type__model="enrolment", action=UPDATE)
    assert (entry.actor, entry.actor_email, entry.remote_addr) == (None, None, "198.51.100.4")


def test_an_entry_naming_its_own_actor_and_address_keeps_them(world):
    enrolment = world.enrolments[0]
    kind = ContentType.objects.get_for_model(enrolment)

    with acting(world.instructor, "198.51.100.4"):
        entry = LogEntry.objects.create(
            content_type=kind,
            object_pk=str(enrolment.pk),
            object_id=enrolment.pk,
            action=ACCESS,
            actor=world.official,
            remote_addr="192.0.2.7",
        )

    entry.refresh_from_db()
    assert (entry.actor, entry.remote_addr) == (world.official, "192.0.2.7")
    assert entry.actor_email == f"#{world.official.pk}"


# Browsing and exporting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["Instructor", "Senior instructor", "Regional official", "Trainee"]
)
def test_only_administrators_browse_the_trail(client, world, role):
    client.force_login(factories.user(role))
    assert trail_page(client).status_code in (302, 403)
    assert client.get(reverse("audit_trail_export", args=("csv",))).status_code in (302, 403)


def test_the_trail_filters_by_who_whose_kind_action_and_period(admin_client, world):
    first, second = world.enrolments[0], world.enrolments[1]
    with acting(world.instructor):
        enrolment_withdraw(enrolment=first, on=timezone.localdate(), reason="Переезд", by=None)
    with acting(world.official):
        enrolment_withdraw(enrolment=second, on=timezone.localdate(), reason="Болезнь", by=None)
    about_first = LogEntry.objects.get(actor=world.instructor)
    about_second = LogEntry.objects.get(actor=world.official)

    everything = listed(trail_page(admin_client))
    assert {about_first, about_second} <= set(everything)
    by_instructor = listed(trail_page(admin_client, actor=world.instructor.username))
    assert about_first in by_instructor and about_second not in by_instructor
    about = listed(trail_page(admin_client, trainee=second.trainee.last_name))
    assert about_second in about and about_first not in about
    enrolment_kind = about_first.content_type.pk
    of_kind = listed(trail_page(admin_client, kind=enrolment_kind))
    assert {entry.content_type.model for entry in of_kind} == {"enrolment"}
    assert {about_first, about_second} <= set(of_kind)
    assert listed(trail_page(admin_client, kind=enrolment_kind, action=int(ACCESS))) == []

    today = timezone.localdate()
    assert about_first in listed(trail_page(admin_client, since=today, until=today))
    assert listed(trail_page(admin_client, until=today - dt.timedelta(days=1))) == []
    assert listed(trail_page(admin_client, since=today + dt.timedelta(days=1))) == []


def test_a_period_ending_before_it_starts_is_refused_with_a_message(admin_client, world):
    today = timezone.localdate()
    response = trail_page(admin_client, since=today, until=today - dt.timedelta(days=1))

    assert response.status_code == 400
    assert response.context["form"].errors["until"]
    assert listed(response) == []


def test_the_export_holds_the_filtered_entries(admin_client, world):
    from openpyxl import load_workbook

    with acting(world.instructor):
        enrolment_withdraw(
            enrolment=world.enrolments[0], on=timezone.localdate(), reason="Переезд", by=None
        )
    with acting(world.official):
        enrolment_withdraw(
            enrolment=world.enrolments[1], on=timezone.localdate(), reason="Болезнь", by=None
        )
    url = reverse("audit_trail_export", args=("xlsx",))

    response = admin_client.get(url, {"actor": world.instructor.username})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == [world.instructor.username]
    assert rows[1][4] and rows[1][5] == f"enrolment #{world.enrolments[0].pk}"
    csv = b"".join(
        admin_client.get(reverse("audit_trail_export", args=("csv",))).streaming_content
    ).decode("utf-8-sig")
    assert world.instructor.username in csv and world.official.username in csv


# Nobody rewrites it ------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_an_entry(world):
    require_postgresql()
    with acting(world.instructor):
        enrolment_withdraw(
            enrolment=world.enrolments[0], on=timezone.localdate(), reason="Переезд", by=None
        )
    entry = LogEntry.objects.get(actor=world.instructor)

    for rewrite in (
        lambda: LogEntry.objects.filter(pk=entry.pk).update(object_repr="nothing happened"),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            rewrite()
    assert LogEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


def test_an_acting_account_deleted_leaves_its_entries_with_its_number_not_its_email(world):
    require_postgresql()
    instructor = factories.user("Instructor", email="gone@example.org")
    number = instructor.pk
    with acting(instructor):
        enrolment_withdraw(
            enrolment=world.enrolments[0], on=timezone.localdate(), reason="Переезд", by=None
        )

    instructor.delete()

    [entry] = entries(actor_email=f"#{number}")
    assert entry.actor is None
    assert not LogEntry.objects.filter(actor_email__icontains="gone@").exists()


def test_the_trail_offers_no_way_to_edit_or_delete(admin_client, world):
    with acting(world.instructor):
        enrolment_withdraw(
            enrolment=world.enrolments[0], on=timezone.localdate(), reason="Переезд", by=None
        )
    page = trail_page(admin_client).content.decode()

    assert 'method="post"' not in page.lower()


def test_an_account_opened_in_the_admin_is_recorded(admin_client, world):
    trainee = world.enrolments[0].trainee

    assert (
        admin_client.get(reverse("wagtailusers_users:edit", args=(trainee.pk,))).status_code == 200
    )

    [entry] = entries(action=ACCESS)
    assert (entry.content_type.model, entry.additional_data) == ("user", {"trainee": trainee.pk})


def test_the_readmes_grants_keep_the_sites_role_from_rewriting_the_trail(world):
    """The SQL the README gives for the role the site runs as, run as written: that role may
    read entries, and may neither change, delete nor empty them — refused for want of the
    privilege, before the trigger is even asked."""
    require_postgresql()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(
        r"```sql\n(.*?REVOKE UPDATE, DELETE, TRUNCATE ON auditlog_logentry.*?)```", readme, re.S
    )
    statements = [
        line.replace("lms_web", "audit_probe")
        for line in block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("--")
    ]
    with acting(world.instructor):
        enrolment_withdraw(
            enrolment=world.enrolments[0], on=timezone.localdate(), reason="Переезд", by=None
        )
    kept = LogEntry.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE audit_probe NOLOGIN")  # rolled back with the test
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SET LOCAL ROLE audit_probe")
        for rewrite in (
            "UPDATE auditlog_logentry SET object_repr = 'nothing happened'",
            "DELETE FROM auditlog_logentry",
            "TRUNCATE auditlog_logentry",
        ):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(rewrite)
        with transaction.atomic():
            cursor.execute("SELECT count(*) FROM auditlog_logentry")
            assert cursor.fetchone()[0] == kept
        cursor.execute("RESET ROLE")
