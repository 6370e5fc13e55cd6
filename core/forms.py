"""Form pieces every app uses: the date picker, an optional date filter, and a period's check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker (it sends and shows ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def filter_date(label) -> forms.DateField:
    """An optional date of a filter in the address."""
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter the date as DD.MM.YYYY.")},
    )


def check_period(cleaned: dict, start_field: str, end_field: str) -> None:
    """Refuse a period whose start is after its end (the same day is a period of one day)."""
    start, end = cleaned.get(start_field), cleaned.get(end_field)
    if start and end and start > end:
        raise forms.ValidationError(
            _("The start of the period (%(start)s) is after its end (%(end)s).")
            % {"start": f"{start:%d.%m.%Y}", "end": f"{end:%d.%m.%Y}"}
        )
