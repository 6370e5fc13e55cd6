"""The register's filters, read from the address (a GET form), shared by the register page, its
XLSX and CSV and the federal register's export, so that a link carries the same selection to
each of them."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import check_period, filter_date
from courses.selectors import cohorts_visible_to

from .exports import STATUS_LABELS
from .selectors import register_certificates, register_regions


class RegisterFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=None,
        required=False,
        empty_label=_("All regions"),
        error_messages={"invalid_choice": _("Choose a region from the list.")},
    )
    # One message for a cohort that does not exist and one the user does not follow: the answer
    # must not tell them apart.
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=None,
        required=False,
        empty_label=_("All cohorts"),
        error_messages={"invalid_choice": _("Choose a cohort from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *STATUS_LABELS.items()],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    issued_from = filter_date(_("Issued from"))
    issued_to = filter_date(_("Issued until"))
    q = forms.CharField(label=_("Name or serial"), max_length=100, required=False)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user
        self.fields["cohort"].queryset = cohorts_visible_to(user).order_by("-starts_on", "name")
        regions = register_regions(user)
        self.fields["region"].queryset = regions
        # The region filter is for those who see several regions; one region needs none.
        self.shows_region = len(regions) > 1
        if not self.shows_region:
            del self.fields["region"]

    def clean(self):
        cleaned = super().clean()
        check_period(cleaned, "issued_from", "issued_to")
        return cleaned

    def certificates(self, *, day: dt.date):
        """The certificates the valid filters select (all the user may see when none is set)."""
        values = self.cleaned_data if self.is_bound else {}
        return register_certificates(
            user=self.user,
            day=day,
            region=values.get("region"),
            cohort=values.get("cohort"),
            status=values.get("status") or "",
            issued_from=values.get("issued_from"),
            issued_to=values.get("issued_to"),
            search=values.get("q") or "",
        )

    @property
    def has_cohort_or_period(self) -> bool:
        values = self.cleaned_data
        return bool(values.get("cohort") or values.get("issued_from") or values.get("issued_to"))
