"""Every place that says whether a trainee has completed gives the same answer.

A realistic cohort: one trainee who has done everything, one with an activity missing, one whose
final grade shows as 60,0 % but is 59,95 % (below a pass mark of 60), one exactly at the pass
mark and the attendance threshold, one below the attendance threshold, one withdrawn. The
gradebook page, its CSV and XLSX, each trainee's "Моё обучение" and the record page must agree
with each other and with what the rules say.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import CaseGrade, CaseSubmission
from courses.models import ActivityCompletion, ActivityPage, CaseStudyPage
from records.selectors import cohort_records
from schedule.models import Session
from schedule.services import attendance_mark
from tests import factories

pytestmark = pytest.mark.django_db

# name: (activities done of 4, the two case grades, sessions attended of 5, withdrawn, completed)
TRAINEES = {
    "Готова": (4, ("80.0", "70.0"), 5, False, True),
    "Пропустила": (3, ("80.0", "70.0"), 5, False, False),
    "Округлена": (4, ("59.9", "60.0"), 5, False, False),  # 59,95 % shown as 60,0 %
    "Впритык": (4, ("60.0", "60.0"), 4, False, True),  # 60 % and 80 %, both exactly
    "Прогульщица": (4, ("90.0", "90.0"), 3, False, False),  # 60 % of sessions
    "Отчислена": (4, ("90.0", "90.0"), 5, True, False),
}


def build_cohort(trainees: dict, *, sessions: int = 5):
    factories.site_home()
    program = factories.program([[("theory", "2"), ("practice", "6")]] * 2)  # pass mark 60
    today = timezone.localdate()
    cohort = factories.cohort(
        program, starts_on=today - dt.timedelta(days=40), ends_on=today + dt.timedelta(days=40)
    )
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    activities = list(ActivityPage.objects.descendant_of(program).live().order_by("path"))
    cases = list(CaseStudyPage.objects.descendant_of(program).live().order_by("path"))
    now = timezone.now()
    held = [
        Session.objects.create(
            cohort=cohort,
            topic=f"Встреча {day}",
            starts_at=now - dt.timedelta(days=day + 1, hours=2),
            ends_at=now - dt.timedelta(days=day + 1),
        )
        for day in range(sessions)
    ]
    people = {}
    for name, (done, grades, attended, withdrawn, _completed) in trainees.items():
        trainee = factories.user("Trainee", last_name=name)
        enrolment = factories.enrol(trainee, cohort)
        for activity in activities[:done]:
            ActivityCompletion.objects.create(
                enrolment=enrolment, activity=activity, source="self", completed_at=now
            )
        for case, percent in zip(cases, grades, strict=True):
            submission = CaseSubmission.objects.create(
                enrolment=enrolment, case=case, status="graded", submitted_at=now
            )
            CaseGrade.objects.create(
                submission=submission,
                grader=instructor,
                score=Decimal(percent),
                max_score=Decimal("100"),
                percent=Decimal(percent),
                graded_at=now,
                released_at=now,
            )
        for index, session in enumerate(held):
            status = "present" if index < attended else "absent"
            attendance_mark(session=session, enrolment=enrolment, status=status, by=instructor)
        if withdrawn:
            factories.withdraw(enrolment)
        people[name] = (trainee, enrolment)
    return cohort, instructor, people


def _verdict(html: str) -> str:
    [verdict] = set(
        re.findall(r'class="list-unstyled completion-rules mb-0" data-completed="(\w+)"', html)
    )
    return verdict


def test_gradebook_exports_home_and_record_agree_for_every_trainee(client):
    cohort, instructor, people = build_cohort(TRAINEES)
    expected = {name: "yes" if row[4] else "no" for name, row in TRAINEES.items()}

    by_rules = {
        record.enrolment.trainee.last_name: record.complete
        for record in cohort_records(cohort=cohort)
    }
    assert {name: "yes" if done else "no" for name, done in by_rules.items()} == expected

    client.force_login(instructor)
    page = client.get(reverse("records:gradebook", args=(cohort.pk,))).content.decode()
    on_page = {}
    for name, (_trainee, enrolment) in people.items():
        link = reverse("records:record", args=(enrolment.pk,))
        [row] = re.findall(rf'<th scope="row"><a href="{link}">.*?</tr>', page, re.S)
        on_page[name] = re.search(r'data-completed="(\w+)"', row).group(1)
    assert on_page == expected
    assert "60,0" in page  # the rounded trainee's final, shown as 60,0 yet not completed

    answer = {"да": "yes", "нет": "no"}
    raw = client.get(reverse("records:gradebook_export", args=(cohort.pk, "csv"))).content
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0][-1] == "Зачтено"
    in_csv = {line[0].split()[0]: answer[line[-1]] for line in table[1:]}
    assert in_csv == expected

    raw = client.get(reverse("records:gradebook_export", args=(cohort.pk, "xlsx"))).content
    sheet = load_workbook(io.BytesIO(raw)).active
    rows = list(sheet.iter_rows(values_only=True))
    in_xlsx = {line[0].split()[0]: answer[line[-1]] for line in rows[1:]}
    assert in_xlsx == expected

    for name, (trainee, enrolment) in people.items():
        record_page = client.get(reverse("records:record", args=(enrolment.pk,))).content.decode()
        assert _verdict(record_page) == expected[name], name
        client.force_login(trainee)
        home = client.get(reverse("courses:learning")).content.decode()
        assert _verdict(home) == expected[name], name
        assert _verdict(client.get(reverse("records:mine")).content.decode()) == expected[name]
        client.force_login(instructor)


def test_the_cohort_roster_and_the_dashboard_say_completed_as_the_rules_do(client):
    """`Enrolment.Status.COMPLETED` is never written: the course's cohort page asks the records
    (a template tag) and says «Завершил(а) обучение» of exactly those who have completed —
    59,95 % shown as 60,0 % not, exactly the pass mark yes — and its withdraw button says it
    undoes the completion; the cohort's dashboard says the same of each."""
    from dashboards.services import rebuild_figures

    cohort, _instructor, people = build_cohort(TRAINEES)
    rebuild_figures()
    client.force_login(factories.user("Regional official"))
    roster = client.get(reverse("courses:cohort_detail", args=(cohort.pk,))).content.decode()
    dashboard = client.get(reverse("dashboards:cohort", args=(cohort.pk,))).content.decode()
    for name, (_done, _grades, _attended, withdrawn, completed) in TRAINEES.items():
        link = reverse("records:record", args=(people[name][1].pk,))
        [row] = re.findall(rf'<th scope="row"><a href="{link}">.*?</tr>', roster, re.S)
        [status] = re.findall(r"<td>([^<]+)", row)
        if withdrawn:
            assert status.strip() == "Отчислен" and "Восстановить" in row, name
        elif completed:
            assert status == "Завершил(а) обучение", name
            assert "Отчислить, несмотря на завершение" in row, name
        else:
            assert status == "Обучается", name
            assert ">Отчислить<" in row and "несмотря" not in row, name
        [row] = re.findall(rf'<th scope="row" [^>]*><a href="{link}">.*?</tr>', dashboard, re.S)
        standing = re.findall(r"<td>([^<]+)</td>", row)[0]
        expected = "Отчислен" if withdrawn else "Завершил обучение" if completed else "Обучается"
        assert standing == expected, name


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_a_cohorts_records_take_the_same_queries_at_two_sizes(client):
    small_cohort, instructor, _people = build_cohort(dict(list(TRAINEES.items())[:2]), sessions=2)
    large_cohort, _instructor, _people = build_cohort(TRAINEES, sessions=5)
    large_cohort.instructors.add(instructor)
    client.force_login(instructor)
    for cohort in (small_cohort, large_cohort):  # warm the caches (site root paths)
        client.get(reverse("records:gradebook", args=(cohort.pk,)))

    assert _queries(lambda: cohort_records(cohort=small_cohort)) == _queries(
        lambda: cohort_records(cohort=large_cohort)
    )
    small = _queries(lambda: client.get(reverse("records:gradebook", args=(small_cohort.pk,))))
    large = _queries(lambda: client.get(reverse("records:gradebook", args=(large_cohort.pk,))))
    assert small == large
    small = _queries(
        lambda: client.get(reverse("records:gradebook_export", args=(small_cohort.pk, "csv")))
    )
    large = _queries(
        lambda: client.get(reverse("records:gradebook_export", args=(large_cohort.pk, "csv")))
    )
    assert small == large
