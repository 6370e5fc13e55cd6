from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from accounts.roles import Role
from core.forms import DateInput

from .imports import MAX_FILE_BYTES
from .models import Cohort, Enrolment, ProgramPage
from .selectors import sees_all_regions
from .services import WITHDRAWAL_REASON_MAX, withdrawal_errors


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["program", "region", "name", "starts_on", "ends_on", "capacity", "instructors"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "instructors": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = ProgramPage.objects.live().order_by("title")
        teaching = get_user_model().objects.filter(
            groups__name__in=[Role.INSTRUCTOR, Role.SENIOR_INSTRUCTOR]
        )
        if sees_all_regions(user):
            self.fields["region"].queryset = Region.objects.all()
        else:
            # A regional official manages their own region only.
            self.fields["region"].queryset = Region.objects.filter(pk=user.region_id)
            self.fields["region"].initial = user.region_id
            teaching = teaching.filter(region_id=user.region_id)
        self.fields["instructors"].queryset = teaching.distinct().order_by(
            "last_name", "first_name"
        )
        self.fields["instructors"].label_from_instance = lambda person: person.full_name

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot come before the start."))
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            active = self.instance.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
            if capacity < active:
                self.add_error(
                    "capacity",
                    _("%(count)s trainees already study in this cohort.") % {"count": active},
                )
        program_changed = self.instance.pk and cleaned.get("program") != self.instance.program
        if program_changed and self.instance.enrolments.exists():
            self.add_error(
                "program", _("The programme of a cohort with trainees cannot be changed.")
            )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("Up to 2 MB. Start from the template file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(size)s MB.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class WithdrawalForm(forms.Form):
    """The withdrawal's date and reason; the rules themselves are `withdrawal_errors`."""

    on = forms.DateField(label=_("Date of withdrawal"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        # The browser stops at the limit; the service refuses a longer one sent anyway.
        max_length=WITHDRAWAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The trainee sees it in their record and in the message they receive."),
    )

    def __init__(self, *args, enrolment: Enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.fields["on"].initial = timezone.localdate()
        self.fields["on"].widget.attrs.update(
            min=enrolment.enrolled_on.isoformat(), max=timezone.localdate().isoformat()
        )

    def clean(self):
        cleaned = super().clean()
        if "on" in cleaned and "reason" in cleaned:
            for field, message in withdrawal_errors(
                enrolment=self.enrolment, on=cleaned["on"], reason=cleaned["reason"]
            ).items():
                self.add_error(field, message)
        return cleaned
