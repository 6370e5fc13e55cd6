"""The dashboards' filters, read from the address (a GET form), so that a filtered page can be
bookmarked and the same selection reaches every page of the drill-down."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import check_period, filter_date
from courses.models import ProgramPage

from .selectors import CohortStatus, DashboardFilters


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
    period_from = filter_date(_("Period from"))
    period_to = filter_date(_("Period until"))

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
        check_period(cleaned, "period_from", "period_to")
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
