from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model

from courses.models import ModulePage

from .models import Session, Speaker
from .services import session_errors


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionForm(forms.ModelForm):
    """A session of one cohort; times are read in the cohort's region time zone (the view
    activates it)."""

    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    weeks = forms.IntegerField(
        label=_("Repeat weekly, times"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("1: a single session. 6: the same session every week for six weeks."),
    )

    class Meta:
        model = Session
        fields = [
            "topic",
            "module",
            "speakers",
            "starts_at",
            "ends_at",
            "format",
            "room",
            "link",
            "hours",
            "kind",
            "materials",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "speakers": forms.CheckboxSelectMultiple(),
            "materials": forms.CheckboxSelectMultiple(),
            "format": forms.RadioSelect(),
        }

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        self.fields["module"].queryset = ModulePage.objects.child_of(cohort.program).order_by(
            "path"
        )
        self.fields["speakers"].queryset = Speaker.objects.all()
        self.fields["materials"].queryset = get_document_model().objects.order_by("title")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk:
            del self.fields["weeks"]

    def clean(self):
        cleaned = super().clean()
        candidate = Session(
            cohort=self.instance.cohort,
            starts_at=cleaned.get("starts_at"),
            ends_at=cleaned.get("ends_at"),
            format=cleaned.get("format") or Session.Format.IN_PERSON,
            link=cleaned.get("link") or "",
        )
        for field, message in session_errors(candidate).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(number, str(number)) for number in range(5, 0, -1)],
        widget=forms.RadioSelect(),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
