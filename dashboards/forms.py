"""The dashboards' filters, read from the address (a GET form), so that a filtered page can be
bookmarked and the same selection reaches every page of the drill-down."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import ProgramPage

from .selectors import CohortStatus, DashboardFilters


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=_("All programmes"),
        error_messages={"invalid_choice": _("Choose a programme from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Cohort status"),
        choices=[("", _("Any status")), *CohortStatus.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    period_from = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter the date as DD.MM.YYYY.")},
    )
    period_to = forms.DateField(
        label=_("Period until"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter the date as DD.MM.YYYY.")},
    )

    def __init__(self, data=None):
        # Only the filter fields are read: `sort` and anything else in the address are not ours.
        if data is not None:
            data = {
                name: data.get(name, "")
                for name in ("program", "status", "period_from", "period_to")
            }
        super().__init__(data)
        # Every programme ever run, published or not: an official compares all the cohorts.
        self.fields["program"].queryset = ProgramPage.objects.order_by("title")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start of the period (%(start)s) is after its end (%(end)s).")
                % {"start": f"{start:%d.%m.%Y}", "end": f"{end:%d.%m.%Y}"}
            )
        return cleaned

    def filters(self, *, today: dt.date | None = None) -> DashboardFilters:
        """The valid filters as the selectors take them (none set: everything)."""
        values = self.cleaned_data if self.is_bound else {}
        program = values.get("program")
        return DashboardFilters(
            program_id=program.pk if program else None,
            status=values.get("status") or "",
            period_from=values.get("period_from"),
            period_to=values.get("period_to"),
            today=today,
        )
