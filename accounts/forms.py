from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from core.forms import DateInput

from .models import ConsentText, Region, User
from .phones import normalise_phone
from .snils import format_snils, normalise_snils

# The ages at which a date of birth is believable for a coordinator in training.
BIRTH_AGE_MIN, BIRTH_AGE_MAX = 16, 100


def age_on(birth_date, day) -> int:
    """Full years between the two dates."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class _SchoolUserFields(forms.Form):
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Region"), required=True)


class SchoolUserCreationForm(_SchoolUserFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"patronymic", "region"}


class SchoolUserEditForm(_SchoolUserFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"patronymic", "region"}

    def save(self, commit: bool = True):
        # An address typed in by an administrator is not yet shown to be the person's own.
        if "email" in self.changed_data:
            self.instance.email_confirmed = False
            self.instance.pending_email = ""
        return super().save(commit=commit)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with labels and autocomplete hints that assistive tech can use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Login")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ProfileForm(forms.ModelForm):
    """What a person may keep up to date about themselves, and their consent.

    The e-mail is not saved here: a new address is only asked for (accounts.services), and it
    takes the place of the current one once the link sent to it is followed.
    """

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=User._meta.get_field("email").max_length,
        help_text=_("A new address takes effect once you open the link we send to it."),
    )
    # Longer than the stored +7XXXXXXXXXX: people type spaces, dashes and brackets.
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For example +7 900 123-45-67."),
    )

    # Optional, for the federal register's report only (certificates.frdo); typed as people write
    # it, stored as 11 digits.
    snils = forms.CharField(
        label=_("SNILS"),
        max_length=20,
        required=False,
        help_text=_("For example 123-456-789 01."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
    )

    # Shown apart, in their own fieldset, with what they are for.
    REGISTER_FIELDS = ("snils", "birth_date")

    class Meta:
        model = User
        fields = [
            "phone",
            "organisation",
            "position",
            "email_notifications",
            "snils",
            "birth_date",
        ]

    # Not a model field: a consent is a row of its own (accounts.services.consent_give), kept
    # with the version of the text agreed to; the view records it once the form is valid.
    data_consent = forms.BooleanField(required=False)

    field_order = ["email", "phone", "organisation", "position", "email_notifications"]

    def __init__(self, *args, consent_text: ConsentText | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent_text
        self.initial["data_consent"] = self.instance.data_consent
        consent = self.fields["data_consent"]
        consent.label = _("I consent to the processing of my personal data")
        if consent_text is not None:
            consent.help_text = _(
                "On the terms of the consent text, version %(version)s: %(purpose)s"
            ) % {"version": consent_text.version, "purpose": consent_text.purpose}
        else:
            # Nothing to agree to: the school has not published its text yet.
            consent.disabled = True
        self.initial.setdefault("email", self.instance.email)
        self.initial["snils"] = format_snils(self.instance.snils)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if not value:
            return ""
        phone = normalise_phone(value)
        if phone is None:
            raise forms.ValidationError(_("Enter a Russian number such as +7 900 123-45-67."))
        return phone

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_snils(self) -> str:
        value = self.cleaned_data["snils"].strip()
        if not value:
            return ""
        snils = normalise_snils(value)
        if snils is None:
            raise forms.ValidationError(
                _(
                    "This is not a valid SNILS: it has 11 digits, written as 123-456-789 01, and "
                    "the last two must match the first nine. Please check it against your card."
                )
            )
        return snils

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date is None:
            return None
        age = age_on(birth_date, timezone.localdate())
        if not BIRTH_AGE_MIN <= age <= BIRTH_AGE_MAX:
            raise forms.ValidationError(
                _("Enter a date of birth in the past: an age from %(min)s to %(max)s years.")
                % {"min": BIRTH_AGE_MIN, "max": BIRTH_AGE_MAX}
            )
        return birth_date

    def clean(self):
        """СНИЛС and the date of birth are kept only with the holder's consent to personal data
        processing, as the fieldset says: without it, either is refused, nothing is saved."""
        cleaned = super().clean()
        given = [name for name in self.REGISTER_FIELDS if cleaned.get(name)]
        if given and not cleaned.get("data_consent"):
            for name in given:
                self.add_error(
                    name,
                    _(
                        "The school keeps this only with your consent to personal data "
                        "processing: tick the consent above, or leave the field empty."
                    ),
                )
        return cleaned

    @property
    def main_fields(self):
        return [
            field
            for field in self
            if field.name not in self.REGISTER_FIELDS and field.name != "data_consent"
        ]

    @property
    def register_fields(self):
        return [self[name] for name in self.REGISTER_FIELDS]

    @property
    def new_email(self) -> str | None:
        """The address asked for, when it differs from the current one."""
        email = self.cleaned_data["email"]
        return None if email == (self.instance.email or "").lower() else email

    @property
    def consent_change(self) -> bool | None:
        """True to give consent, False to withdraw it, None to leave it as it is."""
        if "data_consent" not in self.changed_data:
            return None
        return self.cleaned_data["data_consent"]

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        if commit:
            user.save(update_fields=self.Meta.fields)
        return user


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Also reaches people invited by an import who have not chosen a password yet."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")
