from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region

from .access import regions_for


class ImportForm(forms.Form):
    """A package and the region adopting it (an author's own region; any, for administrators)."""

    package = forms.FileField(
        label=_("Programme package"),
        help_text=_("The .zip file exported from the origin's site («Export»)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    region = forms.ModelChoiceField(label=_("Adopting region"), queryset=Region.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        if user.region_id and not self.is_bound:
            self.fields["region"].initial = user.region_id
