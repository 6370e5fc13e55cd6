"""`data_key`: equal data gives the same key, and any difference — a field of a row, of a row
loaded with it, an annotation, the order, the language — another."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import User
from core.fragments import data_key
from tests import factories


@dataclass(frozen=True)
class Row:
    name: str
    rate: Decimal | None
    day: dt.date


ROWS = [Row("Тамбов", Decimal("12.5"), dt.date(2026, 3, 2)), Row("Югра", None, dt.date(2026, 3, 9))]


def test_equal_data_gives_the_same_key():
    copy = [Row(row.name, row.rate, row.day) for row in ROWS]
    assert data_key("?sort=name", ROWS) == data_key("?sort=name", copy)


@pytest.mark.parametrize(
    "changed",
    [
        [Row("Тамбов", Decimal("12.6"), dt.date(2026, 3, 2)), ROWS[1]],
        [Row("Тамбов", Decimal("12.5"), dt.date(2026, 3, 3)), ROWS[1]],
        [ROWS[0], Row("Югра", Decimal("0"), dt.date(2026, 3, 9))],
        [ROWS[0], Row("Югра ", None, dt.date(2026, 3, 9))],
        ROWS[::-1],
        ROWS[:1],
    ],
)
def test_any_difference_of_the_rows_gives_another_key(changed):
    assert data_key("?sort=name", changed) != data_key("?sort=name", ROWS)


def test_other_parts_and_another_language_give_another_key():
    with translation.override("ru"):
        russian = data_key("?sort=name", ROWS)
        assert data_key("?sort=-name", ROWS) != russian
        assert data_key(ROWS, "?sort=name") != russian
    with translation.override("en"):
        assert data_key("?sort=name", ROWS) != russian


@pytest.mark.django_db
def test_model_rows_are_keyed_by_every_loaded_field_and_related_row():
    enrolment = factories.enrol(factories.user("Trainee"), factories.cohort(factories.program()))

    def loaded():
        from courses.models import Enrolment

        return Enrolment.objects.select_related("trainee", "cohort").get(pk=enrolment.pk)

    key = data_key([loaded()])
    assert data_key([loaded()]) == key

    User.objects.filter(pk=enrolment.trainee_id).update(patronymic="Петровна")
    assert data_key([loaded()]) != key  # a field of a row loaded with it

    renamed = data_key([loaded()])
    enrolment.cohort.name = "Другая группа"
    enrolment.cohort.save(update_fields=["name"])
    assert data_key([loaded()]) != renamed

    annotated = loaded()
    annotated.stale = True  # as `.annotate(stale=...)` sets it
    assert data_key([annotated]) != data_key([loaded()])
