"""Form pieces every app uses: the date picker, an optional date filter, and a period's check."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The dates a filter accepts. The school's records start in the 2020s; a year 1 or 9999 is a
# slip of the keyboard (or a probe), and a period reaching it would have a chart walk every week
# of it. Generous on both sides, so that no real question is refused.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


class DateInput(forms.DateInput):
    """The browser's date picker (it sends and shows ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FilterDateField(forms.DateField):
    """A date of a filter: the picker's ISO form (or the Russian one typed into the address),
    between FIRST_DAY and LAST_DAY. A value that is not a date is named in the message: the
    picker cannot show it, so the message is where the official sees what was refused."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _('"%(value)s" is not a date: pick one in the calendar or type it as YYYY-MM-DD.'),
                code="invalid",
                params={"value": str(value).strip()[:30]},
            ) from None

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": f"{FIRST_DAY:%d.%m.%Y}", "last": f"{LAST_DAY:%d.%m.%Y}"},
            )


def filter_date(label) -> forms.DateField:
    """An optional date of a filter in the address."""
    return FilterDateField(
        label=label,
        required=False,
        widget=DateInput(attrs={"min": f"{FIRST_DAY:%Y-%m-%d}", "max": f"{LAST_DAY:%Y-%m-%d}"}),
    )


def check_period(cleaned: dict, start_field: str, end_field: str) -> None:
    """Refuse a period whose start is after its end (the same day is a period of one day)."""
    start, end = cleaned.get(start_field), cleaned.get(end_field)
    if start and end and start > end:
        raise forms.ValidationError(
            _("The start of the period (%(start)s) is after its end (%(end)s).")
            % {"start": f"{start:%d.%m.%Y}", "end": f"{end:%d.%m.%Y}"}
        )
