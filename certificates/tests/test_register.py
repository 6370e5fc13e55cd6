"""The register of issued certificates: who sees what, the filters, and its XLSX and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certificates.exports import REGISTER_HEADER
from certificates.models import Certificate
from certificates.selectors import status_filter
from tests import factories

pytestmark = pytest.mark.django_db

REGISTER = reverse("certificates:register")


@dataclass
class Register:
    """Certificates in two cohorts of region 68 and one of region 86, one of each status."""

    cohort_a: object
    cohort_b: object
    cohort_y: object
    valid: Certificate
    revoked: Certificate
    old: Certificate  # superseded by `new`
    new: Certificate
    expired: Certificate
    other_cohort: Certificate
    other_region: Certificate
    official: object
    official_y: object
    instructor: object
    federal: object
    trainee: object


def issue(
    cohort, *, last_name="Петрова", first_name="Анна", patronymic="", enrolment=None, **fields
):
    if enrolment is None:
        person = factories.user(
            "Trainee",
            region_code=cohort.region.code,
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
        )
        enrolment = factories.enrol(person, cohort)
    else:  # a reissue after a change of name: the new name is printed
        fields.update(last_name=last_name, first_name=first_name, patronymic=patronymic)
    return factories.certificate(enrolment, **fields)


def build_register() -> Register:
    program = factories.program(title="Школа координаторов")
    cohort_a = factories.cohort(program, name="Группа А")
    cohort_b = factories.cohort(program, name="Группа Б")
    cohort_y = factories.cohort(program, name="Группа Ю", region_code="86")
    today = timezone.localdate()
    valid = issue(cohort_a, last_name="Иванова", first_name="Мария", patronymic="Петровна")
    revoked = issue(cohort_a, last_name="Смирнов", revoked_at=timezone.now())
    old = issue(cohort_a, last_name="Кузнецова", issued_on=dt.date(2026, 11, 10))
    new = issue(
        cohort_a,
        enrolment=old.enrolment,
        last_name="Соколова",
        replaces=old,
        issued_on=dt.date(2026, 11, 21),
    )
    expired = issue(
        cohort_a,
        last_name="Орлов",
        year=2025,
        issued_on=dt.date(2025, 6, 1),
        expires_on=today - dt.timedelta(days=1),
    )
    other_cohort = issue(cohort_b, last_name="Волков", issued_on=dt.date(2026, 10, 1))
    other_region = issue(cohort_y, last_name="Югорская")
    instructor = factories.user("Instructor")
    cohort_a.instructors.add(instructor)
    return Register(
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        cohort_y=cohort_y,
        valid=valid,
        revoked=revoked,
        old=old,
        new=new,
        expired=expired,
        other_cohort=other_cohort,
        other_region=other_region,
        official=factories.user("Regional official"),
        official_y=factories.user("Regional official", region_code="86"),
        instructor=instructor,
        federal=factories.user("Federal official", region_code="77"),
        trainee=valid.trainee,
    )


@pytest.fixture
def world(db) -> Register:
    return build_register()


def serials(response) -> set[str]:
    assert response.status_code == 200
    return {row[0] for row in response.context["rows"]}


def in_68(world) -> set[str]:
    return {
        c.serial
        for c in (
            world.valid,
            world.revoked,
            world.old,
            world.new,
            world.expired,
            world.other_cohort,
        )
    }


def test_each_role_sees_the_certificates_of_the_cohorts_it_follows(client, world):
    client.force_login(world.official)
    assert serials(client.get(REGISTER)) == in_68(world)

    client.force_login(world.official_y)
    assert serials(client.get(REGISTER)) == {world.other_region.serial}

    client.force_login(world.instructor)
    assert serials(client.get(REGISTER)) == in_68(world) - {world.other_cohort.serial}

    client.force_login(world.federal)
    assert serials(client.get(REGISTER)) == in_68(world) | {world.other_region.serial}


def test_a_trainee_is_refused(client, world):
    client.force_login(world.trainee)
    assert client.get(REGISTER).status_code == 403
    assert client.get(reverse("certificates:register_csv")).status_code == 403


def test_another_regions_certificate_never_appears(client, world):
    client.force_login(world.official)
    assert serials(client.get(REGISTER, {"q": "Югорская"})) == set()
    page = client.get(REGISTER).content.decode()
    assert "Югорская" not in page and world.other_region.serial not in page
    csv_text = client.get(reverse("certificates:register_csv")).getvalue().decode("utf-8-sig")
    assert world.other_region.serial not in csv_text and "Югорская" not in csv_text


def test_the_cohort_filter(client, world):
    client.force_login(world.official)
    assert serials(client.get(REGISTER, {"cohort": world.cohort_b.pk})) == {
        world.other_cohort.serial
    }
    assert world.other_cohort.serial not in serials(
        client.get(REGISTER, {"cohort": world.cohort_a.pk})
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("valid", {"valid", "new"}),
        ("revoked", {"revoked"}),
        ("superseded", {"old"}),
        ("expired", {"expired"}),
    ],
)
def test_the_status_filter_agrees_with_status_on(client, world, status, expected):
    client.force_login(world.official)
    response = client.get(REGISTER, {"status": status, "cohort": world.cohort_a.pk})
    assert serials(response) == {getattr(world, name).serial for name in expected}
    today = timezone.localdate()
    for name in ("valid", "revoked", "old", "new", "expired"):
        certificate = Certificate.objects.get(pk=getattr(world, name).pk)
        assert (certificate.status_on(today) == status) == (name in expected)


@pytest.mark.parametrize(
    ("annulled", "revoked", "superseded", "expired", "status"),
    [
        (True, True, True, True, "annulled"),
        (True, False, False, False, "annulled"),
        (False, True, True, True, "revoked"),
        (False, True, True, False, "revoked"),
        (False, True, False, True, "revoked"),
        (False, False, True, True, "superseded"),
    ],
)
def test_a_certificate_in_several_states_has_the_first_in_order_everywhere(
    world, annulled, revoked, superseded, expired, status
):
    """Annulled, revoked, then superseded, then expired: the services never make a revoked
    certificate that was also replaced, but rows edited by hand (or older data) may be, and the
    page, the register's filter and verification must still agree on one status."""
    today = timezone.localdate()
    certificate = issue(world.cohort_a, last_name="Многостатусная")
    if superseded:
        issue(
            world.cohort_a,
            enrolment=certificate.enrolment,
            last_name="Многостатусная",
            replaces=certificate,
        )
    Certificate.objects.filter(pk=certificate.pk).update(
        annulled_at=timezone.now() if annulled else None,
        revoked_at=timezone.now() if revoked else None,
        expires_on=today - dt.timedelta(days=1) if expired else None,
    )
    certificate = Certificate.objects.get(pk=certificate.pk)

    assert certificate.status_on(today) == status
    for other in Certificate.Status.values:
        selected = Certificate.objects.filter(
            status_filter(other, day=today), pk=certificate.pk
        ).exists()
        assert selected == (other == status), other


def test_an_expired_one_is_valid_on_its_last_day(client, world):
    Certificate.objects.filter(pk=world.expired.pk).update(expires_on=timezone.localdate())
    client.force_login(world.official)
    assert world.expired.serial in serials(client.get(REGISTER, {"status": "valid"}))
    assert world.expired.serial not in serials(client.get(REGISTER, {"status": "expired"}))


def test_the_period_filter_includes_both_ends(client, world):
    client.force_login(world.official)
    day = world.new.issued_on  # 21 November; `valid` was issued on the 20th
    from_day = serials(client.get(REGISTER, {"issued_from": day.isoformat()}))
    assert world.new.serial in from_day and world.valid.serial not in from_day
    after = serials(client.get(REGISTER, {"issued_from": (day + dt.timedelta(1)).isoformat()}))
    assert world.new.serial not in after

    to_day = serials(client.get(REGISTER, {"issued_to": world.old.issued_on.isoformat()}))
    assert world.old.serial in to_day and world.valid.serial not in to_day
    before = (world.old.issued_on - dt.timedelta(1)).isoformat()
    assert world.old.serial not in serials(client.get(REGISTER, {"issued_to": before}))


def test_dates_as_russians_type_them(client, world):
    client.force_login(world.official)
    response = client.get(REGISTER, {"issued_from": "21.11.2026", "issued_to": "21.11.2026"})
    assert serials(response) == {world.new.serial}


def test_the_search_by_name_or_serial(client, world):
    client.force_login(world.official)
    assert serials(client.get(REGISTER, {"q": "иванова мария"})) == {world.valid.serial}
    assert serials(client.get(REGISTER, {"q": "Иванова Анна"})) == set()
    assert serials(client.get(REGISTER, {"q": world.revoked.serial})) == {world.revoked.serial}


def test_the_region_filter_for_those_who_see_several(client, world):
    client.force_login(world.federal)
    region_86 = world.cohort_y.region
    assert serials(client.get(REGISTER, {"region": region_86.pk})) == {world.other_region.serial}
    assert world.other_region.serial not in serials(
        client.get(REGISTER, {"region": world.cohort_a.region.pk})
    )
    # A regional official sees one region: no region filter to choose from.
    client.force_login(world.official)
    assert "region" not in client.get(REGISTER).context["form"].fields


@pytest.mark.parametrize(
    "params",
    [
        {"cohort": "999999"},  # no such cohort
        {"cohort": "FOREIGN"},  # a cohort of region 86
        {"cohort": "abc"},
    ],
)
def test_an_unknown_or_foreign_cohort_reveals_nothing(client, world, params):
    if params["cohort"] == "FOREIGN":
        params = {"cohort": world.cohort_y.pk}
    client.force_login(world.official)
    response = client.get(REGISTER, params)
    assert response.status_code == 200
    assert response.context["rows"] is None
    page = response.content.decode()
    assert "Выберите группу из списка." in page
    assert world.cohort_y.name not in page and world.other_region.serial not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"issued_from": "2026-13-45"}, "«2026-13-45» — не дата: выберите её в календаре"),
        ({"issued_to": "вчера"}, "введите в виде ГГГГ-ММ-ДД."),
        ({"issued_from": "1999-12-31"}, "Выберите дату с 01.01.2000 по 31.12.2100."),
        ({"issued_from": "2026-11-21", "issued_to": "2026-11-20"}, "позже его конца"),
        ({"status": "lost"}, "Выберите статус из списка."),
        ({"region": "1"}, None),  # a regional official has no region filter: ignored
    ],
)
def test_bad_filters_get_a_message_not_an_error(client, world, params, message):
    client.force_login(world.official)
    response = client.get(REGISTER, params)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
        assert response.context["rows"] is None
        # The files refuse them too, back to the page that says why.
        export = client.get(reverse("certificates:register_csv"), params)
        assert export.status_code == 302 and export.url.startswith(REGISTER)
    else:
        assert response.context["rows"] is not None


def test_a_bad_page_number_shows_the_last_page(client, world):
    client.force_login(world.official)
    assert client.get(REGISTER, {"page": "abc"}).status_code == 200
    assert client.get(REGISTER, {"page": "999"}).status_code == 200


def count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REGISTER, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(
    client, world, django_assert_max_num_queries, drawn_afresh
):
    client.force_login(world.federal)
    few = count_queries(client)
    for number in range(12):
        issue(world.cohort_b, last_name=f"Новиков{number}")
    Certificate.objects.filter(pk=world.other_cohort.pk).update(expires_on=dt.date(2030, 1, 1))
    many = count_queries(client)
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(REGISTER, {"cohort": world.cohort_b.pk, "status": "valid", "q": "Новиков"})


def test_paginated(client, world, monkeypatch):
    from certificates.views import exports as views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    client.force_login(world.official)
    first = client.get(REGISTER, {"cohort": world.cohort_a.pk})
    second = client.get(REGISTER, {"cohort": world.cohort_a.pk, "page": 2})
    assert len(first.context["rows"]) == 2
    assert serials(first).isdisjoint(serials(second))
    assert f"cohort={world.cohort_a.pk}&amp;page=2" in first.content.decode()


# --- The files --------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def page_rows(client, params) -> list[list[str]]:
    response = client.get(REGISTER, params)
    return [[str(cell) for cell in row] for row in response.context["rows"]]


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "valid"}, {"q": "Иванова"}, {"issued_from": "2026-11-01", "cohort": "A"}],
)
def test_the_files_hold_the_pages_rows(client, world, params):
    params = {k: (world.cohort_a.pk if v == "A" else v) for k, v in params.items()}
    client.force_login(world.official)
    shown = page_rows(client, params)

    from_csv = csv_rows(client.get(reverse("certificates:register_csv"), params))
    from_xlsx = xlsx_rows(client.get(reverse("certificates:register_xlsx"), params))

    assert from_csv[0] == list(REGISTER_HEADER) == list(from_xlsx[0])
    assert from_csv[1:] == shown
    assert [[as_text(cell) for cell in row] for row in from_xlsx[1:]] == shown


def as_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


def test_the_files_headers(client, world):
    client.force_login(world.official)
    response = client.get(reverse("certificates:register_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate()
    assert f"certificate-register-{today:%Y-%m-%d}.xlsx" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    response = client.get(reverse("certificates:register_csv"))
    assert response.streaming
    assert f"certificate-register-{today:%Y-%m-%d}.csv" in response["Content-Disposition"]


def test_hours_are_whole_or_with_a_decimal_comma_in_the_csv_and_numbers_in_the_xlsx(client, world):
    """Excel in a Russian locale reads «17,5» as a number and «17.5» as text (or a date)."""
    Certificate.objects.filter(pk=world.valid.pk).update(total_hours=Decimal("17.5"))
    client.force_login(world.official)
    column = REGISTER_HEADER.index("Часов")
    params = {"q": world.valid.serial}

    from_csv = csv_rows(client.get(reverse("certificates:register_csv"), params))
    from_xlsx = xlsx_rows(client.get(reverse("certificates:register_xlsx"), params))
    whole = csv_rows(client.get(reverse("certificates:register_csv"), {"q": world.expired.serial}))

    assert [row[column] for row in from_csv[1:]] == ["17,5"]
    assert [row[column] for row in from_xlsx[1:]] == [17.5]
    assert [row[column] for row in whole[1:]] == ["18"]


def test_the_files_are_formula_safe(client, world):
    Certificate.objects.filter(pk=world.valid.pk).update(last_name='=HYPERLINK("http://x")')
    client.force_login(world.official)

    csv_cells = [row[2] for row in csv_rows(client.get(reverse("certificates:register_csv")))]
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("certificates:register_xlsx")).streaming_content))
    )
    cells = [row[2] for row in workbook.active.iter_rows(min_row=2)]

    assert any(value.startswith("'=HYPERLINK") for value in csv_cells)
    assert not any(value.startswith("=") for value in csv_cells)
    risky = [cell for cell in cells if "HYPERLINK" in cell.value]
    assert risky and all(cell.data_type == "s" and cell.value.startswith("'=") for cell in risky)
