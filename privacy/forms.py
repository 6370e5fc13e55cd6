from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Person"), max_length=150, help_text=_("Login, e-mail or name."))


class ErasureForm(forms.Form):
    """The administrator's confirmation: the request it carries out, and the login typed back."""

    requested_on = forms.DateField(
        label=_("Request dated"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Request number"), max_length=100, required=False)
    confirm = forms.CharField(
        label=_("Type the person's login to confirm"),
        max_length=150,
        help_text=_("Erasure cannot be undone."),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A request cannot be dated in the future."))
        return day

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.person.username:
            raise forms.ValidationError(_("This is not the person's login: nothing was erased."))
        return typed
