from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import Region, User
from .phones import normalise_phone


class _SchoolUserFields(forms.Form):
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Region"), required=True)


class SchoolUserCreationForm(_SchoolUserFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"patronymic", "region"}


class SchoolUserEditForm(_SchoolUserFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"patronymic", "region"}


class SignInForm(AuthenticationForm):
    """Django's sign-in form with labels and autocomplete hints that assistive tech can use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Login")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ProfileForm(forms.ModelForm):
    """What a person may keep up to date about themselves, and their consent."""

    # Longer than the stored +7XXXXXXXXXX: people type spaces, dashes and brackets.
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For example +7 900 123-45-67."),
    )

    class Meta:
        model = User
        fields = [
            "email",
            "phone",
            "organisation",
            "position",
            "email_notifications",
            "data_consent",
        ]
        labels = {"email": _("E-mail")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
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
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this e-mail."))
        return email

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        if "data_consent" in self.changed_data:
            user.data_consent_at = timezone.now() if user.data_consent else None
        if commit:
            user.save()
        return user


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Also reaches people invited by an import who have not chosen a password yet."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")
