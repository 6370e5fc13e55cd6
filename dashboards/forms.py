"""The dashboards' filters, read from the address (a GET form), so that a filtered page can be
bookmarked and the same selection reaches every page of the drill-down."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.forms import check_period, filter_date
from courses.models import ProgramPage
from courses.selectors import cohorts_visible_to

from .selectors import CohortStatus, DashboardFilters


class DashboardFilterForm(forms.Form):
    # The programmes' ids and titles only, as plain choices: a ModelChoiceField would load whole
    # pages through a server-side cursor on every dashboard (a millisecond of each).
    program = forms.TypedChoiceField(
        label=_("Programme"),
        coerce=int,
        empty_value=None,
        required=False,
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

    def __init__(self, data=None, *, user):
        # Only the filter fields are read: `sort` and anything else in the address are not ours.
        if data is not None:
            data = {
                name: data.get(name, "")
                for name in ("program", "status", "period_from", "period_to")
            }
        super().__init__(data)
        self.user = user
        # Read when the field is validated or drawn, once: a file's address without a programme
        # runs no query for it.
        self.fields["program"].choices = lambda: self.programme_choices
        # Bootstrap's classes, which templates/dashboards/includes/filter_field.html leaves to us.
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            attrs = self.fields[name].widget.attrs if name in self.fields else {}
            if attrs and "is-invalid" not in attrs["class"]:
                attrs["class"] += " is-invalid"  # Bootstrap's red frame, and the message shown

    @cached_property
    def programme_choices(self) -> list[tuple]:
        """The programmes of the cohorts the user may see (`cohorts_visible_to`): a regional
        official's region's, every region's for a federal official. One query.

        Not `programs_visible_to`, which is the live programmes a user may open: a programme
        unpublished after its cohorts ran still has cohorts on the dashboards, and the filter
        must be able to choose them; a draft nobody runs, or another region's programme, has no
        cohort here and is not offered (nor accepted in the address)."""
        programmes = (
            ProgramPage.objects.filter(pk__in=cohorts_visible_to(self.user).values("program_id"))
            .order_by("title", "pk")
            .values_list("pk", "title")
        )
        return [("", _("All programmes")), *programmes]

    def clean(self):
        cleaned = super().clean()
        check_period(cleaned, "period_from", "period_to")
        return cleaned

    def filters(self, *, today: dt.date | None = None) -> DashboardFilters:
        """The valid filters as the selectors take them (none set: everything)."""
        values = self.cleaned_data if self.is_bound else {}
        return DashboardFilters(
            program_id=values.get("program"),
            status=values.get("status") or "",
            period_from=values.get("period_from"),
            period_to=values.get("period_to"),
            today=today,
        )
