"""The filters' date field every app uses: what it accepts, the years it allows, and what it
says of a value it refuses, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from core.forms import FIRST_DAY, LAST_DAY, filter_date


class Filter(forms.Form):
    day = filter_date("Day")


def errors(value: str, language: str = "ru") -> list[str]:
    with translation.override(language):
        form = Filter({"day": value})
        form.is_valid()
        return [str(message) for message in form.errors.get("day", [])]


def test_the_years_allowed_are_2000_to_2100():
    assert (dt.date(2000, 1, 1), dt.date(2100, 12, 31)) == (FIRST_DAY, LAST_DAY)


@pytest.mark.parametrize("value", ["2000-01-01", "2100-12-31", "2026-05-01", "01.05.2026", ""])
def test_a_date_within_the_years_is_accepted(value):
    assert errors(value) == []


@pytest.mark.parametrize(
    "value", ["1999-12-31", "2101-01-01", "0001-01-01", "1900-01-01", "9999-12-31"]
)
def test_a_date_outside_them_is_refused_with_the_range(value):
    assert errors(value) == ["Выберите дату с 01.01.2000 по 31.12.2100."]
    assert errors(value, "en") == ["Choose a date between 01.01.2000 and 31.12.2100."]


@pytest.mark.parametrize("value", ["abc", "2026-02-31", "31.02.2026", "10000-01-01"])
def test_a_value_that_is_not_a_date_is_named_and_the_pickers_form_asked_for(value):
    assert errors(value) == [
        f"«{value}» — не дата: выберите её в календаре или введите в виде ГГГГ-ММ-ДД."
    ]
    assert errors(value, "en") == [
        f'"{value}" is not a date: pick one in the calendar or type it as YYYY-MM-DD.'
    ]


def test_a_long_value_is_cut_in_the_message():
    (message,) = errors("x" * 500)
    assert "x" * 30 in message and "x" * 31 not in message


def test_the_picker_sends_iso_dates_within_the_years():
    html = str(Filter()["day"])
    assert 'type="date"' in html
    assert 'min="2000-01-01"' in html and 'max="2100-12-31"' in html
