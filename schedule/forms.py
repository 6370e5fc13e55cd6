"""The forms of the schedule: a session (or a weekly series) and a rating."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model

from courses.models import ModulePage

from .models import Session, Speaker
from .services import session_errors


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


MAX_ID_DIGITS = 18  # every database's integers hold it; SQLite fails on a longer number


def _is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


class IdChoiceField(forms.ModelChoiceField):
    """A choice of record by id that refuses a value no id can be («²», 40 digits) before it
    reaches the database, where an out-of-range number is an error rather than no match."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records by id, refused as IdChoiceField refuses one."""

    def _check_values(self, value):
        for item in value:
            if not _is_id(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


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
        field_classes = {
            "module": IdChoiceField,
            "speakers": IdMultipleChoiceField,
            "materials": IdMultipleChoiceField,
        }
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
