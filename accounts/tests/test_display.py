"""Time zones as people say them, and quotation marks nested as Russian writes them."""

import datetime as dt

import pytest
from django.utils import translation

from accounts.display import inner_quotes, zone_label

SUMMER_2026 = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "russian"),
    [
        ("Europe/Moscow", "по московскому времени"),
        ("Europe/Simferopol", "по московскому времени"),
        ("Europe/Kirov", "по московскому времени"),
        ("Europe/Samara", "по времени UTC+4 (МСК+1)"),
        ("Asia/Yekaterinburg", "по времени UTC+5 (МСК+2)"),
        ("Europe/Kaliningrad", "по времени UTC+2 (МСК\u22121)"),
        ("Asia/Kamchatka", "по времени UTC+12 (МСК+9)"),
    ],
)
def test_a_zone_is_named_as_people_say_it(zone, russian):
    with translation.override("ru"):
        assert zone_label(zone, SUMMER_2026) == russian


def test_a_zone_is_read_at_the_moment_shown():
    # Volgograd kept UTC+4 until 27 December 2020, then took Moscow's time.
    before = dt.datetime(2020, 6, 1, 12, 0, tzinfo=dt.UTC)
    after = dt.datetime(2021, 6, 1, 12, 0, tzinfo=dt.UTC)

    assert zone_label("Europe/Volgograd", before) == "in UTC+4 (Moscow time +1)"
    assert zone_label("Europe/Volgograd", after) == "in Moscow time"


def test_a_name_that_is_not_a_zone_is_shown_as_it_is():
    assert zone_label("Mars/Olympus", SUMMER_2026) == "Mars/Olympus"
    assert zone_label("", SUMMER_2026) == ""


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("Социальный паспорт и «Круг поддержки»", "Социальный паспорт и „Круг поддержки“"),
        ('Центр "Мой бизнес"', "Центр „Мой бизнес“"),
        ("Группа 1", "Группа 1"),
    ],
)
def test_quotes_inside_quotes_become_the_inner_ones(value, quoted):
    assert inner_quotes(value) == quoted
