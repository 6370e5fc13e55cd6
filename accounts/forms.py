from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import Region


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
