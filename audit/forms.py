from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .selectors import ACTIONS, TrailQuery, kinds


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.model_class()._meta.verbose_name.capitalize()


class TrailFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Who"), required=False, max_length=150, help_text=_("Login, e-mail or name.")
    )
    trainee = forms.CharField(
        label=_("Whose data"), required=False, max_length=150, help_text=_("Login, e-mail or name.")
    )
    kind = KindChoiceField(
        label=_("Kind"), queryset=ContentType.objects.none(), required=False, empty_label=_("Any")
    )
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("", _("Any")), *ACTIONS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ContentType.objects.filter(
            pk__in=[kind.pk for kind in kinds()]
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def query(self) -> TrailQuery:
        data = self.cleaned_data
        return TrailQuery(
            actor=data.get("actor", "").strip(),
            trainee=data.get("trainee", "").strip(),
            kind=data.get("kind"),
            action=data.get("action"),
            since=data.get("since"),
            until=data.get("until"),
        )
